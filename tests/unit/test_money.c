/* test_money.c - currencies, parsing and formatting amounts, rounding. */
#include <stdint.h>
#include <string.h>

#include "harness.h"

#include "core/err.h"
#include "core/money.h"

static int parse(const char *s, const char *cur, int64_t *out)
{
    return money_parse(s, strlen(s), cur, out);
}

static int64_t parsed(const char *s, const char *cur)
{
    int64_t v = 0x5a5a;
    int rc = parse(s, cur, &v);
    if (rc != 0)
        test_fail(__FILE__, __LINE__, "money_parse(\"%s\", %s) = %d", s, cur, rc);
    return v;
}

TEST(money_currency_exponents)
{
    static const struct {
        const char *code;
        int exp;
    } cases[] = {
        {"USD", 2}, {"EUR", 2}, {"JPY", 0}, {"GBP", 2}, {"CNY", 2}, {"AUD", 2}, {"CAD", 2},
        {"CHF", 2}, {"HKD", 2}, {"SGD", 2}, {"SEK", 2}, {"KRW", 0}, {"NOK", 2}, {"NZD", 2},
        {"INR", 2}, {"MXN", 2}, {"TWD", 2}, {"ZAR", 2}, {"BRL", 2}, {"DKK", 2}, {"PLN", 2},
        {"THB", 2}, {"ILS", 2}, {"IDR", 2}, {"CZK", 2}, {"AED", 2}, {"TRY", 2}, {"HUF", 2},
        {"CLP", 0}, {"SAR", 2}, {"PHP", 2}, {"MYR", 2}, {"COP", 2}, {"RUB", 2}, {"RON", 2},
        {"PEN", 2}, {"BHD", 3}, {"BGN", 2}, {"ARS", 2}, {"KWD", 3}, {"TND", 3}, {"OMR", 3},
        {"JOD", 3}, {"IQD", 3}, {"LYD", 3}, {"ISK", 0}, {"VND", 0}, {"UGX", 0}, {"PYG", 0},
        {"XOF", 0}, {"XAF", 0}, {"XPF", 0}, {"CLF", 4}, {"UYW", 4}, {"EGP", 2}, {"NGN", 2},
        {"PKR", 2}, {"KES", 2}, {"MAD", 2}, {"QAR", 2}, {"UAH", 2}, {"AFN", 2}, {"ZWG", 2},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = currency_exponent(cases[i].code);
        if (got != cases[i].exp)
            test_fail(__FILE__, __LINE__, "currency_exponent(%s) = %d, expected %d", cases[i].code,
                      got, cases[i].exp);
    }
}

TEST(money_unknown_currencies)
{
    CHECK_INT(currency_exponent("usd"), -1); /* codes are upper case */
    CHECK_INT(currency_exponent("XXX"), -1);
    CHECK_INT(currency_exponent("US"), -1);
    CHECK_INT(currency_exponent("USDX"), -1);
    CHECK_INT(currency_exponent(""), -1);
    CHECK_INT(currency_exponent(NULL), -1);
    CHECK_INT(currency_exponent("AAA"), -1); /* before the first entry */
    CHECK_INT(currency_exponent("ZZZ"), -1); /* after the last */
    int64_t v;
    CHECK_INT(parse("1", "XXX", &v), SOUK_EINVAL);
    CHECK_INT(parse("1", NULL, &v), SOUK_EINVAL);
}

TEST(money_parse_decimals)
{
    CHECK_INT(parsed("19.99", "USD"), 1999);
    CHECK_INT(parsed("-5", "USD"), -500);
    CHECK_INT(parsed("0.5", "USD"), 50);
    CHECK_INT(parsed("0.05", "USD"), 5);
    CHECK_INT(parsed("0", "USD"), 0);
    CHECK_INT(parsed("-0", "USD"), 0);
    CHECK_INT(parsed("-0.00", "EUR"), 0);
    CHECK_INT(parsed("007.50", "USD"), 750);
    CHECK_INT(parsed("1.230", "USD"), 123); /* extra zeros are only precision */
    CHECK_INT(parsed("1.2300000000000000000000", "USD"), 123);
    CHECK_INT(parsed("500", "JPY"), 500);
    CHECK_INT(parsed("500.0", "JPY"), 500);
    CHECK_INT(parsed("1.250", "BHD"), 1250);
    CHECK_INT(parsed("1.25", "BHD"), 1250);
    CHECK_INT(parsed("1.2500", "BHD"), 1250);
    CHECK_INT(parsed("0.0001", "CLF"), 1);
}

