/* shopify_fixture.c - see shopify_fixture.h. */
#include "shopify_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>

#include "core/csv.h"
#include "core/log.h"
#include "core/err.h"
#include "db/migrate.h"

void shop_run_each(void (*fn)(const backend_t *be))
{
    static bool told;
    const backend_t sqlite = {"sqlite", DB_SQLITE, NULL};
    fn(&sqlite);
    const char *url = getenv("SOUK_TEST_DATABASE_URL");
    if (url && *url) {
        const backend_t pg = {"postgresql", DB_POSTGRES, url};
        fn(&pg);
    } else if (!told) {
        printf("test_shopify: SOUK_TEST_DATABASE_URL unset, PostgreSQL cases not run\n");
        fflush(stdout);
        told = true;
    }
}

static void pg_admin(const backend_t *be, const char *sql)
{
    db_config_t cfg = {.pg_conninfo = be->url};
    db_t *db;
    char err[256];
    if (db_open(&cfg, &db, err, sizeof(err)) != 0) {
        test_fail(__FILE__, __LINE__, "[%s] db_open: %s", be->name, err);
        return;
    }
    if (db_exec_script(db, sql) != 0)
        test_fail(__FILE__, __LINE__, "[%s] %s: %s", be->name, sql, db_errmsg(db));
    db_close(db);
}

/* A fresh, migrated database named after the case (tag). NULL on failure. */
db_t *shop_open(fixture_t *fx, const backend_t *be, const char *tag)
{
    memset(fx, 0, sizeof(*fx));
    fx->be = be;
    db_config_t cfg = {.busy_timeout_ms = 0};
    if (be->dialect == DB_SQLITE) {
        snprintf(fx->path, sizeof(fx->path), "%s/shopify_%s.db", test_tmpdir(), tag);
        const char *suffixes[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < 3; i++) {
            char p[300];
            snprintf(p, sizeof(p), "%s%s", fx->path, suffixes[i]);
            unlink(p);
        }
        cfg.sqlite_path = fx->path;
    } else {
        snprintf(fx->schema, sizeof(fx->schema), "souk_shop_%ld_%s", (long)getpid(), tag);
        char sql[256];
        snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", fx->schema,
                 fx->schema);
        pg_admin(be, sql);
        bool uri =
            strncmp(be->url, "postgres://", 11) == 0 || strncmp(be->url, "postgresql://", 13) == 0;
        if (uri)
            snprintf(fx->conninfo, sizeof(fx->conninfo), "%s%soptions=-csearch_path%%3D%s", be->url,
                     strchr(be->url, '?') ? "&" : "?", fx->schema);
        else
            snprintf(fx->conninfo, sizeof(fx->conninfo), "%s options='-csearch_path=%s'", be->url,
                     fx->schema);
        cfg.pg_conninfo = fx->conninfo;
    }
    char err[256];
    if (db_open(&cfg, &fx->db, err, sizeof(err)) != 0) {
        test_fail(__FILE__, __LINE__, "[%s] db_open: %s", be->name, err);
        return NULL;
    }
    /* Quiet: "applied migration" lines for every case say nothing here. */
    static int devnull = -1;
    if (devnull < 0)
        devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    log_set_fd(devnull >= 0 ? devnull : 2);
    int rc = migrate_apply(fx->db, NULL);
    log_set_fd(2);
    if (rc != 0) {
        test_fail(__FILE__, __LINE__, "[%s] migrate: %s", be->name, db_errmsg(fx->db));
        db_close(fx->db);
        fx->db = NULL;
    }
    return fx->db;
}

void shop_done(fixture_t *fx)
{
    db_close(fx->db);
    fx->db = NULL;
    if (fx->be->dialect == DB_POSTGRES) {
        char sql[160];
        snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", fx->schema);
        pg_admin(fx->be, sql);
    }
}

/* ---- importing as the CLI does ---- */

void shop_sink_report(void *ud, bool error, size_t line, const char *msg)
{
    sink_t *s = ud;
    buf_printf(&s->text, "%sline %zu: %s\n", error ? "" : "warning: ", line, msg);
    if (error)
        s->errors++;
    else
        s->warnings++;
}

/* Check the encoding, then import path: what `souk import shopify` does. */
int shop_import(db_t *db, const char *path, size_t batch, shopify_stats_t *st, sink_t *sink,
                uint64_t *bad_offset)
{
    csv_encoding_t enc;
    uint64_t bad = 0;
    memset(st, 0, sizeof(*st));
    int rc = csv_detect_encoding(path, &enc, &bad);
    if (rc != 0) {
        if (bad_offset)
            *bad_offset = bad;
        return rc;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return SOUK_EIO;
    shopify_import_opts_t o = {.batch = batch, .report = shop_sink_report, .ud = sink};
    rc = shopify_import(db, f, enc, &o, st);
    fclose(f);
    return rc;
}

const char *shop_write_tmp(const char *name, const char *data, size_t len)
{
    static char path[4][300];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 300, "%s/%s", test_tmpdir(), name);
    FILE *f = fopen(p, "wb");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
    return p;
}

char *shop_read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    buf_t b = BUF_INIT;
    char chunk[65536];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, n);
    if (f)
        fclose(f);
    return buf_detach(&b, len);
}

product_t *shop_get(db_t *db, arena_t *a, const char *handle)
{
    product_t *p = NULL;
    if (catalog_product_get(db, a, handle, &p) != 0)
        return NULL;
    return p;
}

int64_t shop_count(db_t *db)
{
    int64_t n = -1;
    db_query_int(db, "SELECT count(*) FROM products", NULL, 0, &n);
    return n;
}
