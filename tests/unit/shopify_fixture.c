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

/* A fresh, migrated database named after the case (tag). NULL on failure. */
db_t *shop_open(fixture_t *fx, const backend_t *be, const char *tag)
{
    memset(fx, 0, sizeof(*fx));
    fx->be = be;
    fx->db = testdb_open(be->name, be->dialect, be->url, "shop", tag, &fx->names, 0);
    if (fx->db == NULL)
        return NULL;
    return fx->db;
}

void shop_done(fixture_t *fx)
{
    db_close(fx->db);
    fx->db = NULL;
    testdb_drop(fx->be->name, fx->be->dialect, fx->be->url, &fx->names);
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
