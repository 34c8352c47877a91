/* form.c - see form.h.
 *
 * A form_t is one allocation: the header, the pair array, then a pool holding
 * every decoded key and value with its NUL. Decoding never grows a string, so
 * the pool needs at most the input's length plus two NULs per pair. */
#include "core/form.h"

#include <ctype.h>

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"
#include "core/util.h"

struct form_pair {
    const char *key;
    const char *value;
    size_t key_len;
    size_t value_len;
};

struct form {
    size_t n;
    struct form_pair pairs[];
};

static int hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int pct_decode(const char *in, size_t len, bool plus_is_space, char *out, size_t *outlen)
{
    /* o <= i throughout and in[i..i+2] is read before out[o] is written, so
     * decoding in place is safe. */
    size_t i = 0, o = 0;
    while (i < len) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%') {
            if (len - i < 3)
                return SOUK_ENCODING;
            int hi = hex_digit((unsigned char)in[i + 1]);
            int lo = hex_digit((unsigned char)in[i + 2]);
            if (hi < 0 || lo < 0)
                return SOUK_ENCODING;
            c = (unsigned char)(hi << 4 | lo);
            i += 3;
        } else {
            if (c == '+' && plus_is_space)
                c = ' ';
            i++;
        }
        if (c == '\0')
            return SOUK_ENCODING;
        out[o++] = (char)c;
    }
    if (!utf8_valid(out, o))
        return SOUK_ENCODING;
    *outlen = o;
    return 0;
}

/* The next non-empty '&'-separated segment at or after *pos, or false at the end. */
static bool next_pair(const char *in, size_t len, size_t *pos, const char **seg, size_t *seglen)
{
    while (*pos < len) {
        const char *start = in + *pos;
        const char *amp = memchr(start, '&', len - *pos);
        size_t n = amp ? (size_t)(amp - start) : len - *pos;
        *pos += n + (amp != NULL);
        if (n > 0) {
            *seg = start;
            *seglen = n;
            return true;
        }
    }
    return false;
}

/* Decode in[0..len) to dst and NUL-terminate it; *dstlen gets its length. */
static int decode_field(const char *in, size_t len, size_t max, char *dst, size_t *dstlen)
{
    int rc = pct_decode(in, len, true, dst, dstlen);
    if (rc != 0)
        return rc;
    if (*dstlen > max)
        return SOUK_ELIMIT;
    dst[*dstlen] = '\0';
    return 0;
}

int form_parse(const char *in, size_t len, const form_limits_t *lim, form_t **out)
{
    static const form_limits_t defaults = FORM_DEFAULT_LIMITS;
    const char *seg;
    size_t seglen, pos = 0, n = 0;
    form_t *f = NULL;
    int rc = 0;

    *out = NULL;
    if (lim == NULL)
        lim = &defaults;

    /* Count first, so a flood of pairs is refused before anything is allocated. */
    while (next_pair(in, len, &pos, &seg, &seglen)) {
        if (++n > lim->max_fields)
            return SOUK_ELIMIT;
    }

    size_t head, pool, total;
    if (size_mul(&head, n, sizeof(struct form_pair)) != 0 ||
        size_add(&head, head, sizeof(form_t)) != 0 || size_mul(&pool, n, 2) != 0 ||
        size_add(&pool, pool, len) != 0 || size_add(&total, head, pool) != 0)
        return SOUK_ELIMIT;
    f = xmalloc(total);
    f->n = n;
    char *dst = (char *)f + head;

    pos = 0;
    for (size_t i = 0; i < n; i++) {
        struct form_pair *p = &f->pairs[i];
        bool more = next_pair(in, len, &pos, &seg, &seglen);
        ASSERT(more);
        const char *eq = memchr(seg, '=', seglen);
        size_t klen = eq ? (size_t)(eq - seg) : seglen;

        rc = decode_field(seg, klen, lim->max_key_len, dst, &p->key_len);
        if (rc != 0)
            goto out;
        p->key = dst;
        dst += p->key_len + 1;

        if (eq)
            rc = decode_field(eq + 1, seglen - klen - 1, lim->max_value_len, dst, &p->value_len);
        else
            rc = decode_field("", 0, lim->max_value_len, dst, &p->value_len);
        if (rc != 0)
            goto out;
        p->value = dst;
        dst += p->value_len + 1;
    }
    ASSERT(dst <= (char *)f + total);
    *out = f;
    f = NULL;
out:
    free(f);
    return rc;
}

size_t form_count(const form_t *f)
{
    return f->n;
}

const char *form_key(const form_t *f, size_t i, size_t *len)
{
    ASSERT(i < f->n);
    if (len)
        *len = f->pairs[i].key_len;
    return f->pairs[i].key;
}

const char *form_value(const form_t *f, size_t i, size_t *len)
{
    ASSERT(i < f->n);
    if (len)
        *len = f->pairs[i].value_len;
    return f->pairs[i].value;
}

const char *form_get(const form_t *f, const char *key)
{
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->pairs[i].key, key) == 0)
            return f->pairs[i].value;
    }
    return NULL;
}

size_t form_get_all(const form_t *f, const char *key, const char **vals, size_t max)
{
    size_t found = 0;
    for (size_t i = 0; i < f->n && found < max; i++) {
        if (strcmp(f->pairs[i].key, key) == 0)
            vals[found++] = f->pairs[i].value;
    }
    return found;
}

void form_free(form_t *f)
{
    free(f);
}

void form_url_encode(buf_t *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            buf_putc(out, (char)c);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(out, esc, 3);
        }
    }
}
