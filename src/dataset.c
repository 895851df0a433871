/* dataset.c — float tensors + labels (+ optional groups): create, filter, subset,
 * concatenate, per-class sampling, batch gathering.  Every constructor returns a
 * fresh dataset (NULL on allocation failure) and never modifies its inputs. */
#include "dataset.h"
#include <stdlib.h>
#include <string.h>

Dataset *ds_new(int n, int c, int h, int w) {
    if (n < 0 || c <= 0 || h <= 0 || w <= 0) return NULL;
    Dataset *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->n = n; d->c = c; d->h = h; d->w = w;
    size_t ss = ds_sample_size(d);
    /* allocate at least one element so a 0-sample dataset still has valid pointers */
    d->x = calloc((size_t)(n ? n : 1) * ss, sizeof(float));
    d->y = calloc((size_t)(n ? n : 1), sizeof(int));
    if (!d->x || !d->y) { ds_free(d); return NULL; }
    return d;
}

void ds_free(Dataset *d) {
    if (!d) return;
    free(d->x); free(d->y); free(d->group);
    free(d);
}

Dataset *ds_subset(const Dataset *d, const int *idx, int n) {
    if (!d || n < 0) return NULL;
    for (int i = 0; i < n; i++) if (idx[i] < 0 || idx[i] >= d->n) return NULL;
    Dataset *o = ds_new(n, d->c, d->h, d->w);
    if (!o) return NULL;
    if (d->group) {
        o->group = malloc((size_t)(n ? n : 1) * sizeof(int));
        if (!o->group) { ds_free(o); return NULL; }
    }
    size_t ss = ds_sample_size(d);
    for (int i = 0; i < n; i++) {
        memcpy(o->x + (size_t)i * ss, d->x + (size_t)idx[i] * ss, ss * sizeof(float));
        o->y[i] = d->y[idx[i]];
        if (d->group) o->group[i] = d->group[idx[i]];
    }
    return o;
}

Dataset *ds_filter_classes(const Dataset *d, const int *classes, int nc) {
    if (!d) return NULL;
    int *idx = malloc((size_t)(d->n ? d->n : 1) * sizeof(int));
    if (!idx) return NULL;
    int m = 0;
    for (int i = 0; i < d->n; i++)
        for (int j = 0; j < nc; j++)
            if (d->y[i] == classes[j]) { idx[m++] = i; break; }
    Dataset *o = ds_subset(d, idx, m);
    free(idx);
    return o;
}

Dataset *ds_concat(const Dataset *a, const Dataset *b) {
    if (!a || !b || a->c != b->c || a->h != b->h || a->w != b->w) return NULL;
    if (a->n > __INT_MAX__ - b->n) return NULL;
    int n = a->n + b->n;
    Dataset *o = ds_new(n, a->c, a->h, a->w);
    if (!o) return NULL;
    size_t ss = ds_sample_size(a);
    memcpy(o->x, a->x, (size_t)a->n * ss * sizeof(float));
    memcpy(o->x + (size_t)a->n * ss, b->x, (size_t)b->n * ss * sizeof(float));
    memcpy(o->y, a->y, (size_t)a->n * sizeof(int));
    memcpy(o->y + a->n, b->y, (size_t)b->n * sizeof(int));
    if (a->group || b->group) {   /* a side without groups gets group -1 */
        o->group = malloc((size_t)(n ? n : 1) * sizeof(int));
        if (!o->group) { ds_free(o); return NULL; }
        for (int i = 0; i < a->n; i++) o->group[i] = a->group ? a->group[i] : -1;
        for (int i = 0; i < b->n; i++) o->group[a->n + i] = b->group ? b->group[i] : -1;
    }
    return o;
}

static int cmp_int(const void *p, const void *q) {
    int a = *(const int *)p, b = *(const int *)q;
    return (a > b) - (a < b);
}

/* Shuffle all indices with the seed, keep the first k of each label, then put
 * the kept indices back in dataset order (so the result is stable and grouped
 * like the source). */
