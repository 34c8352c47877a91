/* test_form.c - percent-decoding, form parsing and UTF-8 validation. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#include "core/err.h"
#include "core/form.h"
#include "core/utf8.h"

#define S(lit) (lit), (sizeof(lit) - 1)

/* ---- utf8 ---- */

TEST(utf8_accepts_well_formed)
{
    CHECK(utf8_valid(S("")));
    CHECK(utf8_valid(NULL, 0));
    CHECK(utf8_valid(S("plain ascii ~")));
    CHECK(utf8_valid(S("caf\xc3\xa9")));      /* U+00E9 */
    CHECK(utf8_valid(S("\xe2\x82\xac")));     /* U+20AC */
    CHECK(utf8_valid(S("\xf0\x9f\x98\x80"))); /* U+1F600 */
    CHECK(utf8_valid(S("\xc2\x80")));         /* U+0080, the smallest 2-byte */
    CHECK(utf8_valid(S("\xe0\xa0\x80")));     /* U+0800, the smallest 3-byte */
    CHECK(utf8_valid(S("\xf0\x90\x80\x80"))); /* U+10000, the smallest 4-byte */
    CHECK(utf8_valid(S("\xed\x9f\xbf")));     /* U+D7FF, just below the surrogates */
    CHECK(utf8_valid(S("\xee\x80\x80")));     /* U+E000, just above them */
    CHECK(utf8_valid(S("\xf4\x8f\xbf\xbf"))); /* U+10FFFF, the last code point */
    CHECK(utf8_valid(S("\xef\xbf\xbf")));     /* U+FFFF, a noncharacter but valid */
    CHECK(utf8_valid(S("a\0b")));             /* NUL is a code point */
}

TEST(utf8_rejects_ill_formed)
{
    CHECK(!utf8_valid(S("\x80"))); /* stray continuation */
    CHECK(!utf8_valid(S("\xbf")));
    CHECK(!utf8_valid(S("\xc0\xaf")));         /* overlong '/' */
    CHECK(!utf8_valid(S("\xc1\xbf")));         /* overlong */
    CHECK(!utf8_valid(S("\xe0\x80\xaf")));     /* overlong 3-byte '/' */
    CHECK(!utf8_valid(S("\xe0\x9f\xbf")));     /* overlong U+07FF */
    CHECK(!utf8_valid(S("\xf0\x80\x80\xaf"))); /* overlong 4-byte */
    CHECK(!utf8_valid(S("\xf0\x8f\xbf\xbf"))); /* overlong U+FFFF */
    CHECK(!utf8_valid(S("\xed\xa0\x80")));     /* U+D800 surrogate */
    CHECK(!utf8_valid(S("\xed\xbf\xbf")));     /* U+DFFF surrogate */
    CHECK(!utf8_valid(S("\xf4\x90\x80\x80"))); /* U+110000 */
    CHECK(!utf8_valid(S("\xf5\x80\x80\x80")));
    CHECK(!utf8_valid(S("\xff")));
    CHECK(!utf8_valid(S("\xfe")));
    CHECK(!utf8_valid(S("\xe2\x82")));  /* truncated at the end */
    CHECK(!utf8_valid(S("\xe2\x82x"))); /* truncated in the middle */
    CHECK(!utf8_valid(S("\xf0\x9f\x98")));
    CHECK(!utf8_valid(S("\xc3\xc3\xa9"))); /* lead byte where a continuation must be */
}

TEST(utf8_valid_len_points_at_the_bad_sequence)
{
    CHECK_INT(utf8_valid_len(S("abc")), 3);
    CHECK_INT(utf8_valid_len(S("ab\xe2\x82")), 2);
    CHECK_INT(utf8_valid_len(S("caf\xc3\xa9\xff!")), 5);
    CHECK_INT(utf8_valid_len(S("\x80")), 0);
    /* Only as far as len: the byte after is not read. */
    CHECK_INT(utf8_valid_len("\xc3\xa9\xff", 2), 2);
}

/* ---- pct_decode ---- */

static int decode(const char *in, size_t len, bool plus, char *out, size_t *outlen)
{
    int rc = pct_decode(in, len, plus, out, outlen);
    if (rc == 0)
        out[*outlen] = '\0';
    return rc;
}

