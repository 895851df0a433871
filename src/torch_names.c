/* torch_names.c — import a PyTorch state dict into our layers by order and shape, export with PyTorch's names
 * (the rules are in torch_names.h). */
#include "torch_names.h"
#include "escape.h"
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 40
#define MAX_PERM_BLOCKS 6

/* ---- naming ---- */

static int last_boundary(const Net *net) {
    int g = -1;
    for (int i = 0; i < net->n_layers; i++)
        if (net->layers[i].type == LAYER_GLOBAL_AVGPOOL || net->layers[i].type == LAYER_FLATTEN) g = i;
    return g;
}

void torch_module_name(const Net *net, int layer, char *out, size_t outlen) {
    int g = last_boundary(net);
    if (layer <= g) snprintf(out, outlen, "features.%d", layer);
    else snprintf(out, outlen, "classifier.%d", layer - g);
}

/* ---- the file side: tensors grouped into modules ---- */

typedef struct { const StTensor *t; char mod[128]; const char *suffix; } FTen;
typedef struct { const char *name; int first, n, block; } FMod;

static int is_digits(const char *s, size_t n) {
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++) if (!isdigit((unsigned char)s[i])) return 0;
    return 1;
}

/* one dotted component: numbers compare as numbers and come before words */
static int cmp_part(const char *a, size_t na, const char *b, size_t nb) {
    int da = is_digits(a, na), db = is_digits(b, nb);
    if (da != db) return da ? -1 : 1;
    if (da) {
        while (na > 1 && *a == '0') { a++; na--; }
        while (nb > 1 && *b == '0') { b++; nb--; }
        if (na != nb) return na < nb ? -1 : 1;
    }
    int c = strncmp(a, b, na < nb ? na : nb);
    return c ? c : (na < nb ? -1 : na > nb);
}

