/* test_train_guard — train_supervised stops with one clear line, before any weight
 * is updated, on a non-finite input sample, a non-finite loss or gradient. */
#include "test.h"
#include "train.h"
#include "net.h"

static Dataset *toy(int n) {
    Dataset *d = ds_new(n, 1, 4, 4);
    for (int i = 0; i < n; i++) {
        d->y[i] = i % 2;
        for (int j = 0; j < 16; j++) d->x[(size_t)i * 16 + j] = (float)((i * 7 + j * 3) % 11) / 11.0f - 0.5f + (i % 2);
    }
    return d;
}

static Net *toy_net(void) {
    char err[256];
    Net *n = net_parse("input 1 4 4\nconv 4 k=3 pad=1\nrelu\nflatten\nlinear classes\n", "toy", 0, 0, 0, 2, err, sizeof err);
    if (!n) { fprintf(stderr, "%s\n", err); exit(1); }
    net_init(n, 3);
    return n;
}

static int same_params(const Net *a, const float *b) {
    return memcmp(a->params, b, a->n_params * sizeof(float)) == 0;
}

int main(void) {
    ClassMap cm;
    char err[512];
    CHECK(classmap_parse(&cm, "0,1", 10, err, sizeof err) == 0);
    TrainConfig cfg;
    train_config_default(&cfg);
    cfg.verbose = 0; cfg.batch = 8; cfg.epochs = 2;
    TrainStats st;

    /* a clean run works */
    Dataset *d = toy(32);
    Net *net = toy_net();
    CHECKF(train_supervised(net, d, &cm, &cfg, &st, err, sizeof err) == 0, "%s", err);
    net_free(net);

    /* one NaN or inf in the data (e.g. from a loud recording's features): refused, weights untouched.
     * The relu in front would hide a NaN from the loss while its gradient poisons the conv weights. */
    float bad[3] = {NAN, INFINITY, -INFINITY};
    for (int k = 0; k < 3; k++) {
        Dataset *e = toy(32);
        e->x[5 * 16 + 7] = bad[k];
        net = toy_net();
        float *before = malloc(net->n_params * sizeof(float));
        memcpy(before, net->params, net->n_params * sizeof(float));
        err[0] = 0;
        CHECK(train_supervised(net, e, &cm, &cfg, &st, err, sizeof err) == -1);
        CHECKF(strstr(err, "training sample 5 has a non-finite value") && !strchr(err, '\n'), "%s", err);
        CHECK(same_params(net, before));
        for (size_t i = 0; i < net->n_params; i++) if (!isfinite(net->params[i])) { CHECK(0); break; }
        free(before); net_free(net); ds_free(e);
    }

    /* a learning rate that blows up: stops with "diverged", never writing a non-finite weight
     * computed from a non-finite loss or gradient */
    cfg.opt = OPT_SGD; cfg.lr = 1e30f; cfg.cosine = 0; cfg.epochs = 20;
    net = toy_net();
    err[0] = 0;
    CHECK(train_supervised(net, d, &cm, &cfg, &st, err, sizeof err) == -1);
    CHECKF(strstr(err, "training diverged") && !strchr(err, '\n'), "%s", err);
    net_free(net);
    ds_free(d);
    TEST_DONE("test_train_guard");
}
