/* jsonbody.c - see jsonbody.h.
 *
 * jansson's own nesting limit is fixed when the library is built (2048 on
 * Debian) and recursion to that depth costs stack, so the depth is measured
 * here first by a linear scan that only tracks strings and brackets. */
#include "core/jsonbody.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/err.h"
#include "core/utf8.h"
#include "core/util.h"

static void set_err(char *err, size_t errcap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errcap, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL || errcap == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errcap, fmt, ap);
    va_end(ap);
}

/* The offset of the bracket that first opens level max_depth + 1, or len if
 * the body never gets that deep. Brackets inside strings do not count. For a
 * body that is not JSON the answer is meaningless but bounded, and jansson
 * rejects such a body anyway. */
static size_t too_deep_at(const char *s, size_t len, size_t max_depth)
{
    size_t depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++; /* the escaped byte cannot end the string */
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth)
                return i;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return len;
}

/* Line and column (from 1, columns in characters as jansson counts them) of
 * byte offset off in valid UTF-8 text. */
static void position(const char *s, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)s[i] & 0xc0) != 0x80) {
            (*col)++;
        }
    }
}

int jsonbody_parse(const char *in, size_t len, const jsonbody_limits_t *lim, json_t **out,
                   char *err, size_t errcap)
{
    static const jsonbody_limits_t defaults = JSONBODY_DEFAULT_LIMITS;
    json_error_t jerr;

    *out = NULL;
    if (lim == NULL)
        lim = &defaults;
    ASSERT(lim->max_depth <= JSONBODY_MAX_DEPTH_CAP);
    if (in == NULL)
        in = "";

    if (len > lim->max_bytes) {
        set_err(err, errcap, "json body of %zu bytes is over the limit of %zu bytes", len,
                lim->max_bytes);
        return SOUK_ELIMIT;
    }
    size_t bad = utf8_valid_len(in, len);
    if (bad != len) {
        set_err(err, errcap, "json body is not valid utf-8 at byte %zu", bad);
        return SOUK_ENCODING;
    }
    size_t deep = too_deep_at(in, len, lim->max_depth);
    if (deep != len) {
        int line, col;
        position(in, deep, &line, &col);
        set_err(err, errcap, "json nested deeper than %zu levels at line %d, column %d",
                lim->max_depth, line, col);
        return SOUK_ELIMIT;
    }

    /* Without JSON_DECODE_ANY jansson accepts only an object or an array at the
     * top; without JSON_ALLOW_NUL it refuses "\u0000". */
    json_t *root = json_loadb(in, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        if (json_error_code(&jerr) == json_error_out_of_memory)
            BUG("out of memory parsing a json body of %zu bytes", len);
        if (jerr.line > 0)
            set_err(err, errcap, "invalid json at line %d, column %d: %s", jerr.line, jerr.column,
                    jerr.text);
        else
            set_err(err, errcap, "invalid json: %s", jerr.text);
        return SOUK_EINVAL;
    }
    if (!json_is_object(root) && !json_is_array(root)) {
        json_decref(root);
        set_err(err, errcap, "json body must be an object or an array");
        return SOUK_EINVAL;
    }
    set_err(err, errcap, "%s", "");
    *out = root;
    return 0;
}
