/* classmap.c — output slot <-> class label map, parsed from "0,1,2,4,5,6,7,8,9". */
#include "classmap.h"
#include "escape.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR(...) do { if (err && errlen) snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

/* max_class > 0: labels must lie in [0,max_class); max_class <= 0: any label >= 0. */
int classmap_parse(ClassMap *m, const char *list, int max_class, char *err, size_t errlen) {
    ClassMap out; memset(&out, 0, sizeof out);
    if (!list) ERR("class list is empty");
    const char *p = list;
    while (isspace((unsigned char)*p)) p++;
    if (!*p) ERR("class list is empty");
    for (;;) {
        while (isspace((unsigned char)*p)) p++;
        if (*p == ',' || !*p) ERR("class list '%s' has an empty entry", esc(list));
        const char *start = p;
        if (*p == '+' || *p == '-') p++;
        if (!isdigit((unsigned char)*p)) {
            const char *e = start; while (*e && *e != ',') e++;
            ERR("class list '%s': '%s' is not a class number", esc(list), esc_n(start, (size_t)(e - start)));
        }
        errno = 0;
        char *end;
        long v = strtol(start, &end, 10);
        p = end;
        while (isspace((unsigned char)*p)) p++;
        if (*p && *p != ',') {
            const char *e = start; while (*e && *e != ',') e++;
            ERR("class list '%s': '%s' is not a class number", esc(list), esc_n(start, (size_t)(e - start)));
        }
        if (errno == ERANGE || v < 0 || (max_class > 0 && v >= max_class) || v > INT_MAX) {
            if (max_class > 0) ERR("class %s is out of range (classes are 0..%d)",
                                   esc_n(start, (size_t)(end - start)), max_class - 1);
            ERR("class %s is out of range (classes are >= 0)", esc_n(start, (size_t)(end - start)));
        }
        for (int i = 0; i < out.n_slots; i++)
            if (out.slot_class[i] == (int)v) ERR("class %ld is listed twice", v);
        if (out.n_slots >= MAX_SLOTS) ERR("class list has more than %d classes", MAX_SLOTS);
        out.slot_class[out.n_slots++] = (int)v;
        if (!*p) break;
        p++;  /* comma */
    }
    *m = out;
    return 0;
}

int classmap_slot(const ClassMap *m, int cls) {
    for (int i = 0; i < m->n_slots; i++) if (m->slot_class[i] == cls) return i;
    return -1;
}

/* Writes as much as fits; always NUL-terminated when len > 0. */
void classmap_format(const ClassMap *m, char *buf, size_t len) {
    if (!buf || !len) return;
    buf[0] = 0;
    size_t at = 0;
    for (int i = 0; i < m->n_slots; i++) {
        int k = snprintf(buf + at, len - at, i ? ",%d" : "%d", m->slot_class[i]);
        if (k < 0 || (size_t)k >= len - at) {  /* truncated: cut back to the last whole entry */
            buf[at] = 0;
            return;
        }
        at += (size_t)k;
    }
}
