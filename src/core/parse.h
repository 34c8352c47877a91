/* parse.h - bounded parsing of numbers and flags from text.
 *
 * Every parser takes the whole string, rejects trailing junk, leading spaces and
 * empty input, and leaves *out untouched on failure. Never use atoi. */
#ifndef SOUK_CORE_PARSE_H
#define SOUK_CORE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decimal integer in [min, max]: 0, SOUK_EINVAL (not a number) or SOUK_ERANGE. */
int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Same for a buffer that need not be NUL-terminated. */
int parse_i64n(const char *s, size_t len, int64_t min, int64_t max, int64_t *out);
/* "true/false/yes/no/on/off/1/0" (case-insensitive). */
int parse_bool(const char *s, bool *out);
/* A byte size: a decimal count with an optional K, M or G suffix (powers of 1024). */
int parse_size(const char *s, uint64_t max, uint64_t *out);
/* "HOST:PORT" or "[V6]:PORT"; host copied into host[hostcap]. Port 0..65535. */
int parse_listen(const char *s, char *host, size_t hostcap, int *port);

#endif
