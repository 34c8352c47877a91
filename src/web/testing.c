/* testing.c - routes that exist only for the integration tests (enabled by
 * server.test_routes, which configuration refuses in production). They let a
 * test hold a database worker in a slow query and see the request parsers'
 * results from outside. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/parse.h"
#include "web/web.h"

/* GET /_test/block?ms=N (inline): stall this event loop for N ms, as a
 * database call made on the loop would. Exists to measure the design we did
 * not choose (docs/ARCHITECTURE.md, database concurrency). */
int web_test_block(http_ctx_t *c)
{
    const char *ms_s = http_query_get(c, "ms");
    int64_t ms;
    if (ms_s == NULL || parse_i64(ms_s, 0, 5000, &ms) != 0)
        return http_error(c, 400, "ms must be a whole number from 0 to 5000");
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    http_set_content_type(c, "application/json");
    buf_printf(http_out(c), "{\"blocked_ms\":%lld}", (long long)ms);
    return 0;
}

/* GET /_test/inline_lookup (inline): the home page's point lookup made on the
 * event loop with a connection of the loop's own, for comparing the cost of
 * handing a request to a database worker. Bench only: the connection lives
 * until the process ends. */
int web_test_inline_lookup(http_ctx_t *c)
{
    static __thread db_t *loop_db;
    if (loop_db == NULL) {
        char *path = config_sqlite_path(http_config(c));
        char *pg = config_pg_conninfo(http_config(c));
        db_config_t dbc = {.pg_conninfo = pg, .sqlite_path = path, .busy_timeout_ms = 5000};
        char err[256];
        int rc = db_open(&dbc, &loop_db, err, sizeof(err));
        free(path);
        free(pg);
        if (rc != 0)
            return rc;
    }
    int64_t n;
    int rc = db_query_int(loop_db, "SELECT count(*) FROM settings WHERE key = $1",
                          (db_param_t[]){DB_TEXT("store_name")}, 1, &n);
    if (rc != 0)
        return rc;
    http_set_content_type(c, "application/json");
    buf_printf(http_out(c), "{\"rows\":%lld}", (long long)n);
    return 0;
}

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
