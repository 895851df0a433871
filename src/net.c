/* net.c — parse a network spec, own its flat buffers, run forward/backward by
 * calling the layer pairs of layers.h (CPU) or the CUDA twin (kernels/). */
#include "net.h"
#include "shape_math.h"
#include "escape.h"
#include "layers.h"
#include "../kernels/cuda_backend.h"
#include <ctype.h>
#include <omp.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n, size_t sz) {
    void *p = calloc(n ? n : 1, sz);
    if (!p) { fprintf(stderr, "out of memory (%zu bytes)\n", n * sz); exit(1); }
    return p;
}

static int fail(char *err, size_t errlen, const char *src, int line, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (err && errlen) {
        if (line > 0) snprintf(err, errlen, "%s:%d: %s", esc(src), line, msg);
        else snprintf(err, errlen, "%s: %s", esc(src), msg);
    }
    return -1;
}

/* ---- spec parsing ---- */

typedef struct { char key[32]; char val[32]; } Opt;

/* Split a line into words; returns count. Words are copied into w[][64]. */
static int split_words(const char *line, char w[][64], int max) {
    int n = 0;
    const char *p = line;
    while (*p && n < max) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p) break;
        int k = 0;
        while (*p && !isspace((unsigned char)*p)) {
            if (k < 63) w[n][k++] = *p;
            p++;
        }
        w[n][k] = 0;
        n++;
    }
    return n;
}

static int parse_int(const char *s, int *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < -1000000 || v > 100000000) return -1;
    *out = (int)v;
    return 0;
}

static int parse_float(const char *s, float *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v)) return -1;
    *out = (float)v;
    return 0;
}

/* Known option keys per layer type; anything else is an error. */
static const char *allowed_keys(LayerType t) {
    switch (t) {
    case LAYER_CONV2D: return " k stride pad bias ";
    case LAYER_BATCHNORM2D: return " eps momentum ";
    case LAYER_LEAKY_RELU: return " slope ";
    case LAYER_DROPOUT: return " p ";
    case LAYER_MAXPOOL: case LAYER_AVGPOOL: return " k stride pad ";
    default: return " ";
    }
}

static const struct { const char *word; LayerType type; } layer_words[] = {
    {"conv", LAYER_CONV2D}, {"batchnorm", LAYER_BATCHNORM2D}, {"relu", LAYER_RELU},
    {"leaky", LAYER_LEAKY_RELU}, {"maxpool", LAYER_MAXPOOL}, {"avgpool", LAYER_AVGPOOL},
    {"gap", LAYER_GLOBAL_AVGPOOL}, {"flatten", LAYER_FLATTEN}, {"linear", LAYER_LINEAR},
    {"dropout", LAYER_DROPOUT},
};

/* The words after the layer name: the positional size (conv, linear: "classes" = n_classes; leaky_relu:
 * the slope) and key=value options.  0 or -1 with err. */
