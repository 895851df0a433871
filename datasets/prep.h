/* prep.h — dataset preparation: find, verify, download, synthesise.
 * Library code for bin/unlearn-prep (datasets/prep_main.c) and its tests.
 * Nothing here calls exit(); messages go to the FILE* given or into err.
 *
 * MNIST: the four IDX files, checked against their published MD5s (of the
 *   gzipped files; for files stored uncompressed, the MD5 of the uncompressed
 *   bytes, derived from the verified originals).
 * FSDD: {digit}_{speaker}_{take}.wav, 6 speakers x 10 digits x takes 0..49 =
 *   3000 recordings; a content digest (MD5 over the sorted "name md5" lines of
 *   every WAV) identifies the exact release.
 * Downloads run curl (or wget) through fork/exec, never a shell. */
#ifndef PREP_H
#define PREP_H
#include <limits.h>
#include <stdio.h>
#include "fsdd.h"

/* ---- MNIST ------------------------------------------------------------ */
#define MNIST_N_FILES 4
typedef struct {
    const char *stem;       /* "train-images-idx3-ubyte" */
    long gz_bytes;
    const char *gz_md5;     /* published md5 of <stem>.gz */
    long raw_bytes;
    const char *raw_md5;    /* md5 of the uncompressed file */
} MnistRef;
extern const MnistRef mnist_ref[MNIST_N_FILES];

enum { MNIST_OK = 0, MNIST_MISSING = 1, MNIST_BAD = 2 };
typedef struct {
    int status;             /* MNIST_OK / MNIST_MISSING / MNIST_BAD */
    char path[PATH_MAX];    /* the file found (empty when missing) */
    char md5[33];           /* its md5 ("" when missing) */
    long bytes;
    char msg[PATH_MAX + 256]; /* one line: "<path>: ok" / why it is refused */
} MnistCheck;

/* Verify the four files in dir (the folder holding them).  Returns the number
 * of files that are missing or bad (0: all verified). */
int prep_check_mnist(const char *dir, MnistCheck out[MNIST_N_FILES]);

/* ---- FSDD ------------------------------------------------------------- */
#define FSDD_EXPECTED_FILES 3000
#define FSDD_EXPECTED_SPEAKERS 6
#define FSDD_EXPECTED_TAKES 50
#define FSDD_MAX_SPEAKERS 64
/* Content digest of the reference copy (the 6-speaker, 3000-recording
 * release), computed by prep_fsdd_digest. */
extern const char *const fsdd_reference_digest;

typedef struct {
    int n;                  /* FSDD-named WAVs */
    int n_other;            /* other entries (not FSDD names; dot files ignored) */
    char other_example[256];
    int n_speakers;
    char speakers[FSDD_MAX_SPEAKERS][FSDD_SPEAKER_MAX];
    int count[FSDD_MAX_SPEAKERS][10];   /* recordings per speaker and digit */
    int max_take;
    int n_train, n_test;    /* upstream split */
    int complete;           /* 1: exactly 3000 = 6 x 10 x takes 0..49 and nothing else */
    char problem[512];      /* first problem when not complete */
} FsddCheck;

/* Count and check the recordings in recdir.  0 (see c->complete), or -1 with
 * err when the folder cannot be read / holds no FSDD files. */
int prep_check_fsdd(const char *recdir, FsddCheck *c, char *err, size_t errlen);
/* The content digest of recdir's FSDD WAVs (32 hex).  0 or -1 with err. */
int prep_fsdd_digest(const char *recdir, char hex[33], char *err, size_t errlen);

/* ---- locating --------------------------------------------------------- */
/* Where the data is, or where a download should go: --data, $UNLEARN_DATA, then
 * ../shared/datasets next to the binary's repository and the working directory
 * (find_data_dir).  For MNIST the folder holding the files is written to out
 * (root/mnist, or root itself when --data names the MNIST folder); for FSDD the
 * recordings folder (root/fsdd/recordings, root/recordings or root). */
