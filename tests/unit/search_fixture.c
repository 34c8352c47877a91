/* search_fixture.c - the search tests' databases, catalog and reference; see
 * search_fixture.h. */
#include "search_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>

#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/migrate.h"

void srch_run_each(void (*fn)(const sbe_t *be))
{
    static bool told;
    const sbe_t sqlite = {"sqlite", DB_SQLITE, NULL, false};
    fn(&sqlite);
    const sbe_t mirrored = {"sqlite-mirror", DB_SQLITE, NULL, true};
    fn(&mirrored);
    const char *url = getenv("SOUK_TEST_DATABASE_URL");
    if (url && *url) {
        const sbe_t pg = {"postgresql", DB_POSTGRES, url, false};
        fn(&pg);
    } else if (!told) {
        printf("test_catalog_search: SOUK_TEST_DATABASE_URL unset, PostgreSQL cases not run\n");
        fflush(stdout);
        told = true;
    }
}

/* ---- the fixture catalog ---- */

#define P(...)                                                                                     \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
const fprod_t SRCH_PRODUCTS[] = {
    P("linen-shirt", "Linen Shirt", "<p>A breezy shirt for hot days.</p>", "Acme", "Shirt",
      "active", 3500, 4200, true, "summer", "LS-1-S:3500:5000,LS-1-M:4200:4800", 1, 3),
    P("oxford-shirt", "Oxford Shirt", "<p>Button-down <b>cotton</b> oxford.</p>", "Acme", "Shirt",
      "active", 4500, 4500, true, "cotton,office", "OX-200:4500:-1", 2, 0),
    P("relaxed-trousers", "Relaxed Trousers", "<p>Wear with a linen top. Linen lovers agree.</p>",
      "Borealis", "Pants", "active", 6000, 6000, true, "summer", "TR-300:6000:-1", 20, 1),
    P("cafe-mug", "Café Crème Mug", "<p>Stoneware.</p>", "Dune", "Mug", "active", 1200, 1200, true,
      "kitchen", "MUG-1:1200:-1", 4, 0),
    P("trail-runner", "Trail Runner", "<p>Grippy soles.</p>", "Cobalt", "Shoes", "active", 9900,
      12900, true, "outdoor,sale", "ZX-900-B:9900:15000,ZX-900-C:12900:12000", 5, 0),
    P("wool-beanie", "Wool Beanie", "<p>Warm merino wool.</p>", "Borealis", "Hat", "active", 2500,
      2500, false, "winter,wool", "KT.77/3:2500:-1", 6, 0),
    P("amber-tee", "amber Tee", "<p>Everyday.</p>", "Acme", "Shirt", "active", 1900, 1900, true,
      "cotton,summer", "", 7, 2),
    P("birch-chinos", "Birch Chinos", "<p>Everyday.</p>", "Borealis", "Pants", "active", 5500, 5500,
      false, "cotton", "", 8, 0),
    P("cedar-boots", "cedar Boots", "<p>Everyday.</p>", "Cobalt", "Shoes", "active", 14000, 14000,
      true, "outdoor,winter", "", 9, 0),
    P("dahlia-cap", "Dahlia Cap", "<p>Everyday.</p>", "Dune", "Hat", "active", 1500, 1500, true,
      "summer,sale", "", 10, 4),
    P("elm-mug", "Elm Mug", "<p>Everyday.</p>", "", "Mug", "active", 900, 900, true, "kitchen,sale",
      "", 11, 0),
    P("fern-shorts", "fern Shorts", "<p>Everyday.</p>", "Acme", "Pants", "active", 2900, 2900, true,
      "summer,cotton", "", 12, 5),
    P("garnet-sneakers", "Garnet Sneakers", "<p>Everyday.</p>", "Cobalt", "Shoes", "active", 8900,
      8900, false, "sale", "", 13, 0),
    P("hazel-scarf", "Hazel Scarf", "<p>Everyday.</p>", "Borealis", "Hat", "active", 3100, 3100,
      true, "winter,wool", "", 14, 0),
    P("iris-polo", "Iris Polo", "<p>Everyday.</p>", "Acme", "Shirt", "active", 3900, 3900, true,
      "cotton,office", "", 15, 0),
    P("juniper-polo", "juniper Polo", "<p>Everyday.</p>", "Acme", "Shirt", "active", 3900, 3900,
      true, "cotton", "", 15, 0),
    P("kelp-sandals", "Kelp Sandals", "<p>Everyday.</p>", "Cobalt", "Shoes", "active", 4900, 4900,
      true, "summer,outdoor", "", 17, 6),
    P("lotus-bowl", "Lotus Bowl", "<p>Everyday.</p>", "Dune", "Mug", "active", 2200, 2200, false,
      "kitchen", "", 18, 0),
    P("maple-jacket", "Maple Jacket", "<p>Everyday.</p>", "Borealis", "Shirt", "active", 12000,
      12000, true, "winter,wool,outdoor", "", 19, 0),
    P("nutmeg-hat", "nutmeg Hat", "<p>Everyday.</p>", "Dune", "Hat", "active", 1900, 1900, true,
      "summer", "", 3, 7),
    P("olive-jeans", "Olive Jeans", "<p>Everyday.</p>", "Acme", "Pants", "active", 7900, 7900, true,
      "cotton", "", 21, 0),
    P("pine-loafers", "Pine Loafers", "<p>Everyday.</p>", "Cobalt", "Shoes", "active", 11000, 11000,
      false, "office", "", 22, 0),
    P("quartz-tumbler", "Quartz Tumbler", "<p>Everyday.</p>", "Dune", "Mug", "active", 1800, 1800,
      true, "kitchen,outdoor", "", 23, 0),
    P("rowan-cardigan", "Rowan Cardigan", "<p>Everyday.</p>", "Borealis", "Shirt", "active", 8800,
      8800, true, "wool,winter,office", "", 24, 0),
    P("sage-visor", "Sage Visor", "<p>Everyday.</p>", "Acme", "Hat", "active", 1500, 1500, true,
      "summer,sale", "", 25, 8),
    P("teak-clogs", "Teak Clogs", "<p>Everyday.</p>", "Cobalt", "Shoes", "active", 6500, 6500, true,
      "", "", 26, 0),
    P("umber-vest", "Umber Vest", "<p>Everyday.</p>", "Borealis", "Shirt", "active", 4200, 4200,
      true, "wool", "", 27, 0),
    P("draft-scarf", "Linen Scarf Draft", "<p>Soon.</p>", "Acme", "Hat", "draft", 2000, 2000, true,
      "summer,linen", "", 28, 9),
    P("archived-tote", "Linen Tote", "<p>Gone.</p>", "Dune", "Mug", "archived", 1700, 1700, true,
      "linen", "", 29, 0),
    P("violet-socks", "Violet Socks", "<p>Everyday.</p>", "Borealis", "Hat", "active", 900, 900,
      true, "wool,sale", "", 30, 0),
};
_Static_assert(sizeof(SRCH_PRODUCTS) / sizeof(SRCH_PRODUCTS[0]) == SRCH_NPRODUCTS, "fixture size");