static int parse_layer_options(Layer *L, char words[][64], int nw, int n_classes, int *positional, const char *src,
                               int lineno, char *err, size_t errlen) {
    int t = (int)L->type;
    for (int i = 1; i < nw; i++) {
        char *eq = strchr(words[i], '=');
        if (!eq) {
            if ((t == LAYER_CONV2D || t == LAYER_LINEAR) && i == 1) {
                if (t == LAYER_LINEAR && !strcmp(words[i], "classes")) *positional = n_classes;
                else if (parse_int(words[i], positional) || *positional <= 0) {
                    fail(err, errlen, src, lineno, "'%s' is not a positive size", esc(words[i])); return -1;
                }
                continue;
            }
            if (t == LAYER_LEAKY_RELU && i == 1 && !parse_float(words[i], &L->slope)) continue;
            fail(err, errlen, src, lineno, "unexpected word '%s' (options are key=value)", esc(words[i]));
            return -1;
        }
        *eq = 0;
        const char *key = words[i], *val = eq + 1;
        char pat[40];
        snprintf(pat, sizeof pat, " %s ", key);
        if (!strstr(allowed_keys(L->type), pat)) {
            fail(err, errlen, src, lineno, "option '%s' does not apply to '%s'", esc(key), esc(words[0])); return -1;
        }
        int bad_val = 0;
        if (!strcmp(key, "k")) bad_val = parse_int(val, &L->k) || L->k <= 0;
        else if (!strcmp(key, "stride")) bad_val = parse_int(val, &L->stride) || L->stride <= 0;
        else if (!strcmp(key, "pad")) bad_val = parse_int(val, &L->pad) || L->pad < 0;
        else if (!strcmp(key, "bias")) bad_val = parse_int(val, &L->has_bias) || (L->has_bias != 0 && L->has_bias != 1);
        else if (!strcmp(key, "slope")) bad_val = parse_float(val, &L->slope);
        else if (!strcmp(key, "p")) bad_val = parse_float(val, &L->p) || L->p < 0 || L->p >= 1;
        else if (!strcmp(key, "eps")) bad_val = parse_float(val, &L->eps) || L->eps <= 0;
        else if (!strcmp(key, "momentum")) bad_val = parse_float(val, &L->momentum) || L->momentum < 0 || L->momentum > 1;
        if (bad_val) { fail(err, errlen, src, lineno, "bad value '%s' for %s", esc(val), esc(key)); return -1; }
    }
    return 0;
}

/* Running totals while the layers are laid out. */
typedef struct { int c, h, w, flat; size_t n_params, n_stats; } SpecShape;   /* flat: shape is [c] features */

/* Output shape and parameter ranges of L on input s (updated to L's output).  0 or -1 with err. */
static int layout_layer(Layer *L, SpecShape *s, int positional, int n_classes, const char *src, int lineno,
                        char *err, size_t errlen) {
    int c = s->c, h = s->h, w = s->w, ovf = 0;   /* ovf: a size overflowed (shape_math.h) */
    L->in_c = c; L->in_h = h; L->in_w = w;
    switch (L->type) {
    case LAYER_CONV2D:
        if (s->flat) { fail(err, errlen, src, lineno, "conv after flatten/gap"); return -1; }
        if (positional <= 0) { fail(err, errlen, src, lineno, "conv needs the number of output channels"); return -1; }
        if (L->k <= 0) L->k = 3;
        if (L->stride < 0) L->stride = 1;
        L->out_c = positional;
        L->out_h = shape_conv_out_f(h, L->k, L->stride, L->pad, &ovf);
        L->out_w = shape_conv_out_f(w, L->k, L->stride, L->pad, &ovf);
        L->w_off = s->n_params; L->w_len = shape_buf_f(L->out_c, c, L->k, L->k, &ovf);
        s->n_params += L->w_len;
        L->b_off = s->n_params; L->b_len = L->has_bias ? (size_t)L->out_c : 0;
        s->n_params += L->b_len;
        break;
    case LAYER_BATCHNORM2D:
        if (s->flat) { fail(err, errlen, src, lineno, "batchnorm after flatten/gap (only 2-d batch norm is supported)"); return -1; }
        L->out_c = c; L->out_h = h; L->out_w = w;
        L->w_off = s->n_params; L->w_len = (size_t)c; s->n_params += c;
        L->b_off = s->n_params; L->b_len = (size_t)c; s->n_params += c;
        L->stat_off = s->n_stats; s->n_stats += 2 * (size_t)c;
        break;
    case LAYER_RELU: case LAYER_LEAKY_RELU: case LAYER_DROPOUT:
        L->out_c = c; L->out_h = h; L->out_w = w;
        break;
    case LAYER_MAXPOOL: case LAYER_AVGPOOL:
        if (s->flat) { fail(err, errlen, src, lineno, "pooling after flatten/gap"); return -1; }
        if (L->k <= 0) L->k = 2;
        if (L->stride < 0) L->stride = L->k;
        if (L->pad * 2 > L->k) { fail(err, errlen, src, lineno, "pad must be at most half the window"); return -1; }
        L->out_c = c;
        L->out_h = shape_conv_out_f(h, L->k, L->stride, L->pad, &ovf);
        L->out_w = shape_conv_out_f(w, L->k, L->stride, L->pad, &ovf);
        break;
    case LAYER_GLOBAL_AVGPOOL:
        L->out_c = c; L->out_h = 1; L->out_w = 1;
        s->flat = 1;
        break;
    case LAYER_FLATTEN:
        L->out_c = shape_chw_f(c, h, w, &ovf); L->out_h = 1; L->out_w = 1;
        s->flat = 1;
        break;
    case LAYER_LINEAR:
        if (positional <= 0) {
            fail(err, errlen, src, lineno, positional == 0 || n_classes <= 0 ? "'linear classes' needs a class count" :
                 "linear needs the number of outputs"); return -1;
        }
        if (!s->flat && (h != 1 || w != 1)) { fail(err, errlen, src, lineno, "linear needs flatten or gap before it"); return -1; }
        L->in_c = shape_chw_f(c, h, w, &ovf); L->in_h = 1; L->in_w = 1;
        L->out_c = positional; L->out_h = 1; L->out_w = 1;
        L->w_off = s->n_params; L->w_len = shape_buf_f(L->out_c, L->in_c, 1, 1, &ovf); s->n_params += L->w_len;
        L->b_off = s->n_params; L->b_len = L->has_bias ? (size_t)L->out_c : 0; s->n_params += L->b_len;
        s->flat = 1;
        break;
    }
    if (!ovf && L->out_h > 0 && L->out_w > 0) {  /* one sample in and out of the layer within the limits */
        shape_chw_f(L->in_c, L->in_h, L->in_w, &ovf); shape_chw_f(L->out_c, L->out_h, L->out_w, &ovf);
    }
    if (ovf || (int64_t)s->n_params > SHAPE_MAX_BUFFER) {
        fail(err, errlen, src, lineno, "layer too large: a size exceeds the limits (dimension %lld, %lld values per sample, %lld parameters)",
             (long long)SHAPE_MAX_DIM, (long long)SHAPE_MAX_NUMEL, (long long)SHAPE_MAX_BUFFER);
        return -1;
    }
    if (L->out_h <= 0 || L->out_w <= 0) {
        fail(err, errlen, src, lineno, "output size %dx%d is empty (input %dx%d too small)", L->out_h, L->out_w, h, w);
        return -1;
    }
    s->c = L->out_c; s->h = L->out_h; s->w = L->out_w;
    return 0;
}

