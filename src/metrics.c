/* metrics.c — every unlearning metric on held-out data (definitions in metrics.h,
 * mia.h, probe.h, relearn.h). */
#include "metrics.h"
#include "mia.h"
#include "probe.h"
#include "relearn.h"
#include "relapse.h"
#include "kshot.h"
#include "divergence.h"
#include "train.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void metrics_config_default(MetricsConfig *c) {
    memset(c, 0, sizeof *c);
    c->mia = c->probe = c->relearn = 1;
    RelearnConfig rc;                  /* one source for the relearn defaults */
    relearn_config_default(&rc);
    c->relearn_k = rc.k;
    c->relearn_lr = rc.lr;
    c->relearn_threshold = rc.threshold;
    c->relearn_max_steps = rc.max_steps;
    c->seed = 1;
    c->relearn_eval_every = rc.eval_every;
    c->relearn_batch = rc.batch;
    c->mia_cap = 1000;
    c->probe_cap = 50;
    c->kshot = c->relapse = c->margins = c->relearn_ks = 1;
    RelapseConfig pc;                  /* likewise for relapse */
    relapse_config_default(&pc);
    c->relapse_steps = pc.steps;
    c->relapse_lr = pc.lr;
    c->relapse_batch = pc.batch;
    c->margin_cap = MARGIN_MAX;
    KshotConfig kc;
    kshot_config_default(&kc);
    c->kshot_repeats = kc.repeats;
}

void metrics_clear(UnlearnMetrics *m) {
    memset(m, 0, sizeof *m);
    m->forget_leakage = m->new_class_acc = m->retained_acc = m->mia_efficacy = m->probe_acc = NAN;
    m->relearn_steps = m->seconds = m->flops = m->cost_ratio_time = m->cost_ratio_flops = m->avg_gap = NAN;
    m->mia_fit_acc = m->probe_train_acc = m->relearn_final_acc = NAN;
    for (int s = 0; s < MAX_SLOTS; s++) m->slot_hist[s] = NAN;
    m->mia_attack_acc = m->mia_attack_p = m->relapse_leakage = m->relapse_probe = NAN;
    m->kshot_probe_k5 = m->kshot_probe_k50 = m->kshot_proto_k5 = m->kshot_proto_k50 = NAN;
    m->relearn_steps_k10 = m->relearn_steps_k100 = NAN;
    m->sec_outputs = m->sec_mia = m->sec_probe = m->sec_relearn = m->sec_relearn_ks = NAN;
    m->sec_relapse = m->sec_kshot = m->sec_margins = NAN;
}

/* Share of d's samples predicted into `slot` (NaN for an empty set). */
static double share_into(Net *net, const Dataset *d, int slot) {
    if (!d || !d->n || slot < 0) return NAN;
    int *pred = malloc((size_t)d->n * sizeof(int));
    if (!pred) return NAN;
    train_predict(net, d, 256, pred, NULL);
    long k = 0;
    for (int i = 0; i < d->n; i++) k += pred[i] == slot;
    free(pred);
    return (double)k / d->n;
}

/* forget_leakage and slot_hist from one pass over forget-test */
static void forget_outputs(Net *net, const UnlearnTask *t, UnlearnMetrics *m) {
    const Dataset *d = t->forget_test;
    const int K = net->n_classes;
    m->n_slot_hist = K;
    if (!d || !d->n) return;
    int *pred = malloc((size_t)d->n * sizeof(int));
    if (!pred) return;
    train_predict(net, d, 256, pred, NULL);
    long cnt[MAX_SLOTS] = {0};
    for (int i = 0; i < d->n; i++) cnt[pred[i]]++;
    for (int s = 0; s < K; s++) m->slot_hist[s] = (double)cnt[s] / d->n;
    m->forget_leakage = m->slot_hist[t->slot];
    free(pred);
}

static double acc_with_map(Net *net, const Dataset *d, const ClassMap *cm) {
    if (!d || !d->n) return NAN;
    int *pred = malloc((size_t)d->n * sizeof(int));
    if (!pred) return NAN;
    train_predict(net, d, 256, pred, NULL);
    long k = 0, n = 0;
    for (int i = 0; i < d->n; i++) {
        int s = classmap_slot(cm, d->y[i]);
        if (s < 0) continue;
        n++;
        k += pred[i] == s;
    }
    free(pred);
    return n ? (double)k / n : NAN;
}