int srch_nactive(void)
{
    int n = 0;
    for (int i = 0; i < SRCH_NPRODUCTS; i++)
        n += strcmp(SRCH_PRODUCTS[i].status, "active") == 0;
    return n;
}

#define EXEC(sql, ...)                                                                             \
    do {                                                                                           \
        db_param_t p_[] = {__VA_ARGS__};                                                           \
        if (db_exec(fx->db, (sql), p_, (int)(sizeof(p_) / sizeof(p_[0]))) < 0)                     \
            test_fail(__FILE__, __LINE__, "[%s] %s: %s", be->name, (sql), db_errmsg(fx->db));      \
    } while (0)

static void stamp(char out[32], int day)
{
    snprintf(out, 32, "2024-01-%02dT10:00:00.000Z", day);
}

static void insert_product(sfx_t *fx, int id, const fprod_t *p)
{
    const sbe_t *be = fx->be;
    char created[32], updated[32], pub[32];
    stamp(created, p->day);
    stamp(updated, p->day + 1);
    snprintf(pub, sizeof(pub), "prod_%02d", id);
    EXEC("INSERT INTO products (id, public_id, handle, title, body_html, vendor, product_type, "
         "status, price_min, price_max, available, created_at, updated_at) "
         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
         DB_INT(id), DB_TEXT(pub), DB_TEXT(p->handle), DB_TEXT(p->title), DB_TEXT(p->body),
         DB_TEXT(p->vendor), DB_TEXT(p->type), DB_TEXT(p->status), DB_INT(p->price_min),
         DB_INT(p->price_max), DB_INT(p->available), DB_TEXT(created), DB_TEXT(updated));
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", p->tags);
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
        EXEC("INSERT INTO product_tags (product_id, tag) VALUES ($1, $2)", DB_INT(id), DB_TEXT(t));
    snprintf(buf, sizeof(buf), "%s", p->variants[0] ? p->variants : ":-1:-1");
    int pos = 0;
    for (char *save, *v = strtok_r(buf, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
        char *c1 = strchr(v, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL)
            BUG("bad variant spec %s", v);
        *c1 = *c2 = '\0';
        long long price = atoll(c1 + 1), cmp = atoll(c2 + 1);
        char vpub[32];
        snprintf(vpub, sizeof(vpub), "var_%02d_%d", id, ++pos);
        EXEC("INSERT INTO variants (public_id, product_id, position, sku, price, compare_at_price, "
             "inventory_quantity, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
             "$8)",
             DB_TEXT(vpub), DB_INT(id), DB_INT(pos), v[0] ? DB_TEXT(v) : DB_NULL,
             DB_INT(price < 0 ? p->price_min : price), cmp < 0 ? DB_NULL : DB_INT(cmp),
             DB_INT(p->available ? 3 : 0), DB_TEXT(created));
    }
    /* Two images, the second row holding position 1: the summary shows it. */
    if (id % 2 == 1) {
        char ipub[32], src[64];
        for (int k = 2; k >= 1; k--) {
            snprintf(ipub, sizeof(ipub), "img_%02d_%d", id, k);
            snprintf(src, sizeof(src), "/media/%s-%d.jpg", p->handle, k);
            EXEC("INSERT INTO images (public_id, product_id, position, src, alt, width, height, "
                 "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                 DB_TEXT(ipub), DB_INT(id), DB_INT(k), DB_TEXT(src), DB_TEXT(p->title), DB_INT(800),
                 DB_INT(600 + k), DB_TEXT(created));
        }
    }
    /* What catalog_repo.c keeps on the row for listings, as migration 0007
     * fills it for rows written before it. */
    EXEC("UPDATE products SET (first_image_public_id, first_image_src, first_image_alt, "
         "first_image_width, first_image_height, first_image_position) = (SELECT i.public_id, "
         "i.src, i.alt, i.width, i.height, i.position FROM images i WHERE i.product_id = "
         "products.id ORDER BY i.position, i.id LIMIT 1), (sale_compare_at_price, sale_price) = "
         "(SELECT v.compare_at_price, v.price FROM variants v WHERE v.product_id = products.id "
         "AND v.compare_at_price > v.price ORDER BY v.compare_at_price, v.position, v.id LIMIT "
         "1) WHERE id = $1",
         DB_INT(id));
}

static void insert_collection(sfx_t *fx, int id, const char *handle, bool published)
{
    const sbe_t *be = fx->be;
    char pub[48], created[32];
    snprintf(pub, sizeof(pub), "coll_%s", handle);
    stamp(created, id);
    EXEC("INSERT INTO collections (id, public_id, handle, title, position, published, created_at, "
         "updated_at) VALUES ($1, $2, $3, $3, $6, $4, $5, $5)",
         DB_INT(id), DB_TEXT(pub), DB_TEXT(handle), DB_INT(published), DB_TEXT(created),
         DB_INT(id));
}

/* A migrated database of its own, with the fixture catalog when full. */
bool srch_open(sfx_t *fx, const sbe_t *be, const char *tag, bool full)
{
    memset(fx, 0, sizeof(*fx));
    fx->be = be;
    fx->db = testdb_open(be->name, be->dialect, be->url, "search", tag, &fx->names, 0);
    if (fx->db == NULL)
        return false;
    if (be->mirror) {
        db_config_t dbc = {.sqlite_path = fx->names.path};
        fx->mirror = catalog_mirror_start(&dbc);
        BCHECK(fx->mirror != NULL);
        /* Its first snapshot says so in the log: not worth a line per case. */
        testdb_quiet_log(true);
        BCHECK_INT(catalog_mirror_wait(fx->mirror, fx->db, 10000), 0);
        testdb_quiet_log(false);
    }
    if (!full)
        return true;
    BCHECK_INT(db_begin(fx->db, DB_TX_WRITE), 0);
    for (int i = 0; i < SRCH_NPRODUCTS; i++)
        insert_product(fx, i + 1, &SRCH_PRODUCTS[i]);
    insert_collection(fx, SRCH_COLL_SUMMER, "summer", true);
    insert_collection(fx, 2, "hidden", false);
    insert_collection(fx, 3, "winter", true);
    for (int i = 0; i < SRCH_NPRODUCTS; i++) {
        if (SRCH_PRODUCTS[i].summer)
            EXEC("INSERT INTO collection_products (collection_id, product_id, position) "
                 "VALUES ($1, $2, $3)",
                 DB_INT(SRCH_COLL_SUMMER), DB_INT(i + 1), DB_INT(SRCH_PRODUCTS[i].summer));
    }
    EXEC(
        "INSERT INTO collection_products (collection_id, product_id, position) VALUES ($1, $2, $3)",
        DB_INT(2), DB_INT(2), DB_INT(1));
    for (int i = 0; i < SRCH_NPRODUCTS; i++)
        BCHECK_INT(catalog_index_product(fx->db, i + 1), 0);
    BCHECK_INT(db_commit(fx->db), 0);
    return true;
}

void srch_done(sfx_t *fx)
{
    catalog_mirror_stop(fx->mirror);
    if (fx->db)
        db_close(fx->db);
    arena_free(&fx->a);
    testdb_drop(fx->be->name, fx->be->dialect, fx->be->url, &fx->names);
}

/* ---- helpers ---- */

catalog_query_t srch_query(void)
{
    catalog_query_t q;
    memset(&q, 0, sizeof(q));
    q.price_min = q.price_max = -1;
    q.limit = CATALOG_MAX_PAGE_SIZE;
    return q;
}

int srch_search(sfx_t *fx, const catalog_query_t *q, catalog_page_t *pg)
{
    if (fx->mirror == NULL)
        return srch_check_rc(fx, catalog_search(fx->db, &fx->a, q, pg));
    const sbe_t *be = fx->be;
    catalog_mirror_stats_t st0, st1;
    BCHECK_INT(catalog_mirror_wait(fx->mirror, fx->db, 10000), 0);
    catalog_mirror_stats(fx->mirror, &st0);
    int rc = srch_check_rc(fx, catalog_search_mirrored(fx->db, fx->mirror, &fx->a, q, pg));
    catalog_mirror_stats(fx->mirror, &st1);
    /* Refused queries and unknown collections end before the mirror. */
    if (rc == 0)
        BCHECK_INT(st1.used, st0.used + 1);
    BCHECK_INT(st1.stale, st0.stale);
    if (rc == 0 && q->q && q->q[0]) {
        /* Again: the text's matches now come from the snapshot's keeping,
         * and must give the same page. */
        catalog_page_t again;
        BCHECK_INT(catalog_search_mirrored(fx->db, fx->mirror, &fx->a, q, &again), 0);
        srch_same_page(be, pg, &again);
    }
    return rc;
}

void srch_same_page(const sbe_t *be, const catalog_page_t *x, const catalog_page_t *y)
{
    BCHECK_INT(x->total, y->total);
    BCHECK_INT(x->truncated, y->truncated);
    BCHECK_INT(x->n, y->n);
    for (size_t i = 0; i < x->n && i < y->n; i++)
        BCHECK_INT(x->items[i].id, y->items[i].id);
    const facet_count_t *xl[] = {x->vendors, x->types, x->tags},
                        *yl[] = {y->vendors, y->types, y->tags};
    size_t xn[] = {x->nvendors, x->ntypes, x->ntags}, yn[] = {y->nvendors, y->ntypes, y->ntags};
    for (int k = 0; k < 3; k++) {
        BCHECK_INT(xn[k], yn[k]);
        for (size_t i = 0; i < xn[k] && i < yn[k]; i++) {
            BCHECK_STR(xl[k][i].value, yl[k][i].value);
            BCHECK_INT(xl[k][i].count, yl[k][i].count);
        }
    }
    BCHECK_INT(x->available_count, y->available_count);
    BCHECK_INT(x->price_floor, y->price_floor);
    BCHECK_INT(x->price_ceiling, y->price_ceiling);
}

int srch_check_rc(sfx_t *fx, int rc)
{
    if (rc < 0 && rc != SOUK_ERANGE && rc != SOUK_ELIMIT && rc != SOUK_EINVAL &&
        rc != SOUK_ENOTFOUND)
        test_fail(__FILE__, __LINE__, "[%s] catalog_search: %d %s", fx->be->name, rc,
                  db_errmsg(fx->db));
    return rc;
}

/* A text search with defaults: the page (all of it) and its rc. */
int srch_find(sfx_t *fx, const char *text, catalog_page_t *pg)
{
    catalog_query_t q = srch_query();
    q.q = text;
    return srch_search(fx, &q, pg);
}

int srch_pos(const catalog_page_t *pg, const char *handle)
{
    for (size_t i = 0; i < pg->n; i++)
        if (strcmp(pg->items[i].handle, handle) == 0)
            return (int)i;
    return -1;
}

/* ---- the reference: what a listing without text must return ---- */

enum { R_VENDORS = 1, R_TYPES = 2, R_TAGS = 4, R_PRICE = 8, R_AVAIL = 16 };

bool srch_has_tag(const fprod_t *p, const char *tag)
{
    size_t n = strlen(tag);
    for (const char *t = p->tags; *t;) {
        const char *e = strchr(t, ',');
        size_t len = e ? (size_t)(e - t) : strlen(t);
        if (len == n && strncmp(t, tag, n) == 0)
            return true;
        t += len + (e != NULL);
    }
    return false;
}

static bool in_list(const char *v, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v, list[i]) == 0)
            return true;
    return false;
}

