/* featcache.h — log-mel features of a folder of FSDD-named recordings, computed
 * once and kept on disk.  Used by `unlearn-prep features` and by the speech
 * modality's loader (which computes the cache when it is missing).
 *
 * A cache is two files in the cache folder, written atomically (atomic_file.h):
 *   <name>.features.bin    text header then raw float32 little-endian features:
 *                            UNLFEAT1
 *                            params: <mel_params_string>
 *                            build: <32 hex digits>
 *                            shape: N C H W
 *                            dtype: float32-le
 *                            end
 *                            <N*C*H*W floats, in manifest order>
 *   <name>.manifest.csv    '#' lines with the same params / build / shape, then
 *                            file,digit,speaker,take,split,bytes
 *                          one row per recording (split = the upstream split,
 *                          train or test; bytes = the WAV's size).
 *
 * The cache is reused only when everything matches: the feature parameters
 * string (so features made with other parameters are NEVER reused silently),
 * the build id shared by the two files, the shape and file length, and the
 * recordings themselves (same names in the same order, same sizes).  Otherwise
 * it is rebuilt, saying why, or (FEATCACHE_REFUSE) refused with that reason.
 */
#ifndef FEATCACHE_H
#define FEATCACHE_H
#include <limits.h>
#include <stdio.h>
#include "dataset.h"
#include "fsdd.h"
#include "melspec.h"
#include "paths.h"

/* flags for featcache_get */
enum {
    FEATCACHE_REBUILD = 0,      /* default: rebuild a cache that does not match, saying why */
    FEATCACHE_REFUSE = 1,       /* refuse (return -1 with the reason) instead of rebuilding */
    FEATCACHE_FORCE = 2,        /* recompute even when the cache is valid */
    FEATCACHE_MUST_WRITE = 8,   /* a cache that cannot be written is an error (-1 with the reason),
                                   not a warning with the features kept in memory */
    FEATCACHE_QUIET = 4,        /* log only rebuilds of a cache that did not match (not "reusing
                                 * cache" nor the first build) */
};

typedef struct {
    FsddIndex ix;        /* the recordings (fsdd_scan order) */
    Dataset *all;        /* [ix.n][1][n_mels][frames], y = digit, group = speaker index */
    int reused;          /* 1: features read from the cache */
    int written;         /* 1: the cache was (re)written by this call */
    char why[768];       /* why an existing cache was not reused ("" if none existed or it was reused) */
    char bin_path[PATH_MAX], manifest_path[PATH_MAX];
} FeatSet;

/* Scan rec_dir (fsdd_scan), then reuse or (re)build cache_dir/<name>.{features.bin,
 * manifest.csv}.  cache_dir NULL: featcache_default_dir().  When the cache folder
 * cannot be written the features are still returned (written = 0) and a warning
 * goes to log.  log (may be NULL) gets one line about what happened
 * ("reusing cache ...", "computing ...", "... rebuilding").  0 or -1 with err. */
int featcache_get(const char *rec_dir, const char *cache_dir, const char *name, const MelParams *p,
                  int flags, FILE *log, FeatSet *fs, char *err, size_t errlen);
void featset_free(FeatSet *fs);

/* Check an existing cache against p and rec_dir without computing anything.
 * Returns 1 if it would be reused, 0 if not (reason in why), -1 if none exists. */
int featcache_check(const char *rec_dir, const char *cache_dir, const char *name, const MelParams *p,
                    char *why, size_t whylen);

/* The default cache folder: $UNLEARN_CACHE, else "cache" in the repository root
 * (the folder holding Makefile and src/modality.h, searched upward from the
 * executable, then from the working directory), else ./cache. */
void featcache_default_dir(char *out, size_t len);
#endif
