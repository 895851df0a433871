/* atomic_file.h — never leave a half-written file: write to a temporary file in
 * the same directory, flush + fsync it, rename it over the target, fsync the
 * directory.  A crash leaves either the old file or the new one (and at worst a
 * stray "<path>.tmp.<pid>.<n>" file), never a truncated target.  Such strays
 * are removed by the next atomic_open of the same target: every
 * "<path>.tmp.<pid>.<n>" whose pid is no longer a live process is unlinked.
 * Test hook: UNLEARN_TEST_CRASH_AT=N (1..7, see atomic_file.c) kills the
 * process with SIGKILL at step N of a save (tests/test_crash_safety.c).
 *
 * One-shot:   atomic_write(path, buf, len, err, errlen)
 * Streaming:  AtomicFile af; if (atomic_open(&af, path, err, errlen)) ...;
 *             fprintf(af.fp, ...);            // any stdio writes
 *             if (atomic_commit(&af, err, errlen)) ...;   // or atomic_abort(&af)
 * atomic_commit checks every stdio error that happened on af.fp, so callers may
 * write without checking each call.  All functions return 0 or -1 with one line
 * in err naming the path. */
#ifndef ATOMIC_FILE_H
#define ATOMIC_FILE_H
#include <stddef.h>
#include <stdio.h>

typedef struct {
    FILE *fp;        /* write here */
    char *path;      /* final name (owned) */
    char *tmp;       /* temporary name (owned) */
} AtomicFile;

/* Remove the "<path>.tmp.<pid>.<n>" files of processes that no longer exist (atomic_open does this
 * for its target; callers that stage a file under such a name and rename it call it for the target). */
void atomic_clean_stale(const char *path);
int atomic_open(AtomicFile *af, const char *path, char *err, size_t errlen);
/* Flush, fsync, close, rename over path, fsync the directory.  Frees af's
 * resources whether it succeeds or not (on failure the temp file is removed). */
int atomic_commit(AtomicFile *af, char *err, size_t errlen);
/* Close and delete the temp file; the target is untouched. */
void atomic_abort(AtomicFile *af);

int atomic_write(const char *path, const void *buf, size_t len, char *err, size_t errlen);
/* Convenience for text (results JSON/CSV): writes strlen(text) bytes. */
int atomic_write_text(const char *path, const char *text, char *err, size_t errlen);
#endif
