/* prep_main.c — bin/unlearn-prep: find or download the datasets, verify them,
 * cache the speech features, synthesise extra spoken digits. */
#include "cli.h"
#include "featcache.h"
#include "fsdd.h"
#include "idx.h"
#include "prep.h"
#include "speech_modality.h"
#include "mnist_modality.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define PROG "unlearn-prep"

static void usage(FILE *f) {
    fprintf(f,
            "usage: " PROG " COMMAND [options]\n\n"
            "Prepare the datasets of the unlearning engine: MNIST (four IDX files) and FSDD\n"
            "(3000 spoken-digit WAVs).\n\n"
            "commands:\n"
            "  check      find MNIST and FSDD, verify them (MNIST md5s; FSDD count, naming,\n"
            "             content digest) and report what was found; never downloads\n"
            "  fetch      like check, but download what is missing or corrupted (MNIST mirrors,\n"
            "             the FSDD GitHub release), verifying every checksum\n"
            "  features   compute the FSDD log-mel features into the cache once; later runs\n"
            "             reuse it (a cache made with other parameters is rebuilt, saying so)\n"
            "  synth      synthesise extra spoken digits with espeak-ng, FSDD-named, 8 kHz\n"
            "  all        fetch, then features\n\n"
            "The data folder is searched in this order: --data DIR, $UNLEARN_DATA,\n"
            "../shared/datasets (next to the repository, and from the working directory).\n"
            "It holds mnist/ (the four IDX files) and fsdd/recordings/ (the WAVs).\n\n"
            "'" PROG " COMMAND --help' shows each command's options.\n");
    fputs(CLI_EXIT_HELP, f);
}

/* ---- check / fetch ------------------------------------------------------ */

static void place_instructions(FILE *f, const char *data_opt, int mnist, int fsdd) {
    char root[PATH_MAX];
    prep_download_root(data_opt, root, sizeof root);
    if (mnist) {
        fprintf(f, "MNIST: place these four files (from http://yann.lecun.com/exdb/mnist/ or a mirror such as %s)\n"
                "  in %s/mnist/:\n", mnist_mirrors[0], root);
        for (int i = 0; i < MNIST_N_FILES; i++)
            fprintf(f, "    %s.gz  (%ld bytes, md5 %s)\n", mnist_ref[i].stem, mnist_ref[i].gz_bytes, mnist_ref[i].gz_md5);
    }
    if (fsdd) {
        fprintf(f, "FSDD: place the 3000 recordings {digit}_{speaker}_{take}.wav (the recordings/ folder of\n"
                "  https://github.com/Jakobovski/free-spoken-digit-dataset, release archive %s)\n"
                "  in %s/fsdd/recordings/\n", fsdd_release_url, root);
    }
    fprintf(f, "(or pass --data DIR, or set UNLEARN_DATA, to use another folder; '" PROG " fetch' downloads them when online)\n");
}

static int report_mnist(const char *dir) {
    MnistCheck st[MNIST_N_FILES];
    int bad = prep_check_mnist(dir, st);
    printf("MNIST in %s:\n", dir);
    for (int i = 0; i < MNIST_N_FILES; i++) {
        if (st[i].status == MNIST_OK) printf("  ok       %-30s %9ld bytes  md5 %s\n", strrchr(st[i].path, '/') + 1,
                                            st[i].bytes, st[i].md5);
        else if (st[i].status == MNIST_MISSING) printf("  MISSING  %s\n", st[i].msg);
        else {
            printf("  BAD      %s\n", st[i].msg);
            fprintf(stderr, PROG ": %s\n", st[i].msg);
        }
    }
    if (bad) return bad;
    for (int t = 0; t < 2; t++) {
        uint8_t *lab = NULL;
        int n = 0;
        char err[512];
        if (idx_read_labels(st[t ? 3 : 1].path, &lab, &n, err, sizeof err)) {
            printf("  BAD      %s\n", err);
            return 1;
        }
        long cnt[10] = {0};
        for (int i = 0; i < n; i++) if (lab[i] < 10) cnt[lab[i]]++;
        free(lab);
        printf("  %-5s %5d:", t ? "test" : "train", n);
        for (int k = 0; k < 10; k++) printf(" %d:%ld", k, cnt[k]);
        printf("\n");
    }
    printf("  all four md5s match the published values\n");
    return 0;
}

