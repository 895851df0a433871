/* escape.h — make untrusted text (names and messages read from files, file names
 * found on disk, user arguments) safe to print on a terminal or in a log line.
 *
 * Printable ASCII (0x20..0x7e) is kept, except the backslash, which becomes "\\";
 * every other byte (newlines, ESC and other control codes, DEL, bytes >= 0x80)
 * becomes "\xNN".  The output is capped: text that does not fit ends in "..." so
 * a truncation is visible.  The result never contains a control character. */
#ifndef ESCAPE_H
#define ESCAPE_H
#include <stddef.h>

/* Longest escaped string esc() returns (bytes, without the NUL). */
#define ESC_MAX 200

/* Escape n bytes of s into out (outlen bytes, always NUL-terminated when
 * outlen > 0; NULL s prints as "(null)").  Returns out. */
char *escape_mem(char *out, size_t outlen, const void *s, size_t n);
/* The same for a NUL-terminated string. */
char *escape_str(char *out, size_t outlen, const char *s);
/* Convenience for printf arguments: the escaped s in one of 8 rotating
 * thread-local buffers of ESC_MAX + 1 bytes, so up to 8 esc() calls may appear
 * in one printf. */
const char *esc(const char *s);
/* The same for the n bytes at s (a token inside a longer string). */
const char *esc_n(const char *s, size_t n);
#endif
