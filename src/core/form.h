/* form.h - percent-decoding and application/x-www-form-urlencoded parsing.
 *
 * The HTTP layer hands the raw bytes of a query string (without the '?') or of
 * a form body to form_parse() together with its configured limits; handlers
 * read the fields with form_get(). Pure: no I/O, no h2o. Everything a form_t
 * returns is decoded, valid UTF-8, free of NUL and NUL-terminated. */
#ifndef SOUK_CORE_FORM_H
#define SOUK_CORE_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* Default limits; the server passes the configured ones. */
#define FORM_DEFAULT_MAX_FIELDS 256
#define FORM_DEFAULT_MAX_KEY 256
#define FORM_DEFAULT_MAX_VALUE (64 * 1024)

typedef struct {
    size_t max_fields;    /* pairs after skipping empty ones; more is SOUK_ELIMIT */
    size_t max_key_len;   /* bytes of a key after decoding */
    size_t max_value_len; /* bytes of a value after decoding */
} form_limits_t;

#define FORM_DEFAULT_LIMITS                                                                        \
    {                                                                                              \
        FORM_DEFAULT_MAX_FIELDS, FORM_DEFAULT_MAX_KEY, FORM_DEFAULT_MAX_VALUE                      \
    }

/* A parsed form: the (key, value) pairs in the order they came, repeated keys
 * kept. Opaque; one allocation owned by the caller of form_parse(). */
typedef struct form form_t;

/* Decode in[0..len) into out, which has room for len bytes (the result is never
 * longer). "%XY" with two hex digits (either case) becomes that byte; '+'
 * becomes a space if plus_is_space (forms and query strings), else stays '+'.
 * out is not NUL-terminated; out == in decodes in place. On success sets
 * *outlen and returns 0. Returns SOUK_ENCODING, with out's contents unspecified
 * and *outlen untouched, if a '%' is not followed by two hex digits, the result
 * contains a NUL byte (encoded or raw), or the result is not valid UTF-8. */
int pct_decode(const char *in, size_t len, bool plus_is_space, char *out, size_t *outlen);

/* Parse in[0..len) as "k=v&k2=v2" (WHATWG URL-encoded: '&' separates pairs,
 * the first '=' splits key from value, '+' is a space). Empty pairs ("a=1&&b")
 * are skipped; a key without '=' gets the value ""; "=v" gives the key "".
 * lim NULL means FORM_DEFAULT_LIMITS. An empty input (in may then be NULL) is a
 * form with no pairs.
 * On success stores a form_t in *out that the caller releases with form_free()
 * and returns 0. On failure *out is set to NULL and the result is
 * SOUK_ELIMIT (more than max_fields pairs, or a decoded key or value longer
 * than its limit) or SOUK_ENCODING (see pct_decode). The input's total size is
 * the caller's to bound (the body limit). */
int form_parse(const char *in, size_t len, const form_limits_t *lim, form_t **out);

/* The number of pairs. */
size_t form_count(const form_t *f);
/* The key and value of pair i < form_count(f), NUL-terminated, valid until
 * form_free(f). If len is not NULL it receives the length in bytes. */
const char *form_key(const form_t *f, size_t i, size_t *len);
const char *form_value(const form_t *f, size_t i, size_t *len);
/* The value of the first pair whose key is key, or NULL if there is none. */
const char *form_get(const form_t *f, const char *key);
/* Store in vals[] the values of up to max pairs whose key is key, in order,
 * and return how many were stored (never more than max). To learn whether
 * there were more, pass an array one larger than you accept. */
size_t form_get_all(const form_t *f, const char *key, const char **vals, size_t max);
/* Release f and every string it returned. NULL is a no-op. */
void form_free(form_t *f);

/* Append s percent-encoded for a query string key or value: unreserved
 * characters (A-Z a-z 0-9 - . _ ~) as they are, every other byte as %XX. */
void form_url_encode(buf_t *out, const char *s, size_t len);

#endif