static int metric_mia(Net *net, const UnlearnTask *t, const MetricsConfig *c, UnlearnMetrics *m, char *err,
                      size_t errlen) {
    MiaConfig mc;
    mia_config_default(&mc);
    if (c->mia_cap > 0) mc.cap = c->mia_cap;
    mc.seed = c->seed;
    MiaResult mr;
    if (mia_efficacy(net, t->retain, t->retain_test, t->forget, &mc, &mr, err, errlen)) return -1;
    m->mia_efficacy = mr.efficacy;
    m->mia_fit_acc = mr.fit_acc;
    m->mia_attack_acc = mr.attack_acc;
    m->mia_attack_p = mr.attack_p;
    return 0;
}

static int run_probe(Net *net, const UnlearnTask *t, const MetricsConfig *c, ProbeResult *pr, char *err,
                     size_t errlen) {
    ProbeConfig pc;
    probe_config_default(&pc);
    if (c->probe_cap > 0) pc.cap_pos = pc.cap_neg = c->probe_cap;
    pc.seed = c->seed;
    return probe_accuracy(net, t->forget, t->retain, t->forget_test, t->retain_test, &pc, pr, err, errlen);
}

static void relearn_cfg(const MetricsConfig *c, RelearnConfig *rc) {
    relearn_config_default(rc);
    if (c->relearn_k > 0) rc->k = c->relearn_k;
    if (c->relearn_lr > 0) rc->lr = c->relearn_lr;
    if (c->relearn_threshold > 0) rc->threshold = c->relearn_threshold;
    if (c->relearn_max_steps > 0) rc->max_steps = c->relearn_max_steps;
    rc->eval_every = c->relearn_eval_every;
    if (c->relearn_batch > 1) rc->batch = c->relearn_batch;
    rc->seed = c->seed;
}

/* Kept training data: every class slotted in cm but the forgotten one (retain, plus learn
 * when cm slots it).  *owned: a new set the caller frees (NULL when it is t->retain). */
static const Dataset *kept_data(const UnlearnTask *t, const ClassMap *cm, Dataset **owned) {
    *owned = NULL;
    int learn_slotted = t->learn_class >= 0 && t->learn && t->learn->n && classmap_slot(cm, t->learn_class) >= 0;
    if (!learn_slotted) return t->retain;
    *owned = ds_concat(t->retain, t->learn);
    return *owned;
}

static int metric_relearn(Net *net, const UnlearnTask *t, const ClassMap *cm, const Dataset *keep,
                          const MetricsConfig *c, UnlearnMetrics *m, char *err, size_t errlen) {
    RelearnConfig rc;
    relearn_cfg(c, &rc);
    RelearnResult rr;
    if (relearn_run(net, cm, t->forget, keep, t->forget_test, &rc, &rr, err, errlen)) return -1;
    m->relearn_steps = rr.steps;
    m->relearn_final_acc = rr.final_acc;
    m->relearn_points = rr.n_points;
    memcpy(m->relearn_step, rr.step, sizeof rr.step);
    memcpy(m->relearn_acc, rr.acc, sizeof rr.acc);
    return 0;
}

/* relearn_steps_k10 / _k100: the same protocol with 10 and 100 examples */
static int metric_relearn_ks(Net *net, const UnlearnTask *t, const ClassMap *cm, const Dataset *keep,
                             const MetricsConfig *c, UnlearnMetrics *m, char *err, size_t errlen) {
    const int ks[2] = {10, 100};
    double *out[2] = {&m->relearn_steps_k10, &m->relearn_steps_k100};
    for (int i = 0; i < 2; i++) {
        RelearnConfig rc;
        relearn_cfg(c, &rc);
        rc.k = ks[i];
        RelearnResult rr;
        if (relearn_run(net, cm, t->forget, keep, t->forget_test, &rc, &rr, err, errlen)) return -1;
        *out[i] = rr.steps;
    }
    return 0;
}

