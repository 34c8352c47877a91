/* test_cookie.c - the Cookie header parser and the Set-Cookie writer. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#include "core/cookie.h"
#include "core/err.h"

static cookie_jar_t *jar_ok(const char *hdr, const cookie_limits_t *lim)
{
    cookie_jar_t *jar = NULL;
    int rc = cookie_parse(hdr, strlen(hdr), lim, &jar);
    CHECK_INT(rc, 0);
    return rc == 0 ? jar : NULL;
}

static int jar_rc(const char *hdr, const cookie_limits_t *lim)
{
    cookie_jar_t *jar = NULL;
    int rc = cookie_parse(hdr, strlen(hdr), lim, &jar);
    if (rc != 0)
        CHECK(jar == NULL);
    else
        cookie_jar_free(jar);
    return rc;
}

TEST(cookie_parse_basic)
{
    cookie_jar_t *jar = jar_ok("__Host-sid=abc123; csrf=x_y-z", NULL);
    if (jar == NULL)
        return;
    CHECK_INT(cookie_count(jar), 2);
    CHECK_STR(cookie_get(jar, "__Host-sid"), "abc123");
    CHECK_STR(cookie_get(jar, "csrf"), "x_y-z");
    CHECK_STR(cookie_name(jar, 1), "csrf");
    CHECK_STR(cookie_value(jar, 0), "abc123");
    CHECK(cookie_get(jar, "CSRF") == NULL); /* names are case-sensitive */
    CHECK(cookie_get(jar, "sid") == NULL);
    cookie_jar_free(jar);
}

TEST(cookie_parse_lenient_spacing)
{
    cookie_jar_t *jar = jar_ok(" \ta = 1 ;b=2;;  c=3\t; ;", NULL);
    if (jar == NULL)
        return;
    CHECK_INT(cookie_count(jar), 3);
    CHECK_STR(cookie_get(jar, "a"), "1");
    CHECK_STR(cookie_get(jar, "b"), "2");
    CHECK_STR(cookie_get(jar, "c"), "3");
    cookie_jar_free(jar);
}

TEST(cookie_parse_quoted_and_odd_values)
{
    cookie_jar_t *jar = jar_ok(
        "q=\"quoted\"; e=; h=\"; eq=a=b; pct=a%20b; sp=x y,z; eu=\xe2\x82\xac; qq=\"\"", NULL);
    if (jar == NULL)
        return;
    CHECK_STR(cookie_get(jar, "q"), "quoted");
    CHECK_STR(cookie_get(jar, "e"), "");
    CHECK_STR(cookie_get(jar, "h"), "\""); /* one quote is not a pair of them */
    CHECK_STR(cookie_get(jar, "eq"), "a=b");
    CHECK_STR(cookie_get(jar, "pct"), "a%20b"); /* no percent-decoding */
    CHECK_STR(cookie_get(jar, "sp"), "x y,z");
    CHECK_STR(cookie_get(jar, "eu"), "\xe2\x82\xac");
    CHECK_STR(cookie_get(jar, "qq"), "");
    cookie_jar_free(jar);
}

TEST(cookie_parse_skips_invalid_pairs)
{
    cookie_jar_t *jar = jar_ok("=v; a b=1; a,b=2; ok=1; c\x01=2; caf\xc3\xa9=3; (x)=4; "
                               "novalue; bad=ctl\x7f; tab=a\tb; a@b=5; last=2",
                               NULL);
    if (jar == NULL)
        return;
    CHECK_INT(cookie_count(jar), 2);
    CHECK_STR(cookie_name(jar, 0), "ok");
    CHECK_STR(cookie_name(jar, 1), "last");
    CHECK(cookie_get(jar, "novalue") == NULL);
    CHECK(cookie_get(jar, "bad") == NULL);
    CHECK(cookie_get(jar, "") == NULL);
    cookie_jar_free(jar);
}

TEST(cookie_parse_duplicates_first_wins)
{
    cookie_jar_t *jar = jar_ok("sid=first; other=1; sid=second", NULL);
    if (jar == NULL)
        return;
    CHECK_INT(cookie_count(jar), 3);
    CHECK_STR(cookie_get(jar, "sid"), "first");
    CHECK_STR(cookie_value(jar, 2), "second");
    cookie_jar_free(jar);
}

TEST(cookie_parse_empty_header)
{
    cookie_jar_t *jar = NULL;
    CHECK_INT(cookie_parse(NULL, 0, NULL, &jar), 0);
    if (jar) {
        CHECK_INT(cookie_count(jar), 0);
        CHECK(cookie_get(jar, "a") == NULL);
    }
    cookie_jar_free(jar);
    jar = jar_ok(" ; ;; ", NULL);
    if (jar)
        CHECK_INT(cookie_count(jar), 0);
    cookie_jar_free(jar);
}

TEST(cookie_parse_only_reads_len_bytes)
{
    cookie_jar_t *jar = NULL;
    CHECK_INT(cookie_parse("a=12; b=2", 3, NULL, &jar), 0);
    if (jar) {
        CHECK_INT(cookie_count(jar), 1);
        CHECK_STR(cookie_get(jar, "a"), "1");
    }
    cookie_jar_free(jar);
}

