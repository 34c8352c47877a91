/* workers.c - the database worker pool (see server_int.h and the "database
 * concurrency" section of docs/ARCHITECTURE.md).
 *
 * Event loops never wait on the database. A request that needs it is queued
 * here; one of N worker threads, each owning one database connection, runs the
 * handler and hands the finished context back to its event loop through h2o's
 * multithread queue. A slow query therefore holds one worker, not a loop and
 * every connection on it. The queue is bounded: past db_queue_max the server
 * answers 503 instead of queueing without limit. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "http/server_int.h"

typedef struct job job_t;

typedef struct {
    workers_t *pool;
    pthread_t tid;
    db_t *db;
    int index;
} worker_t;

struct workers {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* FIFO of contexts waiting for a worker; linked through c->msg.link. */
    h2o_linklist_t queue;
    int queued;
    int queue_max;
    bool stopping;
    int n;
    worker_t *w;
};

static void *worker_main(void *arg)
{
    worker_t *self = arg;
    workers_t *p = self->pool;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (h2o_linklist_is_empty(&p->queue) && !p->stopping)
            pthread_cond_wait(&p->cv, &p->mu);
        if (h2o_linklist_is_empty(&p->queue))
            break; /* stopping and drained */
        http_ctx_t *c = H2O_STRUCT_FROM_MEMBER(http_ctx_t, msg.link, p->queue.next);
        h2o_linklist_unlink(&c->msg.link);
        p->queued--;
        pthread_mutex_unlock(&p->mu);

        c->db = self->db;
        /* On SQLite a GET reads inside one transaction: the page sees one
         * snapshot of the catalog, and the read lock is taken once rather
         * than by each statement (about a tenth of a product page's cost).
         * Not on PostgreSQL, where BEGIN and COMMIT are two more round trips. */
        bool snapshot = db_dialect(self->db) == DB_SQLITE && !c->body &&
                        (strcmp(c->method, "GET") == 0 || strcmp(c->method, "HEAD") == 0) &&
                        db_begin(self->db, DB_TX_DEFAULT) == 0;
        ctx_run(c);
        if (snapshot && db_in_tx(self->db) && db_commit(self->db) != 0)
            log_warn("request %s: ending its read transaction failed: %s", c->request_id,
                     db_errmsg(self->db));
        c->db = NULL;
        server_complete(c);

        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

workers_t *workers_start(const config_t *cfg, int n, int queue_max)
{
    workers_t *p = xcalloc(1, sizeof(*p));
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    h2o_linklist_init_anchor(&p->queue);
    p->queue_max = queue_max;
    p->w = xcalloc((size_t)n, sizeof(*p->w));

    char *conninfo = config_pg_conninfo(cfg);
    char *sqlite_path = config_sqlite_path(cfg);
    db_config_t dbc = {
        .pg_conninfo = conninfo,
        .sqlite_path = sqlite_path,
        .busy_timeout_ms = cfg->db_busy_timeout_ms,
        .test_functions = cfg->test_routes,
    };
    int opened = 0;
    for (; opened < n; opened++) {
        char err[256];
        if (db_open(&dbc, &p->w[opened].db, err, sizeof(err)) != 0) {
            log_error("database worker %d: %s", opened, err);
            break;
        }
    }
    free(conninfo);
    free(sqlite_path);
    if (opened < n) {
        for (int i = 0; i < opened; i++)
            db_close(p->w[i].db);
        free(p->w);
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        free(p);
        return NULL;
    }
    p->n = n;
    for (int i = 0; i < n; i++) {
        p->w[i].pool = p;
        p->w[i].index = i;
        h2o_multithread_create_thread(&p->w[i].tid, NULL, worker_main, &p->w[i]);
    }
    return p;
}

int workers_submit(workers_t *p, http_ctx_t *c)
{
    pthread_mutex_lock(&p->mu);
    if (p->queued >= p->queue_max || p->stopping) {
        pthread_mutex_unlock(&p->mu);
        return SOUK_EBUSY;
    }
    h2o_linklist_insert(&p->queue, &c->msg.link);
    p->queued++;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void workers_stop(workers_t *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n; i++) {
        pthread_join(p->w[i].tid, NULL);
        db_close(p->w[i].db);
    }
    free(p->w);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