static int metric_relapse(Net *net, const UnlearnTask *t, const ClassMap *cm, const Dataset *keep,
                          const MetricsConfig *c, UnlearnMetrics *m, char *err, size_t errlen) {
    RelapseConfig rc;
    relapse_config_default(&rc);
    if (c->relapse_steps > 0) rc.steps = c->relapse_steps;
    if (c->relapse_lr > 0) rc.lr = c->relapse_lr;
    if (c->relapse_batch > 0) rc.batch = c->relapse_batch;
    rc.seed = c->seed;
    Net *copy = relapse_finetune(net, keep, cm, &rc, err, errlen);
    if (!copy) return -1;
    m->relapse_leakage = share_into(copy, t->forget_test, t->slot);
    ProbeResult pr;
    int bad = c->probe ? run_probe(copy, t, c, &pr, err, errlen) : 0;
    if (!bad && c->probe) m->relapse_probe = pr.bal_acc;
    net_free(copy);
    return bad ? -1 : 0;
}

/* NaN (not an error) without a validation split */
static int metric_kshot(Net *net, const UnlearnTask *t, const MetricsConfig *c, UnlearnMetrics *m, char *err,
                        size_t errlen) {
    if (!t->forget_val || !t->retain_val || !t->forget_val->n || !t->retain_val->n) return 0;
    KshotConfig kc;
    kshot_config_default(&kc);
    if (c->kshot_repeats > 0) kc.repeats = c->kshot_repeats;
    kc.seed = c->seed;
    const int ks[2] = {5, 50};
    KshotResult r[2];
    if (kshot_eval(net, t->forget_val, t->retain_val, t->forget_test, t->retain_test, ks, 2, &kc, r, err, errlen))
        return -1;
    m->kshot_probe_k5 = r[0].probe;
    m->kshot_proto_k5 = r[0].proto;
    m->kshot_probe_k50 = r[1].probe;
    m->kshot_proto_k50 = r[1].proto;
    return 0;
}

