/* unlearn_task.c — the replacement task (forget one class, learn another in its
 * slot), the default method configuration and the shared new-class step (see
 * unlearn.h); the method table is src/methods/registry.c. */
#include "unlearn.h"
#include "task_val.h"
#include "methods/method_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TERR(...) do { snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

int task_build(UnlearnTask *t, const Dataset *train, const Dataset *test, const ClassMap *orig,
               int forget_class, int learn_class, int learn_limit, uint64_t seed, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    t->forget_class = forget_class;
    t->learn_class = learn_class;
    t->before = *orig;
    t->slot = classmap_slot(orig, forget_class);
    if (t->slot < 0) TERR("class %d has no output slot in this model", forget_class);
    if (learn_class == forget_class) TERR("the class to learn (%d) is the class to forget", learn_class);
    if (learn_class < -1) TERR("class %d is not a class label", learn_class);
    if (learn_class >= 0 && classmap_slot(orig, learn_class) >= 0)
        TERR("class %d already has an output slot (slot %d) in this model", learn_class,
             classmap_slot(orig, learn_class));
    if (!train || !test) TERR("no data");
    t->after = *orig;
    t->after.slot_class[t->slot] = learn_class;

    int others[MAX_SLOTS], no = 0;
    for (int s = 0; s < orig->n_slots; s++)
        if (s != t->slot) others[no++] = orig->slot_class[s];
    t->forget = ds_filter_classes(train, &forget_class, 1);
    t->retain = ds_filter_classes(train, others, no);
    t->forget_test = ds_filter_classes(test, &forget_class, 1);
    t->retain_test = ds_filter_classes(test, others, no);
    if (learn_class >= 0) {
        Dataset *all = ds_filter_classes(train, &learn_class, 1);
        if (all && learn_limit > 0) {
            t->learn = ds_take_per_class(all, learn_limit, seed);
            ds_free(all);
        } else {
            t->learn = all;
        }
        t->learn_test = ds_filter_classes(test, &learn_class, 1);
    } else {   /* plain forgetting: empty learn sets */
        t->learn = ds_new(0, train->c, train->h, train->w);
        t->learn_test = ds_new(0, test->c, test->h, test->w);
    }
    if (!t->forget || !t->retain || !t->forget_test || !t->retain_test || !t->learn || !t->learn_test)
        TERR("out of memory building the task");
    if (t->forget->n == 0) TERR("no training samples of class %d (the class to forget)", forget_class);
    if (learn_class >= 0 && t->learn->n == 0) TERR("no training samples of class %d (the class to learn)", learn_class);
    if (t->retain->n == 0) TERR("no training samples of the classes to keep");
    if (t->forget_test->n == 0) TERR("no test samples of class %d (the class to forget)", forget_class);
    if (learn_class >= 0 && t->learn_test->n == 0) TERR("no test samples of class %d (the class to learn)", learn_class);
    if (t->retain_test->n == 0) TERR("no test samples of the classes to keep");
    return 0;
fail:
    task_free(t);
    return -1;
}

void task_free(UnlearnTask *t) {
    task_detach_val(t);
    ds_free(t->forget); ds_free(t->learn); ds_free(t->retain);
    ds_free(t->forget_test); ds_free(t->learn_test); ds_free(t->retain_test);
    t->forget = t->learn = t->retain = NULL;
    t->forget_test = t->learn_test = t->retain_test = NULL;
}

void unlearn_config_default(UnlearnConfig *c) {
    memset(c, 0, sizeof *c);
    c->steps = 300;
    c->batch = 64;
    c->lr = 1e-3f;
    c->opt = OPT_ADAM;
    c->seed = 1;
    c->mask_frac = 0.5f;
    c->saliency = SALIENCY_GRAD;
    c->variant = VARIANT_ASCENT;
    c->forget_weight = 0.01f;   /* per-sample ascent weight (NegGrad+, baseline ascent); tuned on MNIST */
    c->alpha = 10.0f;
    c->lambda = 1.0f;
    c->temperature = 2.0f;      /* SCRUB: kd_T of the reference's small-scale setting */
    c->max_steps_ratio = 16;    /* SCRUB: tuned on MNIST among 4, 8, 16, 32 */
    c->new_class_steps = 100;
    c->importance_samples = 2048;
    c->recipe = NULL;
    c->verbose = 0;
}

/* The shared new-class step: batches of learn (a quarter of the batch) and
 * retain (the rest), after-slots, weight 1 each, c->new_class_steps steps of
 * c->opt at c->lr (fresh optimiser state), optional mask. */
int learn_new_class(Net *net, const UnlearnTask *t, const UnlearnConfig *c, const uint8_t *mask,
                    UnlearnStats *st, char *err, size_t errlen) {
    if (!t->learn || t->learn->n == 0 || t->learn_class < 0 || c->new_class_steps <= 0) return 0;
    int B = c->batch > 1 ? c->batch : 2;
    int q = B / 4 > 0 ? B / 4 : 1;
    Mixer mx;
    mixer_init(&mx, net->n_classes, sub_seed(c->seed, 7));
    mixer_add(&mx, t->retain, B - q, TGT_SLOT, &t->after, -1, 1.0f, TAG_RETAIN);
    mixer_add(&mx, t->learn, q, TGT_SLOT, &t->after, -1, 1.0f, TAG_LEARN);
    int rc = mixer_ready(&mx, net, err, errlen);
    if (rc == 0) {
        LoopCfg lc = {.steps = c->new_class_steps, .lr = c->lr, .opt = c->opt, .mask = mask,
                      .label = "new class", .verbose = c->verbose};
        rc = mix_train(net, &mx, &lc, st, err, errlen);
    }
    mixer_free(&mx);
    return rc;
}
