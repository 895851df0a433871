/* wav.c — reading audio files for the speech modality with libsndfile and libsamplerate (see wav.h). */
#include "wav.h"
#include "escape.h"
#include "wav_pcm16.h"
#include <sndfile.h>
#include <samplerate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <math.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

static uint32_t rd_le32(const unsigned char *b) {
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Bytes [pos, pos+n) of a file, from memory or from a FILE *: 0, or -1 past its end. */
typedef int (*ReadAt)(void *src, uint64_t pos, unsigned char *dst, size_t n);

/* For a RIFF/WAVE file of fsize bytes: find the "data" chunk and compare its declared size
 * with the bytes present.  Returns 1 if truncated (declared/avail filled in), else 0
 * (including "not a plain RIFF file", which we leave to libsndfile). */
static int wav_truncated(ReadAt rd, void *src, uint64_t fsize, uint64_t *declared, uint64_t *avail) {
    unsigned char h[12];
    if (rd(src, 0, h, 12) || memcmp(h, "RIFF", 4) || memcmp(h + 8, "WAVE", 4)) return 0;
    uint64_t pos = 12;
    while (pos + 8 <= fsize) {
        unsigned char c[8];
        if (rd(src, pos, c, 8)) return 0;
        uint32_t sz = rd_le32(c + 4);
        if (!memcmp(c, "data", 4)) {
            uint64_t have = fsize - (pos + 8);
            /* 0 and 0xFFFFFFFF: "length unknown" left by streaming writers */
            if (sz != 0 && sz != 0xFFFFFFFFu && (uint64_t)sz > have) {
                *declared = sz; *avail = have;
                return 1;
            }
            return 0;
        }
        pos += 8 + (uint64_t)sz + (sz & 1);   /* chunks are word aligned */
    }
    return 0;
}

static int file_read_at(void *src, uint64_t pos, unsigned char *dst, size_t n) {
    FILE *f = src;
    return pos > (uint64_t)LONG_MAX || fseek(f, (long)pos, SEEK_SET) || fread(dst, 1, n, f) != n ? -1 : 0;
}

/* the truncation check of a file opened by path (not held in memory) */
static int wav_file_truncated(const char *path, uint64_t *declared, uint64_t *avail) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    int res = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long fsize = ftell(f);
        if (fsize >= 0) res = wav_truncated(file_read_at, f, (uint64_t)fsize, declared, avail);
    }
    fclose(f);
    return res;
}

/* ---- the whole file in memory, read with one system call, given to libsndfile as virtual I/O
 * (libsndfile's own file I/O issues a read or a seek per header field: most of the cost of a
 * short clip under a hypervisor) ---- */
#define WAV_SLURP_MAX ((off_t)64 << 20)   /* larger files (and pipes) go through sf_open */

typedef struct { unsigned char *p; sf_count_t len, pos; } MemFile;

static sf_count_t mem_len(void *u) { return ((MemFile *)u)->len; }
static sf_count_t mem_tell(void *u) { return ((MemFile *)u)->pos; }
static sf_count_t mem_seek(sf_count_t off, int whence, void *u) {
    MemFile *m = u;
    sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->pos : m->len;
    if (off < -base || base + off > m->len) return -1;
    m->pos = base + off;
    return m->pos;
}
static sf_count_t mem_read(void *dst, sf_count_t n, void *u) {
    MemFile *m = u;
    if (n > m->len - m->pos) n = m->len - m->pos;
    if (n <= 0) return 0;
    memcpy(dst, m->p + m->pos, (size_t)n);
    m->pos += n;
    return n;
}
static sf_count_t mem_write(const void *src, sf_count_t n, void *u) { (void)src; (void)n; (void)u; return 0; }
static int mem_read_at(void *src, uint64_t pos, unsigned char *dst, size_t n) {
    MemFile *m = src;
    if (pos > (uint64_t)m->len || n > (uint64_t)m->len - pos) return -1;
    memcpy(dst, m->p + pos, n);
    return 0;
}

/* 0: m holds the whole of the regular file at path (m->p malloc'd); -1: not a regular file, too large or
 * unreadable (the caller then lets sf_open decide and word the error). */
