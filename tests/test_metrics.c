/* test_metrics.c — the unlearning metrics on real models (small MNIST subset,
 * vision/nets/small.net, a few seconds of training each):
 *   - the original model leaks the forgotten class and relearns it at once;
 *   - a model retrained without it leaks nothing and relearns it slower;
 *   - "hiding the output" (zeroing the forgotten slot's row and bias of the last
 *     linear layer) gives low leakage, but the linear probe still decodes the
 *     class as well as on the original and/or it relearns faster than retrain;
 *   - the MIA attack is near chance on retain-train vs retain-test of a model
 *     that generalises;
 *   - avg gap / cost ratios follow their definitions; a fresh output slot
 *     leaves the other logits unchanged;
 *   - the tests of forgetting (raw measurements): forget-output histogram and its
 *     JS divergence, k-shot recovery from the validation split, relapse, relearn
 *     at k = 10 / 100, KLoM between models (a second retrain as the null level),
 *     the held-out MIA test; each must flag the original (or the hidden output)
 *     and pass retrain; phase timings printed. */
#include "test.h"
#include "metrics.h"
#include "mia.h"
#include "relearn.h"
#include "task_val.h"
#include "divergence.h"
#include "mnist_modality.h"
#include "train.h"
#include "rng.h"
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static Net *train_model(const Dataset *d, const ClassMap *cm, int epochs, uint64_t seed) {
    char err[256];
    Net *net = net_load_spec_file("vision/nets/small.net", 1, 28, 28, cm->n_slots, err, sizeof err);
    if (!net) { fprintf(stderr, "%s\n", err); exit(1); }
    net_init(net, seed);
    TrainConfig c = mnist_modality.recipe;
    c.epochs = epochs;
    c.seed = seed;
    c.verbose = 0;
    TrainStats st;
    if (train_supervised(net, d, cm, &c, &st, err, sizeof err)) { fprintf(stderr, "%s\n", err); exit(1); }
    return net;
}

/* The first k samples of each class of *train become the validation set; *train keeps the rest. */
static Dataset *split_val(Dataset **train, int k) {
    Dataset *d = *train;
    int *iv = malloc(sizeof(int) * d->n), *it = malloc(sizeof(int) * d->n), nv = 0, nt = 0, seen[MAX_LABELS] = {0};
    for (int i = 0; i < d->n; i++) {
        if (seen[d->y[i]]++ < k) iv[nv++] = i;
        else it[nt++] = i;
    }
    Dataset *val = ds_subset(d, iv, nv), *tr = ds_subset(d, it, nt);
    ds_free(d);
    *train = tr;
    free(iv); free(it);
    return val;
}

static void show_new(const char *name, const UnlearnMetrics *m) {
    printf("%-9s slot hist [", name);
    for (int s = 0; s < m->n_slot_hist; s++) printf("%s%.2f", s ? " " : "", m->slot_hist[s]);
    printf("] relapse leak %.3f probe %.3f | k-shot probe %.3f/%.3f proto %.3f/%.3f | relearn k10 %g k100 %g | "
           "MIA held-out %.3f p %.3g\n", m->relapse_leakage, m->relapse_probe, m->kshot_probe_k5, m->kshot_probe_k50,
           m->kshot_proto_k5, m->kshot_proto_k50, m->relearn_steps_k10, m->relearn_steps_k100, m->mia_attack_acc,
           m->mia_attack_p);
    printf("%-9s seconds: outputs %.2f MIA %.2f probe %.2f relearn %.2f relearn k10+k100 %.2f relapse %.2f "
           "k-shot %.2f margins %.2f\n", "", m->sec_outputs, m->sec_mia, m->sec_probe, m->sec_relearn,
           m->sec_relearn_ks, m->sec_relapse, m->sec_kshot, m->sec_margins);
}

static void show(const char *name, const UnlearnMetrics *m) {
    printf("%-9s leakage %.3f new-class %.3f retained %.3f MIA %.3f (fit %.3f) probe %.3f relearn %g (final %.3f)\n",
           name, m->forget_leakage, m->new_class_acc, m->retained_acc, m->mia_efficacy, m->mia_fit_acc, m->probe_acc,
           m->relearn_steps, m->relearn_final_acc);
}

