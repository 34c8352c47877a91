/* fuzz_money.c - libFuzzer target for money_parse(), money_format() and the
 * checked arithmetic, compared with 128-bit reference computations. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/money.h"
#include "fuzz_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const currencies[] = {"USD", "JPY", "BHD", "CLF", "EUR", "KRW", "KWD", "XXX"};

/* Reference: the grammar by hand, the value in 128 bits with a ceiling. */
static int ref_parse(const uint8_t *s, size_t len, int exp, int64_t *out)
{
    size_t i = 0;
    bool neg = len > 0 && s[0] == '-';
    __int128 v = 0;
    bool big = false, frac_nonzero = false;
    int frac_digits = 0;
    i = neg;
    size_t digits = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        v = v * 10 + (s[i] - '0');
        if (v > (__int128)1 << 80)
            big = true, v = (__int128)1 << 80;
    }
    if (digits == 0)
        return SOUK_EINVAL;
    if (i < len && s[i] == '.') {
        size_t f = ++i;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (frac_digits < exp) {
                v = v * 10 + (s[i] - '0');
                frac_digits++;
            } else if (s[i] != '0') {
                frac_nonzero = true;
            }
        }
        if (i == f)
            return SOUK_EINVAL;
    }
    if (i != len)
        return SOUK_EINVAL;
    if (frac_nonzero)
        return SOUK_ERANGE;
    for (; frac_digits < exp; frac_digits++)
        v *= 10;
    if (neg)
        v = -v;
    if (big || v > INT64_MAX || v < INT64_MIN)
        return SOUK_ERANGE;
    *out = (int64_t)v;
    return 0;
}

/* Reference half-even rounding via floor division, not truncation. */
static int ref_rate(int64_t amount, int64_t num, int64_t den, int64_t *out)
{
    if (den <= 0)
        return SOUK_EINVAL;
    __int128 p = (__int128)amount * num;
    __int128 f = p / den;
    if (f * den > p)
        f--;                    /* now floor(p / den) */
    __int128 rem = p - f * den; /* 0 <= rem < den */
    if (2 * rem > den || (2 * rem == den && (f & 1)))
        f++;
    if (f > INT64_MAX || f < INT64_MIN)
        return SOUK_ERANGE;
    *out = (int64_t)f;
    return 0;
}

static int64_t read_i64(const uint8_t *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | p[i];
    return (int64_t)u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *cur = currencies[size % (sizeof(currencies) / sizeof(currencies[0]))];
    int exp = currency_exponent(cur);
    int64_t got = 0x5a5a, want = 0;
    int rc = money_parse((const char *)data, size, cur, &got);
    if (exp < 0) {
        FUZZ_CHECK(rc == SOUK_EINVAL && got == 0x5a5a);
    } else {
        FUZZ_CHECK(rc == ref_parse(data, size, exp, &want));
        FUZZ_CHECK(rc == 0 ? got == want : got == 0x5a5a);
    }
    if (rc == 0) {
        /* Formatting is canonical and reads back. */
        buf_t b = BUF_INIT;
        money_format(&b, got, cur);
        int64_t back = 0;
        FUZZ_CHECK(money_parse(b.data, b.len, cur, &back) == 0 && back == got);
        const char *dot = strchr(buf_cstr(&b), '.');
        FUZZ_CHECK(exp == 0 ? dot == NULL : dot && strlen(dot + 1) == (size_t)exp);
        FUZZ_CHECK(b.data[0] != '-' || got < 0);
        buf_free(&b);
    }

    /* The arithmetic, on three numbers taken from the input. */
    if (size >= 24) {
        int64_t a = read_i64(data), n = read_i64(data + 8), d = read_i64(data + 16);
        if (size & 1)
            d = d % 100001; /* realistic rates too: small denominators */
        int64_t r1 = 0x5a5a, r2 = 0x5a5a;
        int e1 = money_mul_rate_half_even(a, n, d, &r1);
        int e2 = ref_rate(a, n, d, &r2);
        FUZZ_CHECK(e1 == e2 && r1 == r2);

        money_t ma = {a, "USD"}, mn = {n, "USD"}, out = {0x5a5a, "USD"};
        __int128 sum = (__int128)a + n, diff = (__int128)a - n;
        rc = money_add(ma, mn, &out);
        FUZZ_CHECK(rc == ((sum > INT64_MAX || sum < INT64_MIN) ? SOUK_ERANGE : 0));
        FUZZ_CHECK(rc != 0 || out.amount == sum);
        rc = money_sub(ma, mn, &out);
        FUZZ_CHECK(rc == ((diff > INT64_MAX || diff < INT64_MIN) ? SOUK_ERANGE : 0));
        FUZZ_CHECK(rc != 0 || out.amount == diff);
        money_t other = {n, "EUR"};
        FUZZ_CHECK(money_add(ma, other, &out) == SOUK_EINVAL);
    }
    return 0;
}
