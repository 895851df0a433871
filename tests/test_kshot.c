/* test_kshot.c — k-shot recovery on synthetic features: kept classes are blobs; a
 * forgotten class whose features keep their own direction is recovered from 5
 * examples by both the probe and the prototypes (the control it must flag); one
 * whose features were "removed" (its samples look like the kept classes) stays at
 * chance (the case it must pass); the draws are seeded; the net path reads the
 * penultimate layer. */
#include "test.h"
#include "kshot.h"
#include "rng.h"

#define D 16
#define C 4

/* n rows: class cls (0..C-1 kept blobs at 3 e_c; C = forgotten: 3 e_C when present,
 * else the blob of a random kept class); labels into y when given */
static float *rows(int n, int cls, int present, int *y, Rng *r) {
    float *x = malloc(sizeof(float) * n * D);
    for (int i = 0; i < n; i++) {
        int c = cls == C && !present ? rng_int(r, C) : cls;
        for (int j = 0; j < D; j++) x[i * D + j] = rng_normal(r) + (j == c ? 3.0f : 0.0f);
        if (y) y[i] = cls == C ? 6 : cls;
    }
    return x;
}

/* negatives: 60 of each kept class */
static float *negatives(int per, int *y, Rng *r) {
    float *x = malloc(sizeof(float) * per * C * D);
    for (int c = 0; c < C; c++) {
        float *b = rows(per, c, 1, y + c * per, r);
        memcpy(x + (size_t)c * per * D, b, sizeof(float) * per * D);
        free(b);
    }
    return x;
}

static void run(int present, KshotResult *res) {
    char err[256];
    Rng r;
    rng_seed(&r, present ? 11 : 12);
    int yn[60 * C], ynt[200 * C];
    float *Pv = rows(60, C, present, NULL, &r), *Nv = negatives(60, yn, &r);
    float *Pt = rows(300, C, present, NULL, &r), *Nt = negatives(200, ynt, &r);
    KshotConfig c;
    kshot_config_default(&c);
    int ks[2] = {5, 50};
    CHECK(kshot_on_features(Pv, 60, Nv, yn, 60 * C, Pt, 300, Nt, 200 * C, D, ks, 2, &c, res, err, sizeof err) == 0);
    CHECK(res[0].k_pos == 5 && res[0].k_neg == 5 * C && res[1].k_pos == 50 && res[1].k_neg == 50 * C);
    KshotResult again[2];
    CHECK(kshot_on_features(Pv, 60, Nv, yn, 60 * C, Pt, 300, Nt, 200 * C, D, ks, 2, &c, again, err, sizeof err) == 0);
    CHECK(again[0].probe == res[0].probe && again[1].proto == res[1].proto);
    free(Pv); free(Nv); free(Pt); free(Nt);
}

static void test_net_path(void) {
    char err[256];
    Net *net = net_parse("input 1 1 16\nflatten\nlinear 16\nlinear classes\n", "<t>", 0, 0, 0, 5, err, sizeof err);
    CHECK(net != NULL);
    if (!net) return;
    net_init(net, 1);
    const Layer *L = &net->layers[1];
    for (int i = 0; i < D * D; i++) net->params[L->w_off + i] = i % (D + 1) == 0;   /* identity */
    for (int i = 0; i < D; i++) net->params[L->b_off + i] = 0;
    Rng r;
    rng_seed(&r, 3);
    Dataset *sets[4];
    int ns[4] = {40, 40 * C, 200, 200 * C};
    for (int s = 0; s < 4; s++) {
        sets[s] = ds_new(ns[s], 1, 1, D);
        for (int i = 0; i < ns[s]; i++) {
            int c = s % 2 == 0 ? C : i % C;
            for (int j = 0; j < D; j++) sets[s]->x[i * D + j] = rng_normal(&r) + (j == c ? 3.0f : 0.0f);
            sets[s]->y[i] = c == C ? 6 : c;
        }
    }
    KshotConfig c;
    kshot_config_default(&c);
    int ks[1] = {5};
    KshotResult res;
    CHECK(kshot_eval(net, sets[0], sets[1], sets[2], sets[3], ks, 1, &c, &res, err, sizeof err) == 0);
    printf("through a net (identity features), k = 5: probe %.3f, prototype %.3f\n", res.probe, res.proto);
    CHECK(res.probe > 0.75 && res.proto > 0.9 && res.k_neg == 5 * C);
    for (int s = 0; s < 4; s++) ds_free(sets[s]);
    net_free(net);
}

int main(void) {
    KshotResult kept[2], gone[2];
    run(1, kept);
    run(0, gone);
    printf("class in the features:   k=5 probe %.3f proto %.3f | k=50 probe %.3f proto %.3f\n", kept[0].probe,
           kept[0].proto, kept[1].probe, kept[1].proto);
    printf("class removed:           k=5 probe %.3f proto %.3f | k=50 probe %.3f proto %.3f\n", gone[0].probe,
           gone[0].proto, gone[1].probe, gone[1].proto);
    for (int i = 0; i < 2; i++) {
        /* Bayes rate of a 3 sd shift on one of 16 features ~0.93; 5 examples get the probe near 0.8 */
        CHECKF(kept[i].probe > (i ? 0.9 : 0.75) && kept[i].proto > 0.9, "kept %d: %.3f %.3f", i, kept[i].probe,
               kept[i].proto);
        CHECKF(gone[i].probe < 0.65 && gone[i].proto < 0.65, "gone %d: %.3f %.3f", i, gone[i].probe, gone[i].proto);
        CHECK(kept[i].probe > gone[i].probe + 0.25 && kept[i].proto > gone[i].proto + 0.3);
    }
    test_net_path();
    char err[256];
    KshotConfig c;
    kshot_config_default(&c);
    int ks[1] = {5}, y1[1] = {0};
    float one[D] = {0};
    KshotResult r;
    CHECK(kshot_on_features(one, 0, one, y1, 1, one, 1, one, 1, D, ks, 1, &c, &r, err, sizeof err) == -1 && isnan(r.probe));
    TEST_DONE("test_kshot");
}
