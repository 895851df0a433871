/* prep_verify.c — verify the datasets: MNIST md5s, FSDD count, naming and content digest (see prep_verify.h). */
#include "prep_verify.h"
#include "prep_fmt.h"
#include "paths.h"
#include "idx.h"
#include "md5.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Published md5s of the gzipped files (LeCun et al.); the raw md5s are those of
 * the decompressed bytes of these exact files. */
const MnistRef mnist_ref[MNIST_N_FILES] = {
    {"train-images-idx3-ubyte", 9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873", 47040016, "6bbc9ace898e44ae57da46a324031adb"},
    {"train-labels-idx1-ubyte", 28881, "d53e105ee54ea40749a09fcbcd1e9432", 60008, "a25bea736e30d166cdddb491f175f624"},
    {"t10k-images-idx3-ubyte", 1648877, "9fb629c4189551a2d022fa330f9573f3", 7840016, "2646ac647ad5339dbf082846283269ea"},
    {"t10k-labels-idx1-ubyte", 4542, "ec29112dd5afa0611ce80d1b7f02629c", 10008, "27ae3e4e09519cfbb04c329615203637"},
};

static int ends_with(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static long fsize(const char *p) {
    struct stat st;
    return stat(p, &st) ? -1 : (long)st.st_size;
}

int prep_check_mnist(const char *dir, MnistCheck out[MNIST_N_FILES]) {
    int bad = 0;
    for (int i = 0; i < MNIST_N_FILES; i++) {
        MnistCheck *c = &out[i];
        const MnistRef *r = &mnist_ref[i];
        memset(c, 0, sizeof *c);
        if (mnist_find_file(dir, r->stem, c->path, sizeof c->path)) {
            c->path[0] = 0;
            c->status = MNIST_MISSING;
            prep_fmt(c->msg, sizeof c->msg, "%s/%s.gz: missing", dir, r->stem);
            bad++;
            continue;
        }
        char err[PATH_MAX + 64];
        c->bytes = fsize(c->path);
        if (md5_file(c->path, c->md5, err, sizeof err)) {
            c->status = MNIST_BAD;
            prep_fmt(c->msg, sizeof c->msg, "%s", err);
            bad++;
            continue;
        }
        int gz = ends_with(c->path, ".gz");
        const char *want = gz ? r->gz_md5 : r->raw_md5;
        long want_bytes = gz ? r->gz_bytes : r->raw_bytes;
        if (strcmp(c->md5, want)) {
            c->status = MNIST_BAD;
            prep_fmt(c->msg, sizeof c->msg,
                     "%s: REFUSED: md5 %s does not match the published %s (%ld bytes, expected %ld): corrupted or "
                     "incomplete ('unlearn-prep fetch' replaces it)",
                     c->path, c->md5, want, c->bytes, want_bytes);
            bad++;
        } else {
            c->status = MNIST_OK;
            prep_fmt(c->msg, sizeof c->msg, "%s: md5 %s ok", c->path, c->md5);
        }
    }
    return bad;
}

/* MD5 over "<name> <md5>\n" of every FSDD WAV in (digit, speaker, take) order,
 * computed with prep_fsdd_digest from the project's reference copy (the
 * 6-speaker, 3000-recording release in ../shared/datasets/fsdd). */
const char *const fsdd_reference_digest = "0bafb556c9fb2ebf1f53dc15e0a180c1";

int prep_check_fsdd(const char *recdir, FsddCheck *c, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    c->max_take = -1;
    DIR *d = opendir(recdir);
    if (!d) { prep_fmt(err, errlen, "%s: cannot open the FSDD recordings folder (%s)", recdir, strerror(errno)); return -1; }
    uint64_t seen[FSDD_MAX_SPEAKERS][10]; /* takes 0..63 seen, per speaker and digit */
    memset(seen, 0, sizeof seen);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        FsddName nm;
        if (fsdd_parse_name(de->d_name, &nm)) {
            if (!c->n_other++) prep_fmt(c->other_example, sizeof c->other_example, "%s", de->d_name);
            continue;
        }
        int s;
        for (s = 0; s < c->n_speakers; s++) if (!strcmp(c->speakers[s], nm.speaker)) break;
        if (s == c->n_speakers) {
            if (s == FSDD_MAX_SPEAKERS) {
                if (!c->problem[0]) prep_fmt(c->problem, sizeof c->problem, "more than %d speakers", FSDD_MAX_SPEAKERS);
                c->n++;
                continue;
            }
            prep_fmt(c->speakers[s], FSDD_SPEAKER_MAX, "%s", nm.speaker);
            c->n_speakers++;
        }
        c->n++;
        c->count[s][nm.digit]++;
        if (nm.take > c->max_take) c->max_take = nm.take;
        if (nm.take < FSDD_TEST_TAKES) c->n_test++; else c->n_train++;
        if (nm.take >= FSDD_EXPECTED_TAKES) {
            if (!c->problem[0])
                prep_fmt(c->problem, sizeof c->problem, "%s: take %d is outside 0..%d", de->d_name, nm.take,
                         FSDD_EXPECTED_TAKES - 1);
        } else if (seen[s][nm.digit] >> nm.take & 1) {
            if (!c->problem[0])
                prep_fmt(c->problem, sizeof c->problem, "%s: digit %d, speaker %s, take %d appears twice", de->d_name,
                         nm.digit, nm.speaker, nm.take);
        } else seen[s][nm.digit] |= (uint64_t)1 << nm.take;
    }
    closedir(d);
    if (c->n == 0) {
        prep_fmt(err, errlen, "%s: no FSDD recordings ({digit}_{speaker}_{take}.wav) found", recdir);
        return -1;
    }
    /* speakers in alphabetical order (like fsdd_scan) */
    for (int i = 1; i < c->n_speakers; i++)
        for (int j = i; j > 0 && strcmp(c->speakers[j - 1], c->speakers[j]) > 0; j--) {
            char t[FSDD_SPEAKER_MAX];
            int tc[10];
            memcpy(t, c->speakers[j], sizeof t); memcpy(c->speakers[j], c->speakers[j - 1], sizeof t);
            memcpy(c->speakers[j - 1], t, sizeof t);
            memcpy(tc, c->count[j], sizeof tc); memcpy(c->count[j], c->count[j - 1], sizeof tc);
            memcpy(c->count[j - 1], tc, sizeof tc);
        }
    if (!c->problem[0] && c->n_other)
        prep_fmt(c->problem, sizeof c->problem, "%d file(s) not named {digit}_{speaker}_{take}.wav (e.g. '%s')",
                 c->n_other, c->other_example);
    if (!c->problem[0] && c->n != FSDD_EXPECTED_FILES)
        prep_fmt(c->problem, sizeof c->problem, "%d recordings, expected %d", c->n, FSDD_EXPECTED_FILES);
    if (!c->problem[0] && c->n_speakers != FSDD_EXPECTED_SPEAKERS)
        prep_fmt(c->problem, sizeof c->problem, "%d speakers, expected %d", c->n_speakers, FSDD_EXPECTED_SPEAKERS);
    for (int s = 0; s < c->n_speakers && !c->problem[0]; s++)
        for (int k = 0; k < 10; k++)
            if (c->count[s][k] != FSDD_EXPECTED_TAKES) {
                prep_fmt(c->problem, sizeof c->problem, "speaker %s has %d recordings of digit %d, expected %d",
                         c->speakers[s], c->count[s][k], k, FSDD_EXPECTED_TAKES);
                break;
            }
    c->complete = !c->problem[0];
    return 0;
}

int prep_fsdd_digest(const char *recdir, char hex[33], char *err, size_t errlen) {
    FsddIndex ix;
    if (fsdd_scan(recdir, &ix, err, errlen)) return -1;
    Md5 all;
    md5_init(&all);
    int rc = 0;
    for (int i = 0; i < ix.n; i++) {
        char h[33], line[512];
        if (md5_file(ix.path[i], h, err, errlen)) { rc = -1; break; }
        const char *b = strrchr(ix.path[i], '/');
        int n = prep_fmt(line, sizeof line, "%s %s\n", b ? b + 1 : ix.path[i], h);
        md5_update(&all, line, (size_t)n);
    }
    fsdd_index_free(&ix);
    if (rc) return -1;
    uint8_t dg[16];
    md5_final(&all, dg);
    md5_hex(dg, hex);
    return 0;
}
