/* atomic_file.c — temp file + fsync + rename + directory fsync. */
#include "atomic_file.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SETERR(...) do { if (err && errlen) snprintf(err, errlen, __VA_ARGS__); } while (0)

static unsigned long tmp_counter;

/* Test hook: UNLEARN_TEST_CRASH_AT=N kills the process with SIGKILL (as kill -9
 * would) when a save reaches step N:
 *   1 temp file created, nothing written     5 temp file closed, before rename
 *   2 data written (stdio buffer unflushed)  6 renamed, before the directory fsync
 *   3 flushed, before fsync                  7 done
 *   4 fsync'd, before close
 * Read on every call (cheap: a handful per save) so a forked child can set it. */
static void crash_point(int step) {
    const char *s = getenv("UNLEARN_TEST_CRASH_AT");
    if (s && *s && atoi(s) == step) kill(getpid(), SIGKILL);
}

/* Does name look like "<base>.tmp.<pid>.<n>" with both numbers decimal?  Writes the pid. */
static int stale_name(const char *name, const char *base, size_t blen, long *pid) {
    if (strncmp(name, base, blen) || strncmp(name + blen, ".tmp.", 5)) return 0;
    const char *p = name + blen + 5, *q = p;
    while (isdigit((unsigned char)*q)) q++;
    if (q == p || q - p > 9 || *q != '.') return 0;
    const char *r = q + 1, *t = r;
    while (isdigit((unsigned char)*t)) t++;
    if (t == r || *t) return 0;
    *pid = strtol(p, NULL, 10);
    return *pid > 0;
}

/* Remove "<path>.tmp.<pid>.<n>" files left by processes that no longer exist
 * (killed between creating the temp file and renaming it).  Files of live
 * processes, including this one, are left alone; a pid reused by an unrelated
 * live process keeps its file until a later write.  Best effort: errors are ignored. */
void atomic_clean_stale(const char *path) {
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t blen = strlen(base);
    if (!blen) return;
    char *dir = !slash ? strdup(".") : slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
    if (!dir) return;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            long pid;
            if (!stale_name(e->d_name, base, blen, &pid) || pid == (long)getpid()) continue;
            if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;   /* alive (or not ours to judge) */
            size_t n = strlen(dir) + strlen(e->d_name) + 2;
            char *full = malloc(n);
            if (!full) continue;
            snprintf(full, n, "%s/%s", dir, e->d_name);
            struct stat sb;
            if (lstat(full, &sb) == 0 && S_ISREG(sb.st_mode)) unlink(full);
            free(full);
        }
        closedir(d);
    }
    free(dir);
}

int atomic_open(AtomicFile *af, const char *path, char *err, size_t errlen) {
    memset(af, 0, sizeof *af);
    if (!path || !*path) { SETERR("atomic write: empty file name"); return -1; }
    size_t n = strlen(path);
    af->path = malloc(n + 1);
    af->tmp = malloc(n + 64);
    if (!af->path || !af->tmp) {
        free(af->path); free(af->tmp); memset(af, 0, sizeof *af);
        SETERR("%s: out of memory", path); return -1;
    }
    memcpy(af->path, path, n + 1);
    atomic_clean_stale(path);
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        unsigned long k = __atomic_fetch_add(&tmp_counter, 1, __ATOMIC_RELAXED);
        snprintf(af->tmp, n + 64, "%s.tmp.%ld.%lu", path, (long)getpid(), k);
        /* 0666 & ~umask, like fopen(.., "w") would give the target */
        fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        SETERR("%s: cannot create temporary file %s: %s", path, af->tmp, strerror(errno));
        free(af->path); free(af->tmp); memset(af, 0, sizeof *af);
        return -1;
    }
    af->fp = fdopen(fd, "wb");
    if (!af->fp) {
        SETERR("%s: fdopen: %s", path, strerror(errno));
        close(fd); unlink(af->tmp);
        free(af->path); free(af->tmp); memset(af, 0, sizeof *af);
        return -1;
    }
    crash_point(1);
    return 0;
}

void atomic_abort(AtomicFile *af) {
    if (af->fp) fclose(af->fp);
    if (af->tmp) unlink(af->tmp);
    free(af->path); free(af->tmp);
    memset(af, 0, sizeof *af);
}

static void fsync_parent_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    char *dir;
    if (!slash) dir = strdup(".");
    else if (slash == path) dir = strdup("/");
    else dir = strndup(path, (size_t)(slash - path));
    if (!dir) return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) { fsync(fd); close(fd); }  /* best effort: some filesystems refuse */
    free(dir);
}

int atomic_commit(AtomicFile *af, char *err, size_t errlen) {
    if (!af->fp) { SETERR("atomic write: file not open"); return -1; }
    int bad = ferror(af->fp);
    int e = 0;
    crash_point(2);
    if (!bad && fflush(af->fp) != 0) { bad = 1; e = errno; }
    crash_point(3);
    if (!bad && fsync(fileno(af->fp)) != 0) { bad = 1; e = errno; }
    crash_point(4);
    if (fclose(af->fp) != 0 && !bad) { bad = 1; e = errno; }
    crash_point(5);
    af->fp = NULL;
    if (bad) {
        if (e) SETERR("%s: write failed: %s", af->path, strerror(e));
        else SETERR("%s: write failed", af->path);
        atomic_abort(af);
        return -1;
    }
    if (rename(af->tmp, af->path) != 0) {
        SETERR("%s: cannot rename %s into place: %s", af->path, af->tmp, strerror(errno));
        atomic_abort(af);
        return -1;
    }
    crash_point(6);
    fsync_parent_dir(af->path);
    crash_point(7);
    free(af->path); free(af->tmp);
    memset(af, 0, sizeof *af);
    return 0;
}

int atomic_write(const char *path, const void *buf, size_t len, char *err, size_t errlen) {
    AtomicFile af;
    if (atomic_open(&af, path, err, errlen)) return -1;
    if (len && fwrite(buf, 1, len, af.fp) != len) {
        SETERR("%s: write failed: %s", path, strerror(errno));
        atomic_abort(&af);
        return -1;
    }
    return atomic_commit(&af, err, errlen);
}

int atomic_write_text(const char *path, const char *text, char *err, size_t errlen) {
    return atomic_write(path, text, text ? strlen(text) : 0, err, errlen);
}
