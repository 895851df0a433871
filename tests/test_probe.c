/* test_probe.c — the logistic-regression probe: separable data is separated,
 * random labels stay at chance, class weighting balances unequal classes,
 * standardisation copes with constant features, and probe_accuracy reads the
 * penultimate layer of a net. */
#include "test.h"
#include "probe.h"
#include "rng.h"

int main(void) {
    char err[256];
    int n = 600, d = 20;
    float *X = malloc(sizeof(float) * n * d);
    int *y = malloc(sizeof(int) * n);
    Rng r;
    rng_seed(&r, 1);
    /* positives shifted along feature 3 (scaled x100 to need standardisation); feature 7 constant */
    for (int i = 0; i < n; i++) {
        y[i] = i % 5 == 0;   /* 20% positives */
        for (int j = 0; j < d; j++) X[i * d + j] = rng_normal(&r);
        X[i * d + 3] = 100.0f * (X[i * d + 3] + (y[i] ? 3.0f : 0.0f));
        X[i * d + 7] = 42.0f;
    }
    LogReg m;
    CHECK(logreg_fit(&m, X, y, n, d, 1e-3, 400, err, sizeof err) == 0);
    int np = 0, nn = 0;
    float *P = malloc(sizeof(float) * n * d), *N = malloc(sizeof(float) * n * d);
    for (int i = 0; i < n; i++) {
        if (y[i]) memcpy(P + (size_t)np++ * d, X + (size_t)i * d, sizeof(float) * d);
        else memcpy(N + (size_t)nn++ * d, X + (size_t)i * d, sizeof(float) * d);
    }
    double bal = logreg_balanced_acc(&m, P, np, N, nn);
    printf("separable (shift 3 sd on one feature): balanced accuracy %.3f\n", bal);
    CHECK(bal > 0.9);
    CHECK(fabs(m.w[3]) > 5 * fabs(m.w[0]));
    CHECK(m.w[7] == 0 || fabs(m.w[7]) < 1e-9);   /* constant feature carries nothing */
    logreg_free(&m);

    /* random labels: chance on fresh data */
    for (int i = 0; i < n; i++) {
        y[i] = rng_int(&r, 2);
        for (int j = 0; j < d; j++) X[i * d + j] = rng_normal(&r);
    }
    CHECK(logreg_fit(&m, X, y, n, d, 1e-3, 400, err, sizeof err) == 0);
    for (int i = 0; i < n * d; i++) { P[i] = rng_normal(&r); N[i] = rng_normal(&r); }
    bal = logreg_balanced_acc(&m, P, n / 2, N, n / 2);
    printf("random labels: held-out balanced accuracy %.3f\n", bal);
    CHECK(bal > 0.4 && bal < 0.6);
    logreg_free(&m);

    /* refusals */
    for (int i = 0; i < n; i++) y[i] = 0;
    CHECK(logreg_fit(&m, X, y, n, d, 1e-3, 10, err, sizeof err) == -1 && strstr(err, "both"));

    /* probe_accuracy on a net: features = output of the layer before the last linear.  The
     * first linear copies the 2 inputs (identity), so the probe sees the raw inputs. */
    Net *net = net_parse("input 1 1 2\nflatten\nlinear 2\nlinear classes\n", "<t>", 0, 0, 0, 3, err, sizeof err);
    CHECK(net != NULL);
    if (net) {
        CHECK(net_feature_layer(net) == 1 && net_layer_size(net, 1) == 2);
        net_init(net, 1);
        const Layer *L = &net->layers[1];
        net->params[L->w_off] = 1; net->params[L->w_off + 1] = 0;
        net->params[L->w_off + 2] = 0; net->params[L->w_off + 3] = 1;
        net->params[L->b_off] = net->params[L->b_off + 1] = 0;
        Dataset *pos = ds_new(300, 1, 1, 2), *neg = ds_new(300, 1, 1, 2);
        Dataset *post = ds_new(200, 1, 1, 2), *negt = ds_new(200, 1, 1, 2);
        Dataset *all[4] = {pos, neg, post, negt};
        for (int k = 0; k < 4; k++)
            for (int i = 0; i < all[k]->n; i++) {
                all[k]->x[2 * i] = rng_normal(&r) + (k % 2 == 0 ? 2.5f : 0.0f);
                all[k]->x[2 * i + 1] = rng_normal(&r);
            }
        ProbeConfig pc;
        probe_config_default(&pc);
        pc.cap_pos = 100;
        pc.cap_neg = 250;
        ProbeResult pr;
        CHECK(probe_accuracy(net, pos, neg, post, negt, &pc, &pr, err, sizeof err) == 0);
        printf("probe through a net: test balanced accuracy %.3f (train %.3f), %d train, %d test, dim %d\n",
               pr.bal_acc, pr.train_bal_acc, pr.n_train, pr.n_test, pr.dim);
        CHECK(pr.n_train == 350 && pr.n_test == 400 && pr.dim == 2);
        CHECK(pr.bal_acc > 0.85 && pr.bal_acc < 0.97);   /* Bayes rate for a 2.5 sd shift is ~0.894 */
        ProbeResult pr2;
        CHECK(probe_accuracy(net, pos, neg, post, negt, &pc, &pr2, err, sizeof err) == 0 && pr2.bal_acc == pr.bal_acc);
        for (int k = 0; k < 4; k++) ds_free(all[k]);
        net_free(net);
    }
    free(X); free(y); free(P); free(N);
    TEST_DONE("test_probe");
}
