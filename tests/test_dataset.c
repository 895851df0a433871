/* test_dataset — ds_new / filter / subset / concat / take_per_class / gather. */
#include "test.h"
#include "dataset.h"

/* sample i: every pixel = i + 0.5, label = i % 5, group = i / 10 */
static Dataset *make(int n) {
    Dataset *d = ds_new(n, 1, 2, 3);
    d->group = malloc((size_t)n * sizeof(int));
    for (int i = 0; i < n; i++) {
        for (size_t j = 0; j < ds_sample_size(d); j++) d->x[(size_t)i * 6 + j] = i + 0.5f;
        d->y[i] = i % 5;
        d->group[i] = i / 10;
    }
    return d;
}

int main(void) {
    Dataset *d = make(50);
    CHECK(d && d->n == 50 && ds_sample_size(d) == 6);
    CHECK(ds_count_class(d, 3) == 10);
    CHECK(ds_count_class(d, 7) == 0);

    Dataset *z = ds_new(4, 2, 2, 2);
    int zero = 1;
    for (int i = 0; i < 32; i++) if (z->x[i] != 0.0f) zero = 0;
    CHECK(zero && z->group == NULL && z->y[3] == 0);
    CHECK(ds_new(3, 0, 1, 1) == NULL);

    /* filter keeps order, labels, payload, groups */
    int cls[2] = {4, 1};
    Dataset *f = ds_filter_classes(d, cls, 2);
    CHECK(f && f->n == 20);
    int ok = 1;
    for (int i = 0; i < f->n; i++) {
        int src = (int)(f->x[(size_t)i * 6] - 0.5f);
        if (f->y[i] != 1 && f->y[i] != 4) ok = 0;
        if (src % 5 != f->y[i] || f->group[i] != src / 10) ok = 0;
        if (i > 0 && f->x[(size_t)i * 6] <= f->x[(size_t)(i - 1) * 6]) ok = 0;
    }
    CHECK(ok);
    Dataset *none = ds_filter_classes(d, (int[]){9}, 1);
    CHECK(none && none->n == 0);

    /* subset */
    int idx[3] = {49, 0, 17};
    Dataset *s = ds_subset(d, idx, 3);
    CHECK(s && s->n == 3);
    CHECK(s->x[0] == 49.5f && s->x[5] == 49.5f && s->x[6] == 0.5f && s->x[12] == 17.5f);
    CHECK(s->y[0] == 4 && s->y[1] == 0 && s->y[2] == 2);
    CHECK(s->group && s->group[0] == 4 && s->group[2] == 1);
    CHECK(ds_subset(d, (int[]){50}, 1) == NULL);

    /* concat; side without groups gets -1 */
    Dataset *c = ds_concat(s, z);
    CHECK(c == NULL);                     /* shape mismatch */
    Dataset *nog = ds_new(2, 1, 2, 3);
    nog->y[0] = 7; nog->y[1] = 8; nog->x[11] = 3.25f;
    c = ds_concat(s, nog);
    CHECK(c && c->n == 5);
    CHECK(c->y[2] == 2 && c->y[3] == 7 && c->y[4] == 8);
    CHECK(c->x[12] == 17.5f && c->x[29] == 3.25f);
    CHECK(c->group && c->group[0] == 4 && c->group[3] == -1 && c->group[4] == -1);

    /* take_per_class: at most k per class, deterministic for a seed, order kept */
    Dataset *t1 = ds_take_per_class(d, 3, 123), *t2 = ds_take_per_class(d, 3, 123);
    Dataset *t3 = ds_take_per_class(d, 3, 124);
    CHECK(t1 && t1->n == 15);
    for (int k = 0; k < 5; k++) CHECK(ds_count_class(t1, k) == 3);
    CHECK(t1->n == t2->n && memcmp(t1->x, t2->x, (size_t)t1->n * 6 * sizeof(float)) == 0);
    CHECK(memcmp(t1->x, t3->x, (size_t)t1->n * 6 * sizeof(float)) != 0);
    ok = 1;
    for (int i = 1; i < t1->n; i++) if (t1->x[(size_t)i * 6] <= t1->x[(size_t)(i - 1) * 6]) ok = 0;
    CHECK(ok);
    /* not simply the first k of each class */
    Dataset *first = ds_take_per_class(d, 3, 1);
    int firstk = 1;
    for (int i = 0; i < first->n; i++) if (first->x[(size_t)i * 6] >= 15.5f) firstk = 0;
    CHECK(!firstk);
    Dataset *big = ds_take_per_class(d, 100, 5);
    CHECK(big && big->n == 50);
    Dataset *zero_k = ds_take_per_class(d, 0, 5);
    CHECK(zero_k && zero_k->n == 0);

    /* gather */
    float xb[12]; int yb[2];
    ds_gather(d, (int[]){3, 8}, 2, xb, yb);
    CHECK(xb[0] == 3.5f && xb[5] == 3.5f && xb[6] == 8.5f && xb[11] == 8.5f);
    CHECK(yb[0] == 3 && yb[1] == 3);

    /* validation split: k per (label, group) stratum, disjoint, complete, seeded */
    Dataset *g = ds_new(60, 1, 1, 1);
    g->group = malloc(60 * sizeof(int));
    for (int i = 0; i < 60; i++) { g->y[i] = i % 3; g->group[i] = (i / 3) % 2; g->x[i] = (float)i; }
    Dataset *rest = NULL, *val = NULL, *rest2 = NULL, *val2 = NULL;
    CHECK(ds_split_strata(g, 4, 9, &rest, &val) == 0 && rest && val);
    CHECK(val->n == 24 && rest->n == 36);   /* 3 labels x 2 groups x 4 */
    int per[3][2] = {{0}}, seen[60] = {0}, ordered = 1;
    for (int i = 0; i < val->n; i++) { per[val->y[i]][val->group[i]]++; seen[(int)val->x[i]]++; }
    for (int i = 0; i < rest->n; i++) seen[(int)rest->x[i]]++;
    for (int i = 1; i < val->n; i++) ordered &= val->x[i] > val->x[i - 1];
    int strata_ok = 1, once = 1;
    for (int a = 0; a < 3; a++) for (int b = 0; b < 2; b++) strata_ok &= per[a][b] == 4;
    for (int i = 0; i < 60; i++) once &= seen[i] == 1;
    CHECK(strata_ok && once && ordered);
    CHECK(ds_split_strata(g, 4, 9, &rest2, &val2) == 0 && !memcmp(val->x, val2->x, 24 * sizeof(float)));
    ds_free(rest2); ds_free(val2);
    CHECK(ds_split_strata(g, 4, 10, &rest2, &val2) == 0 && memcmp(val->x, val2->x, 24 * sizeof(float)));
    ds_free(rest2); ds_free(val2);
    CHECK(ds_split_strata(g, 100, 9, &rest2, &val2) == 0 && val2->n == 60 && rest2->n == 0);
    ds_free(rest2); ds_free(val2);

    Dataset *all[] = {d, z, f, none, s, nog, c, t1, t2, t3, first, big, zero_k, g, rest, val};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) ds_free(all[i]);
    ds_free(NULL);
    TEST_DONE("test_dataset");
}
