/* prep_verify.h — verify the datasets: MNIST against its published md5s, FSDD by count, naming and content digest. */
#ifndef PREP_VERIFY_H
#define PREP_VERIFY_H
#include <limits.h>
#include <stddef.h>
#include "fsdd.h"
/* MNIST: the four IDX files, checked against their published MD5s (of the
 * gzipped files; for files stored uncompressed, the MD5 of the uncompressed
 * bytes, derived from the verified originals).
 * FSDD: {digit}_{speaker}_{take}.wav, 6 speakers x 10 digits x takes 0..49 =
 *   3000 recordings; a content digest (MD5 over the sorted "name md5" lines of
 *   every WAV) identifies the exact release. */
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
#endif
