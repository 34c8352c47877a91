/* test_catalog_search.c - the search index and full-text search
 * (catalog_index.c, catalog_search.c): the query tokenizer, ranking, hostile
 * queries, summaries, index upkeep and the sitemap. Listing filters, sorts and
 * facets are in test_catalog_search_list.c; the fixture in search_fixture.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "harness.h"
#include "search_fixture.h"
#include "shop/catalog.h"
#include "shop/catalog_search_int.h"

/* ---- the tokenizer ---- */

TEST(catalog_search_query_text)
{
    arena_t a = ARENA_INIT;
    search_text_t t;
    CHECK_INT(search_text_parse(&a, "linen shirt", &t), 0);
    CHECK_INT(t.ngroups, 2);
    CHECK_STR(t.fts, "\"linen\" AND \"shirt\"*");
    CHECK_STR(t.ts_head, "'linen'");
    CHECK_STR(t.ts_last, "'shirt':*");
    /* Connected tokens are one phrase; folding for PostgreSQL only. */
    CHECK_INT(search_text_parse(&a, " Crème  ABC-123 t-shirt", &t), 0);
    CHECK_INT(t.ngroups, 3);
    CHECK_STR(t.fts, "\"Crème\" AND \"ABC 123\" AND \"t shirt\"*");
    CHECK_STR(t.ts_head, "'creme' & 'abc 123'");
    CHECK_STR(t.ts_last, "'t shirt':*");
    /* A last token of one character is no prefix: it would match nearly all. */
    CHECK_INT(search_text_parse(&a, "KT.77/3", &t), 0);
    CHECK_STR(t.fts, "\"KT 77 3\"");
    CHECK_STR(t.ts_head, "");
    CHECK_STR(t.ts_last, "'kt 77 3'");
    CHECK_INT(search_text_parse(&a, "KT.77/35", &t), 0);
    CHECK_STR(t.fts, "\"KT 77 35\"*");
    CHECK_STR(t.ts_last, "'kt 77 35':*");
    CHECK_INT(search_text_parse(&a, "é", &t), 0);
    CHECK_STR(t.fts, "\"é\"");
    CHECK_INT(search_text_parse(&a, "éa", &t), 0);
    CHECK_STR(t.fts, "\"éa\"*");
    /* Operators of either language are only separators. */
    CHECK_INT(search_text_parse(&a, "\"a\" OR (b*) NEAR c:* & !d | 'e'' -f \\ ^gh", &t), 0);
    CHECK_STR(t.fts, "\"a\" AND \"OR\" AND \"b\" AND \"NEAR\" AND \"c\" AND \"d\" AND \"e\" AND "
                     "\"f\" AND \"gh\"*");
    CHECK_STR(t.ts_head, "'a' & 'or' & 'b' & 'near' & 'c' & 'd' & 'e' & 'f'");
    CHECK_STR(t.ts_last, "'gh':*");
    const char *empty[] = {NULL, "", "   ", "\"\"", "*", "()", "-", "&|!:", "★ ☃ 🛒", "'\\'"};
    for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
        CHECK_INT(search_text_parse(&a, empty[i], &t), 0);
        CHECK_INT(t.ngroups, 0);
    }
    /* Non-Latin letters are tokens; symbols between them separate. */
    CHECK_INT(search_text_parse(&a, "日本語★ΑΒΓ", &t), 0);
    CHECK_STR(t.fts, "\"日本語\" AND \"ΑΒΓ\"*");
    /* Limits: 256 bytes pass, 257 do not; only the first 32 tokens count. */
    char q[300];
    memset(q, 'x', 256);
    q[256] = '\0';
    CHECK_INT(search_text_parse(&a, q, &t), 0);
    q[256] = 'x';
    q[257] = '\0';
    CHECK_INT(search_text_parse(&a, q, &t), SOUK_ELIMIT);
    for (int i = 0; i < 40; i++)
        memcpy(q + 3 * i, "ab ", 3);
    q[120] = '\0';
    CHECK_INT(search_text_parse(&a, q, &t), 0);
    CHECK_INT(t.ngroups, SEARCH_MAX_TERMS);
    CHECK_INT(search_text_parse(&a, "caf\xc3", &t), SOUK_EINVAL);
    CHECK_INT(search_text_parse(&a, "\xed\xa0\x80", &t), SOUK_EINVAL);

    buf_t b = BUF_INIT;
    const char *raw = "Crème Brûlée, ŁÓDŹ straße ABC-123 ü\xff!";
    search_text_fold(&b, raw, strlen(raw));
    CHECK_STR(buf_cstr(&b), "creme brulee lodz strasse abc 123 u");
    buf_free(&b);
    arena_free(&a);
}

