/* test.h — a minimal test harness.  Each tests/test_*.c is one binary; CHECK
 * counts a pass or prints the failing expression with file:line; test_main's
 * closing line is "<name>: N passed, M failed"; exit status 1 on any failure. */
#ifndef TEST_H
#define TEST_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

static int t_pass, t_fail;
#define CHECK(cond) do { if (cond) t_pass++; else { t_fail++; \
    fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECKF(cond, ...) do { if (cond) t_pass++; else { t_fail++; \
    fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)
#define TEST_DONE(name) do { printf("%s: %d passed, %d failed\n", name, t_pass, t_fail); \
    return t_fail ? 1 : 0; } while (0)

/* Where the shared datasets live: $UNLEARN_DATA, else ../shared/datasets. */
static inline const char *test_data_dir(void) {
    const char *d = getenv("UNLEARN_DATA");
    return d && *d ? d : "../shared/datasets";
}
/* Directory holding the CLI binaries under test ($BINDIR, default bin). */
static inline const char *test_bin_dir(void) {
    const char *d = getenv("BINDIR");
    return d && *d ? d : "bin";
}
#endif