/* FNV-1a over the labels and input bytes of d */
static uint64_t dataset_hash(const Dataset *d) {
    uint64_t h = 1469598103934665603ULL;
    const unsigned char *p = (const unsigned char *)d->y;
    for (size_t i = 0; i < (size_t)d->n * sizeof(int); i++) h = (h ^ p[i]) * 1099511628211ULL;
    p = (const unsigned char *)d->x;
    for (size_t i = 0; i < (size_t)d->n * ds_sample_size(d) * sizeof(float); i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* margins in the ORIGINAL map (t->before) on the fixed samples of each set */
static int metric_margins(Net *net, const UnlearnTask *t, const MetricsConfig *c, UnlearnMetrics *m, char *err,
                          size_t errlen) {
    const Dataset *sets[MARGIN_SETS] = {t->forget, t->forget_test, t->retain_test};
    int cap = c->margin_cap > 0 && c->margin_cap < MARGIN_MAX ? c->margin_cap : MARGIN_MAX;
    for (int s = 0; s < MARGIN_SETS; s++) {
        if (!sets[s] || !sets[s]->n) continue;
        Dataset *d = metrics_margin_sample(sets[s], cap);
        if (!d) { snprintf(err, errlen, "margins: out of memory"); return -1; }
        int bad = margins_compute(net, d, &t->before, m->margins[s], err, errlen);
        m->n_margins[s] = bad ? 0 : d->n;
        m->margin_hash[s] = bad ? 0 : dataset_hash(d);
        ds_free(d);
        if (bad) return -1;
    }
    return 0;
}

int metrics_compute_map(Net *net, const UnlearnTask *t, const ClassMap *cm, const MetricsConfig *c,
                        UnlearnMetrics *m, char *err, size_t errlen) {
    metrics_clear(m);
    if (cm->n_slots != net->n_classes) {
        snprintf(err, errlen, "metrics: the class map has %d slots but the net %d outputs", cm->n_slots,
                 net->n_classes);
        return -1;
    }
    if (t->slot < 0 || t->slot >= cm->n_slots) {
        snprintf(err, errlen, "metrics: the task's slot %d is outside the net's %d outputs", t->slot, cm->n_slots);
        return -1;
    }
    double t0 = now_s();
    forget_outputs(net, t, m);
    m->new_class_acc = t->learn_class >= 0 ? share_into(net, t->learn_test, t->slot) : NAN;
    m->retained_acc = acc_with_map(net, t->retain_test, cm);
    m->sec_outputs = now_s() - t0;
#define TIMED(flag, field, call) \
    if (flag) { double s0 = now_s(); if (call) goto fail; field = now_s() - s0; }
    Dataset *owned = NULL;
    const Dataset *keep = NULL;
    if (c->relearn || c->relapse) {
        keep = kept_data(t, cm, &owned);
        if (!keep) { snprintf(err, errlen, "metrics: out of memory"); return -1; }
    }
    ProbeResult pr;
    TIMED(c->mia, m->sec_mia, metric_mia(net, t, c, m, err, errlen));
    TIMED(c->probe, m->sec_probe, run_probe(net, t, c, &pr, err, errlen));
    if (c->probe) { m->probe_acc = pr.bal_acc; m->probe_train_acc = pr.train_bal_acc; }
    TIMED(c->relearn, m->sec_relearn, metric_relearn(net, t, cm, keep, c, m, err, errlen));
    TIMED(c->relearn && c->relearn_ks, m->sec_relearn_ks, metric_relearn_ks(net, t, cm, keep, c, m, err, errlen));
    TIMED(c->relapse, m->sec_relapse, metric_relapse(net, t, cm, keep, c, m, err, errlen));
    TIMED(c->kshot, m->sec_kshot, metric_kshot(net, t, c, m, err, errlen));
    TIMED(c->margins, m->sec_margins, metric_margins(net, t, c, m, err, errlen));
#undef TIMED
    ds_free(owned);
    return 0;
fail:
    ds_free(owned);
    return -1;
}

int metrics_compute(Net *net, const UnlearnTask *t, const MetricsConfig *c, UnlearnMetrics *m,
                    char *err, size_t errlen) {
    return metrics_compute_map(net, t, &t->after, c, m, err, errlen);
}

void metrics_vs_retrain(UnlearnMetrics *m, const UnlearnMetrics *r) {
    double a[4] = {m->forget_leakage, m->new_class_acc, m->retained_acc, m->mia_efficacy};
    double b[4] = {r->forget_leakage, r->new_class_acc, r->retained_acc, r->mia_efficacy};
    double s = 0;
    int n = 0;
    for (int i = 0; i < 4; i++)
        if (isfinite(a[i]) && isfinite(b[i])) { s += fabs(a[i] - b[i]); n++; }
    m->avg_gap = n ? s / n : NAN;
    m->cost_ratio_time = (isfinite(m->seconds) && isfinite(r->seconds) && r->seconds > 0) ? m->seconds / r->seconds : NAN;
    m->cost_ratio_flops = (isfinite(m->flops) && isfinite(r->flops) && r->flops > 0) ? m->flops / r->flops : NAN;
}

/* margins of model i, set s */
static const float *margin_row(const UnlearnMetrics *m, int s) { return m->margins[s]; }

int metrics_klom(const UnlearnMetrics *const *a, int na, const UnlearnMetrics *const *b, int nb, int set,
                 double var_floor, double *median, double *p95) {
    *median = *p95 = NAN;
    if (na < 1 || nb < 1 || set < 0 || set >= MARGIN_SETS) return -1;
    int n = a[0]->n_margins[set];
    if (n < 1) return -1;
    uint64_t h = a[0]->margin_hash[set];
    for (int i = 0; i < na; i++) if (a[i]->n_margins[set] != n || a[i]->margin_hash[set] != h) return -1;
    for (int i = 0; i < nb; i++) if (b[i]->n_margins[set] != n || b[i]->margin_hash[set] != h) return -1;
    float *A = malloc((size_t)na * n * sizeof(float)), *B = malloc((size_t)nb * n * sizeof(float));
    double *kl = malloc((size_t)n * sizeof(double));
    int rc = -1;
    if (A && B && kl) {
        for (int i = 0; i < na; i++) memcpy(A + (size_t)i * n, margin_row(a[i], set), (size_t)n * sizeof(float));
        for (int i = 0; i < nb; i++) memcpy(B + (size_t)i * n, margin_row(b[i], set), (size_t)n * sizeof(float));
        klom_per_example(A, na, B, nb, n, var_floor, kl);
        rc = median_p95(kl, n, median, p95) > 0 ? 0 : -1;
    }
    free(A); free(B); free(kl);
    return rc;
}
