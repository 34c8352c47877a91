/* test_jsonbody.c - JSON request bodies: limits, encoding and syntax errors. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#include "core/err.h"
#include "core/jsonbody.h"

/* Parse s with lim; the rc, and the message in err. On success *out holds the value. */
static int parse(const char *s, const jsonbody_limits_t *lim, json_t **out, char *err, size_t cap)
{
    json_t *j = (json_t *)1;
    int rc = jsonbody_parse(s, strlen(s), lim, &j, err, cap);
    if (rc != 0) {
        CHECK(j == NULL);
        CHECK(err[0] != '\0');
    } else {
        CHECK(j != NULL);
        CHECK_STR(err, "");
    }
    if (out)
        *out = rc == 0 ? j : NULL;
    else if (rc == 0)
        json_decref(j);
    return rc;
}

static int rc_of(const char *s, const jsonbody_limits_t *lim)
{
    char err[256];
    return parse(s, lim, NULL, err, sizeof(err));
}

TEST(jsonbody_parses_object_and_array)
{
    char err[256];
    json_t *j;
    CHECK_INT(
        parse(" {\"sku\": \"A-1\", \"qty\": 3, \"tags\": [\"x\"]}\n", NULL, &j, err, sizeof(err)),
        0);
    if (j) {
        CHECK(json_is_object(j));
        CHECK_STR(json_string_value(json_object_get(j, "sku")), "A-1");
        CHECK_INT(json_integer_value(json_object_get(j, "qty")), 3);
        json_decref(j);
    }
    CHECK_INT(parse("[1, 2, {}]", NULL, &j, err, sizeof(err)), 0);
    if (j) {
        CHECK(json_is_array(j));
        CHECK_INT(json_array_size(j), 3);
        json_decref(j);
    }
    CHECK_INT(rc_of("{}", NULL), 0);
    CHECK_INT(rc_of("[]", NULL), 0);
    CHECK_INT(rc_of("{\"caf\xc3\xa9\": \"\xe2\x82\xac\"}", NULL), 0);
}

TEST(jsonbody_top_level_must_be_object_or_array)
{
    CHECK_INT(rc_of("1", NULL), SOUK_EINVAL);
    CHECK_INT(rc_of("\"s\"", NULL), SOUK_EINVAL);
    CHECK_INT(rc_of("null", NULL), SOUK_EINVAL);
    CHECK_INT(rc_of("true", NULL), SOUK_EINVAL);
    CHECK_INT(rc_of("", NULL), SOUK_EINVAL);
    CHECK_INT(rc_of("   \n", NULL), SOUK_EINVAL);
    json_t *j = NULL;
    CHECK_INT(jsonbody_parse(NULL, 0, NULL, &j, NULL, 0), SOUK_EINVAL);
    CHECK(j == NULL);
}

TEST(jsonbody_rejects_trailing_junk_and_bad_syntax)
{
    CHECK_INT(rc_of("{} x", NULL), SOUK_EINVAL);
    CHECK_INT(rc_of("{}{}", NULL), SOUK_EINVAL);
    CHECK_INT(rc_of("[1,]", NULL), SOUK_EINVAL);
    CHECK_INT(rc_of("{'a': 1}", NULL), SOUK_EINVAL);
    CHECK_INT(rc_of("[99999999999999999999]", NULL), SOUK_EINVAL); /* beyond int64 */
    CHECK_INT(rc_of("{\"a\": 1", NULL), SOUK_EINVAL);
    /* A NUL byte in the body, not at the end of a C string. */
    char err[128];
    json_t *j = NULL;
    CHECK_INT(jsonbody_parse("[1]\0", 4, NULL, &j, err, sizeof(err)), SOUK_EINVAL);
    CHECK(j == NULL);
}

TEST(jsonbody_syntax_error_names_line_and_column)
{
    char err[256];
    CHECK_INT(parse("{\n  \"a\": 1,\n  \"b\": }", NULL, NULL, err, sizeof(err)), SOUK_EINVAL);
    CHECK_STR(err, "invalid json at line 3, column 8: unexpected token near '}'");
}

TEST(jsonbody_rejects_duplicate_keys)
{
    char err[256];
    CHECK_INT(parse("{\"a\": 1, \"a\": 2}", NULL, NULL, err, sizeof(err)), SOUK_EINVAL);
    CHECK(strstr(err, "duplicate") != NULL);
    CHECK_INT(rc_of("{\"a\": {\"b\": 1, \"b\": 1}}", NULL), SOUK_EINVAL);
    CHECK_INT(rc_of("[{\"a\": 1}, {\"a\": 2}]", NULL), 0); /* same key, different objects */
}

TEST(jsonbody_rejects_nul_in_strings)
{
    CHECK_INT(rc_of("[\"a\\u0000b\"]", NULL), SOUK_EINVAL);
    CHECK_INT(rc_of("{\"\\u0000\": 1}", NULL), SOUK_EINVAL);
}

TEST(jsonbody_rejects_invalid_utf8)
{
    char err[256];
    CHECK_INT(parse("{\"a\": \"x\xff\"}", NULL, NULL, err, sizeof(err)), SOUK_ENCODING);
    CHECK_STR(err, "json body is not valid utf-8 at byte 8");
    CHECK_INT(rc_of("[\"\xc0\xaf\"]", NULL), SOUK_ENCODING);     /* overlong */
    CHECK_INT(rc_of("[\"\xed\xa0\x80\"]", NULL), SOUK_ENCODING); /* surrogate */
    CHECK_INT(rc_of("[\"\xe2\x82\"]", NULL), SOUK_ENCODING);     /* truncated */
    /* An escaped surrogate pair is fine; a lone escaped surrogate is not. */
    CHECK_INT(rc_of("[\"\\ud83d\\ude00\"]", NULL), 0);
    CHECK_INT(rc_of("[\"\\ud83d\"]", NULL), SOUK_EINVAL);
}