Dataset *ds_take_per_class(const Dataset *d, int k, uint64_t seed) {
    if (!d) return NULL;
    if (k < 0) k = 0;
    int lo = 0, hi = -1;
    for (int i = 0; i < d->n; i++) {
        if (i == 0 || d->y[i] < lo) lo = d->y[i];
        if (i == 0 || d->y[i] > hi) hi = d->y[i];
    }
    size_t ncls = d->n ? (size_t)((int64_t)hi - lo + 1) : 1;
    int *order = malloc((size_t)(d->n ? d->n : 1) * sizeof(int));
    int *count = calloc(ncls, sizeof(int));
    if (!order || !count) { free(order); free(count); return NULL; }
    for (int i = 0; i < d->n; i++) order[i] = i;
    Rng r; rng_seed(&r, seed);
    rng_shuffle(&r, order, d->n);
    int m = 0;
    for (int i = 0; i < d->n; i++) {
        int c = d->y[order[i]] - lo;
        if (count[c] < k) { count[c]++; order[m++] = order[i]; }
    }
    qsort(order, (size_t)m, sizeof(int), cmp_int);
    Dataset *o = ds_subset(d, order, m);
    free(order); free(count);
    return o;
}

/* Index of the (label, group) stratum of sample i in a small open-addressed list. */
static int stratum_of(const Dataset *d, int i, int64_t *keys, int *nkeys) {
    int64_t key = (int64_t)d->y[i] * 1000003 + (d->group ? d->group[i] : -1);
    for (int s = 0; s < *nkeys; s++)
        if (keys[s] == key) return s;
    keys[*nkeys] = key;
    return (*nkeys)++;
}

int ds_split_strata(const Dataset *d, int k, uint64_t seed, Dataset **rest, Dataset **val) {
    *rest = *val = NULL;
    int n = d->n;
    int *order = malloc((size_t)(n ? n : 1) * sizeof(int)), *stratum = malloc((size_t)(n ? n : 1) * sizeof(int));
    int *taken = calloc((size_t)(n ? n : 1), sizeof(int));
    int64_t *keys = malloc((size_t)(n ? n : 1) * sizeof(int64_t));
    uint8_t *in_val = calloc((size_t)(n ? n : 1), 1);
    int nkeys = 0, rc = -1;
    if (!order || !stratum || !taken || !keys || !in_val) goto done;
    for (int i = 0; i < n; i++) { order[i] = i; stratum[i] = stratum_of(d, i, keys, &nkeys); }
    Rng r; rng_seed(&r, seed);
    rng_shuffle(&r, order, n);
    for (int j = 0; j < n; j++)
        if (taken[stratum[order[j]]] < k) { taken[stratum[order[j]]]++; in_val[order[j]] = 1; }
    int nv = 0, nr = 0;
    for (int i = 0; i < n; i++) {   /* reuse order[] for rest, stratum[] for val: dataset order */
        if (in_val[i]) stratum[nv++] = i;
        else order[nr++] = i;
    }
    *rest = ds_subset(d, order, nr);
    *val = ds_subset(d, stratum, nv);
    if (*rest && *val) rc = 0;
    else { ds_free(*rest); ds_free(*val); *rest = *val = NULL; }
done:
    free(order); free(stratum); free(taken); free(keys); free(in_val);
    return rc;
}

int ds_count_class(const Dataset *d, int cls) {
    int c = 0;
    for (int i = 0; i < d->n; i++) c += d->y[i] == cls;
    return c;
}

void ds_gather(const Dataset *d, const int *idx, int B, float *x, int *y) {
    size_t ss = ds_sample_size(d);
    for (int i = 0; i < B; i++) {
        if (x) memcpy(x + (size_t)i * ss, d->x + (size_t)idx[i] * ss, ss * sizeof(float));
        if (y) y[i] = d->y[idx[i]];
    }
}

Dataset *ds_take_random(const Dataset *d, int k, Rng *r) {
    int n = d->n;
    if (k <= 0 || k > n) k = n;
    int *idx = malloc((size_t)(n ? n : 1) * sizeof(int));
    if (!idx) return NULL;
    for (int i = 0; i < n; i++) idx[i] = i;
    rng_shuffle(r, idx, n);
    Dataset *s = ds_subset(d, idx, k);
    free(idx);
    return s;
}
