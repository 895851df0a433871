/* checkpoint.c — a net on disk as safetensors: every tensor named as
 * net_tensors() names it, plus metadata "format_version" ("1"), "spec",
 * "classes", "modality" and one optional extra key.  Loading rebuilds the net
 * from the stored spec and refuses missing, unexpected or mis-shaped tensors
 * before touching any weights. */
#include "checkpoint.h"
#include "safetensors.h"
#include "escape.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CKPT_FORMAT_VERSION "1"
#define SETERR(...) do { if (err && errlen) snprintf(err, errlen, __VA_ARGS__); } while (0)

static void shape_str(char *buf, size_t len, const int64_t *shape, int ndim) {
    size_t at = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < ndim && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, i ? ",%lld" : "%lld", (long long)shape[i]);
    if (at < len) snprintf(buf + at, len - at, "]");
}

/* the net's tensors, malloc'd; NULL on allocation failure */
static NetTensor *tensors_of(Net *net, int *n) {
    int k = net_tensors(net, NULL, 0);
    NetTensor *t = calloc((size_t)(k ? k : 1), sizeof *t);
    if (!t) return NULL;
    *n = net_tensors(net, t, k);
    return t;
}

/* The spec as stored: the net's text with its input line replaced by the net's
 * actual input shape (net_parse keeps the original text even when the caller
 * overrode the input shape), or such a line prepended when the text has none.
 * So the stored spec alone rebuilds this exact net. */
