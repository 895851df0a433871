/* prep_download.c — download MNIST and FSDD with curl or wget, verifying every checksum (see prep_download.h). */
#include "prep_download.h"
#include "prep_run.h"
#include "prep_verify.h"
#include "prep_fmt.h"
#include "paths.h"
#include "md5.h"
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const mnist_mirrors[] = {
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
    NULL,
};

const char *const fsdd_release_url =
    "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz";

int prep_download(const char *url, const char *path, FILE *log, char *err, size_t errlen) {
    char tmp[PATH_MAX + 16], tool[PATH_MAX];
    prep_fmt(tmp, sizeof tmp, "%s.part", path);
    int rc;
    if (log) fprintf(log, "  downloading %s\n", url);
    if (!prep_which("curl", tool, sizeof tool)) {
        char *argv[] = {tool, "-fsSL", "--retry", "2", "--connect-timeout", "20", "-o", tmp, (char *)url, NULL};
        rc = prep_run(argv, 0);
    } else if (!prep_which("wget", tool, sizeof tool)) {
        char *argv[] = {tool, "-q", "--tries=2", "--timeout=20", "-O", tmp, (char *)url, NULL};
        rc = prep_run(argv, 0);
    } else {
        prep_fmt(err, errlen, "neither curl nor wget is installed (apt-get install curl), cannot download %s", url);
        return -1;
    }
    if (rc) {
        unlink(tmp);
        prep_fmt(err, errlen, "download of %s failed (exit status %d; offline?)", url, rc);
        return -1;
    }
    if (rename(tmp, path)) {
        prep_fmt(err, errlen, "%s: cannot rename into place (%s)", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int prep_fetch_mnist(const char *dir, const char *mirror, FILE *log, char *err, size_t errlen) {
    const char *one[2] = {mirror, NULL};
    const char *const *mirrors = mirror && *mirror ? one : mnist_mirrors;
    if (mkdir_p(dir, err, errlen)) return -1;
    MnistCheck st[MNIST_N_FILES];
    prep_check_mnist(dir, st);
    for (int i = 0; i < MNIST_N_FILES; i++) {
        if (st[i].status == MNIST_OK) continue;
        const MnistRef *r = &mnist_ref[i];
        if (st[i].status == MNIST_BAD) {
            /* keep the bad copy aside rather than deleting someone's file */
            char aside[PATH_MAX + 16];
            prep_fmt(aside, sizeof aside, "%s.corrupt", st[i].path);
            if (rename(st[i].path, aside)) {
                prep_fmt(err, errlen, "%s: cannot move the corrupted file aside (%s)", st[i].path, strerror(errno));
                return -1;
            }
            if (log) fprintf(log, "  moved the corrupted %s to %s\n", st[i].path, aside);
        }
        char dest[PATH_MAX + 64];
        prep_fmt(dest, sizeof dest, "%s/%s.gz", dir, r->stem);
        int done = 0;
        char last[1024] = "";
        for (int m = 0; mirrors[m] && !done; m++) {
            char url[PATH_MAX];
            size_t ml = strlen(mirrors[m]);
            prep_fmt(url, sizeof url, "%s%s%s.gz", mirrors[m], ml && mirrors[m][ml - 1] == '/' ? "" : "/", r->stem);
            if (prep_download(url, dest, log, last, sizeof last)) continue;
            char h[33];
            if (md5_file(dest, h, last, sizeof last)) { unlink(dest); continue; }
            if (strcmp(h, r->gz_md5)) {
                prep_fmt(last, sizeof last, "%s from %s: md5 %s, expected %s; deleted", dest, url, h, r->gz_md5);
                if (log) fprintf(log, "  %s\n", last);
                unlink(dest);
                continue;
            }
            if (log) fprintf(log, "  %s: md5 %s ok\n", dest, h);
            done = 1;
        }
        if (!done) { prep_fmt(err, errlen, "could not download %s.gz from any mirror (last: %s)", r->stem, last); return -1; }
    }
    return 0;
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}
static void rm_rf(const char *p) { nftw(p, rm_cb, 16, FTW_DEPTH | FTW_PHYS); }

int prep_fetch_fsdd(const char *root, const char *url, FILE *log, char *err, size_t errlen) {
    if (!url) url = fsdd_release_url;
    char fdir[PATH_MAX], arch[PATH_MAX + 32], unpack[PATH_MAX + 32], rec[PATH_MAX + 32];
    prep_fmt(fdir, sizeof fdir, "%s/fsdd", root);
    if (mkdir_p(fdir, err, errlen)) return -1;
    prep_fmt(rec, sizeof rec, "%s/recordings", fdir);
    if (path_is_dir(rec)) {
        FsddCheck c;
        char e2[512];
        if (!prep_check_fsdd(rec, &c, e2, sizeof e2) && c.complete) return 0;
        char aside[PATH_MAX + 64];
        prep_fmt(aside, sizeof aside, "%s.incomplete.%ld", rec, (long)getpid());
        if (rename(rec, aside)) { prep_fmt(err, errlen, "%s: cannot move the incomplete folder aside", rec); return -1; }
        if (log) fprintf(log, "  moved the incomplete %s to %s\n", rec, aside);
    }
    prep_fmt(arch, sizeof arch, "%s/fsdd-release.tar.gz", fdir);
    if (prep_download(url, arch, log, err, errlen)) return -1;
    prep_fmt(unpack, sizeof unpack, "%s/.unpack.%ld", fdir, (long)getpid());
    if (mkdir_p(unpack, err, errlen)) { unlink(arch); return -1; }
    char *argv[] = {"tar", "-xzf", arch, "-C", unpack, NULL};
    int rc = prep_run(argv, 0);
    unlink(arch);
    if (rc) { rm_rf(unpack); prep_fmt(err, errlen, "%s: could not unpack the FSDD archive (tar exit %d)", arch, rc); return -1; }
    /* the archive holds one top folder (free-spoken-digit-dataset-<tag>/) with recordings/ */
    DIR *d = opendir(unpack);
    char found[PATH_MAX + 300] = "", top[PATH_MAX + 300] = "";
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char cand[PATH_MAX + 300];
        prep_fmt(cand, sizeof cand, "%s/%s/recordings", unpack, de->d_name);
        if (path_is_dir(cand)) { prep_fmt(found, sizeof found, "%s", cand); prep_fmt(top, sizeof top, "%s/%s", unpack, de->d_name); break; }
    }
    if (d) closedir(d);
    if (!found[0]) { rm_rf(unpack); prep_fmt(err, errlen, "the FSDD archive from %s has no recordings/ folder", url); return -1; }
    if (rename(found, rec)) { rm_rf(unpack); prep_fmt(err, errlen, "%s: cannot move the recordings into place", rec); return -1; }
    const char *extra[] = {"README.md", "metadata.py"};
    for (int i = 0; i < 2; i++) {
        char a[PATH_MAX + 320], b[PATH_MAX + 32];
        prep_fmt(a, sizeof a, "%s/%s", top, extra[i]);
        prep_fmt(b, sizeof b, "%s/%s", fdir, extra[i]);
        if (access(b, F_OK)) (void)rename(a, b);
    }
    rm_rf(unpack);
    FsddCheck c;
    if (prep_check_fsdd(rec, &c, err, errlen)) return -1;
    if (!c.complete) { prep_fmt(err, errlen, "the downloaded FSDD in %s is not complete: %s", rec, c.problem); return -1; }
    char h[33];
    if (prep_fsdd_digest(rec, h, err, errlen)) return -1;
    if (log) {
        if (!strcmp(h, fsdd_reference_digest)) fprintf(log, "  %s: 3000 recordings, content digest %s ok\n", rec, h);
        else fprintf(log, "  %s: 3000 recordings; warning: content digest %s differs from the reference %s "
                     "(another release of FSDD?)\n", rec, h, fsdd_reference_digest);
    }
    return 0;
}