/* The 'input C H W' line (in_* > 0 override it).  0 or -1 with err. */
static int parse_input_line(Net *net, char words[][64], int nw, int in_c, int in_h, int in_w, SpecShape *s,
                            const char *src, int lineno, char *err, size_t errlen) {
    int c = 0, h = 0, w = 0;
    if (net->n_layers) { fail(err, errlen, src, lineno, "'input' must come before the layers"); return -1; }
    if (nw != 4 || parse_int(words[1], &c) || parse_int(words[2], &h) || parse_int(words[3], &w) ||
        c <= 0 || h <= 0 || w <= 0) {
        fail(err, errlen, src, lineno, "expected 'input C H W' with positive integers"); return -1;
    }
    if (in_c > 0) c = in_c;
    if (in_h > 0) h = in_h;
    if (in_w > 0) w = in_w;
    net->in_c = s->c = c; net->in_h = s->h = h; net->in_w = s->w = w;
    return 0;
}

/* A new layer of type t at the end of net->layers, with the spec language's defaults. */
static Layer *add_layer(Net *net, int *cap, int t, int lineno) {
    if (net->n_layers == *cap) {
        *cap *= 2;
        net->layers = realloc(net->layers, *cap * sizeof(Layer));
        if (!net->layers) { fprintf(stderr, "out of memory\n"); exit(1); }
    }
    Layer *L = &net->layers[net->n_layers];
    memset(L, 0, sizeof *L);
    L->type = (LayerType)t;
    L->line = lineno;
    L->stride = -1;
    L->has_bias = 1;
    L->slope = 0.01f;
    L->p = 0.5f;
    L->eps = 1e-5f;
    L->momentum = 0.1f;
    return L;
}

