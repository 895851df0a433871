/* results.c — run records: the metric table, JSON writing and reading (see results.h). */
#include "results.h"
#include "atomic_file.h"
#include "json.h"
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define M(field) offsetof(UnlearnMetrics, field)
const ResultMetric result_metrics[] = {
    {"forget_leakage", "leakage %", M(forget_leakage), 1},
    {"new_class_acc", "new-class %", M(new_class_acc), 1},
    {"retained_acc", "retained %", M(retained_acc), 1},
    {"mia_efficacy", "MIA %", M(mia_efficacy), 1},
    {"probe_acc", "probe %", M(probe_acc), 1},
    {"relearn_steps", "relearn steps", M(relearn_steps), 0},
    {"mia_fit_acc", "MIA fit acc %", M(mia_fit_acc), 1},
    {"probe_train_acc", "probe train acc %", M(probe_train_acc), 1},
    {"relearn_final_acc", "relearn final acc %", M(relearn_final_acc), 1},
    {"mia_attack_acc", "MIA attack acc %", M(mia_attack_acc), 1},
    {"mia_attack_p", "MIA attack p", M(mia_attack_p), 0},
    {"relapse_leakage", "relapse leakage %", M(relapse_leakage), 1},
    {"relapse_probe", "relapse probe %", M(relapse_probe), 1},
    {"kshot_probe_k5", "5-shot probe %", M(kshot_probe_k5), 1},
    {"kshot_probe_k50", "50-shot probe %", M(kshot_probe_k50), 1},
    {"kshot_proto_k5", "5-shot proto %", M(kshot_proto_k5), 1},
    {"kshot_proto_k50", "50-shot proto %", M(kshot_proto_k50), 1},
    {"relearn_steps_k10", "relearn steps k=10", M(relearn_steps_k10), 0},
    {"relearn_steps_k100", "relearn steps k=100", M(relearn_steps_k100), 0},
    {"sec_outputs", "s outputs", M(sec_outputs), 0},
    {"sec_mia", "s MIA", M(sec_mia), 0},
    {"sec_probe", "s probe", M(sec_probe), 0},
    {"sec_relearn", "s relearn", M(sec_relearn), 0},
    {"sec_relearn_ks", "s relearn k", M(sec_relearn_ks), 0},
    {"sec_relapse", "s relapse", M(sec_relapse), 0},
    {"sec_kshot", "s k-shot", M(sec_kshot), 0},
    {"sec_margins", "s margins", M(sec_margins), 0},
};
#undef M
const int n_result_metrics = (int)(sizeof result_metrics / sizeof result_metrics[0]);
const char *const margin_set_names[N_MARGIN_SETS] = {"forget_train", "forget_test", "retain_test"};

int result_metric_find(const char *key) {
    for (int i = 0; i < n_result_metrics; i++)
        if (!strcmp(result_metrics[i].key, key)) return i;
    return -1;
}

double result_value(const UnlearnMetrics *m, int metric) {
    return *(const double *)((const char *)m + result_metrics[metric].offset);
}

static double *result_ptr(UnlearnMetrics *m, int metric) {
    return (double *)((char *)m + result_metrics[metric].offset);
}

void record_init(RunRecord *r) {
    memset(r, 0, sizeof *r);
    metrics_clear(&r->m);
    r->seconds = r->flops = NAN;
    for (int i = 0; i < MAX_LABELS; i++) r->class_acc[i] = NAN;
    r->retain_pct = -1;
}

void record_free(RunRecord *r) {
    for (int s = 0; s < N_MARGIN_SETS; s++) free(r->margins[s]);
    memset(r->margins, 0, sizeof r->margins);
}

static const char *role_name(RecordRole r) {
    return r == REC_ORIGINAL ? "original" : r == REC_GOLD ? "gold" : "method";
}

static void jb_doubles(JsonBuf *b, const double *v, int n) {
    jb_puts(b, "[");
    for (int i = 0; i < n; i++) { if (i) jb_puts(b, ","); jb_num(b, v[i]); }
    jb_puts(b, "]");
}

static void jb_floats(JsonBuf *b, const float *v, int n) {
    jb_puts(b, "[");
    for (int i = 0; i < n; i++) jb_printf(b, "%s%.7g", i ? "," : "", isfinite(v[i]) ? v[i] : 0.0f);
    jb_puts(b, "]");
}

