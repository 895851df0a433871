/* json.h — a tiny strict JSON reader (RFC 8259) and an escaping writer.
 *
 * Reader: json_parse builds a tree; objects keep key order and refuse duplicate
 * keys; integers that fit int64 are kept exactly (is_int, i) besides num;
 * strings are UTF-8-validated, escapes decoded (len counts bytes, so "\u0000"
 * survives; str is also NUL-terminated).  Nesting is limited to 64 levels.
 * Errors: one line, "at byte N: <problem>".
 *
 * Writer: JsonBuf is a growable string; jb_str writes a quoted, escaped string
 * (newlines, quotes, backslashes, control characters).  Allocation failure is
 * sticky (jb.oom) so callers check once at the end. */
#ifndef JSON_H
#define JSON_H
#include <stddef.h>
#include <stdint.h>

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
#endif
