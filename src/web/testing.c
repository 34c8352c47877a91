/* testing.c - routes that exist only for the integration tests (enabled by
 * server.test_routes, which configuration refuses in production). They let a
 * test hold a database worker in a slow query and see the request parsers'
 * results from outside. */
#include <string.h>

#include "core/err.h"
#include "core/parse.h"
#include "web/web.h"

/* GET /_test/sleep?ms=N: hold this worker in an N-millisecond database call. */
int web_test_sleep(http_ctx_t *c)
{
    const char *ms_s = http_query_get(c, "ms");
    int64_t ms;
    if (ms_s == NULL || parse_i64(ms_s, 0, 30000, &ms) != 0)
        return http_error(c, 400, "ms must be a whole number from 0 to 30000");
    db_t *db = http_db(c);
    int64_t got;
    int rc = db_dialect(db) == DB_POSTGRES
                 ? db_query_int(db, "SELECT 1 FROM pg_sleep($1::float8 / 1000)",
                                (db_param_t[]){DB_INT(ms)}, 1, &got)
                 : db_query_int(db, "SELECT souk_sleep($1)", (db_param_t[]){DB_INT(ms)}, 1, &got);
    if (rc != 0)
        return rc;
    http_set_content_type(c, "application/json");
    buf_printf(http_out(c), "{\"slept_ms\":%lld}", (long long)ms);
    return 0;
}

static json_t *form_to_json(const form_t *f)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < form_count(f); i++) {
        size_t kl, vl;
        const char *k = form_key(f, i, &kl);
        const char *v = form_value(f, i, &vl);
        json_array_append_new(arr, json_pack("[s#s#]", k, kl, v, vl));
    }
    return arr;
}

static int echo_form(http_ctx_t *c, int rc, const form_t *f)
{
    if (rc == SOUK_ELIMIT)
        return http_error(c, 413, "too many fields or a field too long");
    if (rc != 0)
        return http_error(c, 400, "malformed form or query encoding");
    return http_send_json(c, 200, json_pack("{s:o}", "fields", form_to_json(f)));
}

/* GET /_test/query?...: the parsed query string as [[key, value], ...]. */
int web_test_echo_query(http_ctx_t *c)
{
    const form_t *f;
    int rc = http_query(c, &f);
    return echo_form(c, rc, f);
}

/* POST /_test/form: the parsed form body. */
int web_test_echo_form(http_ctx_t *c)
{
    const form_t *f;
    int rc = http_form(c, &f);
    if (rc == SOUK_EINVAL && http_header(c, "content-type") &&
        strncmp(http_header(c, "content-type"), "application/x-www-form-urlencoded", 33) != 0)
        return http_error(c, 415, "the body must be application/x-www-form-urlencoded");
    return echo_form(c, rc, f);
}

/* POST /api/_test/json: the parsed JSON body, echoed. */
int web_test_echo_json(http_ctx_t *c)
{
    json_t *j;
    if (http_json(c, &j) != 0)
        return 0; /* the error response is set */
    return http_send_json(c, 200, json_pack("{s:O}", "body", j));
}

/* GET|PUT /_test/items/:id: the decoded route parameter and a cookie. */
int web_test_param(http_ctx_t *c)
{
    const char *session = http_cookie(c, "session");
    return http_send_json(c, 200,
                          json_pack("{s:s, s:s?}", "id", http_param(c, "id"), "session", session));
}