static int cmp_natural(const char *a, const char *b) {
    while (*a && *b) {
        size_t na = strcspn(a, "."), nb = strcspn(b, ".");
        int c = cmp_part(a, na, b, nb);
        if (c) return c;
        a += na + (a[na] == '.');
        b += nb + (b[nb] == '.');
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int cmp_ften(const void *x, const void *y) {
    const FTen *a = x, *b = y;
    int c = cmp_natural(a->mod, b->mod);
    return c ? c : strcmp(a->suffix, b->suffix);
}

static int ignored(const char *name) {
    const char *d = strrchr(name, '.');
    return strcmp(d ? d + 1 : name, "num_batches_tracked") == 0;
}

/* The file's tensors (less num_batches_tracked), sorted by module. */
static FTen *file_tensors(const StFile *f, int *n) {
    FTen *ft = calloc((size_t)f->nt + 1, sizeof *ft);
    if (!ft) return NULL;
    *n = 0;
    for (int i = 0; i < f->nt; i++) {
        if (ignored(f->t[i].name)) continue;
        FTen *e = &ft[(*n)++];
        e->t = &f->t[i];
        snprintf(e->mod, sizeof e->mod, "%s", f->t[i].name);
        char *d = strrchr(e->mod, '.');
        if (d) *d = 0; else e->mod[0] = 0;
        const char *sd = strrchr(f->t[i].name, '.');
        e->suffix = sd ? sd + 1 : f->t[i].name;
    }
    qsort(ft, (size_t)*n, sizeof *ft, cmp_ften);
    return ft;
}

/* block key of a module: its first component, or "" when that is a number (one nn.Sequential) */
static size_t block_key(const char *mod, const char **key) {
    size_t n = strcspn(mod, ".");
    *key = mod;
    return is_digits(mod, n) ? 0 : n;
}

/* Group sorted tensors into modules and modules into blocks; returns the block count. */
static int group_modules(FTen *ft, int n, FMod *mods, int *nmod) {
    int nb = 0;
    *nmod = 0;
    const char *prev_key = NULL; size_t prev_len = 0;
    for (int i = 0; i < n; i++) {
        if (i == 0 || strcmp(ft[i].mod, ft[i - 1].mod)) {
            const char *k; size_t kl = block_key(ft[i].mod, &k);
            if (!prev_key || kl != prev_len || strncmp(k, prev_key, kl)) nb++;
            prev_key = k; prev_len = kl;
            mods[(*nmod)++] = (FMod){ft[i].mod, i, 0, nb - 1};
        }
        mods[*nmod - 1].n++;
    }
    return nb;
}

/* ---- our side: the tensor-holding layers ---- */

typedef struct { int layer, first, n; } OLayer;

static int our_layers(NetTensor *nt, int n, OLayer *ol) {
    int k = 0;
    for (int i = 0; i < n; i++) {
        int layer = atoi(nt[i].name + 7);   /* "layers.<i>.<suffix>" */
        if (k == 0 || ol[k - 1].layer != layer) ol[k++] = (OLayer){layer, i, 0};
        ol[k - 1].n++;
    }
    return k;
}

static const char *suffix_of(const NetTensor *t) { return strrchr(t->name, '.') + 1; }

/* ---- reporting ---- */

typedef struct { FILE *f; const char *prefix; int count; const Net *net; } Report;

static void shape_str(char *buf, size_t len, const int64_t *shape, int ndim) {
    size_t at = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < ndim && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, i ? ",%lld" : "%lld", (long long)shape[i]);
    if (at < len) snprintf(buf + at, len - at, "]");
}

static void layer_str(const Net *net, int i, char *buf, size_t len) {
    const Layer *L = &net->layers[i];
    const char *kind = L->type == LAYER_CONV2D ? "conv" : L->type == LAYER_LINEAR ? "linear" : "batchnorm";
    char tm[48]; torch_module_name(net, i, tm, sizeof tm);
    snprintf(buf, len, "layer %d (%s, spec line %d, exported as %s)", i, kind, L->line, tm);
}

static void mismatch(Report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mismatch(Report *r, const char *fmt, ...) {
    r->count++;
    if (!r->f || r->count > MAX_LINES) return;
    va_list ap;
    va_start(ap, fmt);
    fputs(r->prefix, r->f);
    vfprintf(r->f, fmt, ap);
    fputc('\n', r->f);
    va_end(ap);
}

/* ---- matching ---- */

static int dtype_ok(const char *dt) { return !strcmp(dt, "F32") || !strcmp(dt, "F16") || !strcmp(dt, "BF16"); }

static float f16_to_f32(uint16_t h) {
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    float v = e == 0 ? ldexpf((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 0x400), e - 25);
    return (h & 0x8000) ? -v : v;
}

/* element i of a F32/F16/BF16 tensor stored little-endian */
static float element(const StTensor *t, size_t i) {
    const uint8_t *b = (const uint8_t *)(const void *)t->data;
    uint32_t u;
    float v;
    if (!strcmp(t->dtype, "F16")) return f16_to_f32((uint16_t)(b[2 * i] | b[2 * i + 1] << 8));
    if (!strcmp(t->dtype, "BF16")) u = (uint32_t)(b[2 * i] | b[2 * i + 1] << 8) << 16;
    else u = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
    memcpy(&v, &u, sizeof v);
    return v;
}

static int same_shape(const StTensor *t, const NetTensor *o) {
    if (t->ndim != o->ndim) return 0;
    for (int d = 0; d < o->ndim; d++) if (t->shape[d] != o->shape[d]) return 0;
    return 1;
}

/* One expected tensor against the module's tensor of the same suffix (or none). */
static void match_tensor(Report *r, const FTen *ft, const FMod *m, const NetTensor *o, int layer, int copy) {
    char ls[160], os[96], fs[96];
    layer_str(r->net, layer, ls, sizeof ls);
    shape_str(os, sizeof os, o->shape, o->ndim);
    const FTen *hit = NULL;
    for (int j = m ? m->first : 0; m && j < m->first + m->n; j++) if (!strcmp(ft[j].suffix, suffix_of(o))) hit = &ft[j];
    if (!hit) {
        if (m) mismatch(r, "missing tensor: %s expects %s %s, but module %s has no %s", ls, suffix_of(o), os,
                        esc(m->name), suffix_of(o));
        else mismatch(r, "missing tensor: %s expects %s %s, but the file has no module left for it", ls, suffix_of(o), os);
        return;
    }
    shape_str(fs, sizeof fs, hit->t->shape, hit->t->ndim);
    if (!dtype_ok(hit->t->dtype))
        mismatch(r, "wrong dtype: tensor %s %s is %s; %s takes it as F32 (F16 and BF16 are widened exactly, "
                 "other dtypes are refused)", esc(hit->t->name), fs, esc(hit->t->dtype), ls);
    else if (!same_shape(hit->t, o))
        mismatch(r, "wrong shape: tensor %s %s; %s expects %s %s", esc(hit->t->name), fs, ls, suffix_of(o), os);
    else if (copy)
        for (size_t i = 0; i < o->len; i++) o->data[i] = element(hit->t, i);
}

/* Tensors of module m that layer (or, for layer < 0, no layer) does not take. */
static void extra_tensors(Report *r, const FTen *ft, const FMod *m, const NetTensor *nt, const OLayer *ol) {
    for (int j = m->first; j < m->first + m->n; j++) {
        int wanted = 0;
        for (int k = 0; ol && k < ol->n; k++) if (!strcmp(ft[j].suffix, suffix_of(&nt[ol->first + k]))) wanted = 1;
        if (wanted) continue;
        char fs[96], ls[160];
        shape_str(fs, sizeof fs, ft[j].t->shape, ft[j].t->ndim);
        if (ol) {
            layer_str(r->net, ol->layer, ls, sizeof ls);
            mismatch(r, "extra tensor: %s %s; %s has no %s", esc(ft[j].t->name), fs, ls, esc(ft[j].suffix));
        } else {
            mismatch(r, "extra tensor: %s %s; no layer of the net is left for module %s", esc(ft[j].t->name), fs,
                     esc(m->name));
        }
    }
}

/* Module order[k] against our k-th tensor-holding layer. */
static int match_all(Report *r, const FTen *ft, FMod **order, int nmod, NetTensor *nt, const OLayer *ol, int nol,
                     int copy) {
    r->count = 0;
    int n = nmod > nol ? nmod : nol;
    for (int k = 0; k < n; k++) {
        const FMod *m = k < nmod ? order[k] : NULL;
        if (k < nol)
            for (int t = 0; t < ol[k].n; t++) match_tensor(r, ft, m, &nt[ol[k].first + t], ol[k].layer, copy);
        if (m) extra_tensors(r, ft, m, nt, k < nol ? &ol[k] : NULL);
    }
    return r->count;
}

/* Module order for one order of the blocks. */
static void order_for(FMod *mods, int nmod, const int *perm, int nb, FMod **order) {
    int k = 0;
    for (int b = 0; b < nb; b++)
        for (int i = 0; i < nmod; i++) if (mods[i].block == perm[b]) order[k++] = &mods[i];
}

static int next_perm(int *p, int n) {
    int i = n - 2;
    while (i >= 0 && p[i] >= p[i + 1]) i--;
    if (i < 0) return 0;
    int j = n - 1;
    while (p[j] <= p[i]) j--;
    int t = p[i]; p[i] = p[j]; p[j] = t;
    for (int a = i + 1, b = n - 1; a < b; a++, b--) { t = p[a]; p[a] = p[b]; p[b] = t; }
    return 1;
}

/* The block order (of all orders, up to MAX_PERM_BLOCKS blocks) with the fewest mismatches; the earliest
 * in permutation order from the natural name order wins a tie.  More blocks: the natural order. */
static void choose_order(Report *r, const FTen *ft, FMod *mods, int nmod, int nb, NetTensor *nt, const OLayer *ol,
                         int nol, FMod **order) {
    int perm[MAX_PERM_BLOCKS], best[MAX_PERM_BLOCKS], best_n = -1;
    for (int b = 0; b < MAX_PERM_BLOCKS; b++) perm[b] = best[b] = b;
    if (nb > MAX_PERM_BLOCKS) {
        for (int i = 0; i < nmod; i++) order[i] = &mods[i];
        return;
    }
    FILE *keep = r->f;
    r->f = NULL;
    do {
        order_for(mods, nmod, perm, nb, order);
        int n = match_all(r, ft, order, nmod, nt, ol, nol, 0);
        if (best_n < 0 || n < best_n) { best_n = n; memcpy(best, perm, sizeof perm); }
    } while (best_n > 0 && next_perm(perm, nb));
    r->f = keep;
    order_for(mods, nmod, best, nb, order);
}

int torch_import(Net *net, const StFile *f, FILE *report, const char *prefix, int *n_widened) {
    int nft = 0, nmod = 0, nnt = net_tensors(net, NULL, 0), rc = -1;
    FTen *ft = file_tensors(f, &nft);
    FMod *mods = calloc((size_t)nft + 1, sizeof *mods);
    FMod **order = calloc((size_t)nft + 1, sizeof *order);
    NetTensor *nt = calloc((size_t)nnt + 1, sizeof *nt);
    OLayer *ol = calloc((size_t)nnt + 1, sizeof *ol);
    if (ft && mods && order && nt && ol) {
        net_tensors(net, nt, nnt);
        int nol = our_layers(nt, nnt, ol);
        int nb = group_modules(ft, nft, mods, &nmod);
        Report r = {report, prefix ? prefix : "", 0, net};
        choose_order(&r, ft, mods, nmod, nb, nt, ol, nol, order);
        rc = match_all(&r, ft, order, nmod, nt, ol, nol, 0);
        if (rc == 0) match_all(&r, ft, order, nmod, nt, ol, nol, 1);
        if (rc > MAX_LINES && report) fprintf(report, "%s... and %d more mismatches\n", r.prefix, rc - MAX_LINES);
        if (n_widened) {
            *n_widened = 0;
            for (int i = 0; i < nft; i++) *n_widened += strcmp(ft[i].t->dtype, "F32") != 0;
        }
        if (rc == 0) net_sync_to_device(net);
    }
    free(ft); free(mods); free(order); free(nt); free(ol);
    return rc;
}

/* ---- export ---- */

int torch_export(const char *path, Net *net, const ClassMap *cm, const char *modality, char *err, size_t errlen) {
    int n = net_tensors(net, NULL, 0);
    NetTensor *nt = calloc((size_t)n + 1, sizeof *nt);
    StTensor *st = calloc((size_t)n + 1, sizeof *st);
    if (!nt || !st) { free(nt); free(st); snprintf(err, errlen, "%s: out of memory", path); return -1; }
    net_sync_to_host(net);
    net_tensors(net, nt, n);
    for (int i = 0; i < n; i++) {
        char mod[48];
        torch_module_name(net, atoi(nt[i].name + 7), mod, sizeof mod);
        snprintf(st[i].name, sizeof st[i].name, "%s.%s", mod, suffix_of(&nt[i]));
        st[i].ndim = nt[i].ndim;
        memcpy(st[i].shape, nt[i].shape, sizeof nt[i].shape);
        st[i].data = nt[i].data;
        st[i].len = nt[i].len;
    }
    char classes[512];
    classmap_format(cm, classes, sizeof classes);
    char naming[] = "torch_names.h (features.<i>, classifier.<i-g>)", none[] = "";
    StMeta meta[4] = {{"naming", naming}, {"spec", net->spec}, {"classes", classes},
                      {"modality", modality ? (char *)(uintptr_t)modality : none}};
    int rc = st_write(path, st, n, meta, 4, err, errlen);
    free(nt); free(st);
    return rc;
}