TEST(money_parse_too_precise)
{
    int64_t v = 42;
    CHECK_INT(parse("1.235", "USD", &v), SOUK_ERANGE);
    CHECK_INT(parse("0.001", "USD", &v), SOUK_ERANGE);
    CHECK_INT(parse("1.2300000000000000000001", "USD", &v), SOUK_ERANGE);
    CHECK_INT(parse("500.5", "JPY", &v), SOUK_ERANGE);
    CHECK_INT(parse("1.2505", "BHD", &v), SOUK_ERANGE);
    CHECK_INT(v, 42); /* untouched */
}

TEST(money_parse_rejects_malformed)
{
    static const char *bad[] = {"",         "-",     ".",  ".5",    "5.",           "-.5",   "+5",
                                "1,234.50", "1 234", " 1", "1 ",    "1e3",          "0x10",  "--1",
                                "1.2.3",    "1.-2",  "$5", "5 USD", "\xef\xbc\x95", "1_000", "NaN",
                                "inf",      "- 1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t v = 42;
        int rc = parse(bad[i], "USD", &v);
        if (rc != SOUK_EINVAL || v != 42)
            test_fail(__FILE__, __LINE__, "money_parse(\"%s\") = %d, %lld", bad[i], rc,
                      (long long)v);
    }
    int64_t v;
    CHECK_INT(money_parse("1\0002", 3, "USD", &v), SOUK_EINVAL);
}

TEST(money_parse_reads_only_len_bytes)
{
    int64_t v = 0;
    CHECK_INT(money_parse("19.99xyz", 5, "USD", &v), 0);
    CHECK_INT(v, 1999);
    CHECK_INT(money_parse("19.995", 5, "USD", &v), 0);
    CHECK_INT(v, 1999);
}

TEST(money_parse_int64_limits)
{
    int64_t v = 42;
    CHECK_INT(parsed("92233720368547758.07", "USD"), INT64_MAX);
    CHECK_INT(parse("92233720368547758.08", "USD", &v), SOUK_ERANGE);
    CHECK(parsed("-92233720368547758.08", "USD") == INT64_MIN);
    CHECK_INT(parse("-92233720368547758.09", "USD", &v), SOUK_ERANGE);
    CHECK_INT(parsed("9223372036854775807", "JPY"), INT64_MAX);
    CHECK_INT(parse("9223372036854775808", "JPY", &v), SOUK_ERANGE);
    CHECK(parsed("-9223372036854775808", "JPY") == INT64_MIN);
    CHECK_INT(parse("-9223372036854775809", "JPY", &v), SOUK_ERANGE);
    /* The integer part alone overflows once scaled by the exponent. */
    CHECK_INT(parse("92233720368547759", "USD", &v), SOUK_ERANGE);
    CHECK_INT(parse("99999999999999999999999999", "USD", &v), SOUK_ERANGE);
    CHECK_INT(v, 42);
    CHECK_INT(parsed("000000000000000000000000001.00", "USD"), 100);
}

static void check_format(int64_t minor, const char *cur, const char *want, int line)
{
    buf_t b = BUF_INIT;
    money_format(&b, minor, cur);
    if (strcmp(buf_cstr(&b), want) != 0)
        test_fail(__FILE__, line, "money_format(%lld, %s) = \"%s\", expected \"%s\"",
                  (long long)minor, cur, buf_cstr(&b), want);
    /* Without the sign, by exponent: what the storefront puts after "-$". */
    buf_t abs = BUF_INIT;
    money_format_abs(&abs, minor, currency_exponent(cur));
    const char *digits = want[0] == '-' ? want + 1 : want;
    if (strcmp(buf_cstr(&abs), digits) != 0)
        test_fail(__FILE__, line, "money_format_abs(%lld, %d) = \"%s\", expected \"%s\"",
                  (long long)minor, currency_exponent(cur), buf_cstr(&abs), digits);
    buf_free(&abs);
    /* And back. */
    int64_t back = 0;
    if (money_parse(b.data, b.len, cur, &back) != 0 || back != minor)
        test_fail(__FILE__, line, "\"%s\" %s does not parse back to %lld", buf_cstr(&b), cur,
                  (long long)minor);
    buf_free(&b);
}