int prep_find_mnist(const char *data_opt, char *out, size_t len, char *err, size_t errlen);
int prep_find_fsdd(const char *data_opt, char *out, size_t len, char *err, size_t errlen);
/* The root a download goes to: --data, else $UNLEARN_DATA, else
 * <repository>/../shared/datasets (where the CLIs look), else ./datasets. */
void prep_download_root(const char *data_opt, char *out, size_t len);

/* ---- subprocesses ----------------------------------------------------- */
/* Run argv[0] (looked up in PATH) with fork/execvp and wait.  quiet: stdout and
 * stderr go to /dev/null.  Returns the exit status, 127 if it could not be
 * started, 128+signal if killed. */
int prep_run(char *const argv[], int quiet);
/* Full path of an executable in PATH (or the path itself if it contains '/'),
 * or -1 when absent. */
int prep_which(const char *prog, char *out, size_t len);

/* ---- downloading ------------------------------------------------------ */
/* Fetch url to path (via a temp file, renamed when complete) with curl or wget.
 * 0 or -1 with err. */
int prep_download(const char *url, const char *path, FILE *log, char *err, size_t errlen);
/* Download the missing or bad MNIST files into dir from mirror (a URL ending
 * in '/'; NULL: the known mirrors in turn), verifying every md5; a download
 * whose md5 does not match is deleted and the next mirror tried; a corrupted
 * local file is first moved aside to <name>.corrupt.  0 or -1 with err. */
int prep_fetch_mnist(const char *dir, const char *mirror, FILE *log, char *err, size_t errlen);
/* Download the FSDD release archive, unpack it (tar via fork/exec) and move its
 * recordings to root/fsdd/recordings, then check count, naming and digest.
 * url NULL: the default release.  0 or -1 with err. */
int prep_fetch_fsdd(const char *root, const char *url, FILE *log, char *err, size_t errlen);
extern const char *const mnist_mirrors[];
extern const char *const fsdd_release_url;

/* ---- synthesis -------------------------------------------------------- */
typedef struct {
    const char *espeak;         /* espeak-ng executable (NULL: "espeak-ng" in PATH) */
    const char *out_dir;        /* where the WAVs go (created) */
    const char *const *voices;  /* NULL-terminated; NULL: synth_default_voices */
    const char *const *variants;/* NULL-terminated, "" = the voice's own; NULL: synth_default_variants */
    const int *digits; int n_digits;   /* NULL: 0..9 */
    int takes;                  /* pitch/speed settings per voice+variant, 1..9 (0: 9) */
    int sr;                     /* output rate [8000] */
    int jobs;                   /* parallel espeak-ng processes (0: 2) */
} SynthOptions;
extern const char *const synth_default_voices[];   /* 8 native English voices */
extern const char *const synth_default_variants[]; /* "", "m3", "f2", "f4" */
extern const char *const synth_words[10];          /* "zero" .. "nine" */
/* take t -> espeak-ng pitch (-p, 0..99) and speed (-s, words per minute) */
void synth_take_setting(int take, int *pitch, int *speed);
/* Speaker name for voice+variant: "tts-<voice>[-<variant>]". */
void synth_speaker_name(const char *voice, const char *variant, char *out, size_t len);

/* Synthesise every voice x variant x digit x take into out_dir as
 * {digit}_{speaker}_{take}.wav: espeak-ng writes a 22.05 kHz WAV, which is
 * trimmed of leading/trailing silence (below -40 dB of the peak, 10 ms kept),
 * resampled to sr with libsamplerate (SRC_SINC_BEST_QUALITY), peak-normalised
 * to 0.9 and written as 16-bit PCM without dither.  Existing files are
 * regenerated.  Returns the number of files written, or -1 with err (espeak-ng
 * missing: the message says how to install it). */
int prep_synth(const SynthOptions *o, FILE *log, char *err, size_t errlen);
#endif
