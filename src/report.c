/* report.c — human tables and JSON for evaluation results (see report.h). */
#include "report.h"
#include "atomic_file.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

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
    JsonWriter w;
    jw_init(&w, JW_PRETTY);
    jw_object(&w, JW_LINES);
    jw_key(&w, "modality"); jw_str(&w, modality);
    jw_key(&w, "model"); jw_str(&w, model);
    jw_key(&w, "slots");
    jw_array(&w, JW_INLINE);
    for (int s = 0; s < cm->n_slots; s++) jw_int(&w, cm->slot_class[s]);
    jw_end(&w);
    jw_key(&w, "accuracy"); jw_num6(&w, ev->acc);
    jw_key(&w, "mean_loss"); jw_num6(&w, ev->mean_loss);
    jw_key(&w, "per_class");
    jw_object(&w, JW_LINES);
    for (int y = 0; y < ev->n_labels; y++) {
        if (!ev->count[y]) continue;
        char key[16];
        snprintf(key, sizeof key, "%d", y);
        jw_key(&w, key);
        jw_object(&w, JW_INLINE);
        jw_key(&w, "samples"); jw_int(&w, ev->count[y]);
        jw_key(&w, "slot"); jw_int(&w, classmap_slot(cm, y));
        jw_key(&w, "accuracy"); jw_num6(&w, ev->class_acc[y]);
        jw_end(&w);
    }
    jw_end(&w);
    jw_key(&w, "confusion");
    jw_array(&w, JW_LINES);
    for (int y = 0; y < ev->n_labels; y++) {
        if (!ev->count[y]) continue;
        jw_object(&w, JW_INLINE);
        jw_key(&w, "class"); jw_int(&w, y);
        jw_key(&w, "predicted_slots");
        jw_array(&w, JW_INLINE);
        for (int s = 0; s < cm->n_slots; s++) jw_int(&w, ev->confusion[y][s]);
        jw_end(&w);
        jw_end(&w);
    }
    jw_end(&w);
    if (st) {
        jw_key(&w, "train");
        jw_object(&w, JW_INLINE);
        jw_key(&w, "steps"); jw_int(&w, st->steps);
        jw_key(&w, "images"); jw_int(&w, st->images);
        jw_key(&w, "seconds"); jw_num6(&w, st->seconds);
        jw_key(&w, "final_loss"); jw_num6(&w, st->loss);
        jw_key(&w, "final_train_acc"); jw_num6(&w, st->acc);
        jw_end(&w);
    }
    jw_end(&w);
    jb_puts(&w.buf, "\n");
    int rc = report_write_json(path, &w, err, errlen);
    jw_free(&w);
    return rc;
}

int report_write_json(const char *path, const JsonWriter *w, char *err, size_t errlen) {
    if (w->buf.oom) { snprintf(err, errlen, "%s: out of memory", path); return -1; }
    return atomic_write_text(path, w->buf.buf ? w->buf.buf : "", err, errlen);
}
