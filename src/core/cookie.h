/* cookie.h - the Cookie request header in, Set-Cookie header values out.
 *
 * cookie_parse() reads what a browser sends (RFC 6265 section 4.2, leniently,
 * as browsers send more than the grammar allows); cookie_format() writes a
 * Set-Cookie value that is strictly within the grammar (section 4.1). Pure: no
 * I/O, no h2o. Cookie values are opaque: nothing is percent-decoded. */
#ifndef SOUK_CORE_COOKIE_H
#define SOUK_CORE_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Default limits; the server passes the configured ones. Browsers store about
 * 4 KiB per cookie and 180 cookies per site. */
#define COOKIE_DEFAULT_MAX_COOKIES 100
#define COOKIE_DEFAULT_MAX_NAME 256
#define COOKIE_DEFAULT_MAX_VALUE 4096

typedef struct {
    size_t max_cookies;   /* name=value pairs in the header, valid or not */
    size_t max_name_len;  /* bytes of a name, spaces around it excluded */
    size_t max_value_len; /* bytes of a value, spaces and enclosing quotes excluded */
} cookie_limits_t;

#define COOKIE_DEFAULT_LIMITS                                                                      \
    {                                                                                              \
        COOKIE_DEFAULT_MAX_COOKIES, COOKIE_DEFAULT_MAX_NAME, COOKIE_DEFAULT_MAX_VALUE              \
    }

/* The cookies of one request, in header order, duplicates kept. Opaque; one
 * allocation owned by the caller of cookie_parse(). */
typedef struct cookie_jar cookie_jar_t;

/* Parse a Cookie header value ("a=1; b=2"). Pairs are split on ';'; spaces and
 * tabs around names and values are dropped; a value in double quotes loses the
 * quotes. A pair is skipped, without failing the header, if it has no '=', if
 * its name is empty or not an RFC 7230 token (no separators, controls, spaces
 * or non-ASCII), or if its value contains a control character. Other bytes in
 * values (spaces, commas, non-ASCII) are kept as sent: do not assume UTF-8.
 * Limits apply to every pair, kept or skipped; lim NULL means
 * COOKIE_DEFAULT_LIMITS. On success stores a jar in *out that the caller
 * releases with cookie_jar_free() and returns 0; an empty header (hdr may then be
 * NULL) is an empty jar. Over a limit: *out = NULL and SOUK_ELIMIT. */
int cookie_parse(const char *hdr, size_t len, const cookie_limits_t *lim, cookie_jar_t **out);

/* The value of the first cookie named name (names are case-sensitive), or NULL.
 * The browser sends the cookie with the longest path first, so with __Host-
 * cookies (Path=/ only) a duplicate means someone else set one: callers that
 * care can look with cookie_count()/cookie_name(). Valid until cookie_jar_free(). */
const char *cookie_get(const cookie_jar_t *jar, const char *name);
/* The number of cookies kept, and the name and value of cookie i < count,
 * NUL-terminated and valid until cookie_jar_free(). */
size_t cookie_count(const cookie_jar_t *jar);
const char *cookie_name(const cookie_jar_t *jar, size_t i);
const char *cookie_value(const cookie_jar_t *jar, size_t i);
/* Release the jar and every string it returned. NULL is a no-op. */
void cookie_jar_free(cookie_jar_t *jar);

/* Whether s[0..len) may be a cookie name (a non-empty RFC 7230 token), and
 * whether it may be a cookie value in Set-Cookie (zero or more cookie-octets:
 * printable ASCII except space, '"', ',', ';' and '\'). */
bool cookie_name_valid(const char *s, size_t len);
bool cookie_value_valid(const char *s, size_t len);

/* Attributes of a Set-Cookie. Browsers drop a cookie named __Host-... unless it
 * is Secure with Path=/, and one with SameSite=None unless it is Secure. */
typedef struct {
    const char *path; /* NULL: no Path attribute */
    int64_t max_age;  /* seconds; -1: none (a session cookie); 0: delete it now */
    bool http_only;
    bool secure;
    const char *same_site; /* NULL (none), "Lax", "Strict" or "None" */
} cookie_attrs_t;

/* Append to out the value of a Set-Cookie header (without "Set-Cookie: "), as
 * "name=value; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Lax". a NULL
 * means no attributes. Names and values come from code, not from clients:
 * an invalid name or value (see cookie_name_valid/cookie_value_valid), a path
 * with a control character or ';', max_age < -1, or another same_site is a bug
 * and aborts (ASSERT). */
void cookie_format(buf_t *out, const char *name, const char *value, const cookie_attrs_t *a);

#endif
