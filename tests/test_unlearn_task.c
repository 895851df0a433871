/* test_unlearn_task.c — the replacement task: slot remapping, which samples go
 * where, learn_limit, plain forgetting, refusals, the method table. */
#include "test.h"
#include "unlearn.h"

/* Labels 0..5, `per` samples each (class 5 has none in train when no5); x[0]
 * marks the split (train < 1000 <= test) and x[1] the index. */
static Dataset *make_set(int per, int split, int no5) {
    int n = 0;
    for (int c = 0; c < 6; c++) n += (no5 && c == 5) ? 0 : per + c;   /* unequal class sizes */
    Dataset *d = ds_new(n, 1, 2, 2);
    int i = 0;
    for (int c = 0; c < 6; c++) {
        if (no5 && c == 5) continue;
        for (int k = 0; k < per + c; k++, i++) {
            d->y[i] = c;
            d->x[(size_t)i * 4 + 0] = (float)(split * 1000 + i);
            d->x[(size_t)i * 4 + 1] = (float)i;
        }
    }
    return d;
}

static int all_label(const Dataset *d, int c) {
    for (int i = 0; i < d->n; i++) if (d->y[i] != c) return 0;
    return 1;
}
static int has_label(const Dataset *d, int c) {
    for (int i = 0; i < d->n; i++) if (d->y[i] == c) return 1;
    return 0;
}
/* every sample comes from the given split (x[0] marker) */
static int from_split(const Dataset *d, int split) {
    for (int i = 0; i < d->n; i++) {
        float m = d->x[(size_t)i * 4];
        if (split ? m < 1000 : m >= 1000) return 0;
    }
    return 1;
}

