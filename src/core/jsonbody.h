/* jsonbody.h - read a JSON request body into a jansson value, within limits.
 *
 * The API layer calls jsonbody_parse() with the raw body bytes and its
 * configured limits, answers 413 for SOUK_ELIMIT and 400 otherwise, quoting
 * err. Pure: no I/O, no h2o. */
#ifndef SOUK_CORE_JSONBODY_H
#define SOUK_CORE_JSONBODY_H

#include <jansson.h>
#include <stddef.h>

/* Default limits; the server passes the configured ones. */
#define JSONBODY_DEFAULT_MAX_BYTES (1024 * 1024)
#define JSONBODY_DEFAULT_MAX_DEPTH 32
/* jansson refuses to nest deeper than this (a compile-time setting of the library). */
#define JSONBODY_MAX_DEPTH_CAP JSON_PARSER_MAX_DEPTH

typedef struct {
    size_t max_bytes; /* bytes of the body */
    size_t max_depth; /* open arrays and objects: {} is 1, {"a":[]} is 2; <= the cap */
} jsonbody_limits_t;

#define JSONBODY_DEFAULT_LIMITS                                                                    \
    {                                                                                              \
        JSONBODY_DEFAULT_MAX_BYTES, JSONBODY_DEFAULT_MAX_DEPTH                                     \
    }

/* Parse in[0..len) as one JSON object or array (whitespace around it allowed,
 * nothing else; in may be NULL if len is 0). lim NULL means JSONBODY_DEFAULT_LIMITS; a max_depth
 * over JSONBODY_MAX_DEPTH_CAP is a bug (ASSERT). On success stores in *out a new reference the
 * caller releases with json_decref(), sets err to "" and returns 0. On failure *out is NULL, err
 * (if errcap > 0) holds a lowercase message for people, and the result is: SOUK_ELIMIT   longer
 * than max_bytes, or nested deeper than max_depth; SOUK_ENCODING not valid UTF-8 (the message names
 * the byte offset); SOUK_EINVAL   not JSON, a top level that is not an object or array, a duplicate
 * key in an object, or "\u0000" in a string (the message names the line and column, both from 1).
 * Numbers are jansson's: integers must fit in json_int_t (64 bits); numbers
 * with a fraction or exponent become doubles, so money must not travel as
 * JSON numbers with a fraction. */
int jsonbody_parse(const char *in, size_t len, const jsonbody_limits_t *lim, json_t **out,
                   char *err, size_t errcap);

#endif
