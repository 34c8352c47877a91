/* buf.h - a growable byte buffer, always NUL-terminated.
 *
 * A buf_t owns its memory: initialise with BUF_INIT, release with buf_free().
 * Appends abort on out-of-memory (xmalloc); callers bound client-controlled
 * sizes before appending. */
#ifndef SOUK_CORE_BUF_H
#define SOUK_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *data; /* NUL-terminated when cap > 0 */
    size_t len;
    size_t cap;
} buf_t;

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void buf_grow(buf_t *b, size_t extra);
void buf_append(buf_t *b, const void *data, size_t len);
void buf_puts(buf_t *b, const char *s);
void buf_putc(buf_t *b, char c);
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf_t *b, const char *fmt, va_list ap);
/* Append s as the inside of a JSON string (quotes not included). */
void buf_json_str(buf_t *b, const char *s, size_t len);
/* Append s with & < > " ' escaped for HTML text and attribute values. */
void buf_html(buf_t *b, const char *s, size_t len);
void buf_reset(buf_t *b);
/* Give up ownership of the data (NUL-terminated, caller frees) and reset b. */
char *buf_detach(buf_t *b, size_t *len);
void buf_free(buf_t *b);
/* The contents as a C string; "" for an empty buffer. */
static inline const char *buf_cstr(const buf_t *b)
{
    return b->data ? b->data : "";
}

#endif
