/* fuzz_cookie.c - libFuzzer target for cookie_parse() and cookie_format().
 *
 * Checks what the header promises of every kept cookie, that tighter limits
 * only ever turn a success into SOUK_ELIMIT, and that cookies written with
 * cookie_format() are read back unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/cookie.h"
#include "core/err.h"
#include "fuzz_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_jar(const uint8_t *data, size_t size, const cookie_jar_t *jar,
                      const cookie_limits_t *lim)
{
    size_t n = cookie_count(jar), semis = 0;
    for (size_t i = 0; i < size; i++)
        semis += data[i] == ';';
    FUZZ_CHECK(n <= lim->max_cookies && n <= semis + 1);
    for (size_t i = 0; i < n; i++) {
        const char *name = cookie_name(jar, i), *value = cookie_value(jar, i);
        size_t nl = strlen(name), vl = strlen(value);
        FUZZ_CHECK(cookie_name_valid(name, nl) && nl <= lim->max_name_len);
        FUZZ_CHECK(vl <= lim->max_value_len);
        for (size_t k = 0; k < vl; k++)
            FUZZ_CHECK((unsigned char)value[k] >= 0x20 && (unsigned char)value[k] != 0x7f);
        FUZZ_CHECK(memmem(data, size, name, nl) != NULL);
        FUZZ_CHECK(memmem(data, size, value, vl) != NULL);
        size_t first = 0;
        while (strcmp(cookie_name(jar, first), name) != 0)
            first++;
        FUZZ_CHECK(cookie_get(jar, name) == cookie_value(jar, first));
    }
}

static bool same_jar(const cookie_jar_t *a, const cookie_jar_t *b)
{
    if (cookie_count(a) != cookie_count(b))
        return false;
    for (size_t i = 0; i < cookie_count(a); i++) {
        if (strcmp(cookie_name(a, i), cookie_name(b, i)) != 0 ||
            strcmp(cookie_value(a, i), cookie_value(b, i)) != 0)
            return false;
    }
    return true;
}

/* Write every cookie whose value Set-Cookie allows with cookie_format(), join
 * them as a browser would, and parse that back. */
static void check_round_trip(const cookie_jar_t *jar, size_t size)
{
    buf_t hdr = BUF_INIT, one = BUF_INIT;
    size_t n = 0;
    for (size_t i = 0; i < cookie_count(jar); i++) {
        const char *name = cookie_name(jar, i), *value = cookie_value(jar, i);
        if (!cookie_value_valid(value, strlen(value)))
            continue;
        if (n++)
            buf_puts(&hdr, "; ");
        cookie_format(&hdr, name, value, NULL);

        /* With attributes, the cookie itself still comes first. */
        static const char *const same_site[] = {NULL, "Lax", "Strict", "None"};
        cookie_attrs_t a = {(size & 1) ? "/" : NULL, (int64_t)(size % 3) - 1, size & 2, size & 4,
                            same_site[(size >> 3) & 3]};
        buf_reset(&one);
        cookie_format(&one, name, value, &a);
        cookie_jar_t *back = NULL;
        FUZZ_CHECK(cookie_parse(one.data, one.len, NULL, &back) == 0);
        FUZZ_CHECK(cookie_count(back) >= 1);
        FUZZ_CHECK(strcmp(cookie_name(back, 0), name) == 0);
        FUZZ_CHECK(strcmp(cookie_value(back, 0), value) == 0);
        cookie_jar_free(back);
    }
    cookie_limits_t big = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
    cookie_jar_t *back = NULL;
    FUZZ_CHECK(cookie_parse(buf_cstr(&hdr), hdr.len, &big, &back) == 0);
    FUZZ_CHECK(cookie_count(back) == n);
    for (size_t i = 0, j = 0; i < cookie_count(jar); i++) {
        const char *value = cookie_value(jar, i);
        if (!cookie_value_valid(value, strlen(value)))
            continue;
        FUZZ_CHECK(strcmp(cookie_name(back, j), cookie_name(jar, i)) == 0);
        FUZZ_CHECK(strcmp(cookie_value(back, j), value) == 0);
        j++;
    }
    cookie_jar_free(back);
    buf_free(&hdr);
    buf_free(&one);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const cookie_limits_t defaults = COOKIE_DEFAULT_LIMITS;
    const cookie_limits_t small = {size % 5, size % 7, size % 11};
    cookie_jar_t *a = (cookie_jar_t *)&small, *b = (cookie_jar_t *)&small;

    int ra = cookie_parse(s, size, &defaults, &a);
    int rb = cookie_parse(s, size, &small, &b);
    FUZZ_CHECK(ra == 0 || ra == SOUK_ELIMIT);
    FUZZ_CHECK(rb == 0 || rb == SOUK_ELIMIT);
    FUZZ_CHECK(ra == 0 ? a != NULL : a == NULL);
    FUZZ_CHECK(rb == 0 ? b != NULL : b == NULL);
    /* The small limits are below the defaults: passing them means passing the
     * defaults, with the same cookies. */
    if (rb == 0)
        FUZZ_CHECK(ra == 0 && same_jar(a, b));
    if (ra == 0) {
        check_jar(data, size, a, &defaults);
        check_round_trip(a, size);
    }
    if (rb == 0)
        check_jar(data, size, b, &small);
    cookie_jar_free(a);
    cookie_jar_free(b);
    return 0;
}