TEST(jsonbody_limit_bytes_at_and_past)
{
    jsonbody_limits_t lim = {8, 8};
    char err[256];
    CHECK_INT(rc_of("[\"abcd\"]", &lim), 0); /* 8 bytes */
    CHECK_INT(parse("[\"abcde\"]", &lim, NULL, err, sizeof(err)), SOUK_ELIMIT);
    CHECK_STR(err, "json body of 9 bytes is over the limit of 8 bytes");
    /* The size is checked first, whatever the content. */
    CHECK_INT(rc_of("not json!", &lim), SOUK_ELIMIT);
}

TEST(jsonbody_limit_depth_at_and_past)
{
    jsonbody_limits_t lim = {1024, 3};
    CHECK_INT(rc_of("[[[1]]]", &lim), 0);
    CHECK_INT(rc_of("[[[[1]]]]", &lim), SOUK_ELIMIT);
    CHECK_INT(rc_of("{\"a\": {\"b\": {\"c\": 1}}}", &lim), 0);
    CHECK_INT(rc_of("{\"a\": {\"b\": {\"c\": {}}}}", &lim), SOUK_ELIMIT);
    CHECK_INT(rc_of("[{\"a\": [1]}]", &lim), 0);
    CHECK_INT(rc_of("[{\"a\": [{}]}]", &lim), SOUK_ELIMIT);
    /* Depth is nesting, not the number of containers. */
    CHECK_INT(rc_of("[[[1]], [[2]], [[3]], {\"a\": []}]", &lim), 0);
}

TEST(jsonbody_depth_ignores_brackets_in_strings)
{
    jsonbody_limits_t lim = {1024, 1};
    CHECK_INT(rc_of("[\"[[[[{{{{\"]", &lim), 0);
    CHECK_INT(rc_of("{\"[[[\": \"]]]}}}\"}", &lim), 0);
    /* An escaped quote does not end the string. */
    CHECK_INT(rc_of("[\"\\\"[[[\", \"\\\\\"]", &lim), 0);
    /* An escaped backslash does not escape the closing quote. */
    CHECK_INT(rc_of("[\"\\\\\", [1]]", &lim), SOUK_ELIMIT);
}

TEST(jsonbody_depth_error_names_line_and_column)
{
    jsonbody_limits_t lim = {1024, 2};
    char err[256];
    CHECK_INT(parse("{\n  \"\xc3\xa9\": [\n    [1]]}", &lim, NULL, err, sizeof(err)), SOUK_ELIMIT);
    CHECK_STR(err, "json nested deeper than 2 levels at line 3, column 5");
}

static char *nested(size_t depth)
{
    char *s = malloc(2 * depth + 1);
    memset(s, '[', depth);
    memset(s + depth, ']', depth);
    s[2 * depth] = '\0';
    return s;
}

TEST(jsonbody_default_limits_at_and_past)
{
    char *s = nested(JSONBODY_DEFAULT_MAX_DEPTH);
    CHECK_INT(rc_of(s, NULL), 0);
    free(s);
    s = nested(JSONBODY_DEFAULT_MAX_DEPTH + 1);
    CHECK_INT(rc_of(s, NULL), SOUK_ELIMIT);
    free(s);
    /* Far past jansson's own cap: refused by the scan, without recursion. */
    s = nested(100000);
    jsonbody_limits_t big = {1 << 20, JSONBODY_MAX_DEPTH_CAP};
    CHECK_INT(rc_of(s, &big), SOUK_ELIMIT);
    free(s);

    size_t n = JSONBODY_DEFAULT_MAX_BYTES;
    s = malloc(n + 2);
    memset(s, ' ', n + 1);
    s[0] = '[';
    s[n - 1] = ']';
    s[n] = '\0';
    CHECK_INT(rc_of(s, NULL), 0);
    s[n] = ' ';
    s[n + 1] = '\0';
    CHECK_INT(rc_of(s, NULL), SOUK_ELIMIT);
    free(s);
}

TEST(jsonbody_depth_at_the_jansson_cap)
{
    jsonbody_limits_t lim = {1 << 20, JSONBODY_MAX_DEPTH_CAP};
    char *s = nested(JSONBODY_MAX_DEPTH_CAP);
    CHECK_INT(rc_of(s, &lim), 0);
    free(s);
}

TEST(jsonbody_err_is_optional_and_truncated)
{
    json_t *j = NULL;
    CHECK_INT(jsonbody_parse("[", 1, NULL, &j, NULL, 0), SOUK_EINVAL);
    CHECK(j == NULL);
    char small[8];
    CHECK_INT(jsonbody_parse("[", 1, NULL, &j, small, sizeof(small)), SOUK_EINVAL);
    CHECK_STR(small, "invalid");
    CHECK_INT(jsonbody_parse("[]", 2, NULL, &j, NULL, 0), 0);
    json_decref(j);
}

static void depth_over_cap(void)
{
    jsonbody_limits_t lim = {16, JSONBODY_MAX_DEPTH_CAP + 1};
    json_t *j;
    char err[64];
    jsonbody_parse("[]", 2, &lim, &j, err, sizeof(err));
}

TEST(jsonbody_depth_over_the_cap_is_a_bug)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(3);
        depth_over_cap();
        _exit(0);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}
