/* test_catalog_bulk.c - what bulk writers and readers of the catalog use:
 * saves that leave the search entry to catalog_index_products() or skip the
 * handle look-up (CATALOG_SAVE_*), and the id walk of
 * catalog_product_ids_after(); on both backends. */
#include <string.h>

#include "catalog_fixture.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "shop/catalog.h"

/* Products a search for q finds among all (drafts included). */
static int64_t found(fixture_t *fx, const char *q)
{
    catalog_query_t cq = {
        .q = q, .include_unpublished = true, .limit = 10, .price_min = -1, .price_max = -1};
    catalog_page_t pg;
    if (catalog_search(fx->db, &fx->a, &cq, &pg) != 0)
        return -1;
    return pg.total;
}

static int save_flags(fixture_t *fx, product_t *p, unsigned flags, catalog_errors_t *e)
{
    e->n = 0;
    return catalog_product_save_flags(fx->db, &fx->a, p, flags, e);
}

/* Deferred entries appear with catalog_index_products(), in the same
 * transaction; an update's old words go then too. */
CAT_TEST(product_deferred_index)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "defer"))
        goto out;
    arena_t *a = &fx.a;
    catalog_errors_t e;
    /* Outside a transaction there is nothing to defer to. */
    BCHECK_INT(catalog_index_products(fx.db, NULL, 0), SOUK_EINVAL);

    BCHECK_INT(db_begin(fx.db, DB_TX_WRITE), 0);
    product_t *p1 = cat_product(a, "Walnut Spoon", 1), *p2 = cat_product(a, "Walnut Bowl", 2);
    p2->variants[0].sku = "BOWL-1";
    BCHECK_INT(save_flags(&fx, p1, CATALOG_SAVE_DEFER_INDEX | CATALOG_SAVE_NEW, &e), 0);
    BCHECK_INT(save_flags(&fx, p2, CATALOG_SAVE_DEFER_INDEX, &e), 0);
    BCHECK_INT(found(&fx, "walnut"), 0);
    /* A failed save in between is undone alone and indexes nothing. */
    product_t *bad = cat_product(a, "Walnut Board", 1);
    bad->variants[0].sku = "BOWL-1";
    BCHECK_INT(save_flags(&fx, bad, CATALOG_SAVE_DEFER_INDEX | CATALOG_SAVE_NEW, &e),
               SOUK_ECONFLICT);
    int64_t ids[] = {p1->id, p2->id, p1->id};
    BCHECK_INT(catalog_index_products(fx.db, ids, 3), 0);
    BCHECK_INT(found(&fx, "walnut"), 2);
    BCHECK_INT(found(&fx, "BOWL-1"), 1);
    BCHECK_INT(db_commit(fx.db), 0);
    BCHECK_INT(found(&fx, "walnut"), 2);

    /* An update: the old title is searchable until the entry is rebuilt. */
    BCHECK_INT(db_begin(fx.db, DB_TX_WRITE), 0);
    p1->title = "Cherry Spoon";
    BCHECK_INT(save_flags(&fx, p1, CATALOG_SAVE_DEFER_INDEX, &e), 0);
    BCHECK_INT(found(&fx, "cherry"), 0);
    BCHECK_INT(catalog_index_products(fx.db, &p1->id, 1), 0);
    BCHECK_INT(found(&fx, "cherry"), 1);
    BCHECK_INT(found(&fx, "walnut"), 1);
    /* A product gone since loses its entry. */
    BCHECK_INT(catalog_product_delete(fx.db, p2->public_id), 0);
    BCHECK_INT(catalog_index_products(fx.db, &p2->id, 1), 0);
    BCHECK_INT(db_commit(fx.db), 0);
    BCHECK_INT(found(&fx, "walnut"), 0);
    BCHECK_INT(found(&fx, "bowl"), 0);

    /* Rolled back with its transaction, entries and all. */
    BCHECK_INT(db_begin(fx.db, DB_TX_WRITE), 0);
    product_t *p3 = cat_product(a, "Maple Tray", 1);
    BCHECK_INT(save_flags(&fx, p3, CATALOG_SAVE_DEFER_INDEX, &e), 0);
    BCHECK_INT(catalog_index_products(fx.db, &p3->id, 1), 0);
    db_rollback(fx.db);
    BCHECK_INT(found(&fx, "maple"), 0);
    BCHECK_INT(cat_count(fx.db, "products"), 1);
out:
    cat_done(&fx);
}

/* CATALOG_SAVE_NEW skips the catalog's handle look-up, not the rules: a
 * taken handle or SKU is refused as without it, and nothing is written. */
