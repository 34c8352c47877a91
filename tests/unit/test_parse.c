/* test_parse.c - bounded number, flag, size and listen-address parsing. */
#include <stdint.h>
#include <string.h>

#include "harness.h"

#include "core/err.h"
#include "core/parse.h"

static int i64(const char *s, int64_t *out)
{
    return parse_i64(s, INT64_MIN, INT64_MAX, out);
}

TEST(parse_i64_values)
{
    int64_t v = 0;
    CHECK_INT(i64("0", &v), 0);
    CHECK_INT(v, 0);
    CHECK_INT(i64("42", &v), 0);
    CHECK_INT(v, 42);
    CHECK_INT(i64("-42", &v), 0);
    CHECK_INT(v, -42);
    CHECK_INT(i64("+42", &v), 0);
    CHECK_INT(v, 42);
    CHECK_INT(i64("007", &v), 0);
    CHECK_INT(v, 7);
    CHECK_INT(i64("-0", &v), 0);
    CHECK_INT(v, 0);
}

TEST(parse_i64_int64_limits_and_one_past)
{
    int64_t v = 42;
    CHECK_INT(i64("9223372036854775807", &v), 0);
    CHECK(v == INT64_MAX);
    CHECK_INT(i64("-9223372036854775808", &v), 0);
    CHECK(v == INT64_MIN);
    v = 42;
    CHECK_INT(i64("9223372036854775808", &v), SOUK_ERANGE);
    CHECK_INT(i64("-9223372036854775809", &v), SOUK_ERANGE);
    CHECK_INT(i64("+9223372036854775808", &v), SOUK_ERANGE);
    CHECK_INT(i64("99999999999999999999999999999", &v), SOUK_ERANGE);
    CHECK_INT(i64("-99999999999999999999999999999", &v), SOUK_ERANGE);
    CHECK_INT(v, 42); /* untouched on failure */
}

TEST(parse_i64_caller_bounds_at_and_past)
{
    int64_t v = 42;
    CHECK_INT(parse_i64("10", 0, 10, &v), 0);
    CHECK_INT(v, 10);
    CHECK_INT(parse_i64("0", 0, 10, &v), 0);
    CHECK_INT(v, 0);
    v = 42;
    CHECK_INT(parse_i64("11", 0, 10, &v), SOUK_ERANGE);
    CHECK_INT(parse_i64("-1", 0, 10, &v), SOUK_ERANGE);
    CHECK_INT(parse_i64("-5", -5, -1, &v), 0);
    CHECK_INT(v, -5);
    CHECK_INT(parse_i64("0", -5, -1, &v), SOUK_ERANGE);
    CHECK_INT(v, -5);
}

TEST(parse_i64_rejects_junk)
{
    static const char *bad[] = {"",    "-",     "+",     " 1",  "1 ",  "12a",
                                "a12", "0x10",  "1.5",   "1e3", "--1", "+-1",
                                "-+1", "1,000", "1_000", "\t1", "1\n", "\xef\xbc\x91"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t v = 42;
        int rc = i64(bad[i], &v);
        if (rc != SOUK_EINVAL || v != 42)
            test_fail(__FILE__, __LINE__, "parse_i64(\"%s\") = %d, %lld", bad[i], rc, (long long)v);
    }
    /* Junk after a number too big to fit is still junk, not a range error. */
    int64_t v;
    CHECK_INT(i64("99999999999999999999x", &v), SOUK_EINVAL);
}

TEST(parse_i64n_reads_only_len_bytes)
{
    int64_t v = 0;
    CHECK_INT(parse_i64n("123456", 3, INT64_MIN, INT64_MAX, &v), 0);
    CHECK_INT(v, 123);
    CHECK_INT(parse_i64n("12x", 2, INT64_MIN, INT64_MAX, &v), 0);
    CHECK_INT(v, 12);
    CHECK_INT(parse_i64n("1", 0, INT64_MIN, INT64_MAX, &v), SOUK_EINVAL);
    CHECK_INT(parse_i64n("1\0002", 3, INT64_MIN, INT64_MAX, &v), SOUK_EINVAL);
}

TEST(parse_bool_words)
{
    static const char *yes[] = {"1", "true", "TRUE", "True", "yes", "YES", "on", "On"};
    static const char *no[] = {"0", "false", "FALSE", "no", "No", "off", "OFF"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        bool b = false;
        if (parse_bool(yes[i], &b) != 0 || !b)
            test_fail(__FILE__, __LINE__, "parse_bool(\"%s\") is not true", yes[i]);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        bool b = true;
        if (parse_bool(no[i], &b) != 0 || b)
            test_fail(__FILE__, __LINE__, "parse_bool(\"%s\") is not false", no[i]);
    }
}

TEST(parse_bool_rejects_others)
{
    static const char *bad[] = {"", "2", "-1", "truex", " true", "true ", "y", "n", "enable", "00"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        bool b = true;
        if (parse_bool(bad[i], &b) != SOUK_EINVAL || !b)
            test_fail(__FILE__, __LINE__, "parse_bool(\"%s\") accepted", bad[i]);
    }
}

TEST(parse_size_suffixes)
{
    uint64_t v = 0;
    CHECK_INT(parse_size("0", UINT64_MAX, &v), 0);
    CHECK_INT(v, 0);
    CHECK_INT(parse_size("1000", UINT64_MAX, &v), 0);
    CHECK_INT(v, 1000);
    CHECK_INT(parse_size("1K", UINT64_MAX, &v), 0);
    CHECK_INT(v, 1024);
    CHECK_INT(parse_size("64k", UINT64_MAX, &v), 0);
    CHECK_INT(v, 65536);
    CHECK_INT(parse_size("2M", UINT64_MAX, &v), 0);
    CHECK_INT(v, 2 * 1024 * 1024);
    CHECK_INT(parse_size("1m", UINT64_MAX, &v), 0);
    CHECK_INT(v, 1024 * 1024);
    CHECK_INT(parse_size("3G", UINT64_MAX, &v), 0);
    CHECK(v == 3ULL << 30);
    CHECK_INT(parse_size("1g", UINT64_MAX, &v), 0);
    CHECK(v == 1ULL << 30);
}

