/* money.h - amounts of money as integers of the currency's minor unit.
 *
 * A price is an int64_t count of cents (pence, yen, fils...) and an ISO 4217
 * code; there is no floating point anywhere. The exponent of the minor unit
 * comes from the ISO 4217 table in money.c: USD 19.99 is 1999, JPY 500 is
 * 500, BHD 1.250 is 1250.
 *
 * Rounding rule of the whole shop (written once, here):
 *   - Tax and any other rate is applied per line, to the line's amount
 *     (unit price x quantity), with money_mul_rate_half_even(): the exact
 *     result is rounded to the nearest minor unit, ties to the even one
 *     (banker's rounding; 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -2.5 -> -2).
 *   - Totals are sums of rounded lines (money_add), never a rate applied to
 *     a total, so an order's total always equals the sum of what its lines show.
 *   - Every operation is checked: a result that does not fit in int64_t is
 *     SOUK_ERANGE, never a wrapped number. */
#ifndef SOUK_CORE_MONEY_H
#define SOUK_CORE_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef struct {
    int64_t amount;   /* in minor units; negative for refunds and discounts */
    char currency[4]; /* ISO 4217 alphabetic code, NUL-terminated, e.g. "EUR" */
} money_t;

/* The number of decimals of the currency's minor unit (USD 2, JPY 0, BHD 3,
 * CLF 4), or -1 if code is NULL or not a currency of our table (codes are
 * three upper-case letters: "usd" is unknown). */
int currency_exponent(const char *code);

/* Parse s[0..len), a plain decimal in major units ("19.99", "-5", "0.5",
 * "007.50"), into minor units of currency. Grammar: an optional '-', one or
 * more digits, optionally '.' and one or more digits. No '+', spaces,
 * thousands separators, exponents or symbols. Fraction digits beyond the
 * currency's exponent are accepted only if they are zeros ("1.230" is 123 USD
 * cents, "1.235" is refused). Returns 0 and sets *minor, or leaves *minor
 * untouched and returns SOUK_EINVAL (malformed, unknown currency) or
 * SOUK_ERANGE (too precise for the currency, or outside int64_t). */
int money_parse(const char *s, size_t len, const char *currency, int64_t *minor);

/* Append minor units of currency to out as a plain decimal with exactly the
 * currency's number of decimals and no symbol or grouping: "19.99", "-0.05",
 * "500" (JPY). money_parse() reads it back to the same value. An unknown
 * currency is a bug (ASSERT). */
void money_format(buf_t *out, int64_t minor, const char *currency);

/* The same with the currency's exponent (currency_exponent(), 0 to 4)
 * already looked up, and with the sign left out: "19.99" for 1999 or -1999.
 * For a caller that formats many amounts of one currency, or puts a symbol
 * between the sign and the digits. */
void money_format_abs(buf_t *out, int64_t minor, int exp);

/* *out = amount x num / den rounded half to even, computed exactly (128-bit),
 * e.g. 8.25 % tax on 1999 cents: money_mul_rate_half_even(1999, 825, 10000)
 * = 164.9175 -> 165. amount and num may be negative; den must be > 0.
 * Returns 0, SOUK_EINVAL if den <= 0, or SOUK_ERANGE if the result does not
 * fit in int64_t (*out untouched on failure). */
int money_mul_rate_half_even(int64_t amount, int64_t num, int64_t den, int64_t *out);

/* *out = a + b (or a - b), in their common currency. Returns 0, SOUK_EINVAL
 * if the currencies differ, or SOUK_ERANGE on overflow; *out is untouched on
 * failure. */
int money_add(money_t a, money_t b, money_t *out);
int money_sub(money_t a, money_t b, money_t *out);

#endif
