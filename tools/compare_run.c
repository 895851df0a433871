/* compare_run.c — unlearn-compare's runner: models (cached), methods, measurements,
 * one run record per unit (see compare_run.h). */
#include "compare_run.h"
#include "atomic_file.h"
#include "checkpoint.h"
#include "results.h"
#include "klom.h"
#include "paths.h"
#include "netspec.h"
#include "task_val.h"
#include <ctype.h>
#include "train.h"
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define VAL_SEED 20261202u     /* the validation split is the same for every run and seed */

typedef struct {
    double seconds, flops;
    long steps;
    int cached;
} Cost;

/* Data of one modality: training data (validation carved out), the k-shot fitting
 * data (validation) and the scoring split (test, or the other half of validation). */
typedef struct {
    int mi;
    Dataset *train, *fit, *score;
    char *spec;
    const char *netname;
    char netkey[64];
} ModData;

/* The task of one (modality, pair, seed) and its original model. */
typedef struct {
    int mi, pi, si;
    UnlearnTask t;
    ClassMap orig_map;
    Net *orig;
    Cost oc;
    Dataset *method_retain;   /* --retain-limit: the retained data the methods see (NULL: all of t.retain) */
} SeedCtx;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void safe_name(char *out, size_t n, const char *s) {
    size_t i = 0;
    for (; *s && i + 1 < n; s++) out[i++] = (isalnum((unsigned char)*s) || *s == '-' || *s == '_') ? *s : '_';
    out[i] = 0;
}

static void moddata_free(ModData *d) {
    ds_free(d->train); ds_free(d->fit); ds_free(d->score);
    free(d->spec);
    memset(d, 0, sizeof *d);
    d->mi = -1;
}

/* Split off validation, apply the per-class limits, choose fit and score sets. */
static int moddata_split(const Plan *p, const Modality *m, Dataset *all, Dataset *test, ModData *d, char *err,
                         size_t el) {
    Dataset *rest = NULL, *val = NULL;
    if (ds_split_strata(all, m->val_per_stratum, VAL_SEED, &rest, &val)) { snprintf(err, el, "out of memory"); return -1; }
    d->train = p->limit > 0 ? ds_take_per_class(rest, p->limit, 1) : rest;
    if (p->limit > 0) ds_free(rest);
    if (p->eval_val) {   /* tuning: half of validation fits the k-shot probes, the other half scores */
        Dataset *a = NULL, *b = NULL;
        if (ds_split_strata(val, (m->val_per_stratum + 1) / 2, VAL_SEED + 1, &a, &b)) { ds_free(val); return -1; }
        ds_free(val);
        d->fit = a;
        d->score = b;
    } else {
        d->fit = val;
        d->score = p->test_limit > 0 ? ds_take_per_class(test, p->test_limit, 12345) : NULL;
        if (!d->score) { d->score = test; test = NULL; }
    }
    ds_free(test);
    if (!d->train || !d->fit || !d->score) { snprintf(err, el, "out of memory"); return -1; }
    return 0;
}

static int moddata_load(const Plan *p, int mi, ModData *d, char *err, size_t el) {
    const Modality *m = p->mods[mi];
    moddata_free(d);
    DataOptions o;
    memset(&o, 0, sizeof o);
    o.data_dir = p->data;
    o.split = m->n_labels && p->split ? p->split : NULL;
    o.augment = 1;
    o.seed = 1;
    o.verbose = !p->quiet;
    o.no_test = p->eval_val;
    Dataset *all = NULL, *test = NULL;
    if (!p->quiet) fprintf(stderr, "[%s] loading data...\n", m->name);
    if (m->load(&o, &all, &test, err, el)) return -1;
    int bad = moddata_split(p, m, all, test, d, err, el);
    ds_free(all);
    if (bad) return -1;
    d->mi = mi;
    d->netname = p->net ? p->net : m->default_net;
    d->spec = net_spec_text(m, d->netname, err, el);
    if (!d->spec) return -1;
    const char *base = strrchr(d->netname, '/') ? strrchr(d->netname, '/') + 1 : d->netname;
    safe_name(d->netkey, sizeof d->netkey, base);
    if (!p->quiet)
        fprintf(stderr, "[%s] %d training / %d validation (k-shot fitting) / %d %s samples, net '%s'\n", m->name,
                d->train->n, d->fit->n, d->score->n, p->eval_val ? "validation (scoring)" : "test", d->netname);
    return 0;
}

