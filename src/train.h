/* train.h — supervised training and evaluation loops over a Dataset.
 * Labels are mapped to output slots through a ClassMap; samples whose class has
 * no slot are an error for training (filter first) and are reported apart in
 * evaluation (they still get a row in the confusion matrix). */
#ifndef TRAIN_H
#define TRAIN_H
#include <stddef.h>
#include <stdint.h>
#include "net.h"
#include "dataset.h"
#include "classmap.h"
#include "optim.h"

#define MAX_LABELS 64

/* Called on every training batch (x [B][sample]) before the forward pass. */
typedef void (*AugmentFn)(float *x, const int *y, int B, int c, int h, int w, Rng *r, void *ctx);

typedef struct {
    int epochs;              /* passes over the data (ignored when max_steps > 0) */
    long max_steps;          /* > 0: stop after this many steps */
    int batch;
    OptKind opt;
    float lr, momentum, weight_decay;
    int cosine;              /* 1: cosine decay of lr to 0 over the run */
    uint64_t seed;           /* batch order, dropout, augmentation */
    int verbose;             /* progress line on stderr when it is a terminal */
    AugmentFn augment; void *augment_ctx;
    const uint8_t *mask;     /* optional parameter mask (0 = frozen) */
} TrainConfig;

void train_config_default(TrainConfig *c);

typedef struct {
    double loss;             /* mean loss of the last epoch */
    double acc;              /* training accuracy of the last epoch */
    double seconds;
    long steps, images;
} TrainStats;

/* Train on d. Returns 0, or -1 with a message (e.g. loss became NaN) in err. */
int train_supervised(Net *net, const Dataset *d, const ClassMap *cm, const TrainConfig *cfg,
                     TrainStats *st, char *err, size_t errlen);

/* Shuffled order of n indices for one epoch. */
void epoch_order(int *idx, int n, Rng *r);
/* One-hot targets for labels y (slot per label via cm); rows of a class with no slot are zero. */
void onehot_targets(float *t, const int *y, int B, const ClassMap *cm, int K);
/* Learning rate at step s of S (cosine or constant). */
float lr_at(const TrainConfig *c, long s, long S);

typedef struct {
    int n_labels;                       /* labels are 0..n_labels-1 */
    int n_slots;
    long confusion[MAX_LABELS][MAX_SLOTS]; /* [true label][predicted slot] */
    long count[MAX_LABELS];
    double acc;                         /* over samples whose label has a slot */
    double class_acc[MAX_LABELS];       /* share predicted into the label's slot (NaN if absent) */
    double mean_loss;                   /* CE over samples whose label has a slot */
    double seconds;
} EvalResult;

/* Evaluate in eval mode (bn running stats, no dropout). */
void train_evaluate(Net *net, const Dataset *d, const ClassMap *cm, int batch, int n_labels, EvalResult *r);
/* Predicted slot for each sample, and optionally softmax probabilities [n][K]. */
void train_predict(Net *net, const Dataset *d, int batch, int *pred, float *probs);
/* Output of layer `layer` for every sample, [n][net_layer_size] (eval mode). */
float *extract_features(Net *net, const Dataset *d, int layer, int batch);

/* Progress line helper: prints "\r<label> [====>   ] done/total <extra>" on a TTY. */
void train_progress(const char *label, long done, long total, const char *extra);
void train_progress_end(void);
#endif