/* Only the collection "summer" is used by the reference cases. */
static bool ref_match(const fprod_t *p, const catalog_query_t *q, unsigned excl)
{
    if (!q->include_unpublished && strcmp(p->status, "active") != 0)
        return false;
    if (q->collection && !p->summer)
        return false;
    if (!(excl & R_VENDORS) && q->nvendors && !in_list(p->vendor, q->vendors, q->nvendors))
        return false;
    if (!(excl & R_TYPES) && q->ntypes && !in_list(p->type, q->types, q->ntypes))
        return false;
    if (!(excl & R_TAGS) && q->ntags) {
        bool any = false;
        for (size_t i = 0; i < q->ntags; i++)
            any = any || srch_has_tag(p, q->tags[i]);
        if (!any)
            return false;
    }
    if (!(excl & R_PRICE) && ((q->price_min >= 0 && p->price_min < q->price_min) ||
                              (q->price_max >= 0 && p->price_min > q->price_max)))
        return false;
    if (!(excl & R_AVAIL) && q->available_only && !p->available)
        return false;
    return true;
}

static catalog_sort_t ref_sort;

static int lower_cmp(const char *x, const char *y)
{
    for (;; x++, y++) {
        int a = (unsigned char)*x, b = (unsigned char)*y;
        a = a >= 'A' && a <= 'Z' ? a + 32 : a;
        b = b >= 'A' && b <= 'Z' ? b + 32 : b;
        if (a != b || a == 0)
            return a - b;
    }
}

