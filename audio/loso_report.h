/* loso_report.h — the leave-one-speaker-out table (stdout), JSON and CSV of `speech-unlearn loso`. */
#ifndef LOSO_REPORT_H
#define LOSO_REPORT_H
#include <stddef.h>
#include <stdio.h>
#include "fsdd.h"
#include "voice_score.h"
#include "voice_train.h"

typedef struct {
    char name[FSDD_SPEAKER_MAX];   /* held-out speaker or "upstream" */
    VoiceScore score;              /* on the held-out clips */
    VoiceScore synth;              /* on the held-out synthetic voices (n = 0: none asked for) */
    VoiceTrainInfo info;
} LosoFold;

typedef struct {
    const char *recipe;            /* voice_recipe_string */
    const char *classes;           /* "0,1,2,4,5,6,7,8,9" */
    const char *synth_test;        /* folder of held-out voices, or NULL */
    char *const *speakers;         /* FSDD speaker names (the groups of each fold's score) */
    char *const *synth_speakers;   /* the held-out synthetic voices' names (NULL: none) */
    const LosoFold *folds;
    int n;
} LosoReport;

/* Mean and minimum accuracy over the folds that are speakers (not "upstream"); NaN if none. */
void loso_summary(const LosoReport *r, double *mean, double *min, const char **worst);
/* Markdown table: one row per fold, then the mean and worst speaker. */
void loso_table(FILE *f, const LosoReport *r);
/* JSON and CSV documents, written to the given (staging) paths.  0 or -1 with err. */
int loso_write_json(const char *path, const LosoReport *r, char *err, size_t errlen);
int loso_write_csv(const char *path, const LosoReport *r, char *err, size_t errlen);
#endif