static char *effective_spec(const Net *net) {
    const char *text = net->spec ? net->spec : "";
    char inl[96];
    snprintf(inl, sizeof inl, "input %d %d %d", net->in_c, net->in_h, net->in_w);
    const char *p = text, *line_start = NULL, *line_end = NULL;
    while (*p) {
        const char *eol = strchr(p, '\n');
        const char *end = eol ? eol : p + strlen(p);
        const char *q = p;
        while (q < end && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
        if (end - q >= 5 && strncmp(q, "input", 5) == 0 &&
            (q + 5 == end || q[5] == ' ' || q[5] == '\t' || q[5] == '\r' || q[5] == '#')) {
            line_start = p; line_end = end;
            break;
        }
        /* the first layer line ends the search: input must come before it */
        if (q < end && *q != '#') break;
        p = eol ? eol + 1 : end;
    }
    size_t tl = strlen(text), il = strlen(inl);
    char *out = malloc(tl + il + 2);
    if (!out) return NULL;
    if (line_start) {
        size_t pre = (size_t)(line_start - text);
        memcpy(out, text, pre);
        memcpy(out + pre, inl, il);
        strcpy(out + pre + il, line_end);
    } else {
        memcpy(out, inl, il);
        out[il] = '\n';
        strcpy(out + il + 1, text);
    }
    return out;
}

int checkpoint_save(const char *path, Net *net, const ClassMap *cm, const char *modality,
                    const char *extra_key, const char *extra_value, char *err, size_t errlen) {
    if (!net || !cm) { SETERR("%s: no net or class map to save", esc(path)); return -1; }
    if (cm->n_slots != net->n_classes) {
        SETERR("%s: the class list has %d classes but the net has %d outputs", esc(path), cm->n_slots, net->n_classes);
        return -1;
    }
    if (!modality) modality = "";
    if (strlen(modality) >= 32) { SETERR("%s: modality name '%s' is too long (max 31)", esc(path), esc(modality)); return -1; }
    static const char *reserved[] = { "format_version", "spec", "classes", "modality", NULL };
    if (extra_key) {
        for (const char **r = reserved; *r; r++)
            if (strcmp(extra_key, *r) == 0) { SETERR("%s: extra metadata key '%s' is reserved", esc(path), esc(extra_key)); return -1; }
        if (!*extra_key || strlen(extra_key) >= sizeof ((StMeta *)0)->key) {
            SETERR("%s: extra metadata key must be 1..%zu bytes", esc(path), sizeof ((StMeta *)0)->key - 1);
            return -1;
        }
    }
    net_sync_to_host(net);
    int n = 0;
    NetTensor *nt = tensors_of(net, &n);
    StTensor *st = calloc((size_t)(n ? n : 1), sizeof *st);
    char *spec = effective_spec(net);
    if (!nt || !st || !spec) { free(nt); free(st); free(spec); SETERR("%s: out of memory", esc(path)); return -1; }
    for (int i = 0; i < n; i++) {
        snprintf(st[i].name, sizeof st[i].name, "%s", nt[i].name);
        st[i].ndim = nt[i].ndim;
        for (int d = 0; d < nt[i].ndim; d++) st[i].shape[d] = nt[i].shape[d];
        st[i].data = nt[i].data;
        st[i].len = nt[i].len;
    }
    char classes[MAX_SLOTS * 12];
    classmap_format(cm, classes, sizeof classes);
    StMeta meta[5];
    memset(meta, 0, sizeof meta);
    int nm = 0;
    strcpy(meta[nm].key, "format_version"); meta[nm++].value = CKPT_FORMAT_VERSION;
    strcpy(meta[nm].key, "spec");           meta[nm++].value = spec;
    strcpy(meta[nm].key, "classes");        meta[nm++].value = classes;
    strcpy(meta[nm].key, "modality");       meta[nm++].value = (char *)modality;
    if (extra_key) {
        snprintf(meta[nm].key, sizeof meta[nm].key, "%s", extra_key);
        meta[nm++].value = (char *)(extra_value ? extra_value : "");
    }
    int rc = st_write(path, st, n, meta, nm, err, errlen);
    free(nt); free(st); free(spec);
    return rc;
}

/* Check that the file holds exactly the net's tensors with the net's shapes;
 * then copy them in.  Nothing is written to the net unless all of them match. */
static int fill_net(const char *path, const StFile *f, Net *net, char *err, size_t errlen) {
    int n = 0;
    NetTensor *nt = tensors_of(net, &n);
    if (!nt) { SETERR("%s: out of memory", esc(path)); return -1; }
    int rc = -1;
    for (int i = 0; i < n; i++) {
        const StTensor *t = st_find(f, nt[i].name);
        char want[128], have[128];
        shape_str(want, sizeof want, nt[i].shape, nt[i].ndim);
        if (!t) { SETERR("%s: tensor %s %s is missing", esc(path), esc(nt[i].name), want); goto out; }
        int same = t->ndim == nt[i].ndim && t->len == nt[i].len;
        for (int d = 0; same && d < t->ndim; d++) same = t->shape[d] == nt[i].shape[d];
        if (!same) {
            shape_str(have, sizeof have, t->shape, t->ndim);
            SETERR("%s: tensor %s has shape %s, the net expects %s", esc(path), esc(nt[i].name), have, want);
            goto out;
        }
    }
    if (f->nt != n) {
        for (int j = 0; j < f->nt; j++) {
            int found = 0;
            for (int i = 0; i < n && !found; i++) found = strcmp(f->t[j].name, nt[i].name) == 0;
            if (!found) { SETERR("%s: tensor %s is not part of the net", esc(path), esc(f->t[j].name)); goto out; }
        }
    }
    for (int i = 0; i < n; i++) {
        const StTensor *t = st_find(f, nt[i].name);
        if (t->len) memcpy(nt[i].data, t->data, t->len * sizeof(float));
    }
    net_sync_to_device(net);
    rc = 0;
out:
    free(nt);
    return rc;
}

/* Read the file and check the metadata common to both loaders. */
static int open_checkpoint(const char *path, StFile *f, ClassMap *cm, char *err, size_t errlen) {
    if (st_read(path, f, err, errlen)) return -1;
    const char *ver = st_meta(f, "format_version");
    const char *classes = st_meta(f, "classes");
    if (!ver) { SETERR("%s: not a model checkpoint (no format_version in its metadata)", esc(path)); goto fail; }
    if (strcmp(ver, CKPT_FORMAT_VERSION) != 0) {
        SETERR("%s: checkpoint format_version '%s' is not supported (this build reads %s)", esc(path), esc(ver), CKPT_FORMAT_VERSION);
        goto fail;
    }
    if (!st_meta(f, "spec")) { SETERR("%s: checkpoint has no net spec in its metadata", esc(path)); goto fail; }
    if (!classes) { SETERR("%s: checkpoint has no class list in its metadata", esc(path)); goto fail; }
    char cerr[256];
    if (classmap_parse(cm, classes, 0, cerr, sizeof cerr)) { SETERR("%s: class list in the metadata: %s", esc(path), cerr); goto fail; }
    return 0;
fail:
    st_free(f);
    return -1;
}

Net *checkpoint_load(const char *path, ClassMap *cm, char *modality, char *err, size_t errlen) {
    StFile f;
    ClassMap m;
    if (open_checkpoint(path, &f, &m, err, errlen)) return NULL;
    char src[1100];
    snprintf(src, sizeof src, "%s (stored spec)", path);
    char nerr[512];
    Net *net = net_parse(st_meta(&f, "spec"), src, 0, 0, 0, m.n_slots, nerr, sizeof nerr);
    if (!net) { SETERR("%s", nerr); st_free(&f); return NULL; }
    if (net->n_classes != m.n_slots) {
        SETERR("%s: the stored net has %d outputs but the class list has %d classes", esc(path), net->n_classes, m.n_slots);
        net_free(net); st_free(&f); return NULL;
    }
    if (fill_net(path, &f, net, err, errlen)) { net_free(net); st_free(&f); return NULL; }
    if (modality) {
        const char *mod = st_meta(&f, "modality");
        snprintf(modality, 32, "%s", mod ? mod : "");
    }
    if (cm) *cm = m;
    st_free(&f);
    return net;
}

int checkpoint_load_into(const char *path, Net *net, ClassMap *cm, char *err, size_t errlen) {
    StFile f;
    ClassMap m;
    if (open_checkpoint(path, &f, &m, err, errlen)) return -1;
    if (m.n_slots != net->n_classes) {
        SETERR("%s: the checkpoint has %d classes, the net has %d outputs", esc(path), m.n_slots, net->n_classes);
        st_free(&f); return -1;
    }
    int rc = fill_net(path, &f, net, err, errlen);
    if (rc == 0 && cm) *cm = m;
    st_free(&f);
    return rc;
}
