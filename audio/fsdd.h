/* fsdd.h — the Free Spoken Digit Dataset: file names, splits, loading.
 *
 * Files are named {digit}_{speaker}_{take}.wav (e.g. 7_jackson_32.wav), 8 kHz mono;
 * the public release has 6 speakers x 10 digits x 50 takes = 3000 files.
 * Splits:
 *   upstream  (the dataset's own convention): takes 0-4 test, takes 5+ train,
 *             every speaker in both (300 test / 2700 train);
 *   holdout   leave one speaker out: every take of the named speaker is test,
 *             every take of the others is train (500 / 2500).
 * Speakers are indexed 0..n_speakers-1 in alphabetical order of their names;
 * that index is the Dataset's group.
 */
#ifndef FSDD_H
#define FSDD_H
#include <stddef.h>
#include "dataset.h"
#include "melspec.h"

#define FSDD_SPEAKER_MAX 32   /* longest speaker name + 1 */
#define FSDD_TEST_TAKES 5     /* upstream: takes 0..4 are test */

typedef struct { int digit; char speaker[FSDD_SPEAKER_MAX]; int take; } FsddName;

/* Parse the base name of path ("dir/7_jackson_32.wav"; extension .wav, any case).
 * Returns 0, or -1 if it is not an FSDD name (digit 0-9, non-empty speaker of
 * letters/digits/'-' shorter than FSDD_SPEAKER_MAX, take >= 0). */
int fsdd_parse_name(const char *path, FsddName *out);

typedef struct {
    int n;               /* files */
    char **path;         /* [n] full paths */
    int *digit, *speaker, *take;   /* [n]; speaker indexes speakers[] */
    int n_speakers;
    char **speakers;     /* [n_speakers] sorted names */
} FsddIndex;

/* List dir (the folder holding the WAVs) into ix, files ordered by (digit, speaker
 * name, take); names that do not parse are ignored.  0, or -1 with err (cannot
 * open dir, no FSDD files in it). */
int fsdd_scan(const char *dir, FsddIndex *ix, char *err, size_t errlen);
void fsdd_index_free(FsddIndex *ix);
/* Speaker index of name, -1 if absent. */
int fsdd_speaker_id(const FsddIndex *ix, const char *name);
/* "george,jackson,..." into buf (for messages and --help). */
void fsdd_speakers_string(const FsddIndex *ix, char *buf, size_t len);

/* Split into index lists (malloc'd; caller frees).  holdout NULL, "" or
 * "upstream": the upstream split; otherwise a speaker name to hold out (an
 * unknown name fails, listing the speakers). 0 or -1 with err. */
int fsdd_split(const FsddIndex *ix, const char *holdout, int **train, int *n_train,
               int **test, int *n_test, char *err, size_t errlen);

/* Read and featurise files idx[0..n) (OpenMP over files): a Dataset of
 * [n][1][p.n_mels][p.frames] features (mel_features), y = digit, group =
 * speaker index.  If any file is refused, returns NULL with the message of the
 * first (lowest position) refused file in err. */
Dataset *fsdd_load(const FsddIndex *ix, const int *idx, int n, const MelParams *p,
                   char *err, size_t errlen);
/* The FSDD recordings folder: the data folder (find_data_dir: --data, $UNLEARN_DATA,
 * ../shared/datasets) then root/fsdd/recordings, root/recordings or root itself.
 * 0 or -1 with err. */
int fsdd_find_dir(const char *data_opt, char *out, size_t len, char *err, size_t errlen);
#endif