/* The whole net is laid out: check the head, allocate the buffers.  0 or -1 with err. */
static int finish_net(Net *net, const SpecShape *s, int n_classes, const char *src, char *err, size_t errlen) {
    if (!net->n_layers) { fail(err, errlen, src, 0, "no layers"); return -1; }
    if (net->layers[net->n_layers - 1].type != LAYER_LINEAR) {
        fail(err, errlen, src, net->layers[net->n_layers - 1].line, "the last layer must be 'linear'"); return -1;
    }
    net->n_classes = s->c;
    if (n_classes > 0 && s->c != n_classes) {
        fail(err, errlen, src, net->layers[net->n_layers - 1].line,
             "the net has %d outputs but there are %d classes", s->c, n_classes);
        return -1;
    }
    net->n_params = s->n_params;
    net->params = xcalloc(s->n_params, sizeof(float));
    net->grads = xcalloc(s->n_params, sizeof(float));
    net->n_stats = s->n_stats;
    net->stats = xcalloc(s->n_stats, sizeof(float));
    net->dropout_state = 0x5eed;
    return 0;
}

/* One non-empty spec line (its words) into net: the input line or a layer.  layout 0 checks the
 * words only (no shapes, no input needed).  0 or -1 with err. */
static int parse_spec_line(Net *net, int *cap, char words[][64], int nw, int in_c, int in_h, int in_w,
                           int n_classes, int layout, SpecShape *s, int *have_input, const char *src, int lineno,
                           char *err, size_t errlen) {
    if (!strcmp(words[0], "input")) {
        if (*have_input) return fail(err, errlen, src, lineno, "second 'input' line");
        if (parse_input_line(net, words, nw, in_c, in_h, in_w, s, src, lineno, err, errlen)) return -1;
        *have_input = 1;
        return 0;
    }
    int t = -1;
    for (size_t i = 0; i < sizeof layer_words / sizeof layer_words[0]; i++)
        if (!strcmp(words[0], layer_words[i].word)) t = (int)layer_words[i].type;
    if (t < 0) return fail(err, errlen, src, lineno, "unknown layer '%s'", esc(words[0]));
    if (!*have_input && layout) {
        if (in_c <= 0 || in_h <= 0 || in_w <= 0)
            return fail(err, errlen, src, lineno, "the spec must start with 'input C H W'");
        net->in_c = s->c = in_c; net->in_h = s->h = in_h; net->in_w = s->w = in_w;
        *have_input = 1;
    }
    Layer *L = add_layer(net, cap, t, lineno);
    int positional = -1;
    if (parse_layer_options(L, words, nw, n_classes, &positional, src, lineno, err, errlen) ||
        (layout && layout_layer(L, s, positional, n_classes, src, lineno, err, errlen)))
        return -1;
    net->n_layers++;
    return 0;
}

/* The lines of text into net (layout: see parse_spec_line).  0 or -1 with err. */
static int parse_spec_lines(Net *net, const char *text, const char *src, int in_c, int in_h, int in_w,
                            int n_classes, int layout, SpecShape *s, char *err, size_t errlen) {
    int cap = 16, have_input = 0, lineno = 0;
    net->layers = xcalloc(cap, sizeof(Layer));
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char line[512];
        lineno++;
        if (len >= sizeof line) return fail(err, errlen, src, lineno, "line too long");
        memcpy(line, p, len);
        line[len] = 0;
        p = eol ? eol + 1 : p + len;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char words[16][64];
        int nw = split_words(line, words, 16);
        if (nw && parse_spec_line(net, &cap, words, nw, in_c, in_h, in_w, n_classes, layout, s, &have_input, src,
                                  lineno, err, errlen))
            return -1;
    }
    return 0;
}

Net *net_parse(const char *text, const char *src, int in_c, int in_h, int in_w,
               int n_classes, char *err, size_t errlen) {
    if (!src) src = "<spec>";
    if (!text) { fail(err, errlen, src, 0, "empty spec"); return NULL; }
    Net *net = xcalloc(1, sizeof *net);
    net->spec = strdup(text);
    SpecShape s = {0, 0, 0, 0, 0, 0};
    if (parse_spec_lines(net, text, src, in_c, in_h, in_w, n_classes, 1, &s, err, errlen) ||
        finish_net(net, &s, n_classes, src, err, errlen)) {
        net_free(net);
        return NULL;
    }
    return net;
}