/* Sidecar "<checkpoint>.cost": seconds flops steps of the training that made it. */
static int read_cost(const char *ckpt, Cost *c) {
    char path[PATH_MAX + 8];
    snprintf(path, sizeof path, "%s.cost", ckpt);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int ok = fscanf(f, "%lf %lf %ld", &c->seconds, &c->flops, &c->steps) == 3;
    fclose(f);
    c->cached = 1;
    return ok ? 0 : -1;
}

static int write_cost(const char *ckpt, const Cost *c, char *err, size_t el) {
    char path[PATH_MAX + 8], text[128];
    snprintf(path, sizeof path, "%s.cost", ckpt);
    snprintf(text, sizeof text, "%.6f %.6g %ld\n", c->seconds, c->flops, c->steps);
    return atomic_write_text(path, text, err, el);
}

static Net *load_cached(const Plan *p, const Modality *m, const ClassMap *cm, const char *path, const char *what,
                        Cost *cost, char *err, size_t el) {
    if (access(path, R_OK) != 0 || read_cost(path, cost) != 0) return NULL;
    ClassMap lm;
    char mod[64] = "";
    Net *net = checkpoint_load(path, &lm, mod, err, el);
    if (net && lm.n_slots == cm->n_slots && !memcmp(lm.slot_class, cm->slot_class, sizeof(int) * cm->n_slots) &&
        !strcmp(mod, m->name)) {
        if (!p->quiet) fprintf(stderr, "  %s: cached %s (trained in %.1f s)\n", what, path, cost->seconds);
        return net;
    }
    net_free(net);
    if (!p->quiet) fprintf(stderr, "  %s: %s does not match this run, training again\n", what, path);
    return NULL;
}

/* Load the cached model at path, or train it (spec, seed, recipe) on data with map cm and cache it. */
static Net *get_model(const Plan *p, const ModData *md, const Dataset *data, const ClassMap *cm, uint64_t seed,
                      const char *path, const char *what, Cost *cost, char *err, size_t el) {
    const Modality *m = p->mods[md->mi];
    Net *net = load_cached(p, m, cm, path, what, cost, err, el);
    if (!net) {
        net = net_parse(md->spec, md->netname, data->c, data->h, data->w, cm->n_slots, err, el);
        if (!net) return NULL;
        net_init(net, seed);
        TrainConfig cfg = plan_recipe(p, m);
        cfg.seed = seed;
        TrainStats st;
        if (net_set_device(net, p->device, err, el) || train_supervised(net, data, cm, &cfg, &st, err, el)) {
            net_free(net);
            return NULL;
        }
        net_sync_to_host(net);
        *cost = (Cost){st.seconds, 3.0 * (double)st.images * net_forward_flops(net), st.steps, 0};
        char extra[256];
        snprintf(extra, sizeof extra, "{\"epochs\":%d,\"seed\":%llu,\"train_seconds\":%.2f,\"role\":\"%s\"}",
                 cfg.epochs, (unsigned long long)seed, st.seconds, what);
        if (checkpoint_save(path, net, cm, m->name, "train", extra, err, el) || write_cost(path, cost, err, el)) {
            net_free(net);
            return NULL;
        }
        if (!p->quiet)
            fprintf(stderr, "  %s: trained %ld steps on %d samples in %.1f s -> %s\n", what, st.steps, data->n,
                    st.seconds, path);
    }
    if (net_set_device(net, p->device, err, el)) { net_free(net); return NULL; }
    return net;
}

static void classes_key(const ClassMap *cm, char *out, size_t n) {
    size_t l = 0;
    out[0] = 0;
    for (int s = 0; s < cm->n_slots && l + 8 < n; s++)
        l += (size_t)snprintf(out + l, n - l, "%s%d", s ? "-" : "", cm->slot_class[s]);
}

