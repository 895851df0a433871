/* report.h — human tables and JSON for evaluation results. */
#ifndef REPORT_H
#define REPORT_H
#include <stdio.h>
#include "train.h"
#include "classmap.h"
#include "json.h"   /* JsonWriter; json_num/json_str (used through this header by results.c) */

/* Per-class accuracy table and the confusion matrix (rows: true label, columns:
 * predicted slot, headed by the class each slot stands for). */
void report_eval_table(FILE *f, const EvalResult *ev, const ClassMap *cm, int n_labels);
/* Write the evaluation as JSON (atomically).  st may be NULL. */
int report_eval_json(const char *path, const EvalResult *ev, const ClassMap *cm, const char *modality,
                     const char *model, const TrainStats *st, char *err, size_t errlen);
/* Write a finished JsonWriter document to path atomically.  0 or -1 with err. */
int report_write_json(const char *path, const JsonWriter *w, char *err, size_t errlen);
#endif
