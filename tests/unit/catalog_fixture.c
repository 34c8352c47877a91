/* catalog_fixture.c - the catalog tests' databases and builders; see catalog_fixture.h. */
#include "catalog_fixture.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <fcntl.h>

#include "core/err.h"
#include "core/log.h"
#include "db/migrate.h"

void cat_fail_errs(const char *file, int line, const backend_t *be, int rc,
                   const catalog_errors_t *e, db_t *db)
{
    test_fail(file, line, "[%s] save: %d (%s) db: %s", be->name, rc, souk_strerror(rc),
              db_errmsg(db));
    for (size_t i = 0; i < e->n; i++)
        test_fail(file, line, "[%s]   %s: %s", be->name, e->items[i].field, e->items[i].message);
}

void cat_run_each(void (*fn)(const backend_t *be))
{
    static bool told;
    const backend_t sqlite = {"sqlite", DB_SQLITE, NULL};
    fn(&sqlite);
    const char *url = getenv("SOUK_TEST_DATABASE_URL");
    if (url && *url) {
        const backend_t pg = {"postgresql", DB_POSTGRES, url};
        fn(&pg);
    } else if (!told) {
        printf("test_catalog: SOUK_TEST_DATABASE_URL unset, PostgreSQL cases not run\n");
        fflush(stdout);
        told = true;
    }
}

/* A migrated database of its own for one case; NULL (and a failure) if not. */
db_t *cat_open(fixture_t *fx, const backend_t *be, const char *tag)
{
    memset(fx, 0, sizeof(*fx));
    fx->be = be;
    fx->db = testdb_open(be->name, be->dialect, be->url, "cat", tag, &fx->names, 0);
    if (fx->db == NULL)
        return NULL;
    return fx->db;
}

void cat_done(fixture_t *fx)
{
    if (fx->db)
        db_close(fx->db);
    arena_free(&fx->a);
    testdb_drop(fx->be->name, fx->be->dialect, fx->be->url, &fx->names);
}

int64_t cat_count(db_t *db, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    int64_t n = -1;
    if (db_query_int(db, sql, NULL, 0, &n) != 0)
        return -1;
    return n;
}

const char *cat_fmt(arena_t *a, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    char *s = arena_alloc(a, (size_t)n + 1);
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

/* s repeated n times, in a. */
char *cat_rep(arena_t *a, const char *s, size_t n)
{
    size_t len = strlen(s);
    char *r = arena_alloc(a, len * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(r + i * len, s, len);
    r[len * n] = '\0';
    return r;
}

/* An active product with one option ("Size") and n variants S0..Sn-1. */
product_t *cat_product(arena_t *a, const char *title, size_t n)
{
    product_t *p = arena_alloc(a, sizeof(*p));
    memset(p, 0, sizeof(*p));
    p->title = title;
    p->status = PRODUCT_ACTIVE;
    p->option_names[0] = "Size";
    p->variants = arena_alloc(a, (n ? n : 1) * sizeof(*p->variants));
    p->nvariants = n;
    for (size_t i = 0; i < n; i++) {
        variant_t *v = &p->variants[i];
        memset(v, 0, sizeof(*v));
        v->options[0] = cat_fmt(a, "S%zu", i);
        v->price = 1000 + (int64_t)i;
        v->compare_at_price = -1;
        v->cost = -1;
        v->weight_unit = WEIGHT_KG;
        v->requires_shipping = true;
        v->taxable = true;
        v->inventory_quantity = 5;
    }
    return p;
}

const char *cat_err_for(const catalog_errors_t *e, const char *field)
{
    for (size_t i = 0; i < e->n; i++) {
        if (strcmp(e->items[i].field, field) == 0)
            return e->items[i].message;
    }
    return NULL;
}

bool cat_iso_time(const char *s)
{
    return s && strlen(s) == 24 && s[4] == '-' && s[10] == 'T' && s[13] == ':' && s[19] == '.' &&
           s[23] == 'Z' && strncmp(s, "20", 2) == 0;
}

bool cat_is_public_id(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    if (s == NULL || strncmp(s, prefix, n) != 0 || strlen(s) != n + 20)
        return false;
    for (size_t i = n; s[i]; i++) {
        if (strchr("abcdefghijklmnopqrstuvwxyz234567", s[i]) == NULL)
            return false;
    }
    return true;
}

void cat_images(arena_t *a, product_t *p, size_t n)
{
    p->images = arena_alloc(a, n * sizeof(*p->images));
    memset(p->images, 0, n * sizeof(*p->images));
    for (size_t i = 0; i < n; i++)
        p->images[i].src = cat_fmt(a, "products/%zu.jpg", i);
    p->nimages = n;
}