TEST(cookie_limit_count_at_and_past)
{
    cookie_limits_t lim = {3, 16, 16};
    cookie_jar_t *jar = jar_ok("a=1; b=2; c=3", &lim);
    if (jar)
        CHECK_INT(cookie_count(jar), 3);
    cookie_jar_free(jar);
    CHECK_INT(jar_rc("a=1; b=2; c=3; d=4", &lim), SOUK_ELIMIT);
    /* Blank pieces are not pairs; invalid pairs are. */
    jar = jar_ok("a=1;; ;b=2; c=3;", &lim);
    cookie_jar_free(jar);
    CHECK_INT(jar_rc("a=1; b=2; c=3; bad name=4", &lim), SOUK_ELIMIT);
    CHECK_INT(jar_rc("a=1; b=2; c=3; novalue", &lim), SOUK_ELIMIT);
}

TEST(cookie_limit_name_at_and_past)
{
    cookie_limits_t lim = {8, 3, 16};
    cookie_jar_t *jar = jar_ok("  abc  =1", &lim); /* spaces around do not count */
    if (jar)
        CHECK_STR(cookie_get(jar, "abc"), "1");
    cookie_jar_free(jar);
    CHECK_INT(jar_rc("abcd=1", &lim), SOUK_ELIMIT);
    /* The limit holds for a pair that would be skipped too. */
    CHECK_INT(jar_rc("a b c=1", &lim), SOUK_ELIMIT);
}

TEST(cookie_limit_value_at_and_past)
{
    cookie_limits_t lim = {8, 8, 4};
    cookie_jar_t *jar = jar_ok("v=abcd; q=\"wxyz\"; s=  ab  ", &lim);
    if (jar) {
        CHECK_STR(cookie_get(jar, "v"), "abcd");
        CHECK_STR(cookie_get(jar, "q"), "wxyz"); /* quotes do not count */
        CHECK_STR(cookie_get(jar, "s"), "ab");
    }
    cookie_jar_free(jar);
    CHECK_INT(jar_rc("v=abcde", &lim), SOUK_ELIMIT);
    CHECK_INT(jar_rc("q=\"vwxyz\"", &lim), SOUK_ELIMIT);
    /* A piece without '=' is measured as a value. */
    CHECK_INT(jar_rc("abcde", &lim), SOUK_ELIMIT);
}

/* "c0=v; c1=v; ..." with n cookies, names of nlen and values of vlen bytes. */
static char *make_header(size_t n, size_t nlen, size_t vlen)
{
    char *s = malloc(n * (nlen + vlen + 16) + 1), *p = s;
    for (size_t i = 0; i < n; i++) {
        if (i) {
            *p++ = ';';
            *p++ = ' ';
        }
        memset(p, 'n', nlen);
        p += nlen;
        *p++ = '=';
        memset(p, 'v', vlen);
        p += vlen;
    }
    *p = '\0';
    return s;
}

TEST(cookie_default_limits_at_and_past)
{
    char *s = make_header(COOKIE_DEFAULT_MAX_COOKIES, 1, 1);
    cookie_jar_t *jar = jar_ok(s, NULL);
    if (jar)
        CHECK_INT(cookie_count(jar), COOKIE_DEFAULT_MAX_COOKIES);
    cookie_jar_free(jar);
    free(s);
    s = make_header(COOKIE_DEFAULT_MAX_COOKIES + 1, 1, 1);
    CHECK_INT(jar_rc(s, NULL), SOUK_ELIMIT);
    free(s);

    s = make_header(1, COOKIE_DEFAULT_MAX_NAME, COOKIE_DEFAULT_MAX_VALUE);
    jar = jar_ok(s, NULL);
    if (jar) {
        CHECK_INT(strlen(cookie_name(jar, 0)), COOKIE_DEFAULT_MAX_NAME);
        CHECK_INT(strlen(cookie_value(jar, 0)), COOKIE_DEFAULT_MAX_VALUE);
    }
    cookie_jar_free(jar);
    free(s);
    s = make_header(1, COOKIE_DEFAULT_MAX_NAME + 1, 1);
    CHECK_INT(jar_rc(s, NULL), SOUK_ELIMIT);
    free(s);
    s = make_header(1, 1, COOKIE_DEFAULT_MAX_VALUE + 1);
    CHECK_INT(jar_rc(s, NULL), SOUK_ELIMIT);
    free(s);
}

