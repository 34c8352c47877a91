/* money.c - see money.h for the representation and the rounding rule. */
#include "core/money.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

/* ISO 4217 active codes and their minor-unit exponents, sorted by code for
 * bsearch. Funds codes and precious metals are left out, except the two
 * unidades de fomento that have four decimals. */
static const struct currency {
    char code[4];
    int exp;
} currencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2},
    {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2}, {"COP", 2},
    {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2},
    {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2},
    {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2},
    {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0},
    {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2},
    {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2},
    {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2},
    {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2},
    {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2},
    {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2},
    {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2},
    {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2},
    {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2},
    {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYI", 0}, {"UYU", 2},
    {"UYW", 4}, {"UZS", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2},
    {"XCG", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

static int currency_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct currency *)elem)->code);
}

int currency_exponent(const char *code)
{
    if (code == NULL || strnlen(code, 4) != 3)
        return -1;
    const struct currency *c =
        bsearch(code, currencies, ARRAY_LEN(currencies), sizeof(currencies[0]), currency_cmp);
    return c ? c->exp : -1;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* v = v * 10 - d, accumulating a negative number so that INT64_MIN fits. */
static int push_digit(int64_t *v, int d)
{
    if (__builtin_mul_overflow(*v, 10, v) || __builtin_sub_overflow(*v, d, v))
        return SOUK_ERANGE;
    return 0;
}

int money_parse(const char *s, size_t len, const char *currency, int64_t *minor)
{
    int exp = currency_exponent(currency);
    size_t i = 0;
    bool neg = false;

    if (exp < 0)
        return SOUK_EINVAL;
    if (i < len && s[i] == '-') {
        neg = true;
        i++;
    }
    size_t int_start = i;
    while (i < len && is_digit(s[i]))
        i++;
    size_t int_end = i;
    if (int_end == int_start)
        return SOUK_EINVAL;
    size_t frac_start = i, frac_end = i;
    if (i < len && s[i] == '.') {
        frac_start = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        frac_end = i;
        if (frac_end == frac_start)
            return SOUK_EINVAL;
    }
    if (i != len)
        return SOUK_EINVAL;
    for (size_t k = frac_start + (size_t)exp; k < frac_end; k++) {
        if (s[k] != '0')
            return SOUK_ERANGE;
    }

    int64_t v = 0;
    for (size_t k = int_start; k < int_end; k++) {
        if (push_digit(&v, s[k] - '0') != 0)
            return SOUK_ERANGE;
    }
    for (size_t k = frac_start; k < frac_start + (size_t)exp; k++) {
        if (push_digit(&v, k < frac_end ? s[k] - '0' : 0) != 0)
            return SOUK_ERANGE;
    }
    if (!neg) {
        if (v == INT64_MIN)
            return SOUK_ERANGE;
        v = -v;
    }
    *minor = v;
    return 0;
}

/* Digits are written backwards by hand: a listing formats a hundred prices,
 * and through printf each cost more than the rest of its card. */
static void format_digits(buf_t *out, int64_t minor, int exp, bool sign)
{
    ASSERT(exp >= 0 && exp <= 4); /* ISO 4217 uses 0 to 4 */
    /* The magnitude as unsigned, so that INT64_MIN has one too. */
    uint64_t mag = minor < 0 ? 0 - (uint64_t)minor : (uint64_t)minor;
    char rev[48]; /* 20 digits, the point, zeros of a small amount, sign */
    size_t n = 0;
    int digits = 0;
    do {
        if (exp > 0 && digits == exp)
            rev[n++] = '.';
        rev[n++] = (char)('0' + mag % 10);
        mag /= 10;
        digits++;
    } while (mag > 0 || digits <= exp);
    if (sign && minor < 0)
        rev[n++] = '-';
    char text[sizeof(rev)];
    for (size_t i = 0; i < n; i++)
        text[i] = rev[n - 1 - i];
    buf_append(out, text, n);
}

void money_format(buf_t *out, int64_t minor, const char *currency)
{
    format_digits(out, minor, currency_exponent(currency), true);
}

void money_format_abs(buf_t *out, int64_t minor, int exp)
{
    format_digits(out, minor, exp, false);
}

int money_mul_rate_half_even(int64_t amount, int64_t num, int64_t den, int64_t *out)
{
    if (den <= 0)
        return SOUK_EINVAL;
    /* |amount x num| <= 2^126, so the product and the rounding fit in 128 bits. */
    __int128 p = (__int128)amount * num;
    __int128 q = p / den, r = p % den; /* both truncated toward zero */
    __int128 twice_r = 2 * (r < 0 ? -r : r);
    if (twice_r > den || (twice_r == den && q % 2 != 0))
        q += p < 0 ? -1 : 1;
    if (q < INT64_MIN || q > INT64_MAX)
        return SOUK_ERANGE;
    *out = (int64_t)q;
    return 0;
}

static bool same_currency(const money_t *a, const money_t *b)
{
    return strncmp(a->currency, b->currency, sizeof(a->currency)) == 0;
}

int money_add(money_t a, money_t b, money_t *out)
{
    int64_t sum;
    if (!same_currency(&a, &b))
        return SOUK_EINVAL;
    if (i64_add(&sum, a.amount, b.amount) != 0)
        return SOUK_ERANGE;
    out->amount = sum;
    memcpy(out->currency, a.currency, sizeof(out->currency));
    return 0;
}

int money_sub(money_t a, money_t b, money_t *out)
{
    int64_t diff;
    if (!same_currency(&a, &b))
        return SOUK_EINVAL;
    if (i64_sub(&diff, a.amount, b.amount) != 0)
        return SOUK_ERANGE;
    out->amount = diff;
    memcpy(out->currency, a.currency, sizeof(out->currency));
    return 0;
}
