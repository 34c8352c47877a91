/* cache_watch.c - the thread that empties the page cache when another
 * connection commits: another souk instance on the same PostgreSQL (its
 * catalog triggers notify "souk_catalog"), or, on SQLite, any writer of the
 * database file, such as `souk import` run beside a serving store.
 *
 * Writes made through this server's own routes purge the cache themselves
 * (ROUTE_PURGE) before they answer; this thread covers everyone else, within
 * about a tenth of a second. While the database cannot be watched, the cache
 * is emptied every second: without notices, nothing cached can be trusted. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"
#include "core/util.h"
#include "http/server_int.h"

#define WATCH_TIMEOUT_MS 500
#define WATCH_RETRY_MS 1000

struct cache_watch {
    pthread_t tid;
    pagecache_t *pages;
    db_config_t dbc;
    char *conninfo, *sqlite_path;
    atomic_bool stop;
};

static void *watch_main(void *arg)
{
    cache_watch_t *w = arg;
    db_t *db = NULL;
    bool failing = false;
    while (!atomic_load(&w->stop)) {
        int rc;
        char err[256];
        if (db == NULL && db_open(&w->dbc, &db, err, sizeof(err)) != 0) {
            db = NULL;
            if (!failing)
                log_warn("page cache: cannot watch the database (%s); emptying it every %d ms", err,
                         WATCH_RETRY_MS);
            failing = true;
            rc = -1;
        } else {
            rc = db_watch(db, "souk_catalog", WATCH_TIMEOUT_MS);
            if (rc < 0 && !failing)
                log_warn("page cache: watching the database failed (%s); emptying it every %d ms",
                         db_errmsg(db), WATCH_RETRY_MS);
            else if (rc >= 0 && failing)
                log_info("page cache: watching the database again");
            failing = rc < 0;
        }
        if (rc != 0)
            pagecache_invalidate(w->pages);
        if (rc < 0) {
            struct timespec ts = {WATCH_RETRY_MS / 1000, (WATCH_RETRY_MS % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    if (db)
        db_close(db);
    return NULL;
}

cache_watch_t *cache_watch_start(const config_t *cfg, pagecache_t *pages)
{
    cache_watch_t *w = xcalloc(1, sizeof(*w));
    w->pages = pages;
    w->conninfo = config_pg_conninfo(cfg);
    w->sqlite_path = config_sqlite_path(cfg);
    w->dbc = (db_config_t){
        .pg_conninfo = w->conninfo,
        .sqlite_path = w->sqlite_path,
        .busy_timeout_ms = cfg->db_busy_timeout_ms,
    };
    atomic_init(&w->stop, false);
    if (pthread_create(&w->tid, NULL, watch_main, w) != 0)
        BUG("cannot start the page cache watcher");
    return w;
}

void cache_watch_stop(cache_watch_t *w)
{
    if (w == NULL)
        return;
    atomic_store(&w->stop, true);
    pthread_join(w->tid, NULL);
    free(w->conninfo);
    free(w->sqlite_path);
    free(w);
}