/* ---- text search ---- */

SEARCH_TEST(ranking)
{
    sfx_t fx;
    if (!srch_open(&fx, be, "rank", true))
        goto out;
    catalog_page_t pg;
    /* A title match outranks a description-only match, though the
     * description mentions the word twice and its product is newer. */
    BCHECK_INT(srch_find(&fx, "linen", &pg), 0);
    BCHECK_INT(pg.total, 2);
    BCHECK_INT(srch_pos(&pg, "linen-shirt"), 0);
    BCHECK_INT(srch_pos(&pg, "relaxed-trousers"), 1);
    /* Title matches before matches on the type alone. */
    BCHECK_INT(srch_find(&fx, "shirts", &pg), 0);
    BCHECK(pg.total >= 8);
    BCHECK(srch_pos(&pg, "linen-shirt") < 2 && srch_pos(&pg, "linen-shirt") >= 0);
    BCHECK(srch_pos(&pg, "oxford-shirt") < 2 && srch_pos(&pg, "oxford-shirt") >= 0);
    BCHECK(srch_pos(&pg, "amber-tee") > 1);
    /* Stemming, in a word that is not the last. */
    BCHECK_INT(srch_find(&fx, "shirts linen", &pg), 0);
    BCHECK_INT(pg.total, 1);
    BCHECK_INT(srch_pos(&pg, "linen-shirt"), 0);
    BCHECK_INT(srch_find(&fx, "trouser", &pg), 0);
    BCHECK_INT(srch_pos(&pg, "relaxed-trousers"), 0);
    /* The last word is a prefix, as the shopper types. */
    BCHECK_INT(srch_find(&fx, "linen shi", &pg), 0);
    BCHECK_INT(pg.total, 1);
    BCHECK_INT(srch_pos(&pg, "linen-shirt"), 0);
    BCHECK_INT(srch_find(&fx, "oxf", &pg), 0);
    BCHECK_INT(pg.total, 1);
    BCHECK_INT(srch_pos(&pg, "oxford-shirt"), 0);
    BCHECK_INT(srch_find(&fx, "bree", &pg), 0); /* "breezy", in a description */
    BCHECK_INT(srch_pos(&pg, "linen-shirt"), 0);
    /* Exact SKUs as typed, whatever their punctuation, and in lower case. */
    const char *skus[][2] = {{"ZX-900-B", "trail-runner"}, {"zx-900-c", "trail-runner"},
                             {"KT.77/3", "wool-beanie"},   {"OX-200", "oxford-shirt"},
                             {"LS-1-M", "linen-shirt"},    {"oxford OX-200", "oxford-shirt"}};
    for (size_t i = 0; i < sizeof(skus) / sizeof(skus[0]); i++) {
        BCHECK_INT(srch_find(&fx, skus[i][0], &pg), 0);
        BCHECK_INT(pg.total, 1);
        if (srch_pos(&pg, skus[i][1]) != 0)
            test_fail(__FILE__, __LINE__, "[%s] %s does not find %s", be->name, skus[i][0],
                      skus[i][1]);
    }
    BCHECK_INT(srch_find(&fx, "ZX-900-X", &pg), 0);
    BCHECK_INT(pg.total, 0);
    /* Diacritics fold both ways (SQLite: FTS5; PostgreSQL: our folding). */
    BCHECK_INT(srch_find(&fx, "cafe creme", &pg), 0);
    BCHECK_INT(pg.total, 1);
    BCHECK_INT(srch_pos(&pg, "cafe-mug"), 0);
    BCHECK_INT(srch_find(&fx, "CAFÉ", &pg), 0);
    BCHECK_INT(srch_pos(&pg, "cafe-mug"), 0);
    /* Vendor, tags and type are searched too; description HTML is text. */
    BCHECK_INT(srch_find(&fx, "borealis wool", &pg), 0);
    BCHECK_INT(pg.total, 6);
    BCHECK_INT(srch_find(&fx, "mug", &pg), 0);
    BCHECK_INT(pg.total, 4);
    BCHECK_INT(srch_find(&fx, "button down cotton", &pg), 0);
    BCHECK_INT(srch_pos(&pg, "oxford-shirt"), 0);
    BCHECK_INT(srch_find(&fx, "b oxford", &pg), 0); /* the <b> tag is not text */
    BCHECK_INT(pg.total, 0);
    /* Text and filters together, with facets over the text's matches. */
    catalog_query_t q = srch_query();
    q.q = "wool";
    q.available_only = true;
    q.want_facets = true;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.total, 5); /* the beanie is sold out */
    BCHECK_INT(pg.available_count, 5);
    BCHECK_INT(pg.nvendors, 1);
    BCHECK_STR(pg.vendors[0].value, "Borealis");
    BCHECK_INT(pg.vendors[0].count, 5);
    BCHECK_INT(pg.price_floor, 900);
    BCHECK_INT(pg.price_ceiling, 12000);
    q.sort = SORT_PRICE_ASC;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(srch_pos(&pg, "violet-socks"), 0);
    BCHECK_INT(srch_pos(&pg, "maple-jacket"), 4);
