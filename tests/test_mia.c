/* test_mia.c — the membership-inference attack on synthetic confidence features:
 * separable members/non-members are told apart, identical distributions give
 * chance, the feature extraction matches its definition, efficacy counts
 * non-member calls, and subsampling is balanced and seeded. */
#include "test.h"
#include "mia.h"
#include "rng.h"

/* n rows of (max softmax, entropy) around (conf, ent) with noise sd */
static float *blob(int n, float conf, float ent, float sd, uint64_t seed) {
    Rng r;
    rng_seed(&r, seed);
    float *f = malloc(sizeof(float) * 2 * n);
    for (int i = 0; i < n; i++) {
        f[2 * i] = conf + sd * rng_normal(&r);
        f[2 * i + 1] = ent + sd * rng_normal(&r);
    }
    return f;
}

/* identity net on 2 inputs: logits = x */
static Net *identity_net(void) {
    char err[256];
    Net *net = net_parse("input 1 1 2\nflatten\nlinear classes\n", "<t>", 0, 0, 0, 2, err, sizeof err);
    if (!net) return NULL;
    net->params[0] = 1; net->params[1] = 0; net->params[2] = 0; net->params[3] = 1;
    net->params[4] = net->params[5] = 0;
    return net;
}

/* n samples with logits (level + sd N(0,1), 0) */
static Dataset *logit_set(int n, float level, float sd, Rng *r) {
    Dataset *d = ds_new(n, 1, 1, 2);
    for (int i = 0; i < n; i++) { d->x[2 * i] = level + sd * rng_normal(r); d->x[2 * i + 1] = 0; }
    return d;
}

/* The held-out test against chance: members and non-members from the same distribution
 * must not be significant (10 seeds: none at 0.01, at most 2 at 0.05); members more
 * confident than non-members (logit 3 vs 2, sd 1: overlapping) must be, at 1e-3. */
static void test_significance(void) {
    char err[256];
    Net *net = identity_net();
    CHECK(net != NULL);
    if (!net) return;
    MiaConfig c;
    mia_config_default(&c);
    c.cap = 400;
    int sig05 = 0, sig01 = 0;
    double pmin = 1;
    for (int s = 0; s < 10; s++) {
        Rng r;
        rng_seed(&r, 100 + s);
        Dataset *tr = logit_set(800, 2.0f, 1.0f, &r), *te = logit_set(800, 2.0f, 1.0f, &r), *fg = logit_set(50, 2, 1, &r);
        MiaResult res;
        c.seed = (uint64_t)s + 1;
        CHECK(mia_efficacy(net, tr, te, fg, &c, &res, err, sizeof err) == 0);
        sig05 += res.attack_p < 0.05;
        sig01 += res.attack_p < 0.01;
        if (res.attack_p < pmin) pmin = res.attack_p;
        CHECK(res.n_heldout == 400 && fabs(res.attack_acc - 0.5) < 0.06);
        ds_free(tr); ds_free(te); ds_free(fg);
    }
    printf("same distribution, 10 seeds: %d significant at 0.05, %d at 0.01 (smallest p %.3f)\n", sig05, sig01, pmin);
    CHECK(sig01 == 0 && sig05 <= 2);
    Rng r;
    rng_seed(&r, 7);
    Dataset *tr = logit_set(800, 3.0f, 1.0f, &r), *te = logit_set(800, 2.0f, 1.0f, &r), *fg = logit_set(50, 2, 1, &r);
    MiaResult res;
    CHECK(mia_efficacy(net, tr, te, fg, &c, &res, err, sizeof err) == 0);
    printf("members 1 logit more confident: held-out attack %.3f, p %.2g\n", res.attack_acc, res.attack_p);
    CHECK(res.attack_acc > 0.6 && res.attack_p < 1e-3);
    ds_free(tr); ds_free(te); ds_free(fg);
    net_free(net);
}

static void test_chance_p(void) {
    CHECK(fabs(mia_chance_p(50.5, 100) - 0.5) < 1e-12);           /* z = 0 */
    CHECK(fabs(mia_chance_p(60.5, 100) - 0.5 * erfc(2 / sqrt(2.0))) < 1e-12);   /* z = 2 */
    CHECK(mia_chance_p(0, 100) > 0.999 && isnan(mia_chance_p(1, 0)));
}