static int report_fsdd(const char *rec) {
    FsddCheck c;
    char err[1024], hex[33];
    if (prep_check_fsdd(rec, &c, err, sizeof err)) {
        printf("FSDD in %s:\n  MISSING  %s\n", rec, err);
        return 1;
    }
    printf("FSDD in %s: %d recordings, %d speakers, takes 0..%d\n", rec, c.n, c.n_speakers, c.max_take);
    printf("  %-12s", "speaker");
    for (int k = 0; k < 10; k++) printf(" %4d", k);
    printf("  total\n");
    int col[10] = {0};
    for (int s = 0; s < c.n_speakers; s++) {
        int tot = 0;
        printf("  %-12s", c.speakers[s]);
        for (int k = 0; k < 10; k++) { printf(" %4d", c.count[s][k]); tot += c.count[s][k]; col[k] += c.count[s][k]; }
        printf("  %5d\n", tot);
    }
    printf("  %-12s", "total");
    for (int k = 0; k < 10; k++) printf(" %4d", col[k]);
    printf("  %5d\n", c.n);
    printf("  upstream split: %d train (takes %d+) / %d test (takes 0-%d); held-out speaker: ~%d train / ~%d test\n",
           c.n_train, FSDD_TEST_TAKES, c.n_test, FSDD_TEST_TAKES - 1, c.n_speakers ? c.n - c.n / c.n_speakers : 0,
           c.n_speakers ? c.n / c.n_speakers : 0);
    int rc = 0;
    if (c.complete) printf("  count and naming ok (%d = %d speakers x 10 digits x %d takes)\n", FSDD_EXPECTED_FILES,
                           FSDD_EXPECTED_SPEAKERS, FSDD_EXPECTED_TAKES);
    else {
        printf("  INCOMPLETE: %s\n", c.problem);
        fprintf(stderr, PROG ": FSDD in %s: %s\n", rec, c.problem);
        rc = 1;
    }
    if (prep_fsdd_digest(rec, hex, err, sizeof err)) {
        printf("  BAD      %s\n", err);
        return 1;
    }
    if (!strcmp(hex, fsdd_reference_digest)) printf("  content digest %s: identical to the reference release\n", hex);
    else printf("  content digest %s: differs from the reference release (%s)%s\n", hex, fsdd_reference_digest,
                c.complete ? "; counts and names are right, so it is usable" : "");
    return rc;
}