TEST(parse_size_max_at_and_past)
{
    uint64_t v = 42;
    CHECK_INT(parse_size("1024", 1024, &v), 0);
    CHECK_INT(v, 1024);
    CHECK_INT(parse_size("1K", 1024, &v), 0);
    CHECK_INT(v, 1024);
    v = 42;
    CHECK_INT(parse_size("1025", 1024, &v), SOUK_ERANGE);
    CHECK_INT(parse_size("2K", 2047, &v), SOUK_ERANGE);
    CHECK_INT(parse_size("1M", 1024 * 1024 - 1, &v), SOUK_ERANGE);
    CHECK_INT(v, 42);
    /* The multiplication itself overflowing 64 bits: 2^34 G = 2^64. */
    CHECK_INT(parse_size("17179869183G", UINT64_MAX, &v), 0);
    CHECK(v == (17179869183ULL << 30));
    CHECK_INT(parse_size("17179869184G", UINT64_MAX, &v), SOUK_ERANGE);
    CHECK_INT(parse_size("9223372036854775807", UINT64_MAX, &v), 0);
    CHECK(v == (uint64_t)INT64_MAX);
    CHECK_INT(parse_size("9223372036854775808", UINT64_MAX, &v), SOUK_ERANGE);
}

TEST(parse_size_rejects_junk)
{
    static const char *bad[] = {"", "K", "1KB", "1T", "1 K", " 1K", "1.5M", "M1", "0x10", "1KK"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t v = 42;
        int rc = parse_size(bad[i], UINT64_MAX, &v);
        if (rc != SOUK_EINVAL || v != 42)
            test_fail(__FILE__, __LINE__, "parse_size(\"%s\") = %d", bad[i], rc);
    }
    uint64_t v = 42;
    CHECK_INT(parse_size("-1", UINT64_MAX, &v), SOUK_ERANGE); /* a number, but negative */
    CHECK_INT(parse_size("-1K", UINT64_MAX, &v), SOUK_ERANGE);
    CHECK_INT(v, 42);
}

TEST(parse_listen_ipv4_and_names)
{
    char host[64] = "";
    int port = -1;
    CHECK_INT(parse_listen("127.0.0.1:8080", host, sizeof(host), &port), 0);
    CHECK_STR(host, "127.0.0.1");
    CHECK_INT(port, 8080);
    CHECK_INT(parse_listen("localhost:0", host, sizeof(host), &port), 0);
    CHECK_STR(host, "localhost");
    CHECK_INT(port, 0);
    CHECK_INT(parse_listen("0.0.0.0:65535", host, sizeof(host), &port), 0);
    CHECK_INT(port, 65535);
}

TEST(parse_listen_ipv6)
{
    char host[64] = "";
    int port = -1;
    CHECK_INT(parse_listen("[::1]:443", host, sizeof(host), &port), 0);
    CHECK_STR(host, "::1");
    CHECK_INT(port, 443);
    CHECK_INT(parse_listen("[2001:db8::42]:8080", host, sizeof(host), &port), 0);
    CHECK_STR(host, "2001:db8::42");
    CHECK_INT(port, 8080);
    CHECK_INT(parse_listen("[::]:80", host, sizeof(host), &port), 0);
    CHECK_STR(host, "::");
    port = -1;
    CHECK_INT(parse_listen("[::1]", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(parse_listen("[::1:80", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(parse_listen("[::1]80", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(parse_listen("[]:80", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(parse_listen("[::1]:", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(port, -1);
}

TEST(parse_listen_port_range)
{
    char host[64] = "keep";
    int port = -1;
    CHECK_INT(parse_listen("h:65536", host, sizeof(host), &port), SOUK_ERANGE);
    CHECK_INT(parse_listen("h:-1", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(parse_listen("[::1]:65536", host, sizeof(host), &port), SOUK_ERANGE);
    CHECK_INT(parse_listen("h:", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(parse_listen("h:80x", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(parse_listen("h", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(parse_listen(":80", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(parse_listen("", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(port, -1);
    CHECK_STR(host, "keep"); /* untouched on failure */
}

TEST(parse_listen_host_capacity_at_and_past)
{
    char host[8];
    int port = 0;
    /* hostcap counts the NUL: 7 characters fit in 8 bytes, 8 do not. */
    CHECK_INT(parse_listen("abcdefg:1", host, sizeof(host), &port), 0);
    CHECK_STR(host, "abcdefg");
    CHECK_INT(parse_listen("abcdefgh:1", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(parse_listen("[1:2:3::]:1", host, sizeof(host), &port), 0);
    CHECK_STR(host, "1:2:3::");
    CHECK_INT(parse_listen("[1:2:3::4]:1", host, sizeof(host), &port), SOUK_EINVAL);
}

TEST(parse_listen_rejects_ambiguous_forms)
{
    char host[64];
    int port = -1;
    CHECK_INT(parse_listen("::1:80", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(parse_listen("h:+80", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(parse_listen("h:0080", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(parse_listen("h:-1", host, sizeof(host), &port), SOUK_EINVAL);
    CHECK_INT(parse_listen("h:0", host, sizeof(host), &port), 0);
    CHECK_INT(port, 0);
    CHECK_INT(parse_listen("[::1]:8080", host, sizeof(host), &port), 0);
    CHECK_STR(host, "::1");
    CHECK_INT(port, 8080);
}
