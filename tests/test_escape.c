/* test_escape — the escape helper: printable ASCII kept, control codes, ESC,
 * newlines, DEL and high bytes as \xNN, backslashes doubled, output capped with
 * "..." and never cut inside an escape, rotating esc() buffers. */
#include "test.h"
#include "escape.h"

static int has_ctrl(const char *s) {
    for (; *s; s++) if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f) return 1;
    return 0;
}

int main(void) {
    char b[64];
    CHECK(!strcmp(escape_str(b, sizeof b, "layers.0.weight"), "layers.0.weight"));
    CHECK(!strcmp(escape_str(b, sizeof b, "a\nb"), "a\\x0ab"));
    CHECK(!strcmp(escape_str(b, sizeof b, "\x1b[2J\x1b[H"), "\\x1b[2J\\x1b[H"));
    CHECK(!strcmp(escape_str(b, sizeof b, "c:\\x41"), "c:\\\\x41"));      /* a literal backslash is doubled */
    CHECK(!strcmp(escape_str(b, sizeof b, "\x7f\xff\xc3\xa9"), "\\x7f\\xff\\xc3\\xa9"));
    CHECK(!strcmp(escape_mem(b, sizeof b, "a\0b", 3), "a\\x00b"));
    CHECK(!strcmp(escape_str(b, sizeof b, ""), ""));
    CHECK(!strcmp(escape_str(b, sizeof b, NULL), "(null)"));
    /* capping: exactly fitting text is kept whole, longer text ends in "..." */
    char small[8];
    CHECK(!strcmp(escape_str(small, sizeof small, "1234567"), "1234567"));
    CHECK(!strcmp(escape_str(small, sizeof small, "12345678"), "1234..."));
    CHECK(!strcmp(escape_str(small, sizeof small, "12\n45678"), "12..."));   /* no half "\x0" */
    CHECK(!strcmp(escape_str(small, sizeof small, "\n\n"), "\\x0a..."));
    char tiny[3];
    CHECK(!strcmp(escape_str(tiny, sizeof tiny, "abcdef"), ".."));
    CHECK(escape_str(b, 0, "x") == b);
    /* every byte value: no control character survives, the length stays capped */
    char all[256], big[2048];
    for (int i = 0; i < 256; i++) all[i] = (char)(i + 1);
    escape_mem(big, sizeof big, all, 255);
    CHECK(!has_ctrl(big) && strlen(big) < sizeof big);
    char longs[1000];
    memset(longs, '\n', sizeof longs - 1); longs[sizeof longs - 1] = 0;
    const char *e = esc(longs);
    CHECK(strlen(e) <= ESC_MAX && !has_ctrl(e) && !strcmp(e + strlen(e) - 3, "..."));
    /* rotating buffers: several esc() in one printf stay distinct */
    const char *x = esc("one"), *y = esc("two\t");
    CHECK(!strcmp(x, "one") && !strcmp(y, "two\\x09"));
    TEST_DONE("test_escape");
}
