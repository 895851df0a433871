/* test_ssd_real.c — SSD's dampening step on small REAL data of both modalities:
 * at its defaults (alpha 10, lambda 1) it dampens a non-zero share of the
 * parameters and lowers the forgotten class's leakage BEFORE any new-class
 * step (ssd_dampen alone).  40 training samples per class, a net pre-trained
 * for a few epochs.  Data missing: skipped, but a failure when CI=true. */
#include "test.h"
#include "services.h"
#include "unlearn.h"
#include "methods/method_common.h"
#include "mnist_modality.h"
#include "speech_modality.h"

static double share_in_slot(Net *net, const Dataset *d, int slot) {
    int *pred = malloc(sizeof(int) * (size_t)(d->n ? d->n : 1));
    train_predict(net, d, 64, pred, NULL);
    int k = 0;
    for (int i = 0; i < d->n; i++) k += pred[i] == slot;
    free(pred);
    return d->n ? (double)k / d->n : 0;
}

static void one(const Modality *m, const char *spec, int epochs) {
    char err[512];
    DataOptions o;
    memset(&o, 0, sizeof o);
    o.data_dir = test_data_dir();
    o.limit_per_class = 40;
    o.test_limit_per_class = 40;
    o.seed = 1;
    Dataset *train = NULL, *test = NULL;
    if (m->load(&o, &train, &test, err, sizeof err)) {
        const char *ci = getenv("CI");
        if (ci && !strcmp(ci, "true")) CHECKF(0, "%s data missing in CI: %s", m->name, err);
        else printf("%s skipped (no data): %s\n", m->name, err);
        return;
    }
    ClassMap before;
    CHECK(classmap_parse(&before, m->default_classes, m->n_labels, err, sizeof err) == 0);
    UnlearnTask t;
    CHECKF(task_build(&t, train, test, &before, 6, 3, 0, 1, err, sizeof err) == 0, "%s", err);
    Dataset *pre = ds_filter_classes(train, before.slot_class, before.n_slots);
    Net *net = net_load_spec_file(spec, train->c, train->h, train->w, before.n_slots, err, sizeof err);
    CHECKF(net != NULL, "%s", err);
    if (!net) return;
    net_init(net, 1);
    TrainConfig tc = m->recipe;
    tc.epochs = epochs;
    tc.seed = 1;
    tc.verbose = 0;
    TrainStats ts;
    CHECKF(train_supervised(net, pre, &before, &tc, &ts, err, sizeof err) == 0, "%s", err);
    double leak0 = share_in_slot(net, t.forget_test, t.slot);
    UnlearnConfig c;
    unlearn_config_default(&c);   /* alpha 10, lambda 1 */
    CHECK(c.alpha == 10.0f && c.lambda == 1.0f);
    long damp = 0;
    CHECKF(ssd_dampen(net, &t, &c, NULL, &damp, err, sizeof err) == 0, "%s", err);
    double leak1 = share_in_slot(net, t.forget_test, t.slot);
    printf("%s: ssd (alpha 10, lambda 1) dampened %ld of %zu parameters (%.2f%%); leakage %.3f -> %.3f\n", m->name,
           damp, net->n_params, 100.0 * damp / net->n_params, leak0, leak1);
    CHECKF(leak0 > 0.5, "%s: the pre-trained net does not predict the forget class (%.3f)", m->name, leak0);
    CHECKF(damp > 0, "%s: ssd dampened nothing at its defaults", m->name);
    CHECKF(leak1 < leak0 - 0.1, "%s: dampening did not lower leakage (%.3f -> %.3f)", m->name, leak0, leak1);
    net_free(net);
    ds_free(pre);
    task_free(&t);
    ds_free(train); ds_free(test);
}

int main(void) {
    svc_set_threads(1);   /* two OpenMP threads spin on the shared 2-core machine */
    one(&mnist_modality, "vision/nets/small.net", 3);
    one(&speech_modality, "audio/nets/speech.net", 6);
    TEST_DONE("test_ssd_real");
}
