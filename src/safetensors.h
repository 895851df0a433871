/* safetensors.h — read/write the safetensors format: 8-byte little-endian header
 * length N, N bytes of JSON header {"name": {"dtype":"F32","shape":[..],
 * "data_offsets":[begin,end]}, ..., "__metadata__": {"key":"string",...}},
 * then the raw little-endian tensor bytes.  Writes are atomic: temp file in the
 * same directory, fsync, rename.  Only F32 tensors are written; readers reject
 * anything malformed with a message naming the file and the problem. */
#ifndef SAFETENSORS_H
#define SAFETENSORS_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char name[128];
    int ndim;
    int64_t shape[8];
    const float *data;   /* writer: points at caller memory; reader: into the loaded blob */
    size_t len;          /* number of floats (st_read_any: number of elements) */
    char dtype[12];      /* reader: the header's dtype ("F32", "F16", ...); the writer ignores it */
} StTensor;

typedef struct {
    char key[64];
    char *value;         /* owned (reader) / borrowed (writer) */
} StMeta;

/* Write atomically. Returns 0, or -1 with a message in err. */
int st_write(const char *path, const StTensor *t, int nt, const StMeta *meta, int nm,
             char *err, size_t errlen);

typedef struct {
    void *blob;          /* whole file */
    size_t blob_len;
    StTensor *t; int nt;
    StMeta *meta; int nm;
} StFile;
/* Read and validate (header JSON well-formed, offsets in range and contiguous,
 * dtype F32, shape product matches byte length).  0 or -1 with err. */
int st_read(const char *path, StFile *f, char *err, size_t errlen);
/* The same checks, but any dtype the format defines is accepted: each tensor's
 * dtype is in t->dtype, t->data points at its raw little-endian bytes (not
 * byte-swapped, whatever the host) and t->len counts elements.  For importers
 * that convert or refuse dtypes themselves, tensor by tensor. */
int st_read_any(const char *path, StFile *f, char *err, size_t errlen);
void st_free(StFile *f);
const StTensor *st_find(const StFile *f, const char *name);
const char *st_meta(const StFile *f, const char *key);
#endif