int main(void) {
    char err[256];
    Dataset *train = make_set(10, 0, 0), *test = make_set(4, 1, 0);
    ClassMap orig;
    CHECK(classmap_parse(&orig, "0,1,2,4,5", 10, err, sizeof err) == 0);   /* 3 has no slot; 6 none */
    UnlearnTask t;

    /* ---- forget 2, learn 3 ---- */
    CHECK(task_build(&t, train, test, &orig, 2, 3, 0, 1, err, sizeof err) == 0);
    CHECK(t.slot == 2);
    CHECK(t.before.n_slots == 5 && t.after.n_slots == 5);
    CHECK(t.after.slot_class[2] == 3);
    for (int s = 0; s < 5; s++) {
        CHECK(t.before.slot_class[s] == orig.slot_class[s]);
        if (s != 2) CHECK(t.after.slot_class[s] == orig.slot_class[s]);
    }
    CHECK(classmap_slot(&t.after, 2) == -1);
    CHECK(t.forget->n == 12 && all_label(t.forget, 2));
    CHECK(t.learn->n == 13 && all_label(t.learn, 3));
    CHECK(t.retain->n == 10 + 11 + 14 + 15);          /* classes 0,1,4,5 */
    CHECK(!has_label(t.retain, 2) && !has_label(t.retain, 3));
    CHECK(!has_label(t.learn, 2));
    for (int i = 0; i < t.retain->n; i++) CHECK(classmap_slot(&orig, t.retain->y[i]) >= 0);
    /* training sets from train, test sets from test; sizes add up */
    CHECK(from_split(t.forget, 0) && from_split(t.learn, 0) && from_split(t.retain, 0));
    CHECK(from_split(t.forget_test, 1) && from_split(t.learn_test, 1) && from_split(t.retain_test, 1));
    CHECK(t.forget->n + t.learn->n + t.retain->n == train->n);   /* train holds only slotted classes + 3 */
    CHECK(t.forget_test->n == 6 && t.learn_test->n == 7 && t.forget_test->n + t.learn_test->n + t.retain_test->n == test->n);
    CHECK(all_label(t.forget_test, 2) && all_label(t.learn_test, 3) && !has_label(t.retain_test, 2) &&
          !has_label(t.retain_test, 3));
    task_free(&t);
    CHECK(t.forget == NULL && t.retain_test == NULL);

    /* ---- learn_limit: a seeded subset of the new class, same seed same samples ---- */
    UnlearnTask a, b, c;
    CHECK(task_build(&a, train, test, &orig, 2, 3, 5, 7, err, sizeof err) == 0);
    CHECK(task_build(&b, train, test, &orig, 2, 3, 5, 7, err, sizeof err) == 0);
    CHECK(a.learn->n == 5 && all_label(a.learn, 3));
    CHECK(a.learn_test->n == 7);                      /* the held-out set is not limited */
    CHECK(memcmp(a.learn->x, b.learn->x, 5 * 4 * sizeof(float)) == 0);
    int differs = 0;
    for (uint64_t s = 8; s < 20 && !differs; s++) {
        CHECK(task_build(&c, train, test, &orig, 2, 3, 5, s, err, sizeof err) == 0);
        differs = memcmp(a.learn->x, c.learn->x, 5 * 4 * sizeof(float)) != 0;
        task_free(&c);
    }
    CHECK(differs);
    task_free(&a); task_free(&b);

    /* ---- plain forgetting ---- */
    CHECK(task_build(&t, train, test, &orig, 4, -1, 0, 1, err, sizeof err) == 0);
    CHECK(t.slot == 3 && t.after.slot_class[3] == -1 && t.learn->n == 0 && t.learn_test->n == 0);
    CHECK(t.forget->n == 14 && all_label(t.forget, 4) && !has_label(t.retain, 4) && !has_label(t.retain, 3));
    task_free(&t);

    /* ---- refusals (one line each) ---- */
    err[0] = 0;
    CHECK(task_build(&t, train, test, &orig, 3, 2, 0, 1, err, sizeof err) == -1);
    CHECKF(strstr(err, "class 3 has no output slot") != NULL, "%s", err);
    CHECK(t.forget == NULL);
    CHECK(task_build(&t, train, test, &orig, 6, 3, 0, 1, err, sizeof err) == -1);
    CHECKF(strstr(err, "class 6 has no output slot in this model") != NULL, "%s", err);
    CHECK(task_build(&t, train, test, &orig, 2, 1, 0, 1, err, sizeof err) == -1);
    CHECKF(strstr(err, "already has an output slot") != NULL, "%s", err);
    CHECK(task_build(&t, train, test, &orig, 2, 2, 0, 1, err, sizeof err) == -1);
    CHECKF(strstr(err, "is the class to forget") != NULL, "%s", err);
    Dataset *train_no5 = make_set(10, 0, 1);
    CHECK(task_build(&t, train_no5, test, &orig, 5, 3, 0, 1, err, sizeof err) == -1);   /* empty forget */
    CHECKF(strstr(err, "no training samples of class 5") != NULL, "%s", err);
    ClassMap m7;
    CHECK(classmap_parse(&m7, "0,1,2", 10, err, sizeof err) == 0);
    CHECK(task_build(&t, train, test, &m7, 2, 7, 0, 1, err, sizeof err) == -1);      /* empty learn */
    CHECKF(strstr(err, "no training samples of class 7") != NULL, "%s", err);
    ClassMap m1;
    CHECK(classmap_parse(&m1, "2", 10, err, sizeof err) == 0);
    CHECK(task_build(&t, train, test, &m1, 2, 3, 0, 1, err, sizeof err) == -1);      /* empty retain */
    CHECKF(strstr(err, "classes to keep") != NULL, "%s", err);
    CHECK(strchr(err, '\n') == NULL);
    ds_free(train_no5);

    /* ---- method table ---- */
    const char *names[] = {"retrain", "finetune", "neggrad+", "random-labels", "baseline", "baseline+retain",
                           "salun", "ssd", "scrub", "ours", "baseline:uniform", "baseline:other",
                           "baseline+retain:other", "head-only"};
    int n = 0;
    while (unlearn_methods[n]) n++;
    CHECK(n == 14);
    for (int i = 0; i < 14; i++) {
        const UnlearnMethod *m = unlearn_method_find(names[i]);
        CHECKF(m && !strcmp(m->name, names[i]) && m->run && m->summary && *m->summary, "%s", names[i]);
    }
    CHECK(unlearn_method_find("rtd") == NULL && unlearn_method_find("SALUN") == NULL &&
          unlearn_method_find(NULL) == NULL);
    UnlearnConfig cfg;
    unlearn_config_default(&cfg);
    CHECK(cfg.steps > 0 && cfg.batch > 0 && cfg.lr > 0 && cfg.mask_frac == 0.5f && cfg.alpha == 10.0f &&
          cfg.lambda == 1.0f && cfg.temperature == 2.0f && cfg.recipe == NULL);

    ds_free(train); ds_free(test);
    TEST_DONE("test_unlearn_task");
}
