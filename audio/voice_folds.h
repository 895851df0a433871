/* voice_folds.h — which clips train and which test in a voices experiment, and the rule that
 * keeps held-out voices out of training.
 *
 * A fold is named by the speaker it holds out (all that speaker's clips test, every other
 * speaker's clips train: leave-one-speaker-out) or "upstream" (takes 0-4 of every speaker test).
 * A fold may also leave a second speaker out of training entirely (`exclude`): the ablation's
 * inner folds, whose outer test speaker must not be seen while a recipe is chosen.
 *
 * Held-out voices: a folder of voices to test on must not share a speaker name with anything the
 * model trained on (the FSDD speakers, the synthetic training voices); voice_check_disjoint says
 * which name is shared. */
#ifndef VOICE_FOLDS_H
#define VOICE_FOLDS_H
#include <stddef.h>
#include "fsdd.h"

#define VOICE_MAX_FOLDS 64

/* Fold names from list: a comma list of speaker names, "upstream" and "all" (every speaker of ix,
 * in index order).  Returns the count, or -1 with err (unknown speaker, duplicate, empty). */
int voice_folds_parse(const FsddIndex *ix, const char *list, char names[][FSDD_SPEAKER_MAX], int max,
                      char *err, size_t errlen);
/* The fold's training and test clip indexes (malloc'd).  exclude (NULL or ""): a speaker in
 * neither.  0 or -1 with err. */
int voice_fold_split(const FsddIndex *ix, const char *fold, const char *exclude, int **train, int *n_train,
                     int **test, int *n_test, char *err, size_t errlen);
/* Keep, in place, at most `limit` clips of every (speaker, digit) of idx[0..n) (the first ones in
 * idx order; limit <= 0: all).  Returns the new count. */
int voice_limit(const FsddIndex *ix, int *idx, int n, int limit);
/* 0 when no speaker of `test` is a speaker of `train`; else -1 with err naming the first shared
 * speaker and what (e.g. "the synthetic training voices") it was trained in. */
int voice_check_disjoint(const FsddIndex *train, const char *train_what, const FsddIndex *test,
                         const char *test_what, char *err, size_t errlen);
#endif