out:
    srch_done(&fx);
}

SEARCH_TEST(hostile_queries)
{
    sfx_t fx;
    if (!srch_open(&fx, be, "hostile", true))
        goto out;
    catalog_page_t pg;
    int all = srch_nactive(), linen = 2;
    /* Without a token: no text filter, as if no query was given. */
    const char *none[] = {"\"",  "\"\"", "()",  "*",  ":",    "-",   "&",  "|",    "!",
                          "&|!", "^",    "'''", "\\", "{}[]", "%_%", "★☃", "🛒", " \t "};
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        BCHECK_INT(srch_find(&fx, none[i], &pg), 0);
        if (pg.total != all)
            test_fail(__FILE__, __LINE__, "[%s] %s: total %lld", be->name, none[i],
                      (long long)pg.total);
    }
    /* Operators are words or nothing: never a negation, a column filter, an
     * OR that widens, a bare wildcard or a syntax error. */
    const char *with[] = {
        "NOT linen",
        "linen NOT shirt",
        "linen OR wool",
        "linen AND NOT wool",
        "NEAR(linen shirt)",
        "linen NEAR shirt",
        "title:linen",
        "body : linen",
        "linen*",
        "*linen",
        "\"linen\"",
        "\"linen",
        "linen\"",
        "(linen",
        "linen)",
        "linen & !shirt | wool",
        "linen:*",
        "'linen':* | 'wool'",
        "-linen",
        "linen -shirt",
        "linen^2",
        "{title}: linen",
        "linen + wool",
        "linen \\' wool",
        "linen; DROP TABLE products; --",
        "<script>linen</script>",
        "linen%",
        "lin_n",
        "$1 linen",
        "linen ?",
    };
    for (size_t i = 0; i < sizeof(with) / sizeof(with[0]); i++) {
        int rc = srch_find(&fx, with[i], &pg);
        if (rc != 0 || pg.total > linen)
            test_fail(__FILE__, __LINE__, "[%s] %s: rc %d total %lld", be->name, with[i], rc,
                      (long long)pg.total);
        for (size_t k = 0; k < pg.n; k++) {
            const char *h = pg.items[k].handle;
            if (strcmp(h, "linen-shirt") != 0 && strcmp(h, "relaxed-trousers") != 0)
                test_fail(__FILE__, __LINE__, "[%s] %s found %s", be->name, with[i], h);
        }
    }
    BCHECK_INT(srch_find(&fx, "-linen", &pg), 0);
    BCHECK_INT(pg.total, 2);
    BCHECK_INT(srch_find(&fx, "linen*", &pg), 0);
    BCHECK_INT(pg.total, 2);
    /* Length: at the limit it runs, one past it is refused. */
    char q[CATALOG_MAX_QUERY + 2];
    for (int i = 0; i < CATALOG_MAX_QUERY; i++)
        q[i] = "(\"x*) "[i % 6];
    q[CATALOG_MAX_QUERY] = '\0';
    BCHECK_INT(srch_find(&fx, q, &pg), 0);
    BCHECK_INT(pg.total, 0);
    memset(q, '(', CATALOG_MAX_QUERY);
    BCHECK_INT(srch_find(&fx, q, &pg), 0);
    BCHECK_INT(pg.total, all);
    q[CATALOG_MAX_QUERY] = '(';
    q[CATALOG_MAX_QUERY + 1] = '\0';
    BCHECK_INT(srch_find(&fx, q, &pg), SOUK_ELIMIT);
    BCHECK_INT(srch_find(&fx, "linen \xff", &pg), SOUK_EINVAL);
    /* Stop words alone on PostgreSQL, common words on SQLite: no error. */
    BCHECK_INT(srch_find(&fx, "the a of", &pg), 0);
    BCHECK(pg.total < all);
    int64_t n = -1;
    BCHECK_INT(db_query_int(fx.db, "SELECT count(*) FROM products", NULL, 0, &n), 0);
    BCHECK_INT(n, SRCH_NPRODUCTS);