static int cmd_check(int argc, char **argv, int fetch) {
    CliOpt o[] = {{"data", 1, 0}, {"only", 1, 0}, {"offline", 0, 0}, {"fsdd-url", 1, 0}, {"mnist-mirror", 1, 0},
                  {"help", 0, 0}, {0, 0, 0}};
    char err[1024];
    const char *name = fetch ? "fetch" : "check";
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, PROG " %s: %s\n", name, err); return 2; }
    if (cli_flag(o, "help")) {
        printf("usage: " PROG " %s [--data DIR] [--only mnist|fsdd]%s\n\n%s\n\n"
               "  --data DIR      datasets folder (default: $UNLEARN_DATA, then ../shared/datasets)\n"
               "  --only WHICH    mnist or fsdd (default both)\n%s"
               "Exit status 0 when everything checked is present and verified, 1 otherwise, 2 for a usage error.\n",
               name, fetch ? " [--offline] [--mnist-mirror URL] [--fsdd-url URL]" : "",
               fetch ? "Find MNIST and FSDD; download what is missing or corrupted from the public mirrors\n"
                       "(MNIST: the mirrors below, md5-verified; FSDD: the GitHub release archive, unpacked\n"
                       "with tar and checked by count, naming and content digest)."
                     : "Find MNIST and FSDD, verify them and report what was found.  Never downloads\n"
                       "(see 'fetch').",
               fetch ? "  --offline       do not download (also UNLEARN_OFFLINE=1)\n"
                       "  --mnist-mirror URL  fetch the MNIST .gz files from URL<name>.gz (any URL curl\n"
                       "                  or wget reads, file:// included) instead of the known mirrors\n"
                       "  --fsdd-url URL  FSDD release archive (.tar.gz) to download\n" : "");
        if (fetch) for (int i = 0; mnist_mirrors[i]; i++) printf("  MNIST mirror: %s\n", mnist_mirrors[i]);
        return 0;
    }
    const char *only = cli_str(o, "only", NULL);
    if (only && strcmp(only, "mnist") && strcmp(only, "fsdd")) {
        fprintf(stderr, PROG " %s: --only must be mnist or fsdd, not '%s'\n", name, only);
        return 2;
    }
    const char *data = cli_str(o, "data", NULL);
    const char *env_off = getenv("UNLEARN_OFFLINE");
    int offline = cli_flag(o, "offline") || (env_off && *env_off && strcmp(env_off, "0"));
    int do_mnist = !only || !strcmp(only, "mnist"), do_fsdd = !only || !strcmp(only, "fsdd");
    int bad = 0, need_mnist = 0, need_fsdd = 0;
    char dir[PATH_MAX + 32];
    if (do_mnist) {
        MnistCheck st[MNIST_N_FILES];
        int found = !mnist_find_dir(data, dir, sizeof dir, err, sizeof err);
        if (found && fetch && prep_check_mnist(dir, st) && !offline) {
            int all_missing = 1;
            for (int i = 0; i < MNIST_N_FILES; i++) if (st[i].status != MNIST_MISSING) all_missing = 0;
            size_t dl = strlen(dir);
            if (all_missing && (dl < 6 || strcmp(dir + dl - 6, "/mnist")) && dl + 7 < sizeof dir)
                strcat(dir, "/mnist");    /* a bare data root: download into its mnist/ folder */
            printf("MNIST in %s is incomplete or corrupted; downloading the missing files\n", dir);
            if (prep_fetch_mnist(dir, cli_str(o, "mnist-mirror", NULL), stdout, err, sizeof err)) fprintf(stderr, PROG " fetch: %s\n", err);
        }
        if (!found && fetch && !offline) {
            char root[PATH_MAX];
            prep_download_root(data, root, sizeof root);
            snprintf(dir, sizeof dir, "%s/mnist", root);
            printf("MNIST not found; downloading into %s\n", dir);
            if (prep_fetch_mnist(dir, cli_str(o, "mnist-mirror", NULL), stdout, err, sizeof err)) {
                fprintf(stderr, PROG " fetch: %s\n", err);
                need_mnist = 1;
            } else found = 1;
        }
        if (found) {
            int b = report_mnist(dir);
            bad += b;
            int all_missing = 1;
            prep_check_mnist(dir, st);
            for (int i = 0; i < MNIST_N_FILES; i++) if (st[i].status != MNIST_MISSING) all_missing = 0;
            if (all_missing) need_mnist = 1;
        } else {
            printf("MNIST: not found (%s)\n", err);
            need_mnist = 1;
            bad++;
        }
    }
    if (do_fsdd) {
        int found = !fsdd_find_dir(data, dir, sizeof dir, err, sizeof err);
        FsddCheck c;
        char e2[512];
        int ok = found && !prep_check_fsdd(dir, &c, e2, sizeof e2) && c.complete;
        if (!ok && fetch && !offline) {
            char root[PATH_MAX];
            prep_download_root(data, root, sizeof root);
            printf("FSDD %s; downloading the release into %s/fsdd/recordings\n", found ? "incomplete" : "not found", root);
            if (prep_fetch_fsdd(root, cli_str(o, "fsdd-url", NULL), stdout, err, sizeof err)) {
                fprintf(stderr, PROG " fetch: %s\n", err);
            } else {
                snprintf(dir, sizeof dir, "%s/fsdd/recordings", root);
                found = 1;
            }
        }
        if (found) {
            if (report_fsdd(dir)) { bad++; if (prep_check_fsdd(dir, &c, e2, sizeof e2)) need_fsdd = 1; }
        } else {
            printf("FSDD: not found (%s)\n", err);
            need_fsdd = 1;
            bad++;
        }
    }
    if (need_mnist || need_fsdd) {
        printf("\n");
        place_instructions(stdout, data, need_mnist, need_fsdd);
        if (!fetch) printf("or run '" PROG " fetch' to download them\n");
    }
    if (bad) fprintf(stderr, PROG " %s: problems found (see above)\n", name);
    else printf("everything verified\n");
    return bad ? 1 : 0;
}