TEST(pct_decode_decodes_escapes_in_either_case)
{
    char out[64];
    size_t n = 99;
    CHECK_INT(decode(S("a%20b%2fc%2F%41%6a%6A"), false, out, &n), 0);
    CHECK_STR(out, "a b/c/Ajj");
    CHECK_INT(n, 9);
    CHECK_INT(decode(S(""), false, out, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(decode(S("%C3%A9t%C3%A9"), false, out, &n), 0);
    CHECK_STR(out, "\xc3\xa9t\xc3\xa9");
}

TEST(pct_decode_plus_is_space_only_when_asked)
{
    char out[16];
    size_t n;
    CHECK_INT(decode(S("a+b%2B"), true, out, &n), 0);
    CHECK_STR(out, "a b+");
    CHECK_INT(decode(S("a+b%2B"), false, out, &n), 0);
    CHECK_STR(out, "a+b+");
}

TEST(pct_decode_rejects_bad_escapes)
{
    char out[16];
    size_t n = 7;
    CHECK_INT(pct_decode(S("%"), false, out, &n), SOUK_ENCODING);
    CHECK_INT(pct_decode(S("a%4"), false, out, &n), SOUK_ENCODING);
    CHECK_INT(pct_decode(S("%G1"), false, out, &n), SOUK_ENCODING);
    CHECK_INT(pct_decode(S("%4g"), false, out, &n), SOUK_ENCODING);
    CHECK_INT(pct_decode(S("%%41"), false, out, &n), SOUK_ENCODING);
    CHECK_INT(pct_decode(S("% 41"), false, out, &n), SOUK_ENCODING);
    /* A '%' at the very end of a longer buffer is not completed by what
     * follows len. */
    CHECK_INT(pct_decode("ab%41", 3, false, out, &n), SOUK_ENCODING);
    CHECK_INT(pct_decode("ab%41", 4, false, out, &n), SOUK_ENCODING);
    CHECK_INT(n, 7); /* untouched on failure */
}

TEST(pct_decode_rejects_nul_encoded_or_raw)
{
    char out[16];
    size_t n;
    CHECK_INT(pct_decode(S("a%00b"), false, out, &n), SOUK_ENCODING);
    CHECK_INT(pct_decode(S("a\0b"), false, out, &n), SOUK_ENCODING);
}

TEST(pct_decode_rejects_invalid_utf8_after_decoding)
{
    char out[16];
    size_t n;
    CHECK_INT(pct_decode(S("%C3"), false, out, &n), SOUK_ENCODING);          /* truncated */
    CHECK_INT(pct_decode(S("%C0%AF"), false, out, &n), SOUK_ENCODING);       /* overlong */
    CHECK_INT(pct_decode(S("%ED%A0%80"), false, out, &n), SOUK_ENCODING);    /* surrogate */
    CHECK_INT(pct_decode(S("%F4%90%80%80"), false, out, &n), SOUK_ENCODING); /* > U+10FFFF */
    CHECK_INT(pct_decode(S("%FF"), false, out, &n), SOUK_ENCODING);
    CHECK_INT(pct_decode(S("\xff"), false, out, &n), SOUK_ENCODING); /* raw byte */
    CHECK_INT(pct_decode(S("%C3%A9"), false, out, &n), 0);
}

TEST(pct_decode_in_place)
{
    char s[] = "x%3D%41+y";
    size_t n;
    CHECK_INT(pct_decode(s, strlen(s), true, s, &n), 0);
    CHECK_INT(n, 5);
    CHECK(memcmp(s, "x=A y", 5) == 0);
}

/* ---- form_parse ---- */

static form_t *parse_ok(const char *s, const form_limits_t *lim)
{
    form_t *f = (form_t *)1;
    int rc = form_parse(s, strlen(s), lim, &f);
    CHECK_INT(rc, 0);
    return rc == 0 ? f : NULL;
}

static int parse_rc(const char *s, const form_limits_t *lim)
{
    form_t *f = (form_t *)1;
    int rc = form_parse(s, strlen(s), lim, &f);
    if (rc != 0)
        CHECK(f == NULL); /* and so nothing to free */
    else
        form_free(f);
    return rc;
}

TEST(form_parse_pairs_in_order)
{
    form_t *f = parse_ok("name=Ada+Lovelace&email=ada%40example.org&qty=2", NULL);
    if (f == NULL)
        return;
    CHECK_INT(form_count(f), 3);
    size_t klen, vlen;
    CHECK_STR(form_key(f, 0, &klen), "name");
    CHECK_INT(klen, 4);
    CHECK_STR(form_value(f, 0, &vlen), "Ada Lovelace");
    CHECK_INT(vlen, 12);
    CHECK_STR(form_key(f, 1, NULL), "email");
    CHECK_STR(form_value(f, 1, NULL), "ada@example.org");
    CHECK_STR(form_get(f, "qty"), "2");
    CHECK_STR(form_get(f, "email"), "ada@example.org");
    CHECK(form_get(f, "missing") == NULL);
    CHECK(form_get(f, "Name") == NULL); /* keys are case-sensitive */
    form_free(f);
}

TEST(form_parse_decodes_keys_too)
{
    form_t *f = parse_ok("a%5B%5D=1&caf%C3%A9=%E2%82%AC+5", NULL);
    if (f == NULL)
        return;
    CHECK_STR(form_get(f, "a[]"), "1");
    CHECK_STR(form_get(f, "caf\xc3\xa9"), "\xe2\x82\xac 5");
    form_free(f);
}

TEST(form_parse_repeated_keys)
{
    form_t *f = parse_ok("tag=red&x=0&tag=green&tag=blue", NULL);
    if (f == NULL)
        return;
    const char *vals[4] = {NULL, NULL, NULL, NULL};
    CHECK_STR(form_get(f, "tag"), "red");
    CHECK_INT(form_get_all(f, "tag", vals, 4), 3);
    CHECK_STR(vals[0], "red");
    CHECK_STR(vals[1], "green");
    CHECK_STR(vals[2], "blue");
    CHECK(vals[3] == NULL);
    /* Never more than max, so vals[] cannot overflow. */
    const char *two[2];
    CHECK_INT(form_get_all(f, "tag", two, 2), 2);
    CHECK_STR(two[1], "green");
    CHECK_INT(form_get_all(f, "none", vals, 4), 0);
    CHECK_INT(form_get_all(f, "tag", vals, 0), 0);
    form_free(f);
}

TEST(form_parse_empty_pairs_and_missing_values)
{
    form_t *f = parse_ok("&&a=1&&b=2&&flag&=orphan&c=&d==x&", NULL);
    if (f == NULL)
        return;
    CHECK_INT(form_count(f), 6);
    CHECK_STR(form_get(f, "a"), "1");
    CHECK_STR(form_get(f, "b"), "2");
    CHECK_STR(form_get(f, "flag"), ""); /* no '=': empty value */
    CHECK_STR(form_get(f, ""), "orphan");
    CHECK_STR(form_get(f, "c"), "");
    CHECK_STR(form_get(f, "d"), "=x"); /* only the first '=' splits */
    form_free(f);
}

TEST(form_parse_empty_input)
{
    form_t *f = NULL;
    CHECK_INT(form_parse(NULL, 0, NULL, &f), 0);
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(form_count(f), 0);
        CHECK(form_get(f, "") == NULL);
    }
    form_free(f);
    f = parse_ok("&&&", NULL);
    if (f)
        CHECK_INT(form_count(f), 0);
    form_free(f);
}

TEST(form_parse_only_reads_len_bytes)
{
    form_t *f = NULL;
    CHECK_INT(form_parse("a=1&b=2", 3, NULL, &f), 0);
    if (f) {
        CHECK_INT(form_count(f), 1);
        CHECK_STR(form_get(f, "a"), "1");
    }
    form_free(f);
}

TEST(form_parse_bad_encoding)
{
    CHECK_INT(parse_rc("a=%zz", NULL), SOUK_ENCODING);
    CHECK_INT(parse_rc("a=1&b=%", NULL), SOUK_ENCODING);
    CHECK_INT(parse_rc("a=%00", NULL), SOUK_ENCODING);
    CHECK_INT(parse_rc("a%00=1", NULL), SOUK_ENCODING);
    CHECK_INT(parse_rc("a=%FF", NULL), SOUK_ENCODING);
    CHECK_INT(parse_rc("a=%C0%AF", NULL), SOUK_ENCODING);
    CHECK_INT(parse_rc("k%ED%A0%80=1", NULL), SOUK_ENCODING);
}

TEST(form_limit_fields_at_and_past)
{
    form_limits_t lim = {3, 16, 16};
    form_t *f = parse_ok("a=1&b=2&c=3", &lim);
    if (f)
        CHECK_INT(form_count(f), 3);
    form_free(f);
    CHECK_INT(parse_rc("a=1&b=2&c=3&d=4", &lim), SOUK_ELIMIT);
    /* Empty pairs do not count. */
    f = parse_ok("a=1&&&b=2&&c=3&", &lim);
    form_free(f);
    /* Keys without a value do. */
    CHECK_INT(parse_rc("a&b&c&d", &lim), SOUK_ELIMIT);
    lim.max_fields = 0;
    CHECK_INT(parse_rc("a", &lim), SOUK_ELIMIT);
    f = parse_ok("", &lim);
    form_free(f);
}

TEST(form_limit_key_length_after_decoding)
{
    form_limits_t lim = {8, 3, 16};
    form_t *f = parse_ok("abc=1", &lim);
    form_free(f);
    CHECK_INT(parse_rc("abcd=1", &lim), SOUK_ELIMIT);
    /* "%41%42%43" is 9 bytes on the wire but "ABC" decoded. */
    f = parse_ok("%41%42%43=1", &lim);
    if (f)
        CHECK_STR(form_get(f, "ABC"), "1");
    form_free(f);
    CHECK_INT(parse_rc("%41%42%43%44=1", &lim), SOUK_ELIMIT);
    /* A bare key is a key. */
    CHECK_INT(parse_rc("abcd", &lim), SOUK_ELIMIT);
    /* "\xc3\xa9" is one character but two bytes: limits are bytes. */
    CHECK_INT(parse_rc("%C3%A9%C3%A9=1", &lim), SOUK_ELIMIT);
}

TEST(form_limit_value_length_after_decoding)
{
    form_limits_t lim = {8, 8, 4};
    form_t *f = parse_ok("v=abcd", &lim);
    if (f)
        CHECK_STR(form_get(f, "v"), "abcd");
    form_free(f);
    CHECK_INT(parse_rc("v=abcde", &lim), SOUK_ELIMIT);
    f = parse_ok("v=%20%20+%20", &lim);
    if (f)
        CHECK_STR(form_get(f, "v"), "    ");
    form_free(f);
    CHECK_INT(parse_rc("v=%20%20%20%20%20", &lim), SOUK_ELIMIT);
    lim.max_value_len = 0;
    f = parse_ok("v=&w", &lim);
    form_free(f);
    CHECK_INT(parse_rc("v=x", &lim), SOUK_ELIMIT);
}

/* Build "k0=v&k1=v&..." with n pairs, a key of klen and a value of vlen bytes. */
static char *make_form(size_t n, size_t klen, size_t vlen)
{
    size_t cap = n * (klen + vlen + 16) + 1;
    char *s = malloc(cap), *p = s;
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = '&';
        memset(p, 'k', klen);
        p += klen;
        *p++ = '=';
        memset(p, 'v', vlen);
        p += vlen;
    }
    *p = '\0';
    return s;
}

