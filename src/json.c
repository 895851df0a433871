/* json.c — strict recursive-descent JSON parser and an escaping writer. */
#include "json.h"
#include "escape.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct {
    const char *s; size_t n, pos;
    char *err; size_t errlen;
    int failed;
} P;

static void perr(P *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void perr(P *p, const char *fmt, ...) {
    if (p->failed) return;
    p->failed = 1;
    if (!p->err || !p->errlen) return;
    int k = snprintf(p->err, p->errlen, "at byte %zu: ", p->pos);
    if (k < 0 || (size_t)k >= p->errlen) return;
    va_list ap; va_start(ap, fmt);
    vsnprintf(p->err + k, p->errlen - (size_t)k, fmt, ap);
    va_end(ap);
}

static void skip_ws(P *p) {
    while (p->pos < p->n) {
        char c = p->s[p->pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') p->pos++; else break;
    }
}

static const char *describe(P *p) {
    static _Thread_local char buf[32];
    if (p->pos >= p->n) return "end of input";
    unsigned char c = (unsigned char)p->s[p->pos];
    if (c >= 0x20 && c < 0x7f) snprintf(buf, sizeof buf, "'%c'", c);
    else snprintf(buf, sizeof buf, "byte 0x%02x", c);
    return buf;
}

static void free_contents(JsonValue *v) {
    if (!v) return;
    free(v->str);
    for (int i = 0; i < v->n; i++) {
        if (v->items) free_contents(&v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items); free(v->keys); free(v->key_lens);
    memset(v, 0, sizeof *v);
}

void json_free(JsonValue *v) {
    if (!v) return;
    free_contents(v);
    free(v);
}

static int parse_value(P *p, JsonValue *v, int depth);

/* growable byte buffer for string decoding */
typedef struct { char *b; size_t len, cap; } Sb;
static int sb_put(Sb *s, const char *src, size_t n) {
    if (s->len + n + 1 > s->cap) {
        size_t c = s->cap ? s->cap : 32;
        while (c < s->len + n + 1) c *= 2;
        char *nb = realloc(s->b, c);
        if (!nb) return -1;
        s->b = nb; s->cap = c;
    }
    memcpy(s->b + s->len, src, n);
    s->len += n;
    s->b[s->len] = 0;
    return 0;
}

static int hex4(P *p, unsigned *out) {
    if (p->pos + 4 > p->n) { perr(p, "truncated \\u escape"); return -1; }
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->s[p->pos + i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else { p->pos += (size_t)i; perr(p, "bad hex digit in \\u escape"); return -1; }
    }
    p->pos += 4;
    *out = v;
    return 0;
}

static size_t utf8_encode(unsigned cp, char *o) {
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F)); return 4;
}

/* length of a valid UTF-8 sequence starting at s (n bytes available), 0 if invalid */
static size_t utf8_valid(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    size_t len; unsigned cp, min;
    if (c < 0x80) return 1;
    else if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

static int parse_string(P *p, char **out, size_t *outlen) {
    /* at opening quote */
    p->pos++;
    Sb sb = {0};
    if (sb_put(&sb, "", 0)) { perr(p, "out of memory"); return -1; }
    for (;;) {
        if (p->pos >= p->n) { perr(p, "unterminated string"); goto fail; }
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') { p->pos++; break; }
        if (c < 0x20) { perr(p, "control character 0x%02x inside a string (must be escaped)", c); goto fail; }
        if (c == '\\') {
            p->pos++;
            if (p->pos >= p->n) { perr(p, "unterminated string"); goto fail; }
            char e = p->s[p->pos++], ch;
            switch (e) {
            case '"': ch = '"'; break;
            case '\\': ch = '\\'; break;
            case '/': ch = '/'; break;
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case 'n': ch = '\n'; break;
            case 'r': ch = '\r'; break;
            case 't': ch = '\t'; break;
            case 'u': {
                unsigned cp;
                if (hex4(p, &cp)) goto fail;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned lo;
                    if (p->pos + 2 > p->n || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
                        perr(p, "unpaired surrogate in \\u escape"); goto fail;
                    }
                    p->pos += 2;
                    if (hex4(p, &lo)) goto fail;
                    if (lo < 0xDC00 || lo > 0xDFFF) { perr(p, "unpaired surrogate in \\u escape"); goto fail; }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    perr(p, "unpaired surrogate in \\u escape"); goto fail;
                }
                char u[4]; size_t k = utf8_encode(cp, u);
                if (sb_put(&sb, u, k)) { perr(p, "out of memory"); goto fail; }
                continue;
            }
            default:
                p->pos--;
                perr(p, "bad escape '\\%c' in string", e >= 0x20 && e < 0x7f ? e : '?');
                goto fail;
            }
            if (sb_put(&sb, &ch, 1)) { perr(p, "out of memory"); goto fail; }
            continue;
        }
        size_t k = utf8_valid((const unsigned char *)p->s + p->pos, p->n - p->pos);
        if (!k) { perr(p, "invalid UTF-8 in string"); goto fail; }
        if (sb_put(&sb, p->s + p->pos, k)) { perr(p, "out of memory"); goto fail; }
        p->pos += k;
    }
    *out = sb.b; *outlen = sb.len;
    return 0;
fail:
    free(sb.b);
    return -1;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int parse_number(P *p, JsonValue *v) {
    size_t start = p->pos;
    int integral = 1;
    if (p->pos < p->n && p->s[p->pos] == '-') p->pos++;
    if (p->pos >= p->n || !is_digit(p->s[p->pos])) { perr(p, "bad number"); return -1; }
    if (p->s[p->pos] == '0') {
        p->pos++;
        if (p->pos < p->n && is_digit(p->s[p->pos])) { perr(p, "number with a leading zero"); return -1; }
    } else {
        while (p->pos < p->n && is_digit(p->s[p->pos])) p->pos++;
    }
    if (p->pos < p->n && p->s[p->pos] == '.') {
        integral = 0; p->pos++;
        if (p->pos >= p->n || !is_digit(p->s[p->pos])) { perr(p, "bad number: digits expected after '.'"); return -1; }
        while (p->pos < p->n && is_digit(p->s[p->pos])) p->pos++;
    }
    if (p->pos < p->n && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        integral = 0; p->pos++;
        if (p->pos < p->n && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) p->pos++;
        if (p->pos >= p->n || !is_digit(p->s[p->pos])) { perr(p, "bad number: digits expected in exponent"); return -1; }
        while (p->pos < p->n && is_digit(p->s[p->pos])) p->pos++;
    }
    size_t len = p->pos - start;
    char tmp[64];
    char *buf = len < sizeof tmp ? tmp : malloc(len + 1);
    if (!buf) { perr(p, "out of memory"); return -1; }
    memcpy(buf, p->s + start, len); buf[len] = 0;
    v->type = JSON_NUMBER;
    v->num = strtod(buf, NULL);
    if (integral) {
        /* exact int64 when it fits */
        const char *d = buf; int neg = 0;
        if (*d == '-') { neg = 1; d++; }
        uint64_t acc = 0; int ok = 1;
        for (; *d; d++) {
            unsigned dig = (unsigned)(*d - '0');
            if (acc > (UINT64_MAX - dig) / 10) { ok = 0; break; }
            acc = acc * 10 + dig;
        }
        if (ok && !neg && acc <= (uint64_t)INT64_MAX) { v->is_int = 1; v->i = (int64_t)acc; }
        else if (ok && neg && acc <= (uint64_t)INT64_MAX + 1) {
            v->is_int = 1; v->i = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
        }
    }
    if (buf != tmp) free(buf);
    return 0;
}

static int parse_literal(P *p, const char *word) {
    size_t k = strlen(word);
    if (p->n - p->pos < k || memcmp(p->s + p->pos, word, k) != 0) {
        perr(p, "unexpected %s", describe(p));
        return -1;
    }
    p->pos += k;
    return 0;
}

static int grow(JsonValue *v, int *cap, int is_obj) {
    if (v->n < *cap) return 0;
    int nc = *cap ? *cap * 2 : 8;
    JsonValue *ni = realloc(v->items, (size_t)nc * sizeof *ni);
    if (!ni) return -1;
    v->items = ni;
    if (is_obj) {
        char **nk = realloc(v->keys, (size_t)nc * sizeof *nk);
        if (!nk) return -1;
        v->keys = nk;
        size_t *nl = realloc(v->key_lens, (size_t)nc * sizeof *nl);
        if (!nl) return -1;
        v->key_lens = nl;
    }
    *cap = nc;
    return 0;
}

static int parse_array(P *p, JsonValue *v, int depth) {
    v->type = JSON_ARRAY;
    p->pos++;
    int cap = 0;
    skip_ws(p);
    if (p->pos < p->n && p->s[p->pos] == ']') { p->pos++; return 0; }
    for (;;) {
        if (grow(v, &cap, 0)) { perr(p, "out of memory"); return -1; }
        JsonValue *it = &v->items[v->n];
        memset(it, 0, sizeof *it);
        v->n++;
        if (parse_value(p, it, depth + 1)) return -1;
        skip_ws(p);
        if (p->pos < p->n && p->s[p->pos] == ',') { p->pos++; continue; }
        if (p->pos < p->n && p->s[p->pos] == ']') { p->pos++; return 0; }
        perr(p, "expected ',' or ']' in array, found %s", describe(p));
        return -1;
    }
}

static int parse_object(P *p, JsonValue *v, int depth) {
    v->type = JSON_OBJECT;
    p->pos++;
    int cap = 0;
    skip_ws(p);
    if (p->pos < p->n && p->s[p->pos] == '}') { p->pos++; return 0; }
    for (;;) {
        skip_ws(p);
        if (p->pos >= p->n || p->s[p->pos] != '"') {
            perr(p, "expected a string key in object, found %s", describe(p));
            return -1;
        }
        if (grow(v, &cap, 1)) { perr(p, "out of memory"); return -1; }
        size_t key_at = p->pos;
        char *key; size_t klen;
        if (parse_string(p, &key, &klen)) return -1;
        for (int i = 0; i < v->n; i++) {
            if (v->key_lens[i] == klen && memcmp(v->keys[i], key, klen) == 0) {
                p->pos = key_at;
                perr(p, "duplicate key \"%s\"", esc_n(key, klen));
                free(key);
                return -1;
            }
        }
        JsonValue *it = &v->items[v->n];
        memset(it, 0, sizeof *it);
        v->keys[v->n] = key; v->key_lens[v->n] = klen;
        v->n++;
        skip_ws(p);
        if (p->pos >= p->n || p->s[p->pos] != ':') {
            perr(p, "expected ':' after object key, found %s", describe(p));
            return -1;
        }
        p->pos++;
        if (parse_value(p, it, depth + 1)) return -1;
        skip_ws(p);
        if (p->pos < p->n && p->s[p->pos] == ',') { p->pos++; continue; }
        if (p->pos < p->n && p->s[p->pos] == '}') { p->pos++; return 0; }
        perr(p, "expected ',' or '}' in object, found %s", describe(p));
        return -1;
    }
}

static int parse_value(P *p, JsonValue *v, int depth) {
    if (depth > MAX_DEPTH) { perr(p, "nesting deeper than %d levels", MAX_DEPTH); return -1; }
    skip_ws(p);
    if (p->pos >= p->n) { perr(p, "unexpected end of input"); return -1; }
    char c = p->s[p->pos];
    switch (c) {
    case '{': return parse_object(p, v, depth);
    case '[': return parse_array(p, v, depth);
    case '"': v->type = JSON_STRING; return parse_string(p, &v->str, &v->len);
    case 't': v->type = JSON_BOOL; v->boolean = 1; return parse_literal(p, "true");
    case 'f': v->type = JSON_BOOL; v->boolean = 0; return parse_literal(p, "false");
    case 'n': v->type = JSON_NULL; return parse_literal(p, "null");
    default:
        if (c == '-' || is_digit(c)) return parse_number(p, v);
        perr(p, "unexpected %s", describe(p));
        return -1;
    }
}

JsonValue *json_parse(const char *text, size_t len, char *err, size_t errlen) {
    P p = { text, len, 0, err, errlen, 0 };
    JsonValue *v = calloc(1, sizeof *v);
    if (!v) { perr(&p, "out of memory"); return NULL; }
    if (parse_value(&p, v, 0)) { json_free(v); return NULL; }
    skip_ws(&p);
    if (p.pos != p.n) { perr(&p, "unexpected %s after the JSON value", describe(&p)); json_free(v); return NULL; }
    return v;
}

const JsonValue *json_get(const JsonValue *v, const char *key) {
    if (!v || v->type != JSON_OBJECT) return NULL;
    size_t k = strlen(key);
    for (int i = 0; i < v->n; i++)
        if (v->key_lens[i] == k && memcmp(v->keys[i], key, k) == 0) return &v->items[i];
    return NULL;
}

const char *json_type_name(JsonType t) {
    switch (t) {
    case JSON_NULL: return "null";
    case JSON_BOOL: return "boolean";
    case JSON_NUMBER: return "number";
    case JSON_STRING: return "string";
    case JSON_ARRAY: return "array";
    case JSON_OBJECT: return "object";
    }
    return "?";
}

/* ---- writer ---- */

void jb_init(JsonBuf *b) { memset(b, 0, sizeof *b); }
void jb_free(JsonBuf *b) { free(b->buf); memset(b, 0, sizeof *b); }

static int jb_reserve(JsonBuf *b, size_t extra) {
    if (b->oom) return -1;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t c = b->cap ? b->cap : 256;
    while (c < b->len + extra + 1) c *= 2;
    char *nb = realloc(b->buf, c);
    if (!nb) { b->oom = 1; return -1; }
    b->buf = nb; b->cap = c;
    return 0;
}

void jb_raw(JsonBuf *b, const char *s, size_t n) {
    if (jb_reserve(b, n)) return;
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = 0;
}

void jb_puts(JsonBuf *b, const char *s) { jb_raw(b, s, strlen(s)); }

void jb_printf(JsonBuf *b, const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0) { b->oom = 1; va_end(ap2); return; }
    if (jb_reserve(b, (size_t)k)) { va_end(ap2); return; }
    vsnprintf(b->buf + b->len, (size_t)k + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)k;
}

void jb_strn(JsonBuf *b, const char *s, size_t n) {
    jb_raw(b, "\"", 1);
    size_t run = 0;   /* bytes copied verbatim in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL; char u[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default:
            if (c < 0x20 || c == 0x7f) { snprintf(u, sizeof u, "\\u%04x", c); esc = u; }
        }
        if (esc) {
            jb_raw(b, s + i - run, run); run = 0;
            jb_puts(b, esc);
        } else run++;
    }
    jb_raw(b, s + n - run, run);
    jb_raw(b, "\"", 1);
}

void jb_str(JsonBuf *b, const char *s) { jb_strn(b, s ? s : "", s ? strlen(s) : 0); }

void jb_num(JsonBuf *b, double v) {
    if (!isfinite(v)) { jb_puts(b, "null"); return; }
    char t[40];
    /* shortest of %.15g/%.16g/%.17g that reads back exactly */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, v);
        if (strtod(t, NULL) == v) break;
    }
    jb_puts(b, t);
}

