/* voice_folder.c — read a user's folder of FSDD-named recordings, refusing any bad entry (see voice_folder.h). */
#include "voice_folder.h"
#include "escape.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The folder's non-dot entry names, sorted (malloc'd).  Count, or -1 with err. */
static int list_names(const char *dir, char ***out, char *err, size_t errlen) {
    DIR *d = opendir(dir);
    if (!d) { snprintf(err, errlen, "%s: cannot open the folder", esc(dir)); return -1; }
    char **v = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            char **nv = realloc(v, sizeof(char *) * (size_t)(cap = cap ? 2 * cap : 64));
            if (!nv) break;
            v = nv;
        }
        if (!(v[n] = strdup(e->d_name))) break;
        n++;
    }
    int oom = e != NULL;
    closedir(d);
    if (oom) { while (n) free(v[--n]); free(v); snprintf(err, errlen, "out of memory"); return -1; }
    if (n > 1) qsort(v, (size_t)n, sizeof *v, cmp_str);   /* v is NULL for an empty folder */
    *out = v;
    return n;
}

/* The name and file-type rules for entry `name` of dir.  0 or -1 with err. */
static int check_entry(const char *dir, const char *name, char *err, size_t errlen) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FsddName nm;
    struct stat st;
    if (fsdd_parse_name(name, &nm)) {
        snprintf(err, errlen, "%s: not named {digit}_{speaker}_{take}.wav (digit 0-9, speaker of letters, "
                 "digits and '-', take a number)", esc(path));
        return -1;
    }
    if (stat(path, &st) || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", esc(path));
        return -1;
    }
    return 0;
}

int voice_folder_read(const char *dir, double max_seconds, VoiceClips *c, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    char **names;
    int n = list_names(dir, &names, err, errlen), rc = n < 0 ? -1 : 0;
    if (n == 0) { snprintf(err, errlen, "%s: no recordings in the folder", esc(dir)); rc = -1; }
    for (int i = 0; i < n && !rc; i++) rc = check_entry(dir, names[i], err, errlen);
    for (int i = 0; i < n; i++) free(names[i]);
    if (n >= 0) free(names);
    if (rc || voice_clips_read(dir, c, err, errlen)) return -1;
    for (int i = 0; i < c->ix.n; i++)
        if (c->len[i] > max_seconds * 8000) {
            snprintf(err, errlen, "%s: %.1f s long; a spoken digit is at most %g s (cut it or split it)",
                     esc(c->ix.path[i]), c->len[i] / 8000.0, max_seconds);
            voice_clips_free(c);
            return -1;
        }
    return 0;
}
