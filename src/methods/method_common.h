/* method_common.h — what the unlearning methods share: a batch mixer that
 * draws each batch from several data sources with fixed per-batch quotas and
 * per-source targets/weights, and one training loop over it (masked optimiser,
 * optional restore of frozen weights after every step).
 *
 * Batch composition ("natural class shares"): a class-sized source (learn, and
 * forget where a method uses it) gets round(B / n_slots) samples of every batch
 * (at least 1) and retain gets the rest, so each class is seen about as often
 * as in pre-training whatever the sizes of the sets (a learn set of 50 samples
 * is cycled).  Each source keeps its own seeded shuffled order and reshuffles
 * when it runs out. */
#ifndef METHOD_COMMON_H
#define METHOD_COMMON_H
#include <stddef.h>
#include <stdint.h>
#include "unlearn.h"
#include "optim.h"

typedef enum {
    TGT_SLOT,          /* one-hot at the slot of the sample's label in `map` */
    TGT_UNIFORM,       /* uniform over all K slots */
    TGT_OTHER,         /* uniform over the slots other than avoid_slot */
    TGT_RANDOM_OTHER   /* one-hot at a random slot != avoid_slot, drawn once per sample (seeded) */
} TargetKind;

#define MIX_MAX_SOURCES 4
typedef struct {
    const Dataset *d;
    int quota;
    TargetKind target;
    const ClassMap *map;
    int avoid_slot;
    float weight;      /* per-sample loss weight; negative = gradient ascent */
    int tag;           /* caller's label for the source (mixer.tag[i] per sample) */
    int *order, pos, *rlabel;
    Rng rng;
} MixSource;

typedef struct {
    int n_src;
    MixSource src[MIX_MAX_SOURCES];
    int K, B;
    size_t ss;
    uint64_t seed;
    float *x, *t, *w, *probs, *dlogits;
    int *y, *tag;
} Mixer;

void mixer_init(Mixer *m, int K, uint64_t seed);
/* Sources with no data or quota <= 0 are ignored. */
void mixer_add(Mixer *m, const Dataset *d, int quota, TargetKind target, const ClassMap *map, int avoid_slot,
               float weight, int tag);
/* Allocate buffers and check shapes/labels against the net. 0 or -1 with err. */
int mixer_ready(Mixer *m, const Net *net, char *err, size_t errlen);
/* Next batch into m->x, m->t (targets), m->w (weights), m->y, m->tag; returns its size. */
int mixer_next(Mixer *m);
void mixer_free(Mixer *m);

/* round(B / n_slots), at least 1: one class's natural share of a batch. */
int class_share(int B, int n_slots);
/* Sub-seed for a purpose (mixes c->seed with a constant). */
uint64_t sub_seed(uint64_t seed, uint64_t purpose);

enum { TAG_RETAIN = 0, TAG_LEARN = 1, TAG_FORGET = 2 };
/* The usual mixture: retain (after map, weight 1) gets what the others leave;
 * learn (after map, weight 1) one class share; if forget_target >= 0, forget
 * with that target kind, avoid_slot = t->slot, before map, weight forget_weight,
 * one class share.  Without retained data (an empty t->retain: unlearn-compare
 * --retain-limit 0) forget and learn fill the batch, B/2 each (learn all of it
 * when there is no forget term), as the seed's own baseline does. */
void mixer_standard(Mixer *m, const UnlearnTask *t, int B, int forget_target, float forget_weight);

typedef struct {
    long steps;
    float lr;
    OptKind opt;
    const uint8_t *mask;   /* NULL: all trainable */
    const float *restore;  /* with mask: after EVERY step frozen params are set back to these values and
                              their optimiser state zeroed (on the device for a GPU net: no round trip) */
    int eval_mode;         /* 1: forward in eval mode (bn running statistics used and left alone, no dropout) */
    const char *label;     /* progress label */
    int verbose;
} LoopCfg;

/* Train net on the mixer's batches: weighted soft-target CE (softmax_ce),
 * one optimiser step per batch, fresh optimiser state (SGD momentum 0.9, no
 * weight decay; or Adam), constant learning rate.  Adds steps, flops to st.
 * 0, or -1 with err when the loss stops being finite. */
int mix_train(Net *net, Mixer *mx, const LoopCfg *lc, UnlearnStats *st, char *err, size_t errlen);

/* After an optimiser step: params[i] = orig[i] and optimiser state zeroed where
 * mask[i] == 0, on the host buffers (a GPU net is synced to the host and back: two
 * whole-buffer round trips).  mix_train does not call it for a GPU net: there the
 * original weights are uploaded once before the loop and every step restores on the
 * device (cuda_restore_frozen); this stays the CPU path, and the fallback when the
 * device copy cannot be made. */
void restore_frozen(Net *net, Optim *o, const uint8_t *mask, const float *orig);

/* The frozen original a method distils from (SCRUB, ours): a copy of net (synced to the
 * host first) placed on net's device, so its forward passes stay there.  NULL with err. */
Net *method_teacher(Net *net, char *err, size_t errlen);

double unl_now(void);
/* Start of a method's run: zero st, seed the net's dropout stream from c->seed;
 * returns the start time for method_end (which sets st->seconds). */
double method_begin(Net *net, const UnlearnConfig *c, UnlearnStats *st);
void method_end(double t0, UnlearnStats *st);
/* The samples an importance pass uses: all of a (+ b), or a seeded subsample of
 * c->importance_samples of them (see saliency_sample_union). NULL: out of memory. */
Dataset *importance_set(const Dataset *a, const Dataset *b, const UnlearnConfig *c, uint64_t purpose);
/* Importance of every parameter for the forgotten class: on the forget set (or
 * its importance_set subsample), before-map targets, batches of c->batch;
 * kind 0 = |sum of batch gradients|, 1 = Fisher diagonal (per-batch).  Adds the
 * cost to st->flops. score [n_params]. */
int forget_importance(Net *net, const UnlearnTask *t, const UnlearnConfig *c, int kind, float *score,
                      UnlearnStats *st, char *err, size_t errlen);

/* SSD's dampening step alone (ssd.c): I_D on shuffled retain + forget, I_f on
 * forget, params with I_f > alpha I_D scaled by min(lambda I_D / I_f, 1).
 * *n_dampened (may be NULL): how many were scaled.  st may be NULL. */
int ssd_dampen(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, long *n_dampened,
               char *err, size_t errlen);
#endif