TEST(money_format_plain_decimal)
{
    check_format(1999, "USD", "19.99", __LINE__);
    check_format(5, "USD", "0.05", __LINE__);
    check_format(-5, "USD", "-0.05", __LINE__);
    check_format(-1999, "EUR", "-19.99", __LINE__);
    check_format(0, "USD", "0.00", __LINE__);
    check_format(100, "GBP", "1.00", __LINE__);
    check_format(123456789, "USD", "1234567.89", __LINE__);
    check_format(500, "JPY", "500", __LINE__);
    check_format(-500, "KRW", "-500", __LINE__);
    check_format(0, "JPY", "0", __LINE__);
    check_format(1250, "BHD", "1.250", __LINE__);
    check_format(1, "KWD", "0.001", __LINE__);
    check_format(12345, "CLF", "1.2345", __LINE__);
    check_format(INT64_MAX, "USD", "92233720368547758.07", __LINE__);
    check_format(INT64_MIN, "USD", "-92233720368547758.08", __LINE__);
    check_format(INT64_MIN, "JPY", "-9223372036854775808", __LINE__);
}

TEST(money_format_appends)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "total: ");
    money_format(&b, 1999, "USD");
    buf_puts(&b, " USD");
    CHECK_STR(buf_cstr(&b), "total: 19.99 USD");
    buf_free(&b);
}

static int64_t rate(int64_t amount, int64_t num, int64_t den)
{
    int64_t out = 0x5a5a;
    int rc = money_mul_rate_half_even(amount, num, den, &out);
    if (rc != 0)
        test_fail(__FILE__, __LINE__, "rate(%lld, %lld, %lld) = %d", (long long)amount,
                  (long long)num, (long long)den, rc);
    return out;
}

TEST(money_rate_rounds_half_to_even)
{
    CHECK_INT(rate(1999, 825, 10000), 165); /* 164.9175 */
    CHECK_INT(rate(1000, 825, 10000), 82);  /* 82.5, a tie: to the even 82 */
    CHECK_INT(rate(5, 1, 10), 0);           /* 0.5 */
    CHECK_INT(rate(15, 1, 10), 2);          /* 1.5 */
    CHECK_INT(rate(25, 1, 10), 2);          /* 2.5 */
    CHECK_INT(rate(35, 1, 10), 4);          /* 3.5 */
    CHECK_INT(rate(51, 1, 100), 1);         /* 0.51 */
    CHECK_INT(rate(49, 1, 100), 0);         /* 0.49 */
    CHECK_INT(rate(-5, 1, 10), 0);          /* -0.5 */
    CHECK_INT(rate(-15, 1, 10), -2);        /* -1.5 */
    CHECK_INT(rate(-25, 1, 10), -2);        /* -2.5 */
    CHECK_INT(rate(25, -1, 10), -2);        /* a negative rate rounds the same way */
    CHECK_INT(rate(-26, 1, 10), -3);        /* -2.6 */
    CHECK_INT(rate(-24, 1, 10), -2);        /* -2.4 */
    CHECK_INT(rate(1234, 1, 1), 1234);
    CHECK_INT(rate(0, 825, 10000), 0);
    CHECK_INT(rate(1000, 20, 100), 200); /* exact */
    CHECK_INT(rate(100, 1, 3), 33);
    CHECK_INT(rate(200, 1, 3), 67);
}