void jb_float(JsonBuf *b, float v) {
    if (!isfinite(v)) { jb_puts(b, "null"); return; }
    char t[32];
    for (int prec = 6; prec <= 9; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, (double)v);
        if (strtof(t, NULL) == v) break;
    }
    jb_puts(b, t);
}

/* ---- document writer ---- */

void jw_init(JsonWriter *w, int style) {
    memset(w, 0, sizeof *w);
    w->compact = style == JW_COMPACT;
}

void jw_free(JsonWriter *w) { jb_free(&w->buf); }

static void jw_newline(JsonWriter *w, int depth) {
    jb_puts(&w->buf, "\n");
    for (int i = 0; i < depth; i++) jb_puts(&w->buf, "  ");
}

/* what goes before a member of the innermost container: a comma, then a space or a new line */
static void jw_member(JsonWriter *w) {
    if (w->depth == 0) return;
    int d = w->depth - 1;
    if (w->count[d]++) jb_puts(&w->buf, w->lines[d] || w->compact ? "," : ", ");
    if (w->lines[d]) jw_newline(w, w->depth);
}

/* before a value: array elements get their separator here, object members got it from jw_key */
static void jw_value(JsonWriter *w) {
    if (w->depth > 0 && !w->is_obj[w->depth - 1]) jw_member(w);
}

