/* unlearn.h — the replacement task and the interface every unlearning method
 * implements (one file per method in src/methods/).
 *
 * Task "forget=6 learn=3": the original model has slots for classes
 * {0,1,2,4,5,6,7,8,9}; afterwards the slot of 6 predicts 3.  With learn = -1 it
 * is plain forgetting: the slot of 6 stays but stands for no class.
 *
 * Data, all drawn from the modality's TRAINING split (test data is only used
 * by metrics):
 *   forget  — training samples of the forgotten class
 *   learn   — training samples of the new class (at most learn_limit of them)
 *   retain  — training samples of every other slotted class
 */
#ifndef UNLEARN_H
#define UNLEARN_H
#include <stddef.h>
#include <stdint.h>
#include "net.h"
#include "dataset.h"
#include "classmap.h"
#include "train.h"

typedef struct {
    int forget_class, learn_class;  /* learn_class -1: plain forgetting */
    int slot;                       /* output slot of forget_class in `before` */
    ClassMap before, after;         /* after.slot_class[slot] = learn_class (or -1) */
    Dataset *forget, *learn, *retain;                 /* training data */
    Dataset *forget_test, *learn_test, *retain_test;  /* held-out data (metrics only) */
    /* validation data (metrics only; methods never read it): set by task_attach_val
     * (src/task_val.c), freed by task_detach_val; NULL when absent */
    Dataset *forget_val, *learn_val, *retain_val;
} UnlearnTask;

/* Build the task from the modality's train/test sets and the original model's
 * class map.  Refuses: forget class without a slot, learn class already slotted,
 * empty forget/learn/retain sets (one line in err). learn_limit 0 = all. */
int task_build(UnlearnTask *t, const Dataset *train, const Dataset *test, const ClassMap *orig,
               int forget_class, int learn_class, int learn_limit, uint64_t seed, char *err, size_t errlen);
void task_free(UnlearnTask *t);

/* The importance a saliency mask ranks weights by (UnlearnConfig.saliency). */
typedef enum {
    SALIENCY_GRAD = 0,     /* |sum of the forget loss's gradients| */
    SALIENCY_FISHER = 1    /* Fisher diagonal from per-batch gradients */
} SaliencyKind;

/* The seed baseline's forget loss (UnlearnConfig.variant). */
typedef enum {
    VARIANT_ASCENT = 0,    /* gradient ascent on CE at the old slot */
    VARIANT_UNIFORM = 1,   /* forget samples -> uniform target over all slots */
    VARIANT_OTHER = 2      /* forget samples -> uniform over the other slots ("any other class") */
} BaselineVariant;

typedef struct {
    long steps;            /* budget in optimiser steps (all methods respect it) */
    int batch;
    float lr;
    OptKind opt;
    uint64_t seed;
    float mask_frac;       /* saliency methods: share of parameters left trainable (0..1] */
    SaliencyKind saliency; /* baseline's importance (default SALIENCY_GRAD) */
    BaselineVariant variant; /* seed baseline's forget loss (default VARIANT_ASCENT) */
    float forget_weight;   /* weight of the forget term where a method has one */
    float alpha, lambda;   /* SSD */
    float temperature;     /* SCRUB */
    int max_steps_ratio;   /* SCRUB: one max-step every N steps */
    long new_class_steps;  /* the shared short new-class step for methods that do not learn it themselves */
    int importance_samples;/* importance passes (SalUn, baseline, SSD): at most this many samples each, a seeded
                              uniform subsample (0 = all) */
    const TrainConfig *recipe; /* retrain: the pre-training recipe (batch, lr, optimiser, schedule, epochs,
                              augmentation); NULL: retrain uses batch/lr/opt above with a cosine schedule.
                              Retrain's budget is `steps` when > 0, else the recipe's epochs over retain+learn. */
    int verbose;
} UnlearnConfig;

void unlearn_config_default(UnlearnConfig *c);

typedef struct {
    double seconds;        /* wall time of the method (incl. its new-class step) */
    double flops;          /* estimated FLOPs: forward = 1x, backward = 2x net_forward_flops per sample */
    long steps;
    long frozen;           /* parameters left frozen (masked methods), else 0 */
} UnlearnStats;

typedef struct {
    const char *name;      /* "salun" */
    const char *summary;   /* one line for --help */
    /* Modify net in place so that it solves the task (net arrives holding the
     * original weights and `before` slots).  0 or -1 with err. */
    int (*run)(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err, size_t errlen);
} UnlearnMethod;

extern const UnlearnMethod *const unlearn_methods[];   /* NULL-terminated */
/* Variants that switch one component of a method off (ours:v1, ours:no-pull, ...): found by name,
 * never in a default method list. NULL-terminated. */
extern const UnlearnMethod *const unlearn_ablations[];
const UnlearnMethod *unlearn_method_find(const char *name);

/* The shared short new-class step: fine-tune on learn + retain (retain weighted to
 * keep the rest), c->new_class_steps steps; mask may be NULL. */
int learn_new_class(Net *net, const UnlearnTask *t, const UnlearnConfig *c, const uint8_t *mask,
                    UnlearnStats *st, char *err, size_t errlen);
#endif
