/* test_results.c — run records (written, read back, refused when malformed) and the
 * ensemble statistics (t quantiles, interval of the mean, the gold band, inside, z). */
#include "test.h"
#include "results.h"
#include "ensemble.h"
#include <sys/stat.h>
#include <unistd.h>

static void test_ensemble(void) {
    CHECK(fabs(t975(1) - 12.706) < 1e-9 && fabs(t975(4) - 2.776) < 1e-9 && isnan(t975(0)));
    CHECK(fabs(t975(60) - 2.000) < 0.002 && fabs(t975(1000) - 1.962) < 0.002);
    double v[5] = {1, 2, 3, 4, 5};
    EnsStat s = ens_stat(v, 5);   /* mean 3, sd sqrt(2.5), half-width 2.776 * sd / sqrt 5 */
    double h = 2.776 * sqrt(2.5) / sqrt(5.0);
    CHECK(s.n == 5 && fabs(s.mean - 3) < 1e-12 && fabs(s.sd - sqrt(2.5)) < 1e-12);
    CHECK(fabs(s.lo - (3 - h)) < 1e-9 && fabs(s.hi - (3 + h)) < 1e-9);
    double w[3] = {NAN, 7, NAN};
    EnsStat one = ens_stat(w, 3);
    CHECK(one.n == 1 && one.mean == 7 && one.sd == 0 && isnan(one.lo));
    EnsBand b = ens_band(v, 5);   /* prediction interval: wider than the interval of the mean by sqrt(n + 1) */
    double hb = 2.776 * sqrt(2.5) * sqrt(1.2);
    CHECK(fabs(b.lo - (3 - hb)) < 1e-9 && fabs(b.hi - (3 + hb)) < 1e-9 && b.mid == 3);
    CHECK(ens_inside(3 + hb - 1e-6, &b, 0) == 1 && ens_inside(3 + hb + 1e-6, &b, 0) == 0);
    CHECK(ens_inside(NAN, &b, 0) == -1);
    CHECK(fabs(ens_z(3 + sqrt(2.5), &b) - 1) < 1e-12);
    double zero[4] = {0, 0, 0, 0};   /* a point-mass band admits only the tolerance */
    EnsBand pb = ens_band(zero, 4);
    CHECK(ens_inside(0.004, &pb, 0.005) == 1 && ens_inside(0.006, &pb, 0.005) == 0 && isnan(ens_z(0.1, &pb)));
}

static void test_records(void) {
    char dir[] = "/tmp/test_results_XXXXXX", path[256], err[512];
    CHECK(mkdtemp(dir) != NULL);
    RunRecord r, back;
    record_init(&r);
    snprintf(r.modality, sizeof r.modality, "mnist");
    snprintf(r.method, sizeof r.method, "salun");
    snprintf(r.classes, sizeof r.classes, "0,1,2,4,5,6,7,8,9");
    snprintf(r.eval, sizeof r.eval, "test");
    r.forget = 6; r.learn = 3; r.seed = 4; r.threads = 1; r.role = REC_METHOD;
    r.m.forget_leakage = 0.125; r.m.retained_acc = 0.9875; r.m.probe_acc = NAN;
    r.n_labels = 10; r.class_acc[2] = 0.5;
    r.n_slots = 9; r.slot_hist[5] = 0.75; r.slot_hist[0] = 0.25; r.relearn_cap = 100;
    r.seconds = 1.5; r.flops = 3e9; r.steps = 100; r.cost_cached = 1;
    r.n_margins[MARGIN_FORGET_TEST] = 3;
    r.margins[MARGIN_FORGET_TEST] = malloc(3 * sizeof(float));
    r.margins[MARGIN_FORGET_TEST][0] = -1.5f; r.margins[MARGIN_FORGET_TEST][1] = 2.25f; r.margins[MARGIN_FORGET_TEST][2] = 0;
    snprintf(path, sizeof path, "%s/runs", dir);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/runs/a.json", dir);
    CHECK(record_write(&r, path, err, sizeof err) == 0);
    CHECK(record_read(&back, path, err, sizeof err) == 0);
    CHECK(!strcmp(back.modality, "mnist") && !strcmp(back.method, "salun") && back.role == REC_METHOD);
    CHECK(back.forget == 6 && back.learn == 3 && back.seed == 4 && !strcmp(back.classes, r.classes));
    CHECK(back.m.forget_leakage == 0.125 && back.m.retained_acc == 0.9875 && isnan(back.m.probe_acc));
    CHECK(back.n_labels == 10 && back.class_acc[2] == 0.5 && isnan(back.class_acc[3]));
    CHECK(back.n_slots == 9 && back.slot_hist[5] == 0.75 && back.relearn_cap == 100);
    CHECK(back.seconds == 1.5 && back.flops == 3e9 && back.steps == 100 && back.cost_cached == 1);
    CHECK(back.n_margins[MARGIN_FORGET_TEST] == 3 && back.margins[MARGIN_FORGET_TEST][1] == 2.25f);
    CHECK(back.n_margins[MARGIN_FORGET_TRAIN] == 0);
    record_free(&back);
    /* the loader finds it, and refuses a malformed record naming the file */
    RunRecord *all = NULL;
    int n = 0;
    CHECK(records_load_dir(dir, &all, &n, err, sizeof err) == 0 && n == 1);
    for (int i = 0; i < n; i++) record_free(&all[i]);
    free(all);
    snprintf(path, sizeof path, "%s/runs/b.json", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"modality\": \"mnist\"}", f);
    fclose(f);
    all = NULL; n = 0;
    CHECK(records_load_dir(dir, &all, &n, err, sizeof err) != 0 && strstr(err, "b.json") && strstr(err, "not a run record"));
    for (int i = 0; i < n; i++) record_free(&all[i]);
    free(all);
    CHECK(records_load_dir("/nonexistent", &all, &n, err, sizeof err) != 0 && strstr(err, "no run records"));
    record_free(&r);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

int main(void) {
    test_ensemble();
    test_records();
    TEST_DONE("test_results");
}