TEST(cookie_name_and_value_validity)
{
    CHECK(cookie_name_valid("__Host-sid", 10));
    CHECK(cookie_name_valid("a!#$%&'*+-.^_`|~9", 17));
    CHECK(!cookie_name_valid("", 0));
    const char *bad_names[] = {"a b", "a=b",  "a;b",  "a,b",   "a\"b",       "a(b", "a)b",
                               "a/b", "a@b",  "a:b",  "a?b",   "a[b",        "a]b", "a{b",
                               "a}b", "a\\b", "a\tb", "a\x7f", "caf\xc3\xa9"};
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        if (cookie_name_valid(bad_names[i], strlen(bad_names[i])))
            test_fail(__FILE__, __LINE__, "name \"%s\" accepted", bad_names[i]);
    }
    CHECK(cookie_value_valid("", 0));
    CHECK(cookie_value_valid("abc-_.~!#$%&'()*+/:<=>?@[]^`{|}", 31));
    const char *bad_values[] = {"a b",  "a\"b",  "a,b",   "a;b",
                                "a\\b", "a\x7f", "a\x01", "caf\xc3\xa9"};
    for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
        if (cookie_value_valid(bad_values[i], strlen(bad_values[i])))
            test_fail(__FILE__, __LINE__, "value \"%s\" accepted", bad_values[i]);
    }
}

TEST(cookie_format_session_cookie)
{
    buf_t b = BUF_INIT;
    cookie_attrs_t a = {"/", 3600, true, true, "Lax"};
    cookie_format(&b, "__Host-sid", "AbC123_-", &a);
    CHECK_STR(buf_cstr(&b),
              "__Host-sid=AbC123_-; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax");
    buf_free(&b);
}

TEST(cookie_format_attribute_variants)
{
    buf_t b = BUF_INIT;
    cookie_format(&b, "a", "1", NULL);
    CHECK_STR(buf_cstr(&b), "a=1");
    buf_reset(&b);

    cookie_attrs_t a = {NULL, -1, false, false, NULL};
    cookie_format(&b, "a", "", &a); /* a session cookie with no attributes */
    CHECK_STR(buf_cstr(&b), "a=");
    buf_reset(&b);

    cookie_attrs_t del = {"/account", 0, true, false, "Strict"};
    cookie_format(&b, "sid", "", &del);
    CHECK_STR(buf_cstr(&b), "sid=; Path=/account; Max-Age=0; HttpOnly; SameSite=Strict");
    buf_reset(&b);

    cookie_attrs_t none = {NULL, 400LL * 86400, false, true, "None"};
    cookie_format(&b, "x", "y", &none);
    CHECK_STR(buf_cstr(&b), "x=y; Max-Age=34560000; Secure; SameSite=None");
    buf_free(&b);
}

TEST(cookie_format_appends)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "Set-Cookie: ");
    cookie_format(&b, "a", "1", NULL);
    CHECK_STR(buf_cstr(&b), "Set-Cookie: a=1");
    buf_free(&b);
}

TEST(cookie_format_round_trips_through_parse)
{
    buf_t b = BUF_INIT;
    cookie_attrs_t a = {"/", 60, true, true, "Lax"};
    cookie_format(&b, "tok", "a+b/c=", &a);
    /* A browser sends back only name=value: the part before the first "; ". */
    const char *semi = strchr(buf_cstr(&b), ';');
    cookie_jar_t *jar = NULL;
    CHECK(semi != NULL);
    if (semi && cookie_parse(buf_cstr(&b), (size_t)(semi - buf_cstr(&b)), NULL, &jar) == 0) {
        CHECK_STR(cookie_get(jar, "tok"), "a+b/c=");
        cookie_jar_free(jar);
    }
    buf_free(&b);
}

/* Whether fn() aborts (an ASSERT firing) in a child process. */
static int aborts(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* Keep the expected "BUG at ..." line out of the test output. */
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

static void format_bad_name(void)
{
    buf_t b = BUF_INIT;
    cookie_format(&b, "a b", "1", NULL);
}
static void format_empty_name(void)
{
    buf_t b = BUF_INIT;
    cookie_format(&b, "", "1", NULL);
}
static void format_bad_value(void)
{
    buf_t b = BUF_INIT;
    cookie_format(&b, "a", "x;Domain=evil", NULL);
}
static void format_quote_value(void)
{
    buf_t b = BUF_INIT;
    cookie_format(&b, "a", "\"x\"", NULL);
}
static void format_bad_path(void)
{
    buf_t b = BUF_INIT;
    cookie_attrs_t a = {"/; Domain=evil", -1, false, false, NULL};
    cookie_format(&b, "a", "1", &a);
}
static void format_bad_same_site(void)
{
    buf_t b = BUF_INIT;
    cookie_attrs_t a = {NULL, -1, false, false, "lax"};
    cookie_format(&b, "a", "1", &a);
}
static void format_bad_max_age(void)
{
    buf_t b = BUF_INIT;
    cookie_attrs_t a = {NULL, -2, false, false, NULL};
    cookie_format(&b, "a", "1", &a);
}
static void format_good(void)
{
    buf_t b = BUF_INIT;
    cookie_attrs_t a = {"/", 0, true, true, "None"};
    cookie_format(&b, "a", "1", &a);
    buf_free(&b);
}

TEST(cookie_format_refuses_what_the_grammar_does_not_allow)
{
    CHECK(aborts(format_bad_name));
    CHECK(aborts(format_empty_name));
    CHECK(aborts(format_bad_value));
    CHECK(aborts(format_quote_value));
    CHECK(aborts(format_bad_path));
    CHECK(aborts(format_bad_same_site));
    CHECK(aborts(format_bad_max_age));
    CHECK(!aborts(format_good)); /* the helper can tell the difference */
}