/* the held-out speaker of this modality's split ("" for the upstream split or a modality without speakers) */
static const char *split_of(const Plan *p, const Modality *m) {
    return m->n_labels && p->split && strcmp(p->split, "upstream") ? p->split : "";
}

static void model_path(const Plan *p, const ModData *md, const SeedCtx *sc, int gold, char *out, size_t n) {
    const Modality *m = p->mods[md->mi];
    const Pair *pr = &p->pairs[sc->pi];
    char ck[64];
    classes_key(&sc->orig_map, ck, sizeof ck);
    int seed = p->seeds[sc->si];
    char kk[24] = "";   /* a few-shot gold is another model */
    if (p->learn_limit > 0) snprintf(kk, sizeof kk, "_k%d", p->learn_limit);
    char sp[48] = "";   /* and so is a model trained without a held-out speaker */
    if (*split_of(p, m)) snprintf(sp, sizeof sp, "_sp%.32s", split_of(p, m));
    if (gold)
        snprintf(out, n, "%s/models/%s_%s_gold_c%s_f%d_l%d%s%s_n%d_e%d_s%d.safetensors", p->outdir, m->name, md->netkey,
                 ck, pr->forget, pr->learn, kk, sp, md->train->n, plan_recipe(p, m).epochs, seed);
    else
        snprintf(out, n, "%s/models/%s_%s_original_c%s%s_n%d_e%d_s%d.safetensors", p->outdir, m->name, md->netkey, ck,
                 sp, md->train->n, plan_recipe(p, m).epochs, seed);
}

static void seedctx_free(SeedCtx *sc) {
    if (sc->mi >= 0) task_free(&sc->t);   /* frees the validation sets too */
    ds_free(sc->method_retain);
    net_free(sc->orig);
    memset(sc, 0, sizeof *sc);
    sc->mi = -1;
}

/* --retain-limit: pct % of the retained training set, the same number of each of its n_kept classes
 * (at least one each when pct > 0), a seeded draw; pct 0: an empty set. */
static Dataset *retain_share(const Dataset *retain, int n_kept, double pct, uint64_t seed) {
    int k = (int)floor(pct / 100.0 * retain->n / (n_kept > 0 ? n_kept : 1) + 0.5);
    if (pct > 0 && k < 1) k = 1;
    return ds_take_per_class(retain, k, seed ^ 0x7265746169ULL);
}

static int seedctx_open(const Plan *p, const ModData *md, int pi, int si, SeedCtx *sc, char *err, size_t el) {
    seedctx_free(sc);
    const Modality *m = p->mods[md->mi];
    const Pair *pr = &p->pairs[pi];
    char classes[256];
    plan_pair_classes(p, md->mi, pi, classes, sizeof classes);
    if (classmap_parse(&sc->orig_map, classes, m->n_labels, err, el)) return -1;
    int seed = p->seeds[si];
    if (task_build(&sc->t, md->train, md->score, &sc->orig_map, pr->forget, pr->learn, p->learn_limit, (uint64_t)seed,
                   err, el))
        return -1;
    sc->mi = md->mi;
    sc->pi = pi;
    sc->si = si;
    if (task_attach_val(&sc->t, md->fit, err, el)) return -1;
    if (p->retain_pct >= 0 && !(sc->method_retain = retain_share(sc->t.retain, sc->t.after.n_slots - 1, p->retain_pct,
                                                                 (uint64_t)seed))) {
        snprintf(err, el, "out of memory");
        return -1;
    }
    if (sc->method_retain && !p->quiet)
        fprintf(stderr, "[%s %d->%d seed %d] the methods see %d of the %d retained training samples (--retain-limit %g)\n",
                m->name, pr->forget, pr->learn, seed, sc->method_retain->n, sc->t.retain->n, p->retain_pct);
    char path[PATH_MAX];
    model_path(p, md, sc, 0, path, sizeof path);
    Dataset *pre = ds_filter_classes(md->train, sc->orig_map.slot_class, sc->orig_map.n_slots);
    if (!pre) { snprintf(err, el, "out of memory"); return -1; }
    if (!p->quiet) fprintf(stderr, "[%s %d->%d seed %d] original\n", m->name, pr->forget, pr->learn, seed);
    sc->orig = get_model(p, md, pre, &sc->orig_map, plan_seed_original(seed), path, "original", &sc->oc, err, el);
    ds_free(pre);
    return sc->orig ? 0 : -1;
}

