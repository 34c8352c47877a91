/* test_util.c - checked arithmetic, allocation helpers and buf_t. */
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#include "core/buf.h"
#include "core/util.h"

TEST(util_size_add_at_and_past_the_limit)
{
    size_t r = 7;
    CHECK_INT(size_add(&r, SIZE_MAX - 1, 1), 0);
    CHECK(r == SIZE_MAX);
    CHECK_INT(size_add(&r, SIZE_MAX, 0), 0);
    CHECK(r == SIZE_MAX);
    r = 7;
    CHECK_INT(size_add(&r, SIZE_MAX, 1), -1);
    CHECK_INT(size_add(&r, SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 1), -1);
    CHECK_INT(r, 7); /* untouched */
}

TEST(util_size_mul_at_and_past_the_limit)
{
    size_t r = 7;
    CHECK_INT(size_mul(&r, SIZE_MAX / 2, 2), 0);
    CHECK(r == SIZE_MAX - 1);
    CHECK_INT(size_mul(&r, 0, SIZE_MAX), 0);
    CHECK_INT(r, 0);
    CHECK_INT(size_mul(&r, SIZE_MAX, 1), 0);
    CHECK(r == SIZE_MAX);
    r = 7;
    CHECK_INT(size_mul(&r, SIZE_MAX / 2 + 1, 2), -1);
    CHECK_INT(size_mul(&r, (size_t)1 << 32, (size_t)1 << 32), -1);
    CHECK_INT(r, 7);
}

TEST(util_i64_add_sub_at_and_past_the_limits)
{
    int64_t r = 7;
    CHECK_INT(i64_add(&r, INT64_MAX - 1, 1), 0);
    CHECK(r == INT64_MAX);
    CHECK_INT(i64_add(&r, INT64_MIN + 1, -1), 0);
    CHECK(r == INT64_MIN);
    CHECK_INT(i64_add(&r, INT64_MAX, INT64_MIN), 0);
    CHECK_INT(r, -1);
    r = 7;
    CHECK_INT(i64_add(&r, INT64_MAX, 1), -1);
    CHECK_INT(i64_add(&r, INT64_MIN, -1), -1);
    CHECK_INT(r, 7);

    CHECK_INT(i64_sub(&r, INT64_MIN + 1, 1), 0);
    CHECK(r == INT64_MIN);
    CHECK_INT(i64_sub(&r, -1, INT64_MAX), 0);
    CHECK(r == INT64_MIN);
    r = 7;
    CHECK_INT(i64_sub(&r, INT64_MIN, 1), -1);
    CHECK_INT(i64_sub(&r, 0, INT64_MIN), -1); /* -INT64_MIN does not fit */
    CHECK_INT(i64_sub(&r, INT64_MAX, -1), -1);
    CHECK_INT(r, 7);
}

TEST(util_i64_mul_at_and_past_the_limits)
{
    int64_t r = 7;
    CHECK_INT(i64_mul(&r, 3037000499, 3037000499), 0); /* floor(sqrt(INT64_MAX)) */
    CHECK(r == 9223372030926249001LL);
    CHECK_INT(i64_mul(&r, INT64_MAX, -1), 0);
    CHECK(r == -INT64_MAX);
    CHECK_INT(i64_mul(&r, INT64_MIN / 2, 2), 0);
    CHECK(r == INT64_MIN);
    r = 7;
    CHECK_INT(i64_mul(&r, 3037000500, 3037000500), -1);
    CHECK_INT(i64_mul(&r, INT64_MIN, -1), -1);
    CHECK_INT(i64_mul(&r, INT64_MAX / 2 + 1, 2), -1);
    CHECK_INT(r, 7);
}

