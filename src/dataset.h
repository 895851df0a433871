/* dataset.h — a dataset is float tensors plus class labels; the engine never
 * knows whether they were pixels or spectrograms. */
#ifndef DATASET_H
#define DATASET_H
#include <stddef.h>
#include <stdint.h>
#include "rng.h"

typedef struct {
    int n;            /* samples */
    int c, h, w;      /* shape of one sample */
    float *x;         /* [n][c][h][w] */
    int *y;           /* class label of each sample (the digit, not the output slot) */
    int *group;       /* optional per-sample group (speaker id), NULL if none */
} Dataset;

static inline size_t ds_sample_size(const Dataset *d) { return (size_t)d->c * d->h * d->w; }
Dataset *ds_new(int n, int c, int h, int w);   /* zeroed; group = NULL */
void ds_free(Dataset *d);
/* New dataset with the samples whose label is in classes[0..nc) (order kept). */
Dataset *ds_filter_classes(const Dataset *d, const int *classes, int nc);
/* New dataset of the listed sample indices. */
Dataset *ds_subset(const Dataset *d, const int *idx, int n);
/* Concatenate two datasets of equal sample shape. */
Dataset *ds_concat(const Dataset *a, const Dataset *b);
/* k samples drawn uniformly without replacement with r (k <= 0 or k > n: all of
 * them, shuffled).  NULL on allocation failure. */
Dataset *ds_take_random(const Dataset *d, int k, Rng *r);
/* At most k samples per class (first k in a seeded shuffle). */
Dataset *ds_take_per_class(const Dataset *d, int k, uint64_t seed);
/* Validation split: k samples of every stratum (label, group; group -1 when the set has
 * none), drawn with a seeded shuffle, go to *val, the rest to *rest; both keep dataset
 * order.  A stratum with <= k samples gives them all to val.  0, or -1 on allocation failure. */
int ds_split_strata(const Dataset *d, int k, uint64_t seed, Dataset **rest, Dataset **val);
int ds_count_class(const Dataset *d, int cls);
/* Gather a batch of samples by index into x [B][...] and labels y [B]. */
void ds_gather(const Dataset *d, const int *idx, int B, float *x, int *y);
#endif