int net_spec_check(const char *text, const char *src, char *err, size_t errlen) {
    if (!src) src = "<spec>";
    if (!text) return fail(err, errlen, src, 0, "empty spec");
    Net *net = xcalloc(1, sizeof *net);
    SpecShape s = {0, 0, 0, 0, 0, 0};
    int rc = parse_spec_lines(net, text, src, 0, 0, 0, 0, 0, &s, err, errlen);
    if (!rc && !net->n_layers) rc = fail(err, errlen, src, 0, "no layers");
    else if (!rc && net->layers[net->n_layers - 1].type != LAYER_LINEAR)
        rc = fail(err, errlen, src, net->layers[net->n_layers - 1].line, "the last layer must be 'linear'");
    net_free(net);
    return rc;
}

Net *net_load_spec_file(const char *path, int in_c, int in_h, int in_w, int n_classes,
                        char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) { snprintf(err, errlen, "%s: cannot open net spec", esc(path)); return NULL; }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int ch;
    while ((ch = fgetc(f)) != EOF) {
        if (len + 2 > cap) { cap = cap ? cap * 2 : 4096; buf = realloc(buf, cap); if (!buf) exit(1); }
        buf[len++] = (char)ch;
        if (len > (1u << 20)) { fclose(f); free(buf); snprintf(err, errlen, "%s: net spec too large", esc(path)); return NULL; }
    }
    fclose(f);
    if (!buf) { snprintf(err, errlen, "%s: empty net spec", esc(path)); return NULL; }
    buf[len] = 0;
    Net *net = net_parse(buf, path, in_c, in_h, in_w, n_classes, err, errlen);
    free(buf);
    return net;
}

static void free_runtime(Net *net) {
    if (net->act) {
        for (int i = 0; i <= net->n_layers; i++) { free(net->act[i]); free(net->dact[i]); }
        free(net->act); free(net->dact);
        net->act = net->dact = NULL;
    }
    for (int i = 0; i < net->n_layers; i++) {
        Layer *L = &net->layers[i];
        free(L->save_a); free(L->save_b); free(L->idx);
        L->save_a = L->save_b = NULL; L->idx = NULL;
    }
    free(net->ws); net->ws = NULL; net->ws_len = 0;
    net->max_batch = 0;
}

void net_free(Net *net) {
    if (!net) return;
    if (net->device == DEVICE_CUDA) cuda_net_detach(net);
    if (net->layers) free_runtime(net);
    free(net->layers);
    free(net->params); free(net->grads); free(net->stats);
    free(net->spec);
    free(net);
}

void net_init(Net *net, uint64_t seed) {
    Rng r;
    rng_seed(&r, seed);
    memset(net->params, 0, net->n_params * sizeof(float));
    for (int i = 0; i < net->n_layers; i++) {
        Layer *L = &net->layers[i];
        if (L->type == LAYER_CONV2D || L->type == LAYER_LINEAR) {
            size_t fan_in = L->w_len / (size_t)L->out_c;
            float std = sqrtf(2.0f / (float)fan_in);
            for (size_t j = 0; j < L->w_len; j++) net->params[L->w_off + j] = std * rng_normal(&r);
        } else if (L->type == LAYER_BATCHNORM2D) {
            for (size_t j = 0; j < L->w_len; j++) net->params[L->w_off + j] = 1.0f;
            for (int j = 0; j < L->out_c; j++) {
                net->stats[L->stat_off + j] = 0.0f;
                net->stats[L->stat_off + L->out_c + j] = 1.0f;
            }
        }
    }
    net->dropout_state = seed ^ 0xd1b54a32d192ed03ULL;
    if (net->device == DEVICE_CUDA) cuda_net_sync_to_device(net);
}

