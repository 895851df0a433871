/* speech_modality.c — the audio modality descriptor: FSDD recordings as
 * log-mel spectrograms [1][40][96], read through the feature cache. */
#include "speech_modality.h"
#include "augment.h"
#include "featcache.h"
#include "fsdd.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void speech_mel_params(MelParams *p) { mel_default_params(p); }

static int speech_modality_load(const DataOptions *o, Dataset **train, Dataset **test, char *err, size_t errlen) {
    *train = *test = NULL;
    char rec[PATH_MAX];
    if (fsdd_find_dir(o->data_dir, rec, sizeof rec, err, errlen)) return -1;
    MelParams p;
    speech_mel_params(&p);
    /* refuse a bad --split before any feature work (the listing is cheap) */
    FsddIndex ix;
    int *tr = NULL, *te = NULL, ntr = 0, nte = 0;
    if (fsdd_scan(rec, &ix, err, errlen)) return -1;
    int bad = fsdd_split(&ix, o->split, &tr, &ntr, &te, &nte, err, errlen);
    fsdd_index_free(&ix);
    free(tr);
    free(te);
    if (bad) return -1;
    FeatSet fs;
    /* rebuilding a stale or different-parameter cache is always said on stderr;
     * reuse and the first build only when not --quiet */
    if (featcache_get(rec, o->cache_dir, "fsdd", &p, o->verbose ? 0 : FEATCACHE_QUIET, stderr, &fs, err, errlen))
        return -1;
    if (fsdd_split(&fs.ix, o->split, &tr, &ntr, &te, &nte, err, errlen)) {
        featset_free(&fs);
        return -1;
    }
    Dataset *a = ds_subset(fs.all, tr, ntr), *b = ds_subset(fs.all, te, o->no_test ? 0 : nte);
    free(tr);
    free(te);
    featset_free(&fs);
    if (!a || !b) { ds_free(a); ds_free(b); snprintf(err, errlen, "out of memory"); return -1; }
    if (o->limit_per_class > 0) {
        Dataset *s = ds_take_per_class(a, o->limit_per_class, o->seed);
        ds_free(a);
        a = s;
    }
    if (o->test_limit_per_class > 0) {
        Dataset *s = ds_take_per_class(b, o->test_limit_per_class, 12345);
        ds_free(b);
        b = s;
    }
    if (!a || !b) { ds_free(a); ds_free(b); snprintf(err, errlen, "out of memory"); return -1; }
    *train = a;
    if (o->no_test) ds_free(b);
    else *test = b;
    return 0;
}

/* SpecAugment-style feature augmentation with augment_default()'s setting. */
static void speech_augment(float *x, const int *y, int B, int c, int h, int w, Rng *r, void *ctx) {
    (void)ctx;
    AugmentConfig a;
    augment_default(&a);
    augment_batch(x, y, B, c, h, w, r, &a);
}

const Modality speech_modality = {
    .name = "speech",
    .program = "speech-unlearn",
    .net_prefix = "audio",
    .default_net = "speech",
    .n_labels = 10,
    .default_classes = "0,1,2,4,5,6,7,8,9",
    /* 15 epochs of Adam (lr 2e-3, cosine to 0, batch 32) with SpecAugment on the
     * upstream split's 2430 training clips of 9 digits: 99.6% test accuracy (seed 1;
     * 30 epochs: 100%), ~36k samples, ~14 min on 2 busy cores. */
    .recipe = {.epochs = 15, .batch = 32, .opt = OPT_ADAM, .lr = 2e-3f, .momentum = 0.9f,
               .weight_decay = 0.0f, .cosine = 1, .seed = 1, .verbose = 1},
    .load = speech_modality_load,
    .augment = speech_augment,
    .data_help =
        "  --split NAME        upstream (default: takes 0-4 of every speaker are the test set)\n"
        "                      or a speaker to hold out (george, jackson, lucas, nicolas, theo,\n"
        "                      yweweler): all of that speaker's recordings are the test set\n"
        "  --cache DIR         feature cache folder (default cache/ in the repository; made on\n"
        "                      first use, rebuilt when the feature parameters or recordings change)\n"
        "  (FSDD: the recordings {digit}_{speaker}_{take}.wav in DIR/fsdd/recordings)\n",
    .val_per_stratum = 5,       /* 5 takes of every (digit, speaker): 300 clips, disjoint from the test takes */
    /* its BN net's logits move ~10x slower per SGD step than MNIST's: at 0.001 even models with the
     * original's features need > 100 steps to relearn */
    .relearn_lr = 0.01f,
    .compare_epochs = 6,        /* the recipe's 15 would take most of the comparison's time */
    .compare_steps = 60,
};