/* Per-label share of the scoring split in its slot (the forgotten class: in its old slot). */
static void class_shares(Net *net, const SeedCtx *sc, const ClassMap *cm, const Dataset *score, int n_labels,
                         RunRecord *r) {
    EvalResult *ev = malloc(sizeof *ev);
    if (!ev) return;
    train_evaluate(net, score, cm, 256, n_labels, ev);
    for (int y = 0; y < n_labels && y < MAX_LABELS; y++) {
        int s = y == sc->t.forget_class ? sc->t.slot : classmap_slot(cm, y);
        r->class_acc[y] = ev->count[y] && s >= 0 ? (double)ev->confusion[y][s] / ev->count[y] : NAN;
    }
    free(ev);
}

static int measure(const Plan *p, const ModData *md, const SeedCtx *sc, Net *net, const ClassMap *cm, RunRecord *r,
                   char *err, size_t el) {
    const Modality *m = p->mods[md->mi];
    MetricsConfig mc = p->mc;
    mc.seed = (uint64_t)p->seeds[sc->si];
    mc.relearn_lr = plan_relearn_lr(p, m);
    mc.relapse_batch = plan_recipe(p, m).batch;   /* the modality's batch, as the methods use */
    if (metrics_compute_map(net, &sc->t, cm, &mc, &r->m, err, el)) return -1;
    r->n_labels = m->n_labels;
    r->relearn_cap = mc.relearn_max_steps;
    class_shares(net, sc, cm, md->score, m->n_labels, r);
    r->n_slots = r->m.n_slot_hist;
    memcpy(r->slot_hist, r->m.slot_hist, sizeof r->slot_hist);
    for (int s = 0; s < N_MARGIN_SETS; s++) {   /* the record owns a copy of the margins */
        r->n_margins[s] = r->m.n_margins[s];
        r->margins[s] = malloc((size_t)(r->n_margins[s] ? r->n_margins[s] : 1) * sizeof(float));
        if (!r->margins[s]) { snprintf(err, el, "out of memory"); return -1; }
        memcpy(r->margins[s], r->m.margins[s], (size_t)r->n_margins[s] * sizeof(float));
    }
    return 0;
}

static void record_head(const Plan *p, const ModData *md, const SeedCtx *sc, int role, RunRecord *r) {
    const Pair *pr = &p->pairs[sc->pi];
    record_init(r);
    snprintf(r->modality, sizeof r->modality, "%s", p->mods[md->mi]->name);
    snprintf(r->net, sizeof r->net, "%s", md->netkey);
    snprintf(r->method, sizeof r->method, "%s", plan_role_name(p, role));
    plan_pair_classes(p, md->mi, sc->pi, r->classes, sizeof r->classes);
    snprintf(r->eval, sizeof r->eval, "%s", p->eval_val ? "val" : "test");
    r->forget = pr->forget;
    r->learn = pr->learn;
    r->seed = p->seeds[sc->si];
    r->threads = omp_get_max_threads();
    r->learn_limit = p->learn_limit;
    snprintf(r->split, sizeof r->split, "%.31s", split_of(p, p->mods[md->mi]));
    r->retain_pct = p->retain_pct;
    r->role = role == ROLE_ORIGINAL ? REC_ORIGINAL : role == ROLE_GOLD ? REC_GOLD : REC_METHOD;
}

