/* parse.c - see parse.h. */
#include "core/parse.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"

int parse_i64n(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (len == 0)
        return SOUK_EINVAL;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == len)
        return SOUK_EINVAL;
    /* Accumulate as a negative number so INT64_MIN fits. */
    int64_t v = 0;
    bool overflow = false;
    for (; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isdigit(c))
            return SOUK_EINVAL;
        if (!overflow &&
            (__builtin_mul_overflow(v, 10, &v) || __builtin_sub_overflow(v, c - '0', &v)))
            overflow = true;
    }
    if (overflow)
        return SOUK_ERANGE;
    if (!neg) {
        if (v == INT64_MIN)
            return SOUK_ERANGE;
        v = -v;
    }
    if (v < min || v > max)
        return SOUK_ERANGE;
    *out = v;
    return 0;
}

int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    return parse_i64n(s, strlen(s), min, max, out);
}

int parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return SOUK_EINVAL;
}

int parse_size(const char *s, uint64_t max, uint64_t *out)
{
    size_t len = strlen(s);
    uint64_t mult = 1;
    if (len > 0) {
        switch (s[len - 1]) {
        case 'k':
        case 'K':
            mult = 1024;
            break;
        case 'm':
        case 'M':
            mult = 1024 * 1024;
            break;
        case 'g':
        case 'G':
            mult = 1024 * 1024 * 1024;
            break;
        }
        if (mult != 1)
            len--;
    }
    int64_t n;
    int rc = parse_i64n(s, len, 0, INT64_MAX, &n);
    if (rc != 0)
        return rc;
    uint64_t v;
    if (__builtin_mul_overflow((uint64_t)n, mult, &v) || v > max)
        return SOUK_ERANGE;
    *out = v;
    return 0;
}

int parse_listen(const char *s, char *host, size_t hostcap, int *port)
{
    const char *colon;
    const char *h = s;
    size_t hlen;
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (end == NULL || end[1] != ':')
            return SOUK_EINVAL;
        h = s + 1;
        hlen = (size_t)(end - h);
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL)
            return SOUK_EINVAL;
        hlen = (size_t)(colon - s);
    }
    if (hlen == 0 || hlen >= hostcap)
        return SOUK_EINVAL;
    /* An IPv6 address needs its brackets: "::1:80" is ambiguous. */
    if (s[0] != '[' && memchr(h, ':', hlen) != NULL)
        return SOUK_EINVAL;
    /* Digits only: no sign, no leading zeros. */
    if (!isdigit((unsigned char)colon[1]) || (colon[1] == '0' && colon[2] != '\0'))
        return SOUK_EINVAL;
    int64_t p;
    int rc = parse_i64(colon + 1, 0, 65535, &p);
    if (rc != 0)
        return rc;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (int)p;
    return 0;
}
