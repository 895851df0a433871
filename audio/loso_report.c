/* loso_report.c — table, JSON and CSV of the leave-one-speaker-out folds (see loso_report.h). */
#include "loso_report.h"
#include "atomic_file.h"
#include "escape.h"
#include "report.h"
#include <math.h>
#include <string.h>

void loso_summary(const LosoReport *r, double *mean, double *min, const char **worst) {
    double s = 0;
    int k = 0;
    *min = NAN; *worst = NULL;
    for (int i = 0; i < r->n; i++) {
        if (!strcmp(r->folds[i].name, "upstream")) continue;
        double a = voice_acc(r->folds[i].score.correct, r->folds[i].score.n);
        s += a; k++;
        if (!*worst || a < *min) { *min = a; *worst = r->folds[i].name; }
    }
    *mean = k ? s / k : NAN;
}

/* Accuracy on the fold's synthetic held-out voices, over all of them. */
static double synth_acc(const LosoFold *f) { return voice_acc(f->synth.correct, f->synth.n); }

void loso_table(FILE *f, const LosoReport *r) {
    fprintf(f, "\nrecipe: %s\nclasses: %s\n\n", r->recipe, r->classes);
    fprintf(f, "| held out | test clips | accuracy | train clips (FSDD + synthetic) | steps | seconds |%s\n",
            r->synth_test ? " held-out synthetic voices |" : "");
    fprintf(f, "| --- | --- | --- | --- | --- | --- |%s\n", r->synth_test ? " --- |" : "");
    double ss = 0;
    for (int i = 0; i < r->n; i++) {
        const LosoFold *x = &r->folds[i];
        fprintf(f, "| %s | %ld | %.2f%% | %d + %d | %ld | %.0f |", esc(x->name), x->score.n,
                100 * voice_acc(x->score.correct, x->score.n), x->info.n_fsdd, x->info.n_synth, x->info.steps,
                x->info.seconds);
        if (r->synth_test) fprintf(f, " %.2f%% (%ld) |", 100 * synth_acc(x), x->synth.n);
        fputc('\n', f);
        ss += synth_acc(x);
    }
    double mean, min;
    const char *worst;
    loso_summary(r, &mean, &min, &worst);
    if (worst) {
        fprintf(f, "| **mean over speakers** | | **%.2f%%** (worst %s %.2f%%) | | | |", 100 * mean, esc(worst), 100 * min);
        if (r->synth_test) fprintf(f, " **%.2f%%** |", 100 * ss / r->n);
        fputc('\n', f);
    }
}

static void fold_json(JsonWriter *w, const LosoFold *x, const LosoReport *r) {
    jw_object(w, JW_LINES);
    jw_key(w, "held_out"); jw_str(w, x->name);
    jw_key(w, "train_fsdd_clips"); jw_int(w, x->info.n_fsdd);
    jw_key(w, "train_synth_clips"); jw_int(w, x->info.n_synth);
    jw_key(w, "train_samples"); jw_int(w, x->info.n_samples);
    jw_key(w, "steps"); jw_int(w, x->info.steps);
    jw_key(w, "seconds"); jw_fixed(w, x->info.seconds, 1);
    jw_key(w, "test"); voice_score_json(w, &x->score, r->speakers);
    if (x->synth.n) { jw_key(w, "synth_test"); voice_score_json(w, &x->synth, r->synth_speakers); }
    jw_end(w);
}

int loso_write_json(const char *path, const LosoReport *r, char *err, size_t errlen) {
    JsonWriter w;
    jw_init(&w, JW_PRETTY);
    jw_object(&w, JW_LINES);
    jw_key(&w, "recipe"); jw_str(&w, r->recipe);
    jw_key(&w, "classes"); jw_str(&w, r->classes);
    jw_key(&w, "synth_test"); if (r->synth_test) jw_str(&w, r->synth_test); else jw_raw(&w, "null");
    double mean, min;
    const char *worst;
    loso_summary(r, &mean, &min, &worst);
    jw_key(&w, "mean_accuracy"); jw_fixed(&w, mean, 6);
    jw_key(&w, "min_accuracy"); jw_fixed(&w, min, 6);
    jw_key(&w, "worst"); if (worst) jw_str(&w, worst); else jw_raw(&w, "null");
    jw_key(&w, "folds"); jw_array(&w, JW_LINES);
    for (int i = 0; i < r->n; i++) fold_json(&w, &r->folds[i], r);
    jw_end(&w);
    jw_end(&w);
    int rc = report_write_json(path, &w, err, errlen);
    jw_free(&w);
    return rc;
}

int loso_write_csv(const char *path, const LosoReport *r, char *err, size_t errlen) {
    AtomicFile af;
    if (atomic_open(&af, path, err, errlen)) return -1;
    fprintf(af.fp, "held_out,test_clips,correct,accuracy,train_fsdd_clips,train_synth_clips,steps,seconds,"
            "synth_clips,synth_correct,synth_accuracy\n");
    for (int i = 0; i < r->n; i++) {
        const LosoFold *x = &r->folds[i];
        fprintf(af.fp, "%s,%ld,%ld,%.6f,%d,%d,%ld,%.1f,%ld,%ld,%.6f\n", x->name, x->score.n, x->score.correct,
                voice_acc(x->score.correct, x->score.n), x->info.n_fsdd, x->info.n_synth, x->info.steps,
                x->info.seconds, x->synth.n, x->synth.correct, voice_acc(x->synth.correct, x->synth.n));
    }
    return atomic_commit(&af, err, errlen);
}
