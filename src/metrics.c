/* metrics.c — every unlearning metric on held-out data (definitions in metrics.h,
 * mia.h, probe.h, relearn.h). */
#include "metrics.h"
#include "mia.h"
#include "probe.h"
#include "relearn.h"
#include "train.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
}

float metrics_relearn_lr_default(const char *modality) {
    if (modality && !strcmp(modality, "speech")) return 0.01f;
    return 0.001f;
}

void metrics_clear(UnlearnMetrics *m) {
    memset(m, 0, sizeof *m);
    m->forget_leakage = m->new_class_acc = m->retained_acc = m->mia_efficacy = m->probe_acc = NAN;
    m->relearn_steps = m->seconds = m->flops = m->cost_ratio_time = m->cost_ratio_flops = m->avg_gap = NAN;
    m->mia_fit_acc = m->probe_train_acc = m->relearn_final_acc = NAN;
}

/* Share of d's samples predicted into `slot` (NaN for an empty set). */
static double share_into(Net *net, const Dataset *d, int slot) {
    if (!d || !d->n || slot < 0) return NAN;
    int *pred = malloc((size_t)d->n * sizeof(int));
    if (!pred) return NAN;
    predict(net, d, 256, pred, NULL);
    long k = 0;
    for (int i = 0; i < d->n; i++) k += pred[i] == slot;
    free(pred);
    return (double)k / d->n;
}

static double acc_with_map(Net *net, const Dataset *d, const ClassMap *cm) {
    if (!d || !d->n) return NAN;
    int *pred = malloc((size_t)d->n * sizeof(int));
    if (!pred) return NAN;
    predict(net, d, 256, pred, NULL);
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
    m->forget_leakage = share_into(net, t->forget_test, t->slot);
    m->new_class_acc = t->learn_class >= 0 ? share_into(net, t->learn_test, t->slot) : NAN;
    m->retained_acc = acc_with_map(net, t->retain_test, cm);

    if (c->mia) {
        MiaConfig mc;
        mia_config_default(&mc);
        if (c->mia_cap > 0) mc.cap = c->mia_cap;
        mc.seed = c->seed;
        MiaResult mr;
        if (mia_efficacy(net, t->retain, t->retain_test, t->forget, &mc, &mr, err, errlen)) return -1;
        m->mia_efficacy = mr.efficacy;
        m->mia_fit_acc = mr.fit_acc;
    }
    if (c->probe) {
        ProbeConfig pc;
        probe_config_default(&pc);
        if (c->probe_cap > 0) pc.cap_pos = pc.cap_neg = c->probe_cap;
        pc.seed = c->seed;
        ProbeResult pr;
        if (probe_accuracy(net, t->forget, t->retain, t->forget_test, t->retain_test, &pc, &pr, err, errlen))
            return -1;
        m->probe_acc = pr.bal_acc;
        m->probe_train_acc = pr.train_bal_acc;
    }
    if (c->relearn) {
        RelearnConfig rc;
        relearn_config_default(&rc);
        if (c->relearn_k > 0) rc.k = c->relearn_k;
        if (c->relearn_lr > 0) rc.lr = c->relearn_lr;
        if (c->relearn_threshold > 0) rc.threshold = c->relearn_threshold;
        if (c->relearn_max_steps > 0) rc.max_steps = c->relearn_max_steps;
        rc.eval_every = c->relearn_eval_every;
        if (c->relearn_batch > 1) rc.batch = c->relearn_batch;
        rc.seed = c->seed;
        /* kept data: every slotted class but the forgotten one */
        Dataset *keep = NULL;
        int learn_slotted = t->learn_class >= 0 && t->learn && t->learn->n && classmap_slot(cm, t->learn_class) >= 0;
        if (learn_slotted) {
            keep = ds_concat(t->retain, t->learn);
            if (!keep) { snprintf(err, errlen, "metrics: out of memory"); return -1; }
        }
        RelearnResult rr;
        int bad = relearn_run(net, cm, t->forget, keep ? keep : t->retain, t->forget_test, &rc, &rr, err, errlen);
        ds_free(keep);
        if (bad) return -1;
        m->relearn_steps = rr.steps;
        m->relearn_final_acc = rr.final_acc;
        m->relearn_points = rr.n_points;
        memcpy(m->relearn_step, rr.step, sizeof rr.step);
        memcpy(m->relearn_acc, rr.acc, sizeof rr.acc);
    }
    return 0;
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