void net_reserve(Net *net, int B) {
    /* the conv workspace depends on the thread count: grow it if that rose */
    if (B <= net->max_batch && omp_get_max_threads() <= net->ws_threads) return;
    if (B < net->max_batch) B = net->max_batch;
    free_runtime(net);
    net->max_batch = B;
    net->ws_threads = omp_get_max_threads();
    net->act = xcalloc(net->n_layers + 1, sizeof(float *));
    net->dact = xcalloc(net->n_layers + 1, sizeof(float *));
    size_t in_sz = (size_t)net->in_c * net->in_h * net->in_w;
    net->act[0] = xcalloc((size_t)B * in_sz, sizeof(float));
    net->dact[0] = xcalloc((size_t)B * in_sz, sizeof(float));
    size_t ws = 0;
    for (int i = 0; i < net->n_layers; i++) {
        Layer *L = &net->layers[i];
        size_t out = (size_t)B * net_layer_size(net, i);
        net->act[i + 1] = xcalloc(out, sizeof(float));
        net->dact[i + 1] = xcalloc(out, sizeof(float));
        if (L->type == LAYER_CONV2D) {
            size_t need = conv2d_ws_floats(B, L->in_c, L->in_h, L->in_w, L->out_c, L->k, L->out_h, L->out_w);
            if (need > ws) ws = need;
        } else if (L->type == LAYER_BATCHNORM2D) {
            L->save_a = xcalloc(L->out_c, sizeof(float));
            L->save_b = xcalloc(L->out_c, sizeof(float));
        } else if (L->type == LAYER_DROPOUT) {
            L->save_a = xcalloc(out, sizeof(float));
        } else if (L->type == LAYER_MAXPOOL) {
            L->idx = xcalloc(out, sizeof(int32_t));
        }
    }
    net->ws = xcalloc(ws, sizeof(float));
    net->ws_len = ws;
}

const float *net_forward(Net *net, const float *x, int B, int training) {
    net->last_training = training;
    net->last_batch = B;
    if (net->device == DEVICE_CUDA) return cuda_net_forward(net, x, B, training);
    net_reserve(net, B);
    size_t in_sz = (size_t)B * net->in_c * net->in_h * net->in_w;
    memcpy(net->act[0], x, in_sz * sizeof(float));
    float *P = net->params;
    for (int i = 0; i < net->n_layers; i++) {
        Layer *L = &net->layers[i];
        const float *in = net->act[i];
        float *out = net->act[i + 1];
        size_t n_out = (size_t)B * net_layer_size(net, i);
        switch (L->type) {
        case LAYER_CONV2D:
            conv2d_forward(out, in, P + L->w_off, L->b_len ? P + L->b_off : NULL, B, L->in_c, L->in_h, L->in_w,
                           L->out_c, L->k, L->stride, L->pad, L->out_h, L->out_w, net->ws);
            break;
        case LAYER_BATCHNORM2D:
            batchnorm2d_forward(out, in, P + L->w_off, P + L->b_off, net->stats + L->stat_off,
                                net->stats + L->stat_off + L->out_c, L->save_a, L->save_b, B, L->out_c,
                                L->out_h * L->out_w, L->eps, L->momentum, training);
            break;
        case LAYER_RELU: relu_forward(out, in, n_out); break;
        case LAYER_LEAKY_RELU: leaky_relu_forward(out, in, n_out, L->slope); break;
        case LAYER_DROPOUT: dropout_forward(out, L->save_a, in, n_out, L->p, &net->dropout_state, training); break;
        case LAYER_MAXPOOL:
            maxpool2d_forward(out, L->idx, in, B, L->in_c, L->in_h, L->in_w, L->k, L->stride, L->pad, L->out_h, L->out_w);
            break;
        case LAYER_AVGPOOL:
            avgpool2d_forward(out, in, B, L->in_c, L->in_h, L->in_w, L->k, L->stride, L->pad, L->out_h, L->out_w);
            break;
        case LAYER_GLOBAL_AVGPOOL: global_avgpool_forward(out, in, B, L->in_c, L->in_h * L->in_w); break;
        case LAYER_FLATTEN: memcpy(out, in, n_out * sizeof(float)); break;
        case LAYER_LINEAR:
            linear_forward(out, in, P + L->w_off, L->b_len ? P + L->b_off : NULL, B, L->in_c, L->out_c);
            break;
        }
    }
    return net->act[net->n_layers];
}

