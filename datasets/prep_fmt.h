/* prep_fmt.h — snprintf for one-line messages, without GCC's compile-time truncation warnings. */
#ifndef PREP_FMT_H
#define PREP_FMT_H
#include <stdarg.h>
#include <stdio.h>
/* Every message may be cut at the buffer's end, which is what we want for one-line errors. */
__attribute__((format(printf, 3, 4))) static inline int prep_fmt(char *buf, size_t len, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(buf, len, f, ap);
    va_end(ap);
    return n;
}
#endif