static int run_method(const Plan *p, const ModData *md, const SeedCtx *sc, int role, Net **out, Cost *cost, char *err,
                      size_t el) {
    const Modality *m = p->mods[md->mi];
    Net *net = net_clone(sc->orig);
    if (!net || net_set_device(net, p->device, err, el)) { net_free(net); return -1; }
    TrainConfig recipe = plan_recipe(p, m);
    UnlearnConfig uc;
    unlearn_config_default(&uc);
    uc.steps = plan_steps(p, m);
    uc.batch = recipe.batch;
    if (uc.new_class_steps > uc.steps) uc.new_class_steps = uc.steps;
    uc.seed = (uint64_t)p->seeds[sc->si];
    uc.recipe = &recipe;
    if (p->quick) uc.importance_samples = 256;
    UnlearnStats st;
    memset(&st, 0, sizeof st);
    UnlearnTask t = sc->t;   /* the method's view: with --retain-limit only its share of the retained data */
    if (sc->method_retain) t.retain = sc->method_retain;
    int bad = p->methods[role]->run(net, &t, &uc, &st, err, el);
    net_sync_to_host(net);
    *cost = (Cost){st.seconds, st.flops, st.steps, 0};
    if (bad) { net_free(net); return -1; }
    *out = net;
    return 0;
}

/* The model of a unit: the original (borrowed), the gold (trained or cached) or a method's result. */
static Net *unit_model(const Plan *p, const ModData *md, const SeedCtx *sc, int role, Cost *cost, char *err,
                       size_t el) {
    if (role == ROLE_ORIGINAL) { *cost = (Cost){NAN, NAN, 0, 0}; return sc->orig; }
    if (role >= 0) {
        Net *net = NULL;
        return run_method(p, md, sc, role, &net, cost, err, el) ? NULL : net;
    }
    char path[PATH_MAX];
    model_path(p, md, sc, 1, path, sizeof path);
    Dataset *data = ds_concat(sc->t.retain, sc->t.learn);
    if (!data) { snprintf(err, el, "out of memory"); return NULL; }
    Net *g = get_model(p, md, data, &sc->t.after, plan_seed_gold(p->seeds[sc->si]), path, "gold", cost, err, el);
    ds_free(data);
    return g;
}

static void record_path(const Plan *p, const RunRecord *r, char *out, size_t n) {
    char name[64];
    safe_name(name, sizeof name, r->method);
    snprintf(out, n, "%s/runs/%s/f%d_l%d/s%d/%s.json", p->outdir, r->modality, r->forget, r->learn, r->seed, name);
}

static void progress_line(const Plan *p, const RunRecord *r, double secs) {
    if (p->quiet) return;
    fprintf(stderr, "[%s %d->%d seed %d] %-22s leak %5.1f%%  new %5.1f%%  kept %5.1f%%  probe %5.1f%%  "
                    "method %.1fs  [measured in %.1fs]\n", r->modality, r->forget, r->learn, r->seed, r->method,
            100 * r->m.forget_leakage, 100 * r->m.new_class_acc, 100 * r->m.retained_acc, 100 * r->m.probe_acc,
            r->seconds, secs);
}

/* --resume: a complete record of this unit is already there (records are written atomically, so
 * one is whole or absent).  1: keep it; 0: none; -1: one made with other options is in the way. */
static int kept_record(const RunRecord *r, const char *path, char *err, size_t el) {
    if (access(path, F_OK) != 0) return 0;
    RunRecord old;
    record_init(&old);
    int same = record_read(&old, path, err, el) == 0 && !strcmp(old.modality, r->modality) &&
               !strcmp(old.net, r->net) && !strcmp(old.method, r->method) && !strcmp(old.classes, r->classes) &&
               !strcmp(old.eval, r->eval) && old.forget == r->forget && old.learn == r->learn &&
               old.seed == r->seed && old.role == r->role && old.learn_limit == r->learn_limit &&
               !strcmp(old.split, r->split) && old.retain_pct == r->retain_pct;
    record_free(&old);
    if (same) return 1;
    snprintf(err, el, "%.1800s: a run record of other options is in the way (remove it, or run without --resume)", path);
    return -1;
}