void net_backward(Net *net, const float *dlogits, int B) { net_backward_extra(net, dlogits, B, -1, NULL); }

void net_backward_extra(Net *net, const float *dlogits, int B, int layer, const float *extra) {
    if (net->device == DEVICE_CUDA) { cuda_net_backward(net, dlogits, B, layer, extra); return; }
    float *P = net->params, *G = net->grads;
    memcpy(net->dact[net->n_layers], dlogits, (size_t)B * net->n_classes * sizeof(float));
    for (int i = net->n_layers - 1; i >= 0; i--) {
        Layer *L = &net->layers[i];
        const float *in = net->act[i];
        if (extra && i == layer) {
            float *d = net->dact[i + 1];
            const size_t n = (size_t)B * net_layer_size(net, i);
            for (size_t j = 0; j < n; j++) d[j] += extra[j];
        }
        const float *dout = net->dact[i + 1];
        float *din = i > 0 ? net->dact[i] : NULL; /* the input's gradient is never needed */
        size_t n_out = (size_t)B * net_layer_size(net, i);
        /* a layer without parameters in front of nothing trainable needs no backward at all */
        if (!din && L->w_len == 0) continue;
        switch (L->type) {
        case LAYER_CONV2D:
            conv2d_backward(din, G + L->w_off, L->b_len ? G + L->b_off : NULL, dout, in, P + L->w_off, B, L->in_c,
                            L->in_h, L->in_w, L->out_c, L->k, L->stride, L->pad, L->out_h, L->out_w, net->ws);
            break;
        case LAYER_BATCHNORM2D: {
            /* batchnorm2d_backward writes din; with din NULL give it scratch */
            float *d = din ? din : net->dact[0];
            batchnorm2d_backward(d, G + L->w_off, G + L->b_off, dout, in, P + L->w_off, L->save_a, L->save_b, B,
                                 L->out_c, L->out_h * L->out_w, net->last_training);
            break;
        }
        case LAYER_RELU: relu_backward(din, dout, in, n_out); break;
        case LAYER_LEAKY_RELU: leaky_relu_backward(din, dout, in, n_out, L->slope); break;
        case LAYER_DROPOUT: dropout_backward(din, dout, L->save_a, n_out, net->last_training); break;
        case LAYER_MAXPOOL:
            maxpool2d_backward(din, dout, L->idx, B, L->in_c, L->in_h, L->in_w, L->out_h, L->out_w);
            break;
        case LAYER_AVGPOOL:
            avgpool2d_backward(din, dout, B, L->in_c, L->in_h, L->in_w, L->k, L->stride, L->pad, L->out_h, L->out_w);
            break;
        case LAYER_GLOBAL_AVGPOOL: global_avgpool_backward(din, dout, B, L->in_c, L->in_h * L->in_w); break;
        case LAYER_FLATTEN: memcpy(din, dout, n_out * sizeof(float)); break;
        case LAYER_LINEAR:
            linear_backward(din, G + L->w_off, L->b_len ? G + L->b_off : NULL, dout, in, P + L->w_off, B, L->in_c,
                            L->out_c);
            break;
        }
    }
}

void net_zero_grad(Net *net) {
    if (net->device == DEVICE_CUDA) { cuda_net_zero_grad(net); return; }
    memset(net->grads, 0, net->n_params * sizeof(float));
}

const float *net_layer_output(Net *net, int i) {
    if (net->device == DEVICE_CUDA) return cuda_net_layer_output(net, i, net->last_batch);
    return net->act[i + 1];
}

int net_feature_layer(const Net *net) { return net->n_layers - 2; }