static int ref_cmp(const void *x, const void *y)
{
    int i = *(const int *)x, j = *(const int *)y; /* 0-based: the id is i + 1 */
    const fprod_t *a = &SRCH_PRODUCTS[i], *b = &SRCH_PRODUCTS[j];
    int c = 0;
    switch (ref_sort) {
    case SORT_MANUAL:
        return a->summer != b->summer ? a->summer - b->summer : i - j;
    case SORT_PRICE_ASC:
        return a->price_min != b->price_min ? (a->price_min < b->price_min ? -1 : 1) : i - j;
    case SORT_PRICE_DESC:
        return a->price_min != b->price_min ? (a->price_min > b->price_min ? -1 : 1) : j - i;
    case SORT_TITLE_ASC:
        c = lower_cmp(a->title, b->title);
        return c ? c : i - j;
    case SORT_TITLE_DESC:
        c = lower_cmp(b->title, a->title);
        return c ? c : j - i;
    default: /* newest */
        return a->day != b->day ? b->day - a->day : j - i;
    }
}

/* The ids (1-based) a listing must return, in order; their number. */
static int ref_list(const catalog_query_t *q, int ids[SRCH_NPRODUCTS])
{
    int n = 0;
    for (int i = 0; i < SRCH_NPRODUCTS; i++)
        if (ref_match(&SRCH_PRODUCTS[i], q, 0))
            ids[n++] = i;
    ref_sort = q->sort;
    if (ref_sort == SORT_RELEVANCE)
        ref_sort = q->collection ? SORT_MANUAL : SORT_NEWEST;
    if (ref_sort == SORT_MANUAL && !q->collection)
        ref_sort = SORT_NEWEST;
    qsort(ids, (size_t)n, sizeof(int), ref_cmp);
    for (int k = 0; k < n; k++)
        ids[k]++;
    return n;
}