static int run_unit(const Plan *p, const ModData *md, const SeedCtx *sc, int role, char *err, size_t el) {
    RunRecord r;
    record_head(p, md, sc, role, &r);
    if (p->resume) {
        char path[PATH_MAX];
        record_path(p, &r, path, sizeof path);
        int k = kept_record(&r, path, err, el);
        if (k > 0 && !p->quiet)
            fprintf(stderr, "[%s %d->%d seed %d] %-22s kept (--resume)\n", r.modality, r.forget, r.learn, r.seed, r.method);
        if (k) { record_free(&r); return k < 0 ? -1 : 0; }
    }
    Cost cost;
    Net *net = unit_model(p, md, sc, role, &cost, err, el);
    int rc = 0;
    double t0 = now_s();
    if (!net) {
        fprintf(stderr, "[%s seed %d] %s FAILED: %s\n", r.modality, r.seed, r.method, err);
        if (role < 0) return -1;   /* without its original or gold a seed cannot be judged */
    } else {
        const ClassMap *cm = role == ROLE_ORIGINAL ? &sc->orig_map : &sc->t.after;
        if (measure(p, md, sc, net, cm, &r, err, el)) {
            fprintf(stderr, "[%s seed %d] %s metrics FAILED: %s\n", r.modality, r.seed, r.method, err);
            metrics_clear(&r.m);
            rc = role < 0 ? -1 : 0;
        }
        if (net != sc->orig) net_free(net);
    }
    r.seconds = cost.seconds;
    r.flops = cost.flops;
    r.steps = cost.steps;
    r.cost_cached = cost.cached;
    progress_line(p, &r, now_s() - t0);
    char path[PATH_MAX];
    record_path(p, &r, path, sizeof path);
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = 0;
    if (rc == 0 && (mkdir_p(dir, err, el) || record_write(&r, path, err, el))) rc = -1;
    record_free(&r);
    return rc;
}

/* Unit u belongs to this shard and, inside a worker process, to this worker: the shard's
 * (modality, pair, seed) blocks are dealt to the workers in turn (its units, when the
 * shard runs single units). */
static int unit_is_mine(const Plan *p, long u) {
    if (plan_unit_shard(p, u) != p->shard) return 0;
    if (p->njobs <= 1) return 1;
    long per = p->nmethods + 2, by_block = plan_units(p) / per >= p->nshards, k = 0, last = -1;
    for (long v = 0; v <= u; v++) {   /* ordinal of u's block (or unit) among this shard's */
        long key = by_block ? v / per : v;
        if (plan_unit_shard(p, v) == p->shard && key != last) { k++; last = key; }
    }
    return (k - 1) % p->njobs == p->job;
}

int compare_run(const Plan *p) {
    char err[2048], dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/models", p->outdir);
    if (mkdir_p(dir, err, sizeof err)) { fprintf(stderr, "unlearn-compare: %s\n", err); return 1; }
    ModData md = {.mi = -1};
    SeedCtx sc = {.mi = -1};
    long nu = plan_units(p), done = 0;
    int rc = 0;
    double t0 = now_s();
    long mine = 0;
    for (long u = 0; u < nu; u++) mine += unit_is_mine(p, u);
    for (long u = 0; u < nu && rc == 0; u++) {
        if (!unit_is_mine(p, u)) continue;
        int mi, pi, si, role;
        plan_unit(p, u, &mi, &pi, &si, &role);
        if (md.mi != mi && moddata_load(p, mi, &md, err, sizeof err)) rc = 1;
        else if ((sc.mi != mi || sc.pi != pi || sc.si != si) && seedctx_open(p, &md, pi, si, &sc, err, sizeof err)) rc = 1;
        else if (run_unit(p, &md, &sc, role, err, sizeof err)) rc = 1;
        if (rc) fprintf(stderr, "unlearn-compare: %s: %s\n", p->mods[mi]->name, err);
        done++;
        if (!p->quiet && done % 10 == 0)
            fprintf(stderr, "unlearn-compare: %ld of %ld units of this shard done, %.0f s\n", done, mine, now_s() - t0);
    }
    seedctx_free(&sc);
    moddata_free(&md);
    return rc;
}
