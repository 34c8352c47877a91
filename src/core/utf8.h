/* utf8.h - strict UTF-8 validation (RFC 3629) for input from outside.
 *
 * Used by the form, cookie and JSON body parsers before text reaches the
 * domain, the database or an HTML page. Pure: no allocation, no I/O. */
#ifndef SOUK_CORE_UTF8_H
#define SOUK_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Whether s[0..len) is well-formed UTF-8: every sequence is the shortest form
 * of a code point in U+0000..U+10FFFF other than a surrogate (U+D800..DFFF).
 * Overlong forms, stray continuation bytes, truncated sequences and the bytes
 * C0, C1, F5..FF are rejected. U+0000 is valid here; callers that must not see
 * NUL check for it themselves. An empty string is valid. s may be NULL if len
 * is 0. */
bool utf8_valid(const char *s, size_t len);

/* The length of the longest valid prefix of s[0..len) that ends on a sequence
 * boundary: len if the whole string is valid, else the offset of the first byte
 * of the first ill-formed sequence (for error messages: "at byte N"). */
size_t utf8_valid_len(const char *s, size_t len);

#endif