typedef struct {
    const char *value;
    int64_t count;
} rfacet_t;

static int rfacet_cmp(const void *x, const void *y)
{
    const rfacet_t *a = x, *b = y;
    return a->count != b->count ? (a->count > b->count ? -1 : 1) : strcmp(a->value, b->value);
}

static const char *const TAG_NAMES[] = {"cotton", "kitchen", "linen",  "office", "outdoor",
                                        "sale",   "summer",  "winter", "wool"};

static size_t ref_facet(const catalog_query_t *q, unsigned kind, rfacet_t out[64])
{
    size_t n = 0;
    for (int i = 0; i < SRCH_NPRODUCTS; i++) {
        const fprod_t *p = &SRCH_PRODUCTS[i];
        if (!ref_match(p, q, kind))
            continue;
        const char *vals[16];
        size_t nv = 0;
        if (kind == R_VENDORS && p->vendor[0])
            vals[nv++] = p->vendor;
        else if (kind == R_TYPES && p->type[0])
            vals[nv++] = p->type;
        for (size_t t = 0; kind == R_TAGS && t < sizeof(TAG_NAMES) / sizeof(TAG_NAMES[0]); t++)
            if (srch_has_tag(p, TAG_NAMES[t]))
                vals[nv++] = TAG_NAMES[t];
        for (size_t k = 0; k < nv; k++) {
            size_t j = 0;
            while (j < n && strcmp(out[j].value, vals[k]) != 0)
                j++;
            if (j == n)
                out[n++] = (rfacet_t){vals[k], 0};
            out[j].count++;
        }
    }
    qsort(out, n, sizeof(*out), rfacet_cmp);
    return n;
}

