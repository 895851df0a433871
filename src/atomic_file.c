/* atomic_file.c — temp file + fsync + rename + directory fsync. */
#include "atomic_file.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SETERR(...) do { if (err && errlen) snprintf(err, errlen, __VA_ARGS__); } while (0)

static unsigned long tmp_counter;

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
    if (!bad && fflush(af->fp) != 0) { bad = 1; e = errno; }
    if (!bad && fsync(fileno(af->fp)) != 0) { bad = 1; e = errno; }
    if (fclose(af->fp) != 0 && !bad) { bad = 1; e = errno; }
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
    fsync_parent_dir(af->path);
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