static int slurp(const char *path, MemFile *m) {
    memset(m, 0, sizeof *m);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > WAV_SLURP_MAX) { close(fd); return -1; }
    m->p = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
    size_t got = 0;
    while (m->p && got < (size_t)st.st_size) {
        ssize_t r = read(fd, m->p + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (!m->p || got != (size_t)st.st_size) { free(m->p); m->p = NULL; return -1; }
    m->len = (sf_count_t)got;
    return 0;
}

int wav_resample(const float *x, int n, double ratio, int quality,
                 float **out, int *n_out, char *err, size_t errlen) {
    *out = NULL; *n_out = 0;
    if (n <= 0 || !(ratio > 0)) { snprintf(err, errlen, "resample: bad input (n=%d ratio=%g)", n, ratio); return -1; }
    long cap = (long)ceil(n * ratio) + 64;
    float *y = malloc(sizeof(float) * (size_t)cap);
    if (!y) { snprintf(err, errlen, "resample: out of memory"); return -1; }
    SRC_DATA d;
    memset(&d, 0, sizeof d);
    d.data_in = x; d.input_frames = n;
    d.data_out = y; d.output_frames = cap;
    d.src_ratio = ratio; d.end_of_input = 1;
    int e = src_simple(&d, quality, 1);
    if (e) { free(y); snprintf(err, errlen, "resample: %s", src_strerror(e)); return -1; }
    *out = y; *n_out = (int)d.output_frames_gen;
    return 0;
}

static void close_all(SNDFILE *sf, MemFile *m) {
    sf_close(sf);
    free(m->p);
    m->p = NULL;
}

/* Decodes with libsndfile: the file's bytes in *mf when slurped (mf->p != NULL; freed here), else
 * by path.  Mixes to mono after refusing out-of-range samples.  0, or -1 with err. */
static int read_sndfile(const char *path, MemFile *mf, float **mono_out, int *n_out, int *sr_out, int *ch_out,
                        char *err, size_t errlen) {
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SF_VIRTUAL_IO vio = {mem_len, mem_seek, mem_read, mem_write, mem_tell};
    SNDFILE *sf = NULL;
    if (mf->p) {
        sf = sf_open_virtual(&vio, SFM_READ, &info, mf);
        if (!sf) { free(mf->p); mf->p = NULL; memset(&info, 0, sizeof info); }
    }
    if (!sf) sf = sf_open(path, SFM_READ, &info);  /* pipes, huge files, formats known by extension */
    if (!sf) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
            snprintf(err, errlen, "%s: empty file (0 bytes), not audio", esc(path));
        else
            snprintf(err, errlen, "%s: not a readable audio file (%s)", esc(path), esc(sf_strerror(NULL)));
        return -1;
    }
    int major = info.format & SF_FORMAT_TYPEMASK;
    uint64_t declared = 0, avail = 0;
    int cut = 0;
    if (major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX) {
        cut = mf->p ? wav_truncated(mem_read_at, mf, (uint64_t)mf->len, &declared, &avail)
                    : wav_file_truncated(path, &declared, &avail);
    }
    if (cut) {
        close_all(sf, mf);
        snprintf(err, errlen, "%s: truncated WAV: data chunk declares %llu bytes, file holds %llu",
                 esc(path), (unsigned long long)declared, (unsigned long long)avail);
        return -1;
    }
    if (info.channels < 1 || info.samplerate < 1) {
        close_all(sf, mf);
        snprintf(err, errlen, "%s: bad header (%d channels, %d Hz)", esc(path), info.channels, info.samplerate);
        return -1;
    }
    if (info.frames <= 0) {
        close_all(sf, mf);
        snprintf(err, errlen, "%s: no audio frames", esc(path));
        return -1;
    }
    if (info.frames > ((sf_count_t)1 << 28) / info.channels) {   /* 1 GiB of float samples */
        close_all(sf, mf);
        snprintf(err, errlen, "%s: too long (%lld frames x %d channels)", esc(path), (long long)info.frames, info.channels);
        return -1;
    }
    int ch = info.channels;
    size_t nfr = (size_t)info.frames;
    float *buf = malloc(sizeof(float) * nfr * (size_t)ch);
    float *mono = ch == 1 ? buf : malloc(sizeof(float) * nfr);
    if (!buf || !mono) {
        free(buf); if (mono != buf) free(mono); close_all(sf, mf);
        snprintf(err, errlen, "%s: out of memory", esc(path));
        return -1;
    }
    sf_count_t got = sf_readf_float(sf, buf, (sf_count_t)nfr);
    close_all(sf, mf);
    if (got <= 0) {
        free(buf); if (mono != buf) free(mono);
        snprintf(err, errlen, "%s: no audio frames could be read", esc(path));
        return -1;
    }
    int n = (int)got;
    /* the documented range: refuse the whole file rather than clip (see wav.h) */
    for (size_t i = 0; i < (size_t)n * (size_t)ch; i++) {
        float v = buf[i];
        if (!isfinite(v) || v < -WAV_MAX_ABS || v > WAV_MAX_ABS) {
            free(buf); if (mono != buf) free(mono);
            snprintf(err, errlen, "%s: sample %zu%s is %g, outside [-1, 1]: refusing the recording",
                     esc(path), i / (size_t)ch, ch > 1 ? (i % ch ? " (a later channel)" : " (channel 1)") : "", (double)v);
            return -1;
        }
    }
    if (ch > 1) {
        float inv = 1.0f / (float)ch;
        for (int i = 0; i < n; i++) {
            float s = 0;
            for (int c = 0; c < ch; c++) s += buf[(size_t)i * ch + c];
            mono[i] = s * inv;
        }
        free(buf);
    }
    *mono_out = mono; *n_out = n; *sr_out = info.samplerate; *ch_out = ch;
    return 0;
}