out:
    srch_done(&fx);
}

/* ---- the search window ---- */

SEARCH_TEST(window)
{
    sfx_t fx;
    if (!srch_open(&fx, be, "window", false))
        goto out;
    db_t *db = fx.db;
    /* Window + 100 products that all say "widget" (the newest ten drafts),
     * one in a thousand "gizmo" too; indexed in bulk, titles only. */
    int n = CATALOG_SEARCH_WINDOW + 100;
    db_param_t p[] = {DB_INT(n), DB_TEXT("2024-01-01T00:00:00.000Z")};
    BCHECK_INT(
        db_exec(db,
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $1) "
                "INSERT INTO products (id, public_id, handle, title, status, price_min, "
                "created_at, updated_at) SELECT x, 'prod_' || x, 'h-' || x, CASE WHEN x % "
                "1000 = 0 THEN 'Gizmo Widget' ELSE 'Widget' END, CASE WHEN x > $1 - 10 THEN "
                "'draft' ELSE 'active' END, x, $2, $2 FROM c",
                p, 2),
        n);
    int64_t ix = db_exec(db,
                         be->dialect == DB_SQLITE
                             ? "INSERT INTO products_fts (rowid, title, body, vendor, tags, skus) "
                               "SELECT id, title, '', '', '', '' FROM products"
                             : "UPDATE products SET search = setweight(to_tsvector('english', "
                               "title), 'A')",
                         NULL, 0);
    BCHECK_INT(ix, n);
    catalog_page_t pg;
    catalog_query_t q = srch_query();
    q.q = "widget";
    q.limit = 3;
    for (int facets = 0; facets < 2; facets++) {
        q.want_facets = facets;
        BCHECK_INT(srch_search(&fx, &q, &pg), 0);
        BCHECK(pg.truncated);
        BCHECK_INT(pg.total, CATALOG_SEARCH_WINDOW - 10); /* the window's active ones */
        BCHECK_INT(pg.n, 3);
        BCHECK_INT(pg.items[0].id, n - 10); /* ties in rank: the newest first */
    }
    BCHECK_INT(pg.available_count, 0);
    BCHECK_INT(pg.price_floor, 101);
    q.sort = SORT_PRICE_ASC;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.items[0].id, 101); /* the cheapest within the window */
    /* Fewer matches than the window: exact, though the catalog is larger. */
    q = srch_query();
    q.q = "gizmo";
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK(!pg.truncated);
    BCHECK_INT(pg.total, n / 1000);
    BCHECK_INT(pg.items[0].id, n / 1000 * 1000);
    /* No text, no window. */
    q = srch_query();
    q.limit = 1;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK(!pg.truncated);
    BCHECK_INT(pg.total, n - 10);
out:
    srch_done(&fx);
}

/* ---- summaries ---- */

