/* json.h — a tiny strict JSON reader (RFC 8259) and an escaping writer.
 *
 * Reader: json_parse builds a tree; objects keep key order and refuse duplicate
 * keys; integers that fit int64 are kept exactly (is_int, i) besides num;
 * strings are UTF-8-validated, escapes decoded (len counts bytes, so "\u0000"
 * survives; str is also NUL-terminated).  Nesting is limited to 64 levels.
 * Errors: one line, "at byte N: <problem>".
 *
 * Writer, two levels:
 *   JsonBuf is a growable string; jb_str writes a quoted, escaped string
 *   (newlines, quotes, backslashes, control characters).  Allocation failure is
 *   sticky (jb.oom) so callers check once at the end.
 *   JsonWriter (jw_*) is THE way the project writes JSON documents: it keeps the
 *   commas, colons and indentation, so a writer only says what goes in:
 *
 *     JsonWriter w;
 *     jw_init(&w, JW_PRETTY);
 *     jw_object(&w, JW_LINES);          // {  members one a line, indented 2 per level
 *     jw_key(&w, "model"); jw_str(&w, path);
 *     jw_key(&w, "slots"); jw_array(&w, JW_INLINE);   // [0, 1, 2] on one line
 *     for (...) jw_int(&w, slot);
 *     jw_end(&w);                       // ]
 *     jw_end(&w);                       // \n}
 *     jb_puts(&w.buf, "\n");           // the text is w.buf.buf; check w.buf.oom
 *     ... atomic_write_text(path, w.buf.buf, ...); jw_free(&w);
 *
 *   JW_PRETTY puts ": " after keys and ", " between inline members; JW_COMPACT
 *   puts ":" and "," (safetensors headers, checkpoint metadata).  Numbers:
 *   jw_num writes the shortest %.15g..%.17g that reads back exactly, jw_num6 the
 *   report style %.6g, jw_float the shortest decimal that reads back as the same
 *   float, jw_fixed a fixed number of decimals; all write null for NaN and infinities.  jw_raw inserts text that
 *   is already JSON (a nested document).
 *
 * json_num / json_str write straight to a FILE (%.6g numbers, report-style
 * escapes); they remain for src/results.c until it moves to JsonWriter. */
#ifndef JSON_H
#define JSON_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } JsonType;

typedef struct JsonValue {
    JsonType type;
    int boolean;
    double num;
    int is_int;                /* number written without fraction/exponent and fits int64 */
    int64_t i;
    char *str; size_t len;     /* JSON_STRING */
    int n;                     /* array / object: number of elements */
    struct JsonValue *items;   /* array elements / object values */
    char **keys;               /* object keys (NUL-terminated) */
    size_t *key_lens;          /* object key lengths in bytes */
} JsonValue;

JsonValue *json_parse(const char *text, size_t len, char *err, size_t errlen);
void json_free(JsonValue *v);
/* object member by key (NULL if absent or v is not an object) */
const JsonValue *json_get(const JsonValue *v, const char *key);
const char *json_type_name(JsonType t);

typedef struct { char *buf; size_t len, cap; int oom; } JsonBuf;
void jb_init(JsonBuf *b);
void jb_free(JsonBuf *b);
void jb_raw(JsonBuf *b, const char *s, size_t n);
void jb_puts(JsonBuf *b, const char *s);
void jb_printf(JsonBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void jb_str(JsonBuf *b, const char *s);              /* "escaped" */
void jb_strn(JsonBuf *b, const char *s, size_t n);
void jb_num(JsonBuf *b, double v);                   /* shortest round-trip %.17g; nan/inf -> null */
void jb_float(JsonBuf *b, float v);                  /* shortest decimal that reads back as v; nan/inf -> null */

#define JW_MAX_DEPTH 16
enum { JW_PRETTY = 0, JW_COMPACT = 1 };    /* jw_init style */
enum { JW_INLINE = 0, JW_LINES = 1 };      /* jw_object / jw_array layout */
typedef struct {
    JsonBuf buf;                           /* the document so far */
    int compact;                           /* JW_COMPACT: no spaces after ':' and ',' */
    int depth;                             /* open containers */
    int count[JW_MAX_DEPTH];               /* members written in each open container */
    unsigned char lines[JW_MAX_DEPTH];     /* JW_LINES: one member a line */
    unsigned char is_obj[JW_MAX_DEPTH];
} JsonWriter;
void jw_init(JsonWriter *w, int style);
void jw_free(JsonWriter *w);
void jw_object(JsonWriter *w, int layout);   /* begin an object (as the next value) */
void jw_array(JsonWriter *w, int layout);    /* begin an array (as the next value) */
void jw_end(JsonWriter *w);                  /* close the innermost object or array */
void jw_key(JsonWriter *w, const char *key); /* next member's key (objects) */
void jw_str(JsonWriter *w, const char *s);
void jw_int(JsonWriter *w, long long v);
void jw_num(JsonWriter *w, double v);
void jw_num6(JsonWriter *w, double v);
void jw_float(JsonWriter *w, float v);
void jw_fixed(JsonWriter *w, double v, int decimals);   /* %.*f; nan/inf -> null */
void jw_null(JsonWriter *w);
void jw_raw(JsonWriter *w, const char *json);

/* FILE writers kept for src/results.c (see above). */
void json_num(FILE *f, double v);            /* %.6g; nan/inf -> null */
void json_str(FILE *f, const char *s);       /* quoted, escaped */
#endif
