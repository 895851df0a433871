/* metrics_bench.c — seconds per metric of one model on the full MNIST task (forget 6,
 * learn 3), 1 thread: the original model (its own map) and the same model with the
 * forgotten slot's row zeroed, judged as an unlearned model (the relearn runs then
 * go the distance).  Validation split: the first 500 training images of each class.
 *   usage: metrics_bench CHECKPOINT [DATA_DIR]
 * Built by `make build/bench/metrics_bench` (make bench builds it but does not run it). */
#include "checkpoint.h"
#include "metrics.h"
#include "task_val.h"
#include "mnist_modality.h"
#include "layers.h"
#include "services.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* process CPU time: with one thread, what the metric costs regardless of the machine's load */
static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU seconds of each metric alone (the basic outputs are always computed: measured alone first) */
static void per_metric(Net *net, const UnlearnTask *t, const ClassMap *cm, const char *name) {
    static const char *names[] = {"outputs", "mia", "probe", "relearn", "relearn-k10+k100", "relapse", "k-shot", "margins"};
    double base = 0, total = 0;
    char err[256];
    printf("%s, CPU seconds:", name);
    for (int i = 0; i < 8; i++) {
        MetricsConfig mc;
        metrics_config_default(&mc);
        mc.mia = i == 1; mc.probe = i == 2 || i == 5; mc.relearn = i == 3 || i == 4; mc.relearn_ks = i == 4;
        mc.relapse = i == 5; mc.kshot = i == 6; mc.margins = i == 7;
        UnlearnMetrics m;
        double t0 = now_seconds();
        if (metrics_compute_map(net, t, cm, &mc, &m, err, sizeof err)) { fprintf(stderr, "%s\n", err); exit(1); }
        double s = now_seconds() - t0;
        if (i == 0) base = s;
        double own = i == 0 ? s : s - base;
        if (i == 4) own = m.sec_relearn_ks * (s - base) / (m.sec_relearn + m.sec_relearn_ks);   /* wall split */
        if (i == 5) own = m.sec_relapse * (s - base) / (m.sec_probe + m.sec_relapse);
        total += own;
        printf(" %s %.2f", names[i], own);
    }
    printf(" | sum %.2f\n", total);
}

static Dataset *split_val(Dataset **train, int k) {
    Dataset *d = *train;
    int *iv = malloc(sizeof(int) * d->n), *it = malloc(sizeof(int) * d->n), nv = 0, nt = 0, seen[64] = {0};
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

static void report(const char *name, const UnlearnMetrics *m, double total) {
    printf("%s: total %.2f CPU s | wall per metric: outputs %.2f MIA %.2f probe %.2f relearn %.2f relearn-k10+k100 %.2f relapse %.2f "
           "k-shot %.2f margins %.2f\n", name, total, m->sec_outputs, m->sec_mia, m->sec_probe, m->sec_relearn,
           m->sec_relearn_ks, m->sec_relapse, m->sec_kshot, m->sec_margins);
    printf("  leakage %.3f probe %.3f relearn %g k10 %g k100 %g relapse %.3f/%.3f k-shot %.3f %.3f %.3f %.3f "
           "MIA %.3f held-out %.3f p %.3g\n", m->forget_leakage, m->probe_acc, m->relearn_steps, m->relearn_steps_k10,
           m->relearn_steps_k100, m->relapse_leakage, m->relapse_probe, m->kshot_probe_k5, m->kshot_probe_k50,
           m->kshot_proto_k5, m->kshot_proto_k50, m->mia_efficacy, m->mia_attack_acc, m->mia_attack_p);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: metrics_bench CHECKPOINT [DATA_DIR]\n"); return 2; }
    char err[512], modality[64] = "";
    svc_set_threads(1);
    ClassMap cm;
    Net *net = checkpoint_load(argv[1], &cm, modality, err, sizeof err);
    if (!net) { fprintf(stderr, "%s\n", err); return 1; }
    DataOptions o;
    memset(&o, 0, sizeof o);
    o.data_dir = argc > 2 ? argv[2] : "../shared/datasets";
    o.seed = 1;
    Dataset *train = NULL, *test = NULL;
    if (mnist_modality.load(&o, &train, &test, err, sizeof err)) { fprintf(stderr, "%s\n", err); return 1; }
    Dataset *val = split_val(&train, 500);
    UnlearnTask t;
    if (task_build(&t, train, test, &cm, 6, 3, 0, 1, err, sizeof err) || task_attach_val(&t, val, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    printf("task: forget %d, learn %d, retain %d train; %d / %d / %d test; %d / %d validation\n", t.forget->n,
           t.learn->n, t.retain->n, t.forget_test->n, t.learn_test->n, t.retain_test->n, t.forget_val->n,
           t.retain_val->n);
    MetricsConfig mc;
    metrics_config_default(&mc);
    UnlearnMetrics m;
    double t0 = now_seconds();
    if (metrics_compute_map(net, &t, &t.before, &mc, &m, err, sizeof err)) { fprintf(stderr, "%s\n", err); return 1; }
    report("original", &m, now_seconds() - t0);
    per_metric(net, &t, &t.before, "original");
    const Layer *L = &net->layers[net->n_layers - 1];
    for (int j = 0; j < L->in_c; j++) net->params[L->w_off + (size_t)t.slot * L->in_c + j] = 0;
    net->params[L->b_off + t.slot] = -10;
    t0 = now_seconds();
    if (metrics_compute(net, &t, &mc, &m, err, sizeof err)) { fprintf(stderr, "%s\n", err); return 1; }
    report("hidden", &m, now_seconds() - t0);
    per_metric(net, &t, &t.after, "hidden");
    task_detach_val(&t);
    task_free(&t);
    ds_free(train); ds_free(test); ds_free(val);
    net_free(net);
    return 0;
}