static void write_head(JsonBuf *b, const RunRecord *r) {
    jb_puts(b, "{\"modality\": "); jb_str(b, r->modality);
    jb_puts(b, ", \"net\": "); jb_str(b, r->net);
    jb_puts(b, ", \"method\": "); jb_str(b, r->method);
    jb_printf(b, ", \"role\": \"%s\", \"forget\": %d, \"learn\": %d, \"classes\": ", role_name(r->role), r->forget,
              r->learn);
    jb_str(b, r->classes);
    jb_printf(b, ", \"seed\": %d, \"eval\": ", r->seed);
    jb_str(b, r->eval);
    jb_printf(b, ", \"threads\": %d", r->threads);
    if (r->learn_limit > 0) jb_printf(b, ", \"learn_limit\": %d", r->learn_limit);
    if (r->split[0]) { jb_puts(b, ", \"split\": "); jb_str(b, r->split); }
    if (r->retain_pct >= 0) jb_printf(b, ", \"retain_pct\": %g", r->retain_pct);
}

static void write_body(JsonBuf *b, const RunRecord *r) {
    jb_puts(b, ",\n \"metrics\": {");
    for (int i = 0; i < n_result_metrics; i++) {
        jb_printf(b, "%s\"%s\": ", i ? ", " : "", result_metrics[i].key);
        jb_num(b, result_value(&r->m, i));
    }
    jb_printf(b, "},\n \"relearn_cap\": %d, \"slot_hist\": ", r->relearn_cap);
    jb_doubles(b, r->slot_hist, r->n_slots);
    jb_puts(b, ",\n \"class_acc\": ");
    jb_doubles(b, r->class_acc, r->n_labels);
    jb_puts(b, ",\n \"cost\": {\"seconds\": "); jb_num(b, r->seconds);
    jb_puts(b, ", \"flops\": "); jb_num(b, r->flops);
    jb_printf(b, ", \"steps\": %ld, \"cached\": %s},\n \"relearn_curve\": {\"step\": [", r->steps,
              r->cost_cached ? "true" : "false");
    for (int i = 0; i < r->m.relearn_points; i++) jb_printf(b, "%s%d", i ? "," : "", r->m.relearn_step[i]);
    jb_puts(b, "], \"acc\": ");
    jb_floats(b, r->m.relearn_acc, r->m.relearn_points);
    jb_puts(b, "},\n \"margins\": {");
    for (int s = 0; s < N_MARGIN_SETS; s++) {
        jb_printf(b, "%s\"%s\": ", s ? ",\n  " : "", margin_set_names[s]);
        jb_floats(b, r->margins[s], r->n_margins[s]);
    }
    jb_puts(b, "}}\n");
}

int record_write(const RunRecord *r, const char *path, char *err, size_t errlen) {
    JsonBuf b;
    jb_init(&b);
    write_head(&b, r);
    write_body(&b, r);
    if (b.oom) { jb_free(&b); snprintf(err, errlen, "%s: out of memory", path); return -1; }
    int rc = atomic_write_text(path, b.buf, err, errlen);
    jb_free(&b);
    return rc;
}

/* ---- reading ---- */

static double num_or_nan(const JsonValue *v) { return v && v->type == JSON_NUMBER ? v->num : NAN; }

static int get_str(const JsonValue *o, const char *key, char *out, size_t n) {
    const JsonValue *v = json_get(o, key);
    if (!v || v->type != JSON_STRING) return -1;
    snprintf(out, n, "%s", v->str);
    return 0;
}

static int get_int(const JsonValue *o, const char *key, int *out) {
    const JsonValue *v = json_get(o, key);
    if (!v || v->type != JSON_NUMBER || !v->is_int) return -1;
    *out = (int)v->i;
    return 0;
}

static int get_num(const JsonValue *o, const char *key, double *out) {
    const JsonValue *v = json_get(o, key);
    if (!v || v->type != JSON_NUMBER) return -1;
    *out = v->num;
    return 0;
}

static int read_head(RunRecord *r, const JsonValue *root) {
    char role[16];
    if (get_str(root, "modality", r->modality, sizeof r->modality) || get_str(root, "method", r->method, sizeof r->method) ||
        get_str(root, "classes", r->classes, sizeof r->classes) || get_str(root, "eval", r->eval, sizeof r->eval) ||
        get_str(root, "role", role, sizeof role) || get_int(root, "forget", &r->forget) ||
        get_int(root, "learn", &r->learn) || get_int(root, "seed", &r->seed))
        return -1;
    get_str(root, "net", r->net, sizeof r->net);
    get_int(root, "threads", &r->threads);
    r->learn_limit = 0;
    get_int(root, "learn_limit", &r->learn_limit);
    r->split[0] = 0;
    get_str(root, "split", r->split, sizeof r->split);
    r->retain_pct = -1;
    get_num(root, "retain_pct", &r->retain_pct);
    if (!strcmp(role, "original")) r->role = REC_ORIGINAL;
    else if (!strcmp(role, "gold")) r->role = REC_GOLD;
    else if (!strcmp(role, "method")) r->role = REC_METHOD;
    else return -1;
    return 0;
}

