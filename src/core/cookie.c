/* cookie.c - see cookie.h.
 *
 * Parsing walks the header twice: once to apply the limits and count the
 * cookies to keep, once to copy them into a jar that is a single allocation
 * (header, entry array, then the NUL-terminated names and values). */
#include "core/cookie.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

struct cookie {
    const char *name;
    const char *value;
};

struct cookie_jar {
    size_t n;
    struct cookie c[];
};

/* One ';'-separated piece of the header, trimmed and split. */
typedef struct {
    const char *name, *value;
    size_t name_len, value_len;
    bool valid;
} piece_t;

static bool is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

bool cookie_name_valid(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!is_tchar((unsigned char)s[i]))
            return false;
    }
    return true;
}

bool cookie_value_valid(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\')
            return false;
    }
    return true;
}

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* The next non-blank piece at or after *pos, or false at the end. */
static bool next_piece(const char *hdr, size_t len, size_t *pos, piece_t *p)
{
    while (*pos < len) {
        const char *s = hdr + *pos;
        const char *semi = memchr(s, ';', len - *pos);
        size_t n = semi ? (size_t)(semi - s) : len - *pos;
        *pos += n + (semi != NULL);
        trim(&s, &n);
        if (n == 0)
            continue;

        const char *eq = memchr(s, '=', n);
        if (eq == NULL) {
            /* Browsers send "foo" as a nameless cookie; we have no use for it. */
            p->name = s;
            p->name_len = 0;
            p->value = s;
            p->value_len = n;
            p->valid = false;
            return true;
        }
        p->name = s;
        p->name_len = (size_t)(eq - s);
        trim(&p->name, &p->name_len);
        p->value = eq + 1;
        p->value_len = (size_t)(s + n - p->value);
        trim(&p->value, &p->value_len);
        if (p->value_len >= 2 && p->value[0] == '"' && p->value[p->value_len - 1] == '"') {
            p->value++;
            p->value_len -= 2;
        }
        p->valid = cookie_name_valid(p->name, p->name_len);
        for (size_t i = 0; p->valid && i < p->value_len; i++) {
            if (is_ctl((unsigned char)p->value[i]))
                p->valid = false;
        }
        return true;
    }
    return false;
}

int cookie_parse(const char *hdr, size_t len, const cookie_limits_t *lim, cookie_jar_t **out)
{
    static const cookie_limits_t defaults = COOKIE_DEFAULT_LIMITS;
    piece_t p;
    size_t pos = 0, pieces = 0, keep = 0;

    *out = NULL;
    if (lim == NULL)
        lim = &defaults;
    while (next_piece(hdr, len, &pos, &p)) {
        if (++pieces > lim->max_cookies || p.name_len > lim->max_name_len ||
            p.value_len > lim->max_value_len)
            return SOUK_ELIMIT;
        keep += p.valid;
    }

    /* Each kept name and value is shorter than its piece, which holds a '='. */
    size_t head, total;
    if (size_mul(&head, keep, sizeof(struct cookie)) != 0 ||
        size_add(&head, head, sizeof(cookie_jar_t)) != 0 || size_add(&total, head, len) != 0 ||
        size_add(&total, total, keep) != 0)
        return SOUK_ELIMIT;
    cookie_jar_t *jar = xmalloc(total);
    char *dst = (char *)jar + head;
    jar->n = 0;
    pos = 0;
    while (next_piece(hdr, len, &pos, &p)) {
        if (!p.valid)
            continue;
        struct cookie *c = &jar->c[jar->n++];
        memcpy(dst, p.name, p.name_len);
        dst[p.name_len] = '\0';
        c->name = dst;
        dst += p.name_len + 1;
        memcpy(dst, p.value, p.value_len);
        dst[p.value_len] = '\0';
        c->value = dst;
        dst += p.value_len + 1;
    }
    ASSERT(jar->n == keep && dst <= (char *)jar + total);
    *out = jar;
    return 0;
}

const char *cookie_get(const cookie_jar_t *jar, const char *name)
{
    for (size_t i = 0; i < jar->n; i++) {
        if (strcmp(jar->c[i].name, name) == 0)
            return jar->c[i].value;
    }
    return NULL;
}

size_t cookie_count(const cookie_jar_t *jar)
{
    return jar->n;
}

const char *cookie_name(const cookie_jar_t *jar, size_t i)
{
    ASSERT(i < jar->n);
    return jar->c[i].name;
}

const char *cookie_value(const cookie_jar_t *jar, size_t i)
{
    ASSERT(i < jar->n);
    return jar->c[i].value;
}

void cookie_jar_free(cookie_jar_t *jar)
{
    free(jar);
}

void cookie_format(buf_t *out, const char *name, const char *value, const cookie_attrs_t *a)
{
    size_t nlen = strlen(name), vlen = strlen(value);
    ASSERT(cookie_name_valid(name, nlen));
    ASSERT(cookie_value_valid(value, vlen));
    buf_append(out, name, nlen);
    buf_putc(out, '=');
    buf_append(out, value, vlen);
    if (a == NULL)
        return;
    if (a->path) {
        for (const char *s = a->path; *s; s++)
            ASSERT((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f && *s != ';');
        buf_printf(out, "; Path=%s", a->path);
    }
    ASSERT(a->max_age >= -1);
    if (a->max_age >= 0)
        buf_printf(out, "; Max-Age=%" PRId64, a->max_age);
    if (a->http_only)
        buf_puts(out, "; HttpOnly");
    if (a->secure)
        buf_puts(out, "; Secure");
    if (a->same_site) {
        ASSERT(strcmp(a->same_site, "Lax") == 0 || strcmp(a->same_site, "Strict") == 0 ||
               strcmp(a->same_site, "None") == 0);
        buf_printf(out, "; SameSite=%s", a->same_site);
    }
}