SEARCH_TEST(summaries)
{
    sfx_t fx;
    if (!srch_open(&fx, be, "summary", true))
        goto out;
    catalog_page_t pg;
    catalog_query_t q = srch_query();
    q.sort = SORT_TITLE_ASC;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.total, srch_nactive());
    BCHECK_INT(pg.n, srch_nactive());
    int i = srch_pos(&pg, "linen-shirt");
    BCHECK(i >= 0);
    if (i < 0)
        goto out;
    const product_t *p = &pg.items[i];
    BCHECK_INT(p->id, 1);
    BCHECK_STR(p->public_id, "prod_01");
    BCHECK_STR(p->title, "Linen Shirt");
    BCHECK_STR(p->vendor, "Acme");
    BCHECK_STR(p->product_type, "Shirt");
    BCHECK_INT(p->status, PRODUCT_ACTIVE);
    BCHECK_INT(p->price_min, 3500);
    BCHECK_INT(p->price_max, 4200);
    BCHECK(p->available);
    BCHECK_STR(p->created_at, "2024-01-01T10:00:00.000Z");
    BCHECK_STR(p->updated_at, "2024-01-02T10:00:00.000Z");
    BCHECK(p->body_html == NULL && p->ntags == 0);
    /* The image at position 1, though inserted after position 2. */
    BCHECK_INT(p->nimages, 1);
    if (p->nimages == 1) {
        BCHECK_STR(p->images[0].src, "/media/linen-shirt-1.jpg");
        BCHECK_STR(p->images[0].public_id, "img_01_1");
        BCHECK_STR(p->images[0].alt, "Linen Shirt");
        BCHECK_INT(p->images[0].position, 1);
        BCHECK_INT(p->images[0].width, 800);
        BCHECK_INT(p->images[0].height, 601);
    }
    /* The lowest compare-at price above its variant's price, with that price. */
    BCHECK_INT(p->nvariants, 1);
    if (p->nvariants == 1) {
        BCHECK_INT(p->variants[0].compare_at_price, 4800);
        BCHECK_INT(p->variants[0].price, 4200);
    }
    /* A compare-at price under the variant's price is no sale. */
    p = &pg.items[srch_pos(&pg, "trail-runner")];
    BCHECK_INT(p->nvariants, 1);
    BCHECK_INT(p->variants[0].compare_at_price, 15000);
    BCHECK_INT(p->variants[0].price, 9900);
    p = &pg.items[srch_pos(&pg, "oxford-shirt")];
    BCHECK_INT(p->nvariants, 0);
    BCHECK_INT(p->nimages, 0);
    BCHECK(p->variants == NULL && p->images == NULL);
    BCHECK_STR(pg.items[srch_pos(&pg, "elm-mug")].vendor, "");
    /* No facets unless asked. */
    BCHECK(pg.nvendors == 0 && pg.ntypes == 0 && pg.ntags == 0 && pg.available_count == 0);
out:
    srch_done(&fx);
}

/* ---- the index kept up to date ---- */

SEARCH_TEST(index_upkeep)
{
    sfx_t fx;
    if (!srch_open(&fx, be, "upkeep", true))
        goto out;
    catalog_page_t pg;
    db_t *db = fx.db;
    /* A changed title, tag and SKU are found once reindexed, the old ones not. */
    db_param_t id[] = {DB_INT(2)};
    BCHECK_INT(db_exec(db, "UPDATE products SET title = 'Poplin Blouse' WHERE id = $1", id, 1), 1);
    BCHECK_INT(db_exec(db, "INSERT INTO product_tags (product_id, tag) VALUES ($1, 'silk')", id, 1),
               1);
    BCHECK_INT(db_exec(db, "UPDATE variants SET sku = 'PB-9' WHERE product_id = $1", id, 1), 1);
    BCHECK_INT(srch_find(&fx, "poplin", &pg), 0);
    BCHECK_INT(pg.total, 0);
    BCHECK_INT(catalog_index_product(db, 2), 0);
    const char *found[] = {"poplin", "blouse", "silk", "PB-9"};
    for (size_t i = 0; i < sizeof(found) / sizeof(found[0]); i++) {
        BCHECK_INT(srch_find(&fx, found[i], &pg), 0);
        BCHECK_INT(pg.total, 1);
        BCHECK_INT(srch_pos(&pg, "oxford-shirt"), 0);
    }
    BCHECK_INT(srch_find(&fx, "OX-200", &pg), 0);
    BCHECK_INT(pg.total, 0);
    BCHECK_INT(srch_find(&fx, "oxford", &pg), 0); /* still in the description */
    BCHECK_INT(pg.total, 1);
    /* Indexing twice leaves one entry. */
    BCHECK_INT(catalog_index_product(db, 2), 0);
    BCHECK_INT(srch_find(&fx, "poplin", &pg), 0);
    BCHECK_INT(pg.total, 1);
    /* A deleted product's entry goes; an id that never existed is no error. */
    BCHECK_INT(db_exec(db, "DELETE FROM products WHERE id = $1", id, 1), 1);
    BCHECK_INT(catalog_index_product(db, 2), 0);
    BCHECK_INT(catalog_index_product(db, 999), 0);
    BCHECK_INT(srch_find(&fx, "oxford", &pg), 0);
    BCHECK_INT(pg.total, 0);
    if (be->dialect == DB_SQLITE) {
        int64_t n = -1;
        BCHECK_INT(db_query_int(db, "SELECT count(*) FROM products_fts", NULL, 0, &n), 0);
        BCHECK_INT(n, SRCH_NPRODUCTS - 1);
    }
    /* Descriptions longer than the indexed part: the start is found. */
    buf_t body = BUF_INIT;
    buf_puts(&body, "<p>Zanzibar ");
    for (int i = 0; i < 20000; i++)
        buf_puts(&body, "filler text ");
    buf_puts(&body, "quixotic</p>");
    db_param_t big[] = {DB_TEXT(body.data), DB_INT(3)};
    BCHECK_INT(db_exec(db, "UPDATE products SET body_html = $1 WHERE id = $2", big, 2), 1);
    BCHECK_INT(catalog_index_product(db, 3), 0);
    buf_free(&body);
    BCHECK_INT(srch_find(&fx, "zanzibar", &pg), 0);
    BCHECK_INT(pg.total, 1);
    BCHECK_INT(srch_find(&fx, "quixotic", &pg), 0);
    BCHECK_INT(pg.total, 0);
out:
    srch_done(&fx);
}