/* steps with NaN (never) counting as slower than any number */
static int faster(double a, double b) {
    if (isnan(a)) return 0;
    if (isnan(b)) return 1;
    return a < b;
}

static void test_vs_retrain_formula(void) {
    UnlearnMetrics a, r;
    metrics_clear(&a);
    metrics_clear(&r);
    a.forget_leakage = 0.5; r.forget_leakage = 0.1;
    a.new_class_acc = 0.7; r.new_class_acc = 0.9;
    a.retained_acc = 0.95; r.retained_acc = 0.97;
    a.mia_efficacy = 0.3; r.mia_efficacy = 0.6;
    a.seconds = 2; r.seconds = 8;
    a.flops = 1e9; r.flops = 4e10;
    metrics_vs_retrain(&a, &r);
    CHECK(fabs(a.avg_gap - (0.4 + 0.2 + 0.02 + 0.3) / 4) < 1e-12);
    CHECK(fabs(a.cost_ratio_time - 0.25) < 1e-12);
    CHECK(fabs(a.cost_ratio_flops - 0.025) < 1e-12);
    a.new_class_acc = NAN;   /* plain forgetting: the gap averages what exists */
    metrics_vs_retrain(&a, &r);
    CHECK(fabs(a.avg_gap - (0.4 + 0.02 + 0.3) / 3) < 1e-12);
}

/* The tests of forgetting on the three models: each flags the original or the hidden output
 * and passes retrain; KLoM against a second retrain (another seed) as the null level. */