static void check_facet(const sbe_t *be, int line, const char *what, const catalog_query_t *q,
                        unsigned kind, const facet_count_t *got, size_t ngot)
{
    rfacet_t want[64];
    size_t n = ref_facet(q, kind, want);
    bool same = n == ngot;
    for (size_t i = 0; same && i < n; i++)
        same = strcmp(want[i].value, got[i].value) == 0 && want[i].count == got[i].count;
    if (same)
        return;
    test_fail(__FILE__, line, "[%s] %s facet differs:", be->name, what);
    for (size_t i = 0; i < n || i < ngot; i++)
        fprintf(stderr, "    want %s=%lld   got %s=%lld\n", i < n ? want[i].value : "-",
                i < n ? (long long)want[i].count : 0LL, i < ngot ? got[i].value : "-",
                i < ngot ? (long long)got[i].count : 0LL);
}

/* Run q and compare the page, the total and (if wanted) the facets with the
 * reference. */
void srch_check_listing(sfx_t *fx, int line, const catalog_query_t *q)
{
    const sbe_t *be = fx->be;
    int want[SRCH_NPRODUCTS];
    int n = ref_list(q, want);
    catalog_page_t pg;
    int rc = srch_search(fx, q, &pg);
    if (rc != 0) {
        test_fail(__FILE__, line, "[%s] search: %d", be->name, rc);
        return;
    }
    int from = q->offset < n ? q->offset : n;
    int count = n - from < q->limit ? n - from : q->limit;
    bool same = pg.total == n && (int)pg.n == count;
    for (int i = 0; same && i < count; i++)
        same = pg.items[i].id == want[from + i];
    if (!same) {
        test_fail(__FILE__, line, "[%s] listing differs: total %lld, expected %d", be->name,
                  (long long)pg.total, n);
        for (int i = 0; i < count || i < (int)pg.n; i++)
            fprintf(stderr, "    want %d   got %lld\n", i < count ? want[from + i] : 0,
                    i < (int)pg.n ? (long long)pg.items[i].id : 0LL);
    }
    if (!q->want_facets)
        return;
    check_facet(be, line, "vendor", q, R_VENDORS, pg.vendors, pg.nvendors);
    check_facet(be, line, "type", q, R_TYPES, pg.types, pg.ntypes);
    check_facet(be, line, "tag", q, R_TAGS, pg.tags, pg.ntags);
    int64_t lo = -1, hi = -1, avail = 0;
    for (int i = 0; i < SRCH_NPRODUCTS; i++) {
        const fprod_t *p = &SRCH_PRODUCTS[i];
        if (ref_match(p, q, R_PRICE)) {
            lo = lo < 0 || p->price_min < lo ? p->price_min : lo;
            hi = p->price_min > hi ? p->price_min : hi;
        }
        avail += ref_match(p, q, R_AVAIL) && p->available;
    }
    if (lo < 0)
        lo = hi = 0;
    if (pg.price_floor != lo || pg.price_ceiling != hi || pg.available_count != avail)
        test_fail(__FILE__, line, "[%s] price %lld..%lld in stock %lld, expected %lld..%lld %lld",
                  be->name, (long long)pg.price_floor, (long long)pg.price_ceiling,
                  (long long)pg.available_count, (long long)lo, (long long)hi, (long long)avail);
}
