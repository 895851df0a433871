/* report.h — human tables and JSON for evaluation results. */
#ifndef REPORT_H
#define REPORT_H
#include <stdio.h>
#include "train.h"
#include "classmap.h"

/* Per-class accuracy table and the confusion matrix (rows: true label, columns:
 * predicted slot, headed by the class each slot stands for). */
void report_eval_table(FILE *f, const EvalResult *ev, const ClassMap *cm, int n_labels);
/* Write the evaluation as JSON (atomically).  st may be NULL. */
int report_eval_json(const char *path, const EvalResult *ev, const ClassMap *cm, const char *modality,
                     const char *model, const TrainStats *st, char *err, size_t errlen);
/* Append a JSON number, writing null for NaN/inf. */
void json_num(FILE *f, double v);
/* Append a JSON string with escaping. */
void json_str(FILE *f, const char *s);
#endif