int wav_read(const char *path, int target_sr, float **out, int *n_out, int *sr_out,
             char *err, size_t errlen) {
    *out = NULL; *n_out = 0;
    MemFile mf;
    float *mono = NULL;
    int n = 0, sr = 0, ch = 1, fast = 0;
    if (slurp(path, &mf) == 0) {
        fast = wav_pcm16_decode(mf.p, (size_t)mf.len, &mono, &n, &sr);   /* the plainest WAV, directly */
        if (fast) { free(mf.p); mf.p = NULL; }
        if (fast < 0) { snprintf(err, errlen, "%s: out of memory", esc(path)); return -1; }
    }
    if (!fast && read_sndfile(path, &mf, &mono, &n, &sr, &ch, err, errlen)) return -1;
    int loud = 0;
    for (int i = 0; i < n; i++) if (fabsf(mono[i]) >= WAV_SILENCE_THRESHOLD) { loud = 1; break; }
    if (!loud) {
        free(mono);
        snprintf(err, errlen, "%s: silent (every sample |x| < %g%s)", esc(path),
                 (double)WAV_SILENCE_THRESHOLD, ch > 1 ? " after mixing to mono" : "");
        return -1;
    }
    if (target_sr > 0 && target_sr != sr) {
        float *y; int ny; char e2[256];
        if (wav_resample(mono, n, (double)target_sr / sr, SRC_SINC_BEST_QUALITY, &y, &ny, e2, sizeof e2)) {
            free(mono);
            snprintf(err, errlen, "%s: %s", esc(path), e2);
            return -1;
        }
        free(mono);
        mono = y; n = ny; sr = target_sr;
        if (n <= 0) {
            free(mono);
            snprintf(err, errlen, "%s: too short to resample", esc(path));
            return -1;
        }
    }
    *out = mono; *n_out = n;
    if (sr_out) *sr_out = sr;
    return 0;
}

int wav_write(const char *path, const float *x, int n, int channels, int sr, int format,
              char *err, size_t errlen) {
    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = sr;
    info.channels = channels < 1 ? 1 : channels;
    info.format = format ? format : (SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    if (!sf_format_check(&info)) { snprintf(err, errlen, "%s: unsupported output format 0x%x", esc(path), info.format); return -1; }
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    if (!sf) { snprintf(err, errlen, "%s: cannot write (%s)", esc(path), sf_strerror(NULL)); return -1; }
    sf_command(sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
    sf_count_t w = n > 0 ? sf_writef_float(sf, x, n) : 0;
    int rc = sf_close(sf);
    if (w != n || rc) { snprintf(err, errlen, "%s: short write", esc(path)); return -1; }
    return 0;
}