static void jw_open(JsonWriter *w, int layout, int is_obj) {
    jw_value(w);
    jb_puts(&w->buf, is_obj ? "{" : "[");
    if (w->depth >= JW_MAX_DEPTH) { w->buf.oom = 1; return; }
    w->count[w->depth] = 0;
    w->lines[w->depth] = layout == JW_LINES;
    w->is_obj[w->depth] = (unsigned char)is_obj;
    w->depth++;
}

void jw_object(JsonWriter *w, int layout) { jw_open(w, layout, 1); }
void jw_array(JsonWriter *w, int layout) { jw_open(w, layout, 0); }

void jw_end(JsonWriter *w) {
    if (w->depth == 0) return;
    w->depth--;
    if (w->lines[w->depth]) jw_newline(w, w->depth);
    jb_puts(&w->buf, w->is_obj[w->depth] ? "}" : "]");
}

void jw_key(JsonWriter *w, const char *key) {
    jw_member(w);
    jb_str(&w->buf, key);
    jb_puts(&w->buf, w->compact ? ":" : ": ");
}

void jw_str(JsonWriter *w, const char *s) { jw_value(w); jb_str(&w->buf, s); }
void jw_int(JsonWriter *w, long long v) { jw_value(w); jb_printf(&w->buf, "%lld", v); }
void jw_num(JsonWriter *w, double v) { jw_value(w); jb_num(&w->buf, v); }
void jw_float(JsonWriter *w, float v) { jw_value(w); jb_float(&w->buf, v); }
void jw_null(JsonWriter *w) { jw_value(w); jb_puts(&w->buf, "null"); }
void jw_raw(JsonWriter *w, const char *json) { jw_value(w); jb_puts(&w->buf, json); }

void jw_fixed(JsonWriter *w, double v, int decimals) {
    jw_value(w);
    if (isfinite(v)) jb_printf(&w->buf, "%.*f", decimals, v);
    else jb_puts(&w->buf, "null");
}

void jw_num6(JsonWriter *w, double v) {
    jw_value(w);
    if (isfinite(v)) jb_printf(&w->buf, "%.6g", v);
    else jb_puts(&w->buf, "null");
}

/* ---- FILE writers (src/results.c) ---- */

void json_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, "%.6g", v);
    else fputs("null", f);
}

void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}
