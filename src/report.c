/* report.c — human tables and JSON for evaluation results (see report.h). */
#include "report.h"
#include "atomic_file.h"
#include <math.h>
#include <string.h>

void json_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, "%.6g", v);
    else fputs("null", f);
}

void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

void report_eval_table(FILE *f, const EvalResult *ev, const ClassMap *cm, int n_labels) {
    fprintf(f, "\naccuracy on the test set: %.2f%% (classes with a slot)\n\n", 100.0 * ev->acc);
    fprintf(f, "class  slot  samples  into-own-slot\n");
    for (int y = 0; y < n_labels; y++) {
        if (!ev->count[y]) continue;
        int s = classmap_slot(cm, y);
        if (s >= 0) fprintf(f, "%5d  %4d  %7ld  %12.2f%%\n", y, s, ev->count[y], 100.0 * ev->class_acc[y]);
        else fprintf(f, "%5d     -  %7ld             -  (no slot)\n", y, ev->count[y]);
    }
    fprintf(f, "\nconfusion matrix (rows: true class, columns: predicted slot, labelled by its class)\n   ");
    for (int s = 0; s < cm->n_slots; s++) fprintf(f, " %5d", cm->slot_class[s]);
    fputc('\n', f);
    for (int y = 0; y < n_labels; y++) {
        if (!ev->count[y]) continue;
        fprintf(f, "%2d ", y);
        for (int s = 0; s < cm->n_slots; s++) fprintf(f, " %5ld", ev->confusion[y][s]);
        fputc('\n', f);
    }
}

int report_eval_json(const char *path, const EvalResult *ev, const ClassMap *cm, const char *modality,
                     const char *model, const TrainStats *st, char *err, size_t errlen) {
    AtomicFile af;
    if (atomic_open(&af, path, err, errlen)) return -1;
    FILE *f = af.fp;
    fprintf(f, "{\n  \"modality\": ");
    json_str(f, modality);
    fprintf(f, ",\n  \"model\": ");
    json_str(f, model);
    fprintf(f, ",\n  \"slots\": [");
    for (int s = 0; s < cm->n_slots; s++) fprintf(f, "%s%d", s ? ", " : "", cm->slot_class[s]);
    fprintf(f, "],\n  \"accuracy\": ");
    json_num(f, ev->acc);
    fprintf(f, ",\n  \"mean_loss\": ");
    json_num(f, ev->mean_loss);
    fprintf(f, ",\n  \"per_class\": {");
    int first = 1;
    for (int y = 0; y < ev->n_labels; y++) {
        if (!ev->count[y]) continue;
        fprintf(f, "%s\n    \"%d\": {\"samples\": %ld, \"slot\": %d, \"accuracy\": ", first ? "" : ",", y,
                ev->count[y], classmap_slot(cm, y));
        json_num(f, ev->class_acc[y]);
        fputc('}', f);
        first = 0;
    }
    fprintf(f, "\n  },\n  \"confusion\": [");
    first = 1;
    for (int y = 0; y < ev->n_labels; y++) {
        if (!ev->count[y]) continue;
        fprintf(f, "%s\n    {\"class\": %d, \"predicted_slots\": [", first ? "" : ",", y);
        for (int s = 0; s < cm->n_slots; s++) fprintf(f, "%s%ld", s ? ", " : "", ev->confusion[y][s]);
        fputs("]}", f);
        first = 0;
    }
    fprintf(f, "\n  ]");
    if (st) {
        fprintf(f, ",\n  \"train\": {\"steps\": %ld, \"images\": %ld, \"seconds\": ", st->steps, st->images);
        json_num(f, st->seconds);
        fprintf(f, ", \"final_loss\": ");
        json_num(f, st->loss);
        fprintf(f, ", \"final_train_acc\": ");
        json_num(f, st->acc);
        fputc('}', f);
    }
    fprintf(f, "\n}\n");
    return atomic_commit(&af, err, errlen);
}