/* ---- sitemap ---- */

typedef struct {
    char kinds[64][16], handles[64][64], times[64][32];
    int n;
} sitemap_t;

static void on_entry(void *ud, const char *kind, const char *handle, const char *updated_at)
{
    sitemap_t *s = ud;
    if (s->n >= 64)
        return;
    snprintf(s->kinds[s->n], sizeof(s->kinds[0]), "%s", kind);
    snprintf(s->handles[s->n], sizeof(s->handles[0]), "%s", handle);
    snprintf(s->times[s->n], sizeof(s->times[0]), "%s", updated_at);
    s->n++;
}

typedef struct {
    int n, last;
    bool ordered;
} count_t;

static void on_count(void *ud, const char *kind, const char *handle, const char *updated_at)
{
    count_t *c = ud;
    int id = atoi(handle + 2);
    c->ordered = c->ordered && strcmp(kind, "product") == 0 && id % 7 != 0 && id > c->last &&
                 strcmp(updated_at, "2024-02-01T00:00:00.000Z") == 0;
    c->last = id;
    c->n++;
}

SEARCH_TEST(sitemap)
{
    sfx_t fx;
    sitemap_t sm = {.n = 0};
    if (!srch_open(&fx, be, "sitemap", false))
        goto out;
    BCHECK_INT(catalog_sitemap(fx.db, on_entry, &sm), 0);
    BCHECK_INT(sm.n, 0);
    /* More than one chunk: every active product once, in id order. */
    db_param_t ts[] = {DB_TEXT("2024-02-01T00:00:00.000Z")};
    BCHECK_INT(db_exec(fx.db,
                       "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                       "WHERE x < 2100) INSERT INTO products (id, public_id, handle, title, "
                       "status, created_at, updated_at) SELECT x, 'prod_' || x, 'h-' || x, 't', "
                       "CASE WHEN x % 7 = 0 THEN 'draft' ELSE 'active' END, $1, $1 FROM c",
                       ts, 1),
               2100);
    count_t c = {0, 0, true};
    BCHECK_INT(catalog_sitemap(fx.db, on_count, &c), 0);
    BCHECK_INT(c.n, 1800);
    BCHECK(c.ordered);
    srch_done(&fx);
    if (!srch_open(&fx, be, "sitemap", true))
        goto out;
    BCHECK_INT(catalog_sitemap(fx.db, on_entry, &sm), 0);
    /* Active products by id, then published collections by id. */
    int k = 0;
    for (int i = 0; i < SRCH_NPRODUCTS; i++) {
        const fprod_t *p = &SRCH_PRODUCTS[i];
        if (strcmp(p->status, "active") != 0)
            continue;
        char t[32];
        snprintf(t, sizeof(t), "2024-01-%02dT10:00:00.000Z", p->day + 1);
        BCHECK_STR(sm.kinds[k], "product");
        BCHECK_STR(sm.handles[k], p->handle);
        BCHECK_STR(sm.times[k], t);
        k++;
    }
    BCHECK_INT(sm.n, k + 2);
    BCHECK_STR(sm.kinds[k], "collection");
    BCHECK_STR(sm.handles[k], "summer");
    BCHECK_STR(sm.times[k], "2024-01-01T10:00:00.000Z");
    BCHECK_STR(sm.kinds[k + 1], "collection");
    BCHECK_STR(sm.handles[k + 1], "winter");
out:
    srch_done(&fx);
}