TEST(form_default_limits_at_and_past)
{
    char *s = make_form(FORM_DEFAULT_MAX_FIELDS, 1, 1);
    form_t *f = parse_ok(s, NULL);
    if (f)
        CHECK_INT(form_count(f), FORM_DEFAULT_MAX_FIELDS);
    form_free(f);
    free(s);
    s = make_form(FORM_DEFAULT_MAX_FIELDS + 1, 1, 1);
    CHECK_INT(parse_rc(s, NULL), SOUK_ELIMIT);
    free(s);

    s = make_form(1, FORM_DEFAULT_MAX_KEY, FORM_DEFAULT_MAX_VALUE);
    f = parse_ok(s, NULL);
    if (f) {
        size_t klen, vlen;
        form_key(f, 0, &klen);
        form_value(f, 0, &vlen);
        CHECK_INT(klen, FORM_DEFAULT_MAX_KEY);
        CHECK_INT(vlen, FORM_DEFAULT_MAX_VALUE);
    }
    form_free(f);
    free(s);
    s = make_form(1, FORM_DEFAULT_MAX_KEY + 1, 1);
    CHECK_INT(parse_rc(s, NULL), SOUK_ELIMIT);
    free(s);
    s = make_form(1, 1, FORM_DEFAULT_MAX_VALUE + 1);
    CHECK_INT(parse_rc(s, NULL), SOUK_ELIMIT);
    free(s);
}

TEST(form_values_are_nul_terminated_strings)
{
    form_t *f = parse_ok("a=x%26y%3Dz&b", NULL);
    if (f == NULL)
        return;
    for (size_t i = 0; i < form_count(f); i++) {
        size_t klen, vlen;
        CHECK_INT(strlen(form_key(f, i, &klen)), klen);
        CHECK_INT(strlen(form_value(f, i, &vlen)), vlen);
    }
    CHECK_STR(form_get(f, "a"), "x&y=z");
    form_free(f);
}