/* ---- features ----------------------------------------------------------- */

static int mel_opts(const CliOpt *o, MelParams *p, char *err, size_t errlen) {
    long v;
    speech_mel_params(p);
    if (cli_int(o, "n-mels", p->n_mels, 1, 512, &v, err, errlen)) return -1;
    p->n_mels = (int)v;
    if (cli_int(o, "frames", p->frames, 1, 100000, &v, err, errlen)) return -1;
    p->frames = (int)v;
    if (cli_int(o, "hop", p->hop, 1, 100000, &v, err, errlen)) return -1;
    p->hop = (int)v;
    if (cli_int(o, "n-fft", p->n_fft, 8, 1 << 16, &v, err, errlen)) return -1;
    p->n_fft = (int)v;
    return 0;
}

static int cmd_features(int argc, char **argv) {
    CliOpt o[] = {{"data", 1, 0}, {"cache", 1, 0}, {"recordings", 1, 0}, {"name", 1, 0}, {"rebuild", 0, 0},
                  {"strict", 0, 0}, {"n-mels", 1, 0}, {"frames", 1, 0}, {"hop", 1, 0}, {"n-fft", 1, 0},
                  {"help", 0, 0}, {0, 0, 0}};
    char err[2048];
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, PROG " features: %s\n", err); return 2; }
    if (cli_flag(o, "help")) {
        MelParams p;
        char ps[1024], cd[PATH_MAX];
        speech_mel_params(&p);
        mel_params_string(&p, ps, sizeof ps);
        featcache_default_dir(cd, sizeof cd);
        printf("usage: " PROG " features [options]\n\n"
               "Compute the log-mel features of every recording once into the cache: NAME.features.bin\n"
               "(float32) and NAME.manifest.csv (file, digit, speaker, take, split, bytes, with the\n"
               "feature parameters).  A second run reuses the cache; a cache made with other\n"
               "parameters, or for other recordings, is rebuilt (saying why) or, with --strict, refused.\n"
               "speech-unlearn reads the same cache.\n\n"
               "  --data DIR        datasets folder (default: $UNLEARN_DATA, then ../shared/datasets)\n"
               "  --recordings DIR  featurise this folder of {digit}_{speaker}_{take}.wav instead of FSDD\n"
               "                    (e.g. the output of 'synth')\n"
               "  --name NAME       cache name (default fsdd; 'synth' is a good name for synthesised data)\n"
               "  --cache DIR       cache folder (default %s; $UNLEARN_CACHE overrides)\n"
               "  --rebuild         recompute even when the cache is valid\n"
               "  --strict          refuse (exit 1) rather than rebuild a cache that does not match\n"
               "  --n-mels N --frames N --hop N --n-fft N   feature parameters (default: the speech\n"
               "                    modality's, %d %d %d %d)\n\n"
               "default parameters: %s\n",
               cd, p.n_mels, p.frames, p.hop, p.n_fft, ps);
        fputs(CLI_EXIT_HELP, stdout);
        return 0;
    }
    MelParams p;
    if (mel_opts(o, &p, err, sizeof err)) { fprintf(stderr, PROG " features: %s\n", err); return 2; }
    const char *name = cli_str(o, "name", "fsdd");
    for (const char *c = name; *c; c++)
        if (!(*c == '-' || *c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')) ||
            c - name > 64) {
            fprintf(stderr, PROG " features: --name must be letters, digits, '-' or '_' (at most 64)\n");
            return 2;
        }
    char rec[PATH_MAX];
    const char *r = cli_str(o, "recordings", NULL);
    if (r) snprintf(rec, sizeof rec, "%s", r);
    else if (fsdd_find_dir(cli_str(o, "data", NULL), rec, sizeof rec, err, sizeof err)) {
        fprintf(stderr, PROG " features: %s\n", err);
        return 1;
    }
    int flags = (cli_flag(o, "strict") ? FEATCACHE_REFUSE : 0) | (cli_flag(o, "rebuild") ? FEATCACHE_FORCE : 0) |
                FEATCACHE_MUST_WRITE;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    FeatSet fs;
    if (featcache_get(rec, cli_str(o, "cache", NULL), name, &p, flags, stdout, &fs, err, sizeof err)) {
        fprintf(stderr, PROG " features: %s\n", err);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    int per[10] = {0};
    for (int i = 0; i < fs.ix.n; i++) per[fs.ix.digit[i]]++;
    printf("%d recordings of %d speakers from %s -> [%d][1][%d][%d] features in %.2f s (%s)\n", fs.ix.n,
           fs.ix.n_speakers, rec, fs.ix.n, p.n_mels, p.frames, secs,
           fs.reused ? "reused" : fs.written ? "computed and cached" : "computed, NOT cached");
    printf("  per digit:");
    for (int k = 0; k < 10; k++) printf(" %d:%d", k, per[k]);
    printf("\n  cache: %s\n         %s\n", fs.bin_path, fs.manifest_path);
    int rc = fs.reused || fs.written ? 0 : 1;
    featset_free(&fs);
    return rc;
}

/* ---- synth -------------------------------------------------------------- */

/* Split a comma list into a NULL-terminated array of strings (in place in buf);
 * "none" or an empty item stands for "" (a voice's own variant). */
static int split_list(char *buf, const char **out, int max) {
    int n = 0;
    char *s = buf;
    while (n < max - 1) {
        char *c = strchr(s, ',');
        if (c) *c = 0;
        out[n++] = !strcmp(s, "none") ? "" : s;
        if (!c) break;
        s = c + 1;
    }
    out[n] = NULL;
    return n;
}

static int cmd_synth(int argc, char **argv) {
    CliOpt o[] = {{"out", 1, 0}, {"voices", 1, 0}, {"variants", 1, 0}, {"digits", 1, 0}, {"takes", 1, 0},
                  {"jobs", 1, 0}, {"espeak", 1, 0}, {"sr", 1, 0}, {"help", 0, 0}, {0, 0, 0}};
    char err[2048], def_out[PATH_MAX + 32];
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, PROG " synth: %s\n", err); return 2; }
    char cd[PATH_MAX];
    featcache_default_dir(cd, sizeof cd);
    snprintf(def_out, sizeof def_out, "%s/synth/recordings", cd);
    if (cli_flag(o, "help")) {
        printf("usage: " PROG " synth [options]\n\n"
               "Synthesise spoken digits (\"zero\" .. \"nine\") with espeak-ng: every voice x variant x digit\n"
               "x take, a take being one (pitch, speed) setting of a fixed 3x3 grid (pitch 35/50/65,\n"
               "145/175/205 words per minute).  espeak-ng's 22.05 kHz output is trimmed of silence,\n"
               "resampled to 8 kHz with libsamplerate (best sinc, no dither), peak-normalised and\n"
               "written as 16-bit WAV named like FSDD: {digit}_tts-{voice}[-{variant}]_{take}.wav,\n"
               "so the same loader and 'features --recordings DIR --name synth' read them.\n"
               "The output is the same on every run with the same espeak-ng.\n\n"
               "  --out DIR         output folder (default %s)\n"
               "  --voices LIST     espeak-ng voices (default the 8 native English ones:\n"
               "                    ",
               def_out);
        for (int i = 0; synth_default_voices[i]; i++) printf("%s%s", i ? "," : "", synth_default_voices[i]);
        printf(")\n  --variants LIST   voice variants from espeak-ng-data/voices/!v; 'none' = the voice's own\n"
               "                    (default none,m3,f2,f4)\n"
               "  --digits LIST     digits to say (default 0,1,...,9)\n"
               "  --takes N         pitch/speed settings per voice and variant, 1..9 (default 9)\n"
               "  --jobs N          espeak-ng processes at once (default 2)\n"
               "  --espeak PATH     the espeak-ng program (default: espeak-ng in PATH)\n"
               "  --sr HZ           output sample rate (default 8000, FSDD's)\n\n"
               "Default: 8 voices x 4 variants x 10 digits x 9 takes = 2880 recordings.\n%s", CLI_EXIT_HELP);
        return 0;
    }
    long takes, jobs, sr;
    if (cli_int(o, "takes", 9, 1, 9, &takes, err, sizeof err) || cli_int(o, "jobs", 2, 1, 64, &jobs, err, sizeof err) ||
        cli_int(o, "sr", 8000, 1000, 192000, &sr, err, sizeof err)) {
        fprintf(stderr, PROG " synth: %s\n", err);
        return 2;
    }
    SynthOptions so;
    memset(&so, 0, sizeof so);
    so.espeak = cli_str(o, "espeak", NULL);
    so.out_dir = cli_str(o, "out", def_out);
    so.takes = (int)takes;
    so.jobs = (int)jobs;
    so.sr = (int)sr;
    char vbuf[2048], varbuf[2048];
    const char *voices[64], *variants[64];
    if (cli_str(o, "voices", NULL)) {
        snprintf(vbuf, sizeof vbuf, "%s", cli_str(o, "voices", NULL));
        split_list(vbuf, voices, 64);
        so.voices = voices;
    }
    if (cli_str(o, "variants", NULL)) {
        snprintf(varbuf, sizeof varbuf, "%s", cli_str(o, "variants", NULL));
        split_list(varbuf, variants, 64);
        so.variants = variants;
    }
    int digits[10];
    if (cli_str(o, "digits", NULL)) {
        int n = cli_int_list(cli_str(o, "digits", NULL), digits, 10);
        if (n <= 0) { fprintf(stderr, PROG " synth: --digits must be a comma-separated list of digits 0..9\n"); return 2; }
        so.digits = digits;
        so.n_digits = n;
    }
    int n = prep_synth(&so, stdout, err, sizeof err);
    if (n < 0) { fprintf(stderr, PROG " synth: %s\n", err); return 1; }
    printf("wrote %d recordings to %s\n", n, so.out_dir);
    printf("featurise them with: " PROG " features --recordings %s --name synth\n", so.out_dir);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "check")) return cmd_check(argc, argv, 0);
    if (!strcmp(cmd, "fetch")) return cmd_check(argc, argv, 1);
    if (!strcmp(cmd, "features")) return cmd_features(argc, argv);
    if (!strcmp(cmd, "synth")) return cmd_synth(argc, argv);
    if (!strcmp(cmd, "all")) {
        /* fetch (with the data options), then features (with the cache options) */
        CliOpt o[] = {{"data", 1, 0}, {"cache", 1, 0}, {"offline", 0, 0}, {"help", 0, 0}, {0, 0, 0}};
        char err[512];
        if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, PROG " all: %s\n", err); return 2; }
        if (cli_flag(o, "help")) {
            printf("usage: " PROG " all [--data DIR] [--cache DIR] [--offline]\n\nfetch, then features.\n%s", CLI_EXIT_HELP);
            return 0;
        }
        char *fa[8], *ca[8];
        int nf = 0, nc = 0;
        fa[nf++] = argv[0]; fa[nf++] = "fetch";
        ca[nc++] = argv[0]; ca[nc++] = "features";
        if (cli_str(o, "data", NULL)) {
            fa[nf++] = "--data"; fa[nf++] = (char *)cli_str(o, "data", NULL);
            ca[nc++] = "--data"; ca[nc++] = (char *)cli_str(o, "data", NULL);
        }
        if (cli_flag(o, "offline")) fa[nf++] = "--offline";
        if (cli_str(o, "cache", NULL)) { ca[nc++] = "--cache"; ca[nc++] = (char *)cli_str(o, "cache", NULL); }
        fa[nf] = ca[nc] = NULL;
        int rc = cmd_check(nf, fa, 1);
        if (rc) return rc;
        return cmd_features(nc, ca);
    }
    fprintf(stderr, PROG ": unknown command '%s' (commands: check, fetch, features, synth, all; see --help)\n", cmd);
    return 2;
}