TEST(money_rate_int64_limits)
{
    int64_t out = 42;
    CHECK_INT(rate(INT64_MAX, INT64_MAX, INT64_MAX), INT64_MAX); /* exact in 128 bits */
    CHECK(rate(INT64_MIN, 1, 1) == INT64_MIN);
    CHECK(rate(INT64_MIN, INT64_MAX, INT64_MAX) == INT64_MIN); /* exact in 128 bits */
    CHECK_INT(money_mul_rate_half_even(INT64_MAX, 2, 1, &out), SOUK_ERANGE);
    CHECK_INT(money_mul_rate_half_even(INT64_MIN, -1, 1, &out), SOUK_ERANGE);
    CHECK_INT(money_mul_rate_half_even(INT64_MIN, INT64_MIN, 1, &out), SOUK_ERANGE);
    /* 2^126 / (2^63 - 1) is 2^63 + 1 and a bit: just past INT64_MAX. */
    CHECK_INT(money_mul_rate_half_even(INT64_MIN, INT64_MIN, INT64_MAX, &out), SOUK_ERANGE);
    CHECK_INT(out, 42);
    /* Rounding up onto the limit, and past it. */
    CHECK_INT(rate(INT64_MAX, 2, 2), INT64_MAX);
    CHECK_INT(money_mul_rate_half_even(INT64_MAX, 3, 2, &out), SOUK_ERANGE);
}

TEST(money_rate_needs_positive_denominator)
{
    int64_t out = 42;
    CHECK_INT(money_mul_rate_half_even(100, 1, 0, &out), SOUK_EINVAL);
    CHECK_INT(money_mul_rate_half_even(100, 1, -10, &out), SOUK_EINVAL);
    CHECK_INT(out, 42);
}

TEST(money_tax_per_line_then_sum)
{
    /* Three lines of 10.05 at 5%: each line's tax is 0.5025 -> 0.50, and the
     * order's tax is the sum of those, 1.50, not 5% of 30.15 (1.5075 -> 1.51). */
    money_t total = {0, "USD"};
    for (int i = 0; i < 3; i++) {
        int64_t tax;
        CHECK_INT(money_mul_rate_half_even(1005, 5, 100, &tax), 0);
        CHECK_INT(tax, 50);
        money_t line = {tax, "USD"};
        CHECK_INT(money_add(total, line, &total), 0);
    }
    CHECK_INT(total.amount, 150);
}

TEST(money_add_and_sub)
{
    money_t a = {1999, "USD"}, b = {1, "USD"}, out = {0, ""};
    CHECK_INT(money_add(a, b, &out), 0);
    CHECK_INT(out.amount, 2000);
    CHECK_STR(out.currency, "USD");
    CHECK_INT(money_sub(a, b, &out), 0);
    CHECK_INT(out.amount, 1998);
    CHECK_INT(money_sub(b, a, &out), 0);
    CHECK_INT(out.amount, -1998);
}

TEST(money_add_refuses_mixed_currencies)
{
    money_t a = {100, "USD"}, b = {100, "EUR"}, out = {42, "XXX"};
    CHECK_INT(money_add(a, b, &out), SOUK_EINVAL);
    CHECK_INT(money_sub(a, b, &out), SOUK_EINVAL);
    CHECK_INT(out.amount, 42);
    CHECK_STR(out.currency, "XXX");
}

TEST(money_add_sub_int64_limits)
{
    money_t max = {INT64_MAX, "USD"}, min = {INT64_MIN, "USD"};
    money_t one = {1, "USD"}, m1 = {INT64_MAX - 1, "USD"}, out = {42, "USD"};
    CHECK_INT(money_add(m1, one, &out), 0);
    CHECK_INT(out.amount, INT64_MAX);
    CHECK_INT(money_add(max, one, &out), SOUK_ERANGE);
    CHECK_INT(out.amount, INT64_MAX); /* untouched */
    money_t n1 = {INT64_MIN + 1, "USD"};
    CHECK_INT(money_sub(n1, one, &out), 0);
    CHECK(out.amount == INT64_MIN);
    CHECK_INT(money_sub(min, one, &out), SOUK_ERANGE);
    money_t zero = {0, "USD"};
    CHECK_INT(money_sub(zero, min, &out), SOUK_ERANGE);
    CHECK_INT(money_add(min, max, &out), 0);
    CHECK_INT(out.amount, -1);
}