int net_tensors(Net *net, NetTensor *out, int max) {
    int n = 0;
#define ADD(suffix, ptr, length, stat, nd, s0, s1, s2, s3) do { \
        if (n < max) { \
            NetTensor *T = &out[n]; \
            snprintf(T->name, sizeof T->name, "layers.%d.%s", i, suffix); \
            T->data = (ptr); T->len = (length); T->is_stat = (stat); T->ndim = (nd); \
            T->shape[0] = (s0); T->shape[1] = (s1); T->shape[2] = (s2); T->shape[3] = (s3); \
        } \
        n++; \
    } while (0)
    for (int i = 0; i < net->n_layers; i++) {
        Layer *L = &net->layers[i];
        if (L->type == LAYER_CONV2D) {
            ADD("weight", net->params + L->w_off, L->w_len, 0, 4, L->out_c, L->in_c, L->k, L->k);
            if (L->b_len) ADD("bias", net->params + L->b_off, L->b_len, 0, 1, L->out_c, 0, 0, 0);
        } else if (L->type == LAYER_LINEAR) {
            ADD("weight", net->params + L->w_off, L->w_len, 0, 2, L->out_c, L->in_c, 0, 0);
            if (L->b_len) ADD("bias", net->params + L->b_off, L->b_len, 0, 1, L->out_c, 0, 0, 0);
        } else if (L->type == LAYER_BATCHNORM2D) {
            ADD("weight", net->params + L->w_off, L->w_len, 0, 1, L->out_c, 0, 0, 0);
            ADD("bias", net->params + L->b_off, L->b_len, 0, 1, L->out_c, 0, 0, 0);
            ADD("running_mean", net->stats + L->stat_off, (size_t)L->out_c, 1, 1, L->out_c, 0, 0, 0);
            ADD("running_var", net->stats + L->stat_off + L->out_c, (size_t)L->out_c, 1, 1, L->out_c, 0, 0, 0);
        }
    }
#undef ADD
    return n;
}

double net_forward_flops(const Net *net) {
    double f = 0;
    for (int i = 0; i < net->n_layers; i++) {
        const Layer *L = &net->layers[i];
        if (L->type == LAYER_CONV2D)
            f += 2.0 * L->out_c * L->out_h * L->out_w * (double)L->in_c * L->k * L->k;
        else if (L->type == LAYER_LINEAR)
            f += 2.0 * L->out_c * (double)L->in_c;
    }
    return f;
}

void net_copy_weights(Net *dst, const Net *src) {
    memcpy(dst->params, src->params, src->n_params * sizeof(float));
    memcpy(dst->stats, src->stats, src->n_stats * sizeof(float));
    if (dst->device == DEVICE_CUDA) cuda_net_sync_to_device(dst);
}

Net *net_clone(const Net *src) {
    char err[256];
    Net *n = net_parse(src->spec, "<clone>", src->in_c, src->in_h, src->in_w, src->n_classes, err, sizeof err);
    if (!n) { fprintf(stderr, "net_clone: %s\n", err); exit(1); }
    net_copy_weights(n, src);
    n->dropout_state = src->dropout_state;
    return n;
}

int net_set_device(Net *net, const char *device, char *err, size_t errlen) {
    if (!device || !strcmp(device, "cpu")) {
        if (net->device == DEVICE_CUDA) { cuda_net_sync_to_host(net); cuda_net_detach(net); }
        net->device = DEVICE_CPU;
        return 0;
    }
    int want_cuda = !strcmp(device, "cuda");
    if (!want_cuda && strcmp(device, "auto")) {
        snprintf(err, errlen, "unknown device '%s' (use cpu, cuda or auto)", device);
        return -1;
    }
    if (net->device == DEVICE_CUDA) return 0;
    char why[256] = "";
    if (cuda_available(why, sizeof why) == 0 && cuda_net_attach(net, why, sizeof why) == 0) {
        net->device = DEVICE_CUDA;
        return 0;
    }
    if (want_cuda) {
        snprintf(err, errlen, "--device cuda: %s", why);
        return -1;
    }
    net->device = DEVICE_CPU; /* auto: fall back quietly */
    return 0;
}

void net_sync_to_host(Net *net) {
    if (net->device == DEVICE_CUDA) cuda_net_sync_to_host(net);
}
void net_sync_to_device(Net *net) {
    if (net->device == DEVICE_CUDA) cuda_net_sync_to_device(net);
}
long net_transfer_count(void) { return cuda_transfer_count(); }