static void check_new_metrics(const UnlearnTask *t, const Dataset *pre, const Dataset *rdata,
                              const UnlearnMetrics *mo, const UnlearnMetrics *mr, const UnlearnMetrics *mh) {
    (void)pre;
    /* the forget-output histogram: the original sends 6s into their slot, retrain and hidden do not */
    CHECK(mo->n_slot_hist == 9 && fabs(mo->slot_hist[t->slot] - mo->forget_leakage) < 1e-12);
    double sum = 0;
    for (int s = 0; s < mo->n_slot_hist; s++) sum += mo->slot_hist[s];
    CHECK(fabs(sum - 1) < 1e-9);
    double js_or = js_divergence(mo->slot_hist, mr->slot_hist, 9), js_hr = js_divergence(mh->slot_hist, mr->slot_hist, 9);
    printf("forget-output JS vs retrain: original %.3f, hidden %.3f (ln 2 = %.3f)\n", js_or, js_hr, log(2.0));
    CHECK(js_or > 0.3 && js_hr < js_or);
    /* k-shot: the original's features give the class away from 5 examples better than retrain's */
    CHECKF(mo->kshot_probe_k5 > mr->kshot_probe_k5 + 0.01, "k-shot probe k5 %.3f vs %.3f", mo->kshot_probe_k5,
           mr->kshot_probe_k5);
    CHECKF(mo->kshot_proto_k5 > mr->kshot_proto_k5 + 0.01, "k-shot proto k5 %.3f vs %.3f", mo->kshot_proto_k5,
           mr->kshot_proto_k5);
    CHECK(mh->kshot_probe_k5 == mo->kshot_probe_k5 && mh->kshot_proto_k50 == mo->kshot_proto_k50);   /* same features */
    /* relearn at k = 10 / 100: the original at once, retrain not */
    CHECK(mo->relearn_steps_k10 == 0 && mo->relearn_steps_k100 == 0);
    CHECK(faster(mo->relearn_steps_k10, mr->relearn_steps_k10) && faster(mo->relearn_steps_k100, mr->relearn_steps_k100));
    /* relapse: retrain stays forgotten; after the fine-tune the hidden output's features still give the
     * class away more than retrain's (its leakage does not come back: the fine-tune trains the freed slot
     * for the new class, see relapse.h) */
    CHECKF(mr->relapse_leakage <= 0.05, "retrain relapse leakage %.3f", mr->relapse_leakage);
    CHECKF(mh->relapse_probe > mr->relapse_probe + 0.01, "relapse probe hidden %.3f retrain %.3f", mh->relapse_probe,
           mr->relapse_probe);
    CHECK(isnan(mo->relapse_leakage) && isnan(mo->sec_relapse) && isfinite(mh->sec_relapse));   /* the switch */
    /* MIA: the held-out test on generalising models is not significant at 0.01 */
    CHECKF(mo->mia_attack_p > 0.01 && mr->mia_attack_p > 0.01, "MIA p %.3g %.3g", mo->mia_attack_p, mr->mia_attack_p);
    /* KLoM: retrain (seed 1) vs a second retrain (seed 2) is the null level; the original is far from it on the
     * forgotten class and close on retain-test */
    char err[256];
    Net *r2 = train_model(rdata, &t->after, 3, 2);
    MetricsConfig mc;
    metrics_config_default(&mc);
    mc.mia = mc.probe = mc.relearn = mc.relapse = mc.kshot = 0;
    UnlearnMetrics m2;
    CHECK(metrics_compute(r2, t, &mc, &m2, err, sizeof err) == 0);
    CHECK(m2.n_margins[MARGIN_FORGET_TEST] == (t->forget_test->n < MARGIN_MAX ? t->forget_test->n : MARGIN_MAX) && isnan(m2.kshot_probe_k5) && isnan(m2.relapse_leakage));
    const UnlearnMetrics *pa[1] = {mo}, *pb[1] = {mr}, *p2[1] = {&m2};
    UnlearnMetrics other = m2;   /* measured on other examples: refused */
    other.margin_hash[MARGIN_FORGET_TEST] ^= 1;
    const UnlearnMetrics *po[1] = {&other};
    double x, y;
    CHECK(metrics_klom(po, 1, pb, 1, MARGIN_FORGET_TEST, KLOM_VAR_FLOOR, &x, &y) == -1 && isnan(x));
    CHECK(mo->margin_hash[MARGIN_RETAIN_TEST] == mr->margin_hash[MARGIN_RETAIN_TEST] && mo->margin_hash[0] != 0);
    for (int s = 0; s < MARGIN_SETS; s++) {
        double med_o, p95_o, med_2, p95_2;
        CHECK(metrics_klom(pa, 1, pb, 1, s, KLOM_VAR_FLOOR, &med_o, &p95_o) == 0);
        CHECK(metrics_klom(p2, 1, pb, 1, s, KLOM_VAR_FLOOR, &med_2, &p95_2) == 0);
        printf("KLoM set %d (1 model a side, floor %.2f): original vs retrain median %.2f p95 %.2f; retrain seed 2 vs "
               "seed 1 median %.2f p95 %.2f\n", s, KLOM_VAR_FLOOR, med_o, p95_o, med_2, p95_2);
        if (s != MARGIN_RETAIN_TEST) CHECKF(med_o > 3 * med_2, "set %d: %.2f vs null %.2f", s, med_o, med_2);
    }
    net_free(r2);
}