int main(void) {
    test_chance_p();
    test_significance();
    char err[256];
    /* features: max softmax and natural-log entropy */
    float p[2 * 4] = {1, 0, 0, 0, 0.25f, 0.25f, 0.25f, 0.25f};
    float f[4];
    mia_features(p, 2, 4, f);
    CHECK(fabsf(f[0] - 1) < 1e-6 && fabsf(f[1]) < 1e-6);
    CHECK(fabsf(f[2] - 0.25f) < 1e-6 && fabsf(f[3] - logf(4)) < 1e-5);

    MiaConfig c;
    mia_config_default(&c);
    CHECK(c.C == 3 && c.cap == 1000 && c.repeats == 5 && c.gamma <= 0);

    /* separable: members confident (0.99, 0.05), non-members not (0.6, 1.0) */
    int n = 400;
    float *mem = blob(n, 0.99f, 0.05f, 0.03f, 1), *non = blob(n, 0.6f, 1.0f, 0.05f, 2);
    MiaModel *m = mia_fit(mem, n, non, n, &c, err, sizeof err);
    CHECK(m != NULL);
    if (m) {
        float *mem2 = blob(200, 0.99f, 0.05f, 0.03f, 3), *non2 = blob(200, 0.6f, 1.0f, 0.05f, 4);
        double non_on_mem = mia_nonmember_share(m, mem2, 200), non_on_non = mia_nonmember_share(m, non2, 200);
        printf("separable: non-member calls on members %.3f, on non-members %.3f\n", non_on_mem, non_on_non);
        CHECK(non_on_mem < 0.05);
        CHECK(non_on_non > 0.95);
        CHECK(mia_predict(m, mem2) == 1);
        free(mem2); free(non2);
        mia_free(m);
    }
    free(mem); free(non);

    /* identical distributions: held-out balanced accuracy near chance */
    mem = blob(n, 0.8f, 0.5f, 0.1f, 5);
    non = blob(n, 0.8f, 0.5f, 0.1f, 6);
    m = mia_fit(mem, n, non, n, &c, err, sizeof err);
    CHECK(m != NULL);
    if (m) {
        float *mem2 = blob(1000, 0.8f, 0.5f, 0.1f, 7), *non2 = blob(1000, 0.8f, 0.5f, 0.1f, 8);
        double bal = 0.5 * ((1 - mia_nonmember_share(m, mem2, 1000)) + mia_nonmember_share(m, non2, 1000));
        printf("identical distributions: held-out balanced accuracy %.3f\n", bal);
        CHECK(bal > 0.4 && bal < 0.6);
        free(mem2); free(non2);
        mia_free(m);
    }
    free(mem); free(non);

    /* refusals */
    float one[2] = {0.5f, 0.5f};
    CHECK(mia_fit(one, 0, one, 1, &c, err, sizeof err) == NULL && strstr(err, "members"));
    CHECK(isnan(mia_nonmember_share(NULL, one, 0)));

    /* the whole metric on a tiny linear net: inputs shaped so that the "net" is the identity on
     * 2 logits; subsampling caps and balances */
    {
        Net *net = net_parse("input 1 1 2\nflatten\nlinear classes\n", "<t>", 0, 0, 0, 2, err, sizeof err);
        CHECK(net != NULL);
        if (net) {
            net->params[0] = 1; net->params[1] = 0; net->params[2] = 0; net->params[3] = 1;   /* w = I, b = 0 */
            net->params[4] = net->params[5] = 0;
            Dataset *tr = ds_new(300, 1, 1, 2), *te = ds_new(100, 1, 1, 2), *fg = ds_new(50, 1, 1, 2);
            Rng r;
            rng_seed(&r, 9);
            /* members: confident logits (8, 0); non-members: unsure (0.2, 0); forget: unsure */
            for (int i = 0; i < tr->n; i++) { tr->x[2 * i] = 8 + rng_normal(&r) * 0.3f; tr->x[2 * i + 1] = 0; }
            for (int i = 0; i < te->n; i++) { te->x[2 * i] = 0.2f + rng_normal(&r) * 0.3f; te->x[2 * i + 1] = 0; }
            for (int i = 0; i < fg->n; i++) { fg->x[2 * i] = 0.2f + rng_normal(&r) * 0.3f; fg->x[2 * i + 1] = 0; }
            MiaResult res, res2;
            c.cap = 80;
            CHECK(mia_efficacy(net, tr, te, fg, &c, &res, err, sizeof err) == 0);
            /* pools: 160 of 300 members, all 100 non-members -> halves of h = 50 */
            CHECK(res.n_members == 50 && res.n_nonmembers == 50 && res.n_heldout == 50 && res.n_forget == 50);
            CHECKF(res.attack_acc > 0.9 && res.attack_p < 1e-6, "attack %.3f p %g", res.attack_acc, res.attack_p);
            CHECKF(res.efficacy > 0.9, "efficacy %.3f", res.efficacy);
            CHECKF(res.fit_acc > 0.9, "fit acc %.3f", res.fit_acc);
            CHECK(res.efficacy_std >= 0 && res.efficacy_std < 0.1);
            /* forget samples that look like members: efficacy near 0 */
            for (int i = 0; i < fg->n; i++) fg->x[2 * i] = 8;
            CHECK(mia_efficacy(net, tr, te, fg, &c, &res2, err, sizeof err) == 0);
            CHECKF(res2.efficacy < 0.1, "efficacy %.3f", res2.efficacy);
            /* seeded: same result twice */
            MiaResult res3;
            CHECK(mia_efficacy(net, tr, te, fg, &c, &res3, err, sizeof err) == 0 && res3.efficacy == res2.efficacy);
            Dataset *empty = ds_new(0, 1, 1, 2);
            CHECK(mia_efficacy(net, tr, te, empty, &c, &res3, err, sizeof err) == -1);
            ds_free(empty);
            ds_free(tr); ds_free(te); ds_free(fg);
            net_free(net);
        }
    }
    TEST_DONE("test_mia");
}