static int read_arrays(RunRecord *r, const JsonValue *root) {
    const JsonValue *ca = json_get(root, "class_acc");
    if (!ca || ca->type != JSON_ARRAY || ca->n > MAX_LABELS) return -1;
    r->n_labels = ca->n;
    for (int i = 0; i < ca->n; i++) r->class_acc[i] = num_or_nan(&ca->items[i]);
    const JsonValue *sh = json_get(root, "slot_hist");
    if (!sh || sh->type != JSON_ARRAY || sh->n > MAX_SLOTS) return -1;
    r->n_slots = sh->n;
    for (int i = 0; i < sh->n; i++) r->slot_hist[i] = num_or_nan(&sh->items[i]);
    get_int(root, "relearn_cap", &r->relearn_cap);
    const JsonValue *curve = json_get(root, "relearn_curve"), *st = json_get(curve, "step"), *ac = json_get(curve, "acc");
    if (st && ac && st->type == JSON_ARRAY && ac->type == JSON_ARRAY && st->n == ac->n && st->n <= RELEARN_MAX_POINTS) {
        r->m.relearn_points = st->n;
        for (int i = 0; i < st->n; i++) {
            r->m.relearn_step[i] = (int)num_or_nan(&st->items[i]);
            r->m.relearn_acc[i] = (float)num_or_nan(&ac->items[i]);
        }
    }
    const JsonValue *mg = json_get(root, "margins");
    for (int s = 0; s < N_MARGIN_SETS; s++) {
        const JsonValue *a = json_get(mg, margin_set_names[s]);
        if (!a || a->type != JSON_ARRAY) continue;
        r->margins[s] = malloc((size_t)(a->n ? a->n : 1) * sizeof(float));
        if (!r->margins[s]) return -1;
        r->n_margins[s] = a->n;
        for (int i = 0; i < a->n; i++) r->margins[s][i] = (float)num_or_nan(&a->items[i]);
    }
    return 0;
}

static int read_values(RunRecord *r, const JsonValue *root) {
    const JsonValue *mt = json_get(root, "metrics"), *cost = json_get(root, "cost");
    if (!mt || mt->type != JSON_OBJECT || !cost) return -1;
    for (int i = 0; i < mt->n; i++) {
        int k = result_metric_find(mt->keys[i]);
        if (k >= 0) *result_ptr(&r->m, k) = num_or_nan(&mt->items[i]);
    }
    r->seconds = num_or_nan(json_get(cost, "seconds"));
    r->flops = num_or_nan(json_get(cost, "flops"));
    r->steps = (long)num_or_nan(json_get(cost, "steps"));
    const JsonValue *c = json_get(cost, "cached");
    r->cost_cached = c && c->type == JSON_BOOL && c->boolean;
    return 0;
}

int record_read(RunRecord *r, const char *path, char *err, size_t errlen) {
    record_init(r);
    FILE *f = fopen(path, "rb");
    if (!f) { snprintf(err, errlen, "%s: cannot open", path); return -1; }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 65536 > cap) {
            char *nt = realloc(text, cap = 2 * cap + 65536);
            if (!nt) { free(text); fclose(f); snprintf(err, errlen, "%s: out of memory", path); return -1; }
            text = nt;
        }
        size_t k = fread(text + len, 1, cap - len, f);
        len += k;
        if (!k) break;
    }
    fclose(f);
    char perr[256];
    JsonValue *root = json_parse(text, len, perr, sizeof perr);
    free(text);
    if (!root) { snprintf(err, errlen, "%s: not a run record: %s", path, perr); return -1; }
    int bad = root->type != JSON_OBJECT || read_head(r, root) || read_values(r, root) || read_arrays(r, root);
    json_free(root);
    if (bad) {
        record_free(r);
        snprintf(err, errlen, "%s: not a run record (a field is missing or has the wrong type)", path);
        return -1;
    }
    return 0;
}

static int load_tree(const char *dir, RunRecord **recs, int *n, int *cap, char *err, size_t errlen) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(p, &sb)) continue;
        if (S_ISDIR(sb.st_mode)) { rc = load_tree(p, recs, n, cap, err, errlen); continue; }
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json")) continue;
        if (*n == *cap) {
            RunRecord *nr = realloc(*recs, (size_t)(*cap = *cap ? 2 * *cap : 64) * sizeof *nr);
            if (!nr) { snprintf(err, errlen, "out of memory"); rc = -1; break; }
            *recs = nr;
        }
        if (record_read(&(*recs)[*n], p, err, errlen)) rc = -1;
        else (*n)++;
    }
    closedir(d);
    return rc;
}

int records_load_dir(const char *dir, RunRecord **recs, int *n, char *err, size_t errlen) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/runs", dir);
    struct stat sb;
    if (stat(p, &sb) || !S_ISDIR(sb.st_mode)) { snprintf(err, errlen, "%s: no run records (no runs/ folder)", dir); return -1; }
    int cap = *n;
    return load_tree(p, recs, n, &cap, err, errlen);
}