CAT_TEST(product_save_new)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "new"))
        goto out;
    arena_t *a = &fx.a;
    catalog_errors_t e;
    product_t *p1 = cat_product(a, "Oak Chair", 2);
    p1->handle = "oak-chair";
    p1->variants[0].sku = "OAK-1";
    p1->variants[1].sku = "OAK-2";
    const char *tags[] = {"wood", "seat"};
    p1->tags = tags;
    p1->ntags = 2;
    cat_images(a, p1, 1);
    BCHECK_INT(save_flags(&fx, p1, CATALOG_SAVE_NEW, &e), 0);
    BCHECK(p1->id > 0 && cat_is_public_id(p1->public_id, "prod_"));
    BCHECK(p1->nvariants == 2 && p1->variants[0].id > 0 && p1->variants[1].id > 0 &&
           p1->variants[0].id != p1->variants[1].id);
    BCHECK(p1->nimages == 1 && p1->images[0].id > 0);
    product_t *g = NULL;
    BCHECK_INT(catalog_product_get(fx.db, a, "oak-chair", &g), 0);
    BCHECK(g && g->id == p1->id && g->ntags == 2 && g->nvariants == 2 && g->nimages == 1);
    BCHECK(g && g->variants[0].id == p1->variants[0].id && g->images[0].id == p1->images[0].id);
    BCHECK_INT(found(&fx, "chair"), 1);

    /* The same handle again: the constraint answers. */
    product_t *p2 = cat_product(a, "Another Chair", 1);
    p2->handle = "oak-chair";
    BCHECK_INT(save_flags(&fx, p2, CATALOG_SAVE_NEW, &e), SOUK_ECONFLICT);
    BCHECK(cat_err_for(&e, "handle") != NULL);
    BCHECK(p2->id == 0);
    /* Other products' SKUs: each one is named, as without the flag. */
    product_t *p3 = cat_product(a, "Elm Chair", 3);
    p3->handle = "elm-chair";
    p3->variants[0].sku = "ELM-0";
    p3->variants[1].sku = "OAK-2";
    p3->variants[2].sku = "OAK-1";
    BCHECK_INT(save_flags(&fx, p3, CATALOG_SAVE_NEW, &e), SOUK_ECONFLICT);
    BCHECK_INT(e.n, 2);
    BCHECK(cat_err_for(&e, "variants[1].sku") != NULL);
    BCHECK(cat_err_for(&e, "variants[2].sku") != NULL);
    BCHECK(p3->id == 0);
    BCHECK_INT(cat_count(fx.db, "products"), 1);
    BCHECK_INT(cat_count(fx.db, "variants"), 2);
    BCHECK_INT(cat_count(fx.db, "product_tags"), 2);
    /* Without a handle, one is made from the title as usual. */
    product_t *p4 = cat_product(a, "Oak Chair", 1);
    BCHECK_INT(save_flags(&fx, p4, CATALOG_SAVE_NEW, &e), 0);
    BCHECK_STR(p4->handle, "oak-chair-2");
out:
    cat_done(&fx);
}

CAT_TEST(product_ids_after)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "ids"))
        goto out;
    arena_t *a = &fx.a;
    int64_t *ids;
    const char **pubs;
    size_t n = 99;
    BCHECK_INT(catalog_product_ids_after(fx.db, a, 0, 10, &ids, &pubs, &n), 0);
    BCHECK_INT(n, 0);
    BCHECK_INT(catalog_product_ids_after(fx.db, a, 0, 0, &ids, &pubs, &n), SOUK_ERANGE);
    BCHECK_INT(catalog_product_ids_after(fx.db, a, 0, CATALOG_MAX_ID_PAGE + 1, &ids, NULL, &n),
               SOUK_ERANGE);
    BCHECK_INT(n, 0);

    enum { N = 7 };
    product_t *ps[N];
    for (int i = 0; i < N; i++) {
        ps[i] = cat_product(a, cat_fmt(a, "Stool %d", i), 1);
        ps[i]->status = i % 3 == 0 ? PRODUCT_DRAFT : i % 3 == 1 ? PRODUCT_ACTIVE : PRODUCT_ARCHIVED;
        SAVE_OK(&fx, ps[i]);
    }
    BCHECK_INT(catalog_product_delete(fx.db, ps[3]->public_id), 0);
    /* Pages of 2 walk all six left, in id order, drafts and archived too. */
    int seen = 0;
    int64_t after = 0;
    for (int page = 0; page < 10; page++) {
        BCHECK_INT(catalog_product_ids_after(fx.db, a, after, 2, &ids, &pubs, &n), 0);
        for (size_t k = 0; k < n; k++) {
            int i = seen + (seen >= 3); /* ps[3] is gone */
            BCHECK(i < N && ids[k] == ps[i]->id);
            BCHECK(i < N && strcmp(pubs[k], ps[i]->public_id) == 0);
            BCHECK(ids[k] > after);
            after = ids[k];
            seen++;
        }
        if (n < 2)
            break;
    }
    BCHECK_INT(seen, N - 1);
    /* The largest page, and no public ids asked for. */
    BCHECK_INT(catalog_product_ids_after(fx.db, a, 0, CATALOG_MAX_ID_PAGE, &ids, NULL, &n), 0);
    BCHECK_INT(n, N - 1);
    BCHECK_INT(catalog_product_ids_after(fx.db, a, ps[N - 1]->id, 5, &ids, &pubs, &n), 0);
    BCHECK_INT(n, 0);
out:
    cat_done(&fx);
}
