/* paths.c — where things are on disk: the datasets folder, the repository root, making folders (see paths.h). */
#include "paths.h"
#include "escape.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int dir_has(const char *dir, const char *sub) {
    char p[2 * PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", dir, sub);
    return access(p, R_OK) == 0;
}

int find_data_dir(const char *opt, const char *sub, char *out, size_t outlen, char *err, size_t errlen) {
    if (opt && *opt) {
        if (access(opt, R_OK) != 0) { snprintf(err, errlen, "%s: data directory does not exist", esc(opt)); return -1; }
        /* accept either the datasets root or the modality folder itself */
        if (dir_has(opt, sub)) { snprintf(out, outlen, "%s", opt); return 0; }
        snprintf(out, outlen, "%s", opt);
        return 0;
    }
    const char *env = getenv("UNLEARN_DATA");
    if (env && *env) {
        if (dir_has(env, sub)) { snprintf(out, outlen, "%s", env); return 0; }
        snprintf(err, errlen, "UNLEARN_DATA=%s has no %s/ folder", esc(env), sub);
        return -1;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            char cand[PATH_MAX + 32];
            snprintf(cand, sizeof cand, "%s/../../shared/datasets", exe);
            if (dir_has(cand, sub)) { snprintf(out, outlen, "%s", cand); return 0; }
            snprintf(cand, sizeof cand, "%s/../../../shared/datasets", exe);
            if (dir_has(cand, sub)) { snprintf(out, outlen, "%s", cand); return 0; }
        }
    }
    if (dir_has("../shared/datasets", sub)) { snprintf(out, outlen, "../shared/datasets"); return 0; }
    snprintf(err, errlen,
             "no data found: put the files in ../shared/datasets/%s (or pass --data DIR, or set UNLEARN_DATA; "
             "bin/unlearn-prep can fetch and check them)", sub);
    return -1;
}

int path_is_dir(const char *p) {
    struct stat st;
    return !stat(p, &st) && S_ISDIR(st.st_mode);
}

int mkdir_p(const char *dir, char *err, size_t errlen) {
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p) { snprintf(err, errlen, "%s: path too long", esc(dir)); return -1; }
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/') p[--n] = 0;
    for (char *s = p + 1; ; s++) {
        if (*s == '/' || *s == 0) {
            char c = *s;
            *s = 0;
            if (mkdir(p, 0777) && errno != EEXIST) {
                snprintf(err, errlen, "%s: cannot create folder (%s)", esc(p), strerror(errno));
                return -1;
            }
            *s = c;
            if (!c) break;
        }
    }
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) { snprintf(err, errlen, "%s: not a folder", esc(dir)); return -1; }
    return 0;
}

static int is_repo_root(const char *d) {
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/Makefile", d);
    if (access(p, R_OK)) return 0;
    snprintf(p, sizeof p, "%s/src/modality.h", d);
    return access(p, R_OK) == 0;
}

/* Walk up from start (a folder) looking for the repository root. */
static int find_root_from(const char *start, char *out, size_t len) {
    char d[PATH_MAX];
    if (!realpath(start, d)) return -1;
    for (int depth = 0; depth < 6; depth++) {
        if (is_repo_root(d)) { snprintf(out, len, "%s", d); return 0; }
        char *s = strrchr(d, '/');
        if (!s || s == d) break;
        *s = 0;
    }
    return -1;
}

int unlearn_repo_root(char *out, size_t len) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *s = strrchr(exe, '/');
        if (s) {
            *s = 0;
            if (!find_root_from(exe, out, len)) return 0;
        }
    }
    return find_root_from(".", out, len);
}