/* Whether fn() aborts in a child process. */
static int aborts(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(3);
        fn();
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return 0;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static volatile size_t sink;
static void st_add_overflows(void)
{
    sink = st_add(SIZE_MAX, 1);
}
static void st_mult_overflows(void)
{
    sink = st_mult(SIZE_MAX / 2 + 1, 2);
}
static void st_add_fits(void)
{
    sink = st_add(SIZE_MAX - 1, 1);
}
static void assert_false(void)
{
    ASSERT(sink == 12345 && sink != 12345);
}

TEST(util_internal_overflow_and_assert_abort)
{
    CHECK(aborts(st_add_overflows));
    CHECK(aborts(st_mult_overflows));
    CHECK(aborts(assert_false));
    CHECK(!aborts(st_add_fits));
    CHECK(st_mult(SIZE_MAX / 2, 2) == SIZE_MAX - 1);
}

TEST(util_xstrndup_copies_and_terminates)
{
    char *s = xstrndup("abcdef", 3);
    CHECK_STR(s, "abc");
    free(s);
    s = xstrndup("a\0b", 3); /* n bytes, even past a NUL */
    CHECK(memcmp(s, "a\0b\0", 4) == 0);
    free(s);
    s = xstrdup("");
    CHECK_STR(s, "");
    free(s);
}

TEST(buf_empty_is_an_empty_string)
{
    buf_t b = BUF_INIT;
    CHECK_STR(buf_cstr(&b), "");
    CHECK_INT(b.len, 0);
    buf_append(&b, "", 0);
    CHECK_STR(buf_cstr(&b), "");
    buf_free(&b);
    buf_free(&b); /* twice is harmless */
}

TEST(buf_appends_and_grows)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "ab");
    buf_putc(&b, 'c');
    buf_append(&b, "d\0e", 3);
    CHECK_INT(b.len, 6);
    CHECK(memcmp(b.data, "abcd\0e", 7) == 0);
    buf_reset(&b);
    /* Past the first capacity, many times over. */
    for (int i = 0; i < 1000; i++)
        buf_putc(&b, (char)('a' + i % 26));
    CHECK_INT(b.len, 1000);
    CHECK_INT(strlen(b.data), 1000);
    CHECK(b.cap > 1000);
    CHECK(b.data[999] == (char)('a' + 999 % 26));
    buf_free(&b);
    CHECK(b.data == NULL);
    CHECK_INT(b.len, 0);
}

TEST(buf_printf_formats_and_appends)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s=%d", "qty", 3);
    buf_printf(&b, ";%04d", 42);
    CHECK_STR(buf_cstr(&b), "qty=3;0042");
    CHECK_INT(b.len, 10);
    char big[5000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    buf_reset(&b);
    buf_printf(&b, "[%s]", big);
    CHECK_INT(b.len, 5001);
    CHECK(b.data[0] == '[' && b.data[5000] == ']' && b.data[5001] == '\0');
    buf_free(&b);
}

TEST(buf_reset_keeps_capacity)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "hello");
    size_t cap = b.cap;
    buf_reset(&b);
    CHECK_STR(buf_cstr(&b), "");
    CHECK_INT(b.len, 0);
    CHECK_INT(b.cap, cap);
    buf_free(&b);
}

TEST(buf_detach_hands_over_the_string)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "keep me");
    size_t len = 0;
    char *s = buf_detach(&b, &len);
    CHECK_STR(s, "keep me");
    CHECK_INT(len, 7);
    CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
    free(s);
    s = buf_detach(&b, NULL); /* an empty buffer gives "" the caller frees */
    CHECK_STR(s, "");
    free(s);
}

TEST(buf_json_str_escapes)
{
    buf_t b = BUF_INIT;
    const char in[] = "q\"b\\n\nr\rt\tc\x01\x1f\x7f\xc3\xa9/<";
    buf_json_str(&b, in, sizeof(in) - 1);
    CHECK_STR(buf_cstr(&b), "q\\\"b\\\\n\\nr\\rt\\tc\\u0001\\u001f\\u007f\xc3\xa9/<");
    buf_reset(&b);
    buf_json_str(&b, "a\0b", 3); /* an embedded NUL is escaped, not a terminator */
    CHECK_STR(buf_cstr(&b), "a\\u0000b");
    buf_free(&b);
}

TEST(buf_html_escapes)
{
    buf_t b = BUF_INIT;
    const char *in = "<a href=\"x\" title='y'>Tom & Jerry</a>";
    buf_html(&b, in, strlen(in));
    CHECK_STR(buf_cstr(&b),
              "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;");
    buf_reset(&b);
    buf_html(&b, "plain \xc3\xa9", 8);
    CHECK_STR(buf_cstr(&b), "plain \xc3\xa9");
    buf_reset(&b);
    buf_html(&b, "&&", 1); /* only len bytes */
    CHECK_STR(buf_cstr(&b), "&amp;");
    buf_free(&b);
}

TEST(util_fmt_i64_writes_what_printf_writes)
{
    const int64_t v[] = {0, 7, -7, 10, 1234567890, -1000000, INT64_MAX, INT64_MIN, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char got[24], want[24];
        size_t n = fmt_i64(v[i], got);
        snprintf(want, sizeof(want), "%" PRId64, v[i]);
        CHECK_STR(got, want);
        CHECK_INT(n, strlen(want));
    }
}
