/* voice_train.c — train one model under a recipe, score it on clean clips (see voice_train.h). */
#include "voice_train.h"
#include "netspec.h"
#include "train.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* The recipe's training set: FSDD clips tr (+ every synth clip), copies included, classes of cm. */
static Dataset *training_set(const VoiceRecipe *r, const ClassMap *cm, const VoiceClips *fsdd, const int *tr,
                             int ntr, const VoiceClips *synth, char *err, size_t errlen) {
    MelParams p;
    voice_recipe_mel(r, &p);
    Dataset *a = voice_featurise(fsdd, tr, ntr, &p, &r->wave, r->copies, r->seed, 0, err, errlen), *b = NULL;
    if (a && synth) {
        int *all = malloc(sizeof(int) * (size_t)(synth->ix.n ? synth->ix.n : 1));
        for (int i = 0; all && i < synth->ix.n; i++) all[i] = i;
        b = all ? voice_featurise(synth, all, synth->ix.n, &p, &r->wave, r->copies, r->seed,
                                  fsdd->ix.n_speakers, err, errlen) : NULL;
        free(all);
        if (!b) { ds_free(a); return NULL; }
    }
    Dataset *ab = b ? ds_concat(a, b) : a;
    if (b) { ds_free(a); ds_free(b); }
    Dataset *f = ab ? ds_filter_classes(ab, cm->slot_class, cm->n_slots) : NULL;
    ds_free(ab);
    if (!f) snprintf(err, errlen, "out of memory");
    return f;
}

static int count_classes(const VoiceClips *c, const int *idx, int n, const ClassMap *cm) {
    int k = 0;
    for (int i = 0; i < n; i++) k += classmap_slot(cm, c->ix.digit[idx ? idx[i] : i]) >= 0;
    return k;
}

Net *voice_train(const Modality *m, const VoiceRecipe *r, const ClassMap *cm, const VoiceClips *fsdd,
                 const int *tr, int ntr, const VoiceClips *synth, int verbose, VoiceTrainInfo *info,
                 char *err, size_t errlen) {
    double t0 = now_s();
    memset(info, 0, sizeof *info);
    char *spec = net_spec_text(m, r->net, err, errlen);
    if (!spec) return NULL;
    Dataset *d = training_set(r, cm, fsdd, tr, ntr, synth, err, errlen);
    Net *net = d ? net_parse(spec, r->net, d->c, d->h, d->w, cm->n_slots, err, errlen) : NULL;
    free(spec);
    if (!net) { ds_free(d); return NULL; }
    net_init(net, r->seed);
    info->n_fsdd = count_classes(fsdd, tr, ntr, cm);
    info->n_synth = synth ? count_classes(synth, NULL, synth->ix.n, cm) : 0;
    info->n_samples = d->n;
    TrainConfig cfg = m->recipe;
    cfg.seed = r->seed;
    cfg.max_steps = (long)r->epochs * ((info->n_fsdd + cfg.batch - 1) / cfg.batch);
    cfg.verbose = verbose;
    cfg.augment = augment_batch;
    cfg.augment_ctx = (void *)&r->feat;
    TrainStats st;
    int rc = train_supervised(net, d, cm, &cfg, &st, err, errlen);
    ds_free(d);
    if (rc) { net_free(net); return NULL; }
    net_sync_to_host(net);
    info->steps = st.steps;
    info->seconds = now_s() - t0;
    return net;
}

int voice_eval_clips(Net *net, const ClassMap *cm, const VoiceRecipe *r, const VoiceClips *c, const int *idx,
                     int n, VoiceScore *s, char *err, size_t errlen) {
    MelParams p;
    voice_recipe_mel(r, &p);
    Dataset *d = idx ? voice_featurise(c, idx, n, &p, NULL, 0, 0, 0, err, errlen) : voice_featurise_all(c, &p, err, errlen);
    if (!d) return -1;
    int rc = voice_score(net, cm, d, c->ix.n_speakers, s);
    ds_free(d);
    if (rc) snprintf(err, errlen, "out of memory");
    return rc;
}