int main(void) {
    test_vs_retrain_formula();
    char err[512];
    DataOptions o;
    memset(&o, 0, sizeof o);
    o.data_dir = test_data_dir();
    o.limit_per_class = 200;   /* 150 train + 50 validation per class */
    o.test_limit_per_class = 200;
    o.seed = 1;
    Dataset *train = NULL, *test = NULL;
    if (mnist_modality.load(&o, &train, &test, err, sizeof err)) {
        printf("model checks skipped: %s\n", err);
        TEST_DONE("test_metrics");
    }
    Dataset *val = split_val(&train, 50);
    ClassMap before;
    CHECK(classmap_parse(&before, "0,1,2,4,5,6,7,8,9", 10, err, sizeof err) == 0);
    UnlearnTask t;
    if (task_build(&t, train, test, &before, 6, 3, 0, 1, err, sizeof err)) {
        fprintf(stderr, "task_build: %s\n", err);
        return 1;
    }
    CHECK(task_attach_val(&t, val, err, sizeof err) == 0);
    Dataset *pre = ds_filter_classes(train, before.slot_class, before.n_slots);
    Dataset *rdata = ds_concat(t.retain, t.learn);
    double t0 = now_s();
    Net *orig = train_model(pre, &before, 3, 1);
    Net *retr = train_model(rdata, &t.after, 3, 1);
    printf("trained the original and retrain in %.1f s\n", now_s() - t0);
    Net *hid = net_clone(orig);
    Layer *L = &hid->layers[hid->n_layers - 1];
    CHECK(L->type == LAYER_LINEAR);
    for (int j = 0; j < L->in_c; j++) hid->params[L->w_off + (size_t)t.slot * L->in_c + j] = 0;
    hid->params[L->b_off + t.slot] = 0;

    MetricsConfig mc;
    metrics_config_default(&mc);
    UnlearnMetrics mo, mr, mh;
    t0 = now_s();
    MetricsConfig mco = mc;
    mco.relapse = 0;   /* checked on retrain and the hidden output only (saves test time) */
    CHECK(metrics_compute_map(orig, &t, &before, &mco, &mo, err, sizeof err) == 0);
    double t1 = now_s();
    CHECK(metrics_compute(retr, &t, &mc, &mr, err, sizeof err) == 0);
    double t2 = now_s();
    MetricsConfig mch = mc;
    mch.mia = 0;   /* not needed for the hidden model */
    CHECK(metrics_compute(hid, &t, &mch, &mh, err, sizeof err) == 0);   /* judged as an unlearned model */
    printf("metrics in %.1f / %.1f / %.1f s\n", t1 - t0, t2 - t1, now_s() - t2);
    show("original", &mo);
    show("retrain", &mr);
    show("hidden", &mh);
    show_new("original", &mo);
    show_new("retrain", &mr);
    show_new("hidden", &mh);
    check_new_metrics(&t, pre, rdata, &mo, &mr, &mh);

    /* the original: leaks, has not learned 3, relearns at once */
    CHECKF(mo.forget_leakage > 0.8, "original leakage %.3f", mo.forget_leakage);
    CHECKF(mo.new_class_acc < 0.1, "original new-class %.3f", mo.new_class_acc);
    CHECKF(mo.retained_acc > 0.85, "original retained %.3f", mo.retained_acc);
    CHECKF(mo.relearn_steps == 0, "original relearn %g", mo.relearn_steps);
    /* retrain: no leakage, learned 3, relearning takes time */
    CHECKF(mr.forget_leakage < 0.1, "retrain leakage %.3f", mr.forget_leakage);
    CHECKF(mr.new_class_acc > 0.6, "retrain new-class %.3f", mr.new_class_acc);
    CHECKF(mr.retained_acc > 0.85, "retrain retained %.3f", mr.retained_acc);
    CHECKF(faster(mo.relearn_steps, mr.relearn_steps), "original %g vs retrain %g", mo.relearn_steps, mr.relearn_steps);
    CHECKF(mr.relearn_steps >= 3 || isnan(mr.relearn_steps), "retrain relearn %g", mr.relearn_steps);
    /* MIA: these small models generalise, so the attack has (almost) no signal on its own rows */
    CHECKF(mo.mia_fit_acc > 0.4 && mo.mia_fit_acc < 0.65, "MIA fit accuracy %.3f", mo.mia_fit_acc);
    /* hiding the output: low leakage, but caught by the probe and/or relearning */
    CHECKF(mh.forget_leakage < 0.2, "hidden leakage %.3f", mh.forget_leakage);
    CHECKF(mh.probe_acc > 0.9, "hidden probe %.3f", mh.probe_acc);
    CHECKF(fabs(mh.probe_acc - mo.probe_acc) < 1e-9, "hidden probe %.4f vs original %.4f (same features)",
           mh.probe_acc, mo.probe_acc);
    int probe_catches = mh.probe_acc >= mr.probe_acc + 0.01;
    int relearn_catches = faster(mh.relearn_steps, mr.relearn_steps);
    printf("hidden output caught by: probe %s (%.3f vs retrain %.3f), relearn %s (%g vs retrain %g steps)\n",
           probe_catches ? "yes" : "no", mh.probe_acc, mr.probe_acc, relearn_catches ? "yes" : "no",
           mh.relearn_steps, mr.relearn_steps);
    CHECK(probe_catches || relearn_catches);
    /* the few-shot probe reads the class off the original's features more easily than off retrain's */
    CHECKF(mo.probe_acc > mr.probe_acc + 0.01, "probe original %.3f retrain %.3f", mo.probe_acc, mr.probe_acc);

    /* avg gap of retrain against itself is 0 */
    UnlearnMetrics self = mr;
    self.seconds = 1; self.flops = 1;
    metrics_vs_retrain(&self, &self);
    CHECK(self.avg_gap == 0 && self.cost_ratio_time == 1);

    /* MIA near chance on a generalising model: fit on half of retain-train / retain-test,
     * balanced accuracy on the other half */
    {
        float *fm = mia_net_features(orig, t.retain), *fn = mia_net_features(orig, t.retain_test);
        int nm = t.retain->n, nn = t.retain_test->n;
        int k = (nm < nn ? nm : nn) / 2;
        int *im = malloc(nm * sizeof(int)), *in = malloc(nn * sizeof(int));
        for (int i = 0; i < nm; i++) im[i] = i;
        for (int i = 0; i < nn; i++) in[i] = i;
        Rng r;
        rng_seed(&r, 7);
        rng_shuffle(&r, im, nm);
        rng_shuffle(&r, in, nn);
        float *a = malloc(2 * sizeof(float) * k), *b = malloc(2 * sizeof(float) * k);
        float *ea = malloc(2 * sizeof(float) * k), *eb = malloc(2 * sizeof(float) * k);
        for (int i = 0; i < k; i++) {
            memcpy(a + 2 * i, fm + 2 * im[i], 2 * sizeof(float));
            memcpy(b + 2 * i, fn + 2 * in[i], 2 * sizeof(float));
            memcpy(ea + 2 * i, fm + 2 * im[k + i], 2 * sizeof(float));
            memcpy(eb + 2 * i, fn + 2 * in[k + i], 2 * sizeof(float));
        }
        MiaConfig c;
        mia_config_default(&c);
        MiaModel *mm = mia_fit(a, k, b, k, &c, err, sizeof err);
        CHECK(mm != NULL);
        if (mm) {
            double tpr = 1 - mia_nonmember_share(mm, ea, k), tnr = mia_nonmember_share(mm, eb, k);
            double bal = 0.5 * (tpr + tnr);
            printf("MIA on held-out retain-train vs retain-test: balanced accuracy %.3f (%d + %d samples)\n", bal, k, k);
            CHECKF(bal > 0.4 && bal < 0.6, "MIA balanced accuracy %.3f", bal);
            mia_free(mm);
        }
        free(fm); free(fn); free(im); free(in); free(a); free(b); free(ea); free(eb);
    }

    /* a fresh output slot keeps every other logit and starts at 0 */
    {
        Net *g = net_add_output_slot(orig, err, sizeof err);
        CHECK(g && g->n_classes == orig->n_classes + 1);
        if (g) {
            int B = 8, K = orig->n_classes;
            float *lo = malloc(sizeof(float) * B * K);
            memcpy(lo, net_forward(orig, t.retain_test->x, B, 0), sizeof(float) * B * K);
            const float *lg = net_forward(g, t.retain_test->x, B, 0);
            double md = 0;
            for (int i = 0; i < B; i++) {
                for (int k = 0; k < K; k++) md = fmax(md, fabs(lg[i * (K + 1) + k] - lo[i * K + k]));
            }
            CHECKF(md < 1e-5, "max logit change %g", md);
            free(lo);
            net_free(g);
        }
    }
    net_free(orig); net_free(retr); net_free(hid);
    ds_free(pre); ds_free(rdata); ds_free(val);
    task_detach_val(&t);
    task_free(&t);
    ds_free(train); ds_free(test);
    TEST_DONE("test_metrics");
}
