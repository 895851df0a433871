/* prep_download.h — download MNIST (mirrors, md5-verified) and the FSDD release (unpacked, count and digest checked). */
#ifndef PREP_DOWNLOAD_H
#define PREP_DOWNLOAD_H
#include <stdio.h>
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
#endif
