/* health.c - /healthz (the process answers) and /readyz (the database answers
 * and its schema is the one this binary expects), for load balancer checks. */
#include "db/migrate.h"
#include "web/web.h"

int web_healthz(http_ctx_t *c)
{
    http_set_content_type(c, "application/json");
    http_no_etag(c);
    buf_puts(http_out(c), "{\"status\":\"ok\"}");
    return 0;
}

int web_readyz(http_ctx_t *c)
{
    db_t *db = http_db(c);
    http_no_etag(c);
    if (db_ping(db) != 0) {
        http_error(c, 503, "the database does not answer");
        return 0;
    }
    int have = migrate_current(db);
    int want = migrate_latest(db_dialect(db));
    if (have != want) {
        char detail[128];
        snprintf(detail, sizeof(detail), "database schema is at version %d, this build needs %d",
                 have, want);
        http_error(c, 503, detail);
        return 0;
    }
    http_set_content_type(c, "application/json");
    buf_printf(http_out(c), "{\"status\":\"ready\",\"schema_version\":%d,\"database\":\"%s\"}",
               have, db_dialect(db) == DB_POSTGRES ? "postgresql" : "sqlite");
    return 0;
}
