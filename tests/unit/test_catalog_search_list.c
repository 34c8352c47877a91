/* test_catalog_search_list.c - listings (catalog_search.c without text): each
 * filter alone and combined, each sort, pagination and its bounds, facet
 * counts with a facet's own filter left out, and what shoppers may not see.
 * Each listing is compared with the reference in search_fixture.c. */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "db/db.h"
#include "harness.h"
#include "search_fixture.h"
#include "shop/catalog.h"

SEARCH_TEST(filters)
{
    sfx_t fx;
    if (!srch_open(&fx, be, "filters", true))
        goto out;
    catalog_query_t q = srch_query();
    CHECK_LISTING(&fx, &q);
    /* Each filter alone. */
    q = srch_query();
    q.vendors[q.nvendors++] = "Acme";
    CHECK_LISTING(&fx, &q);
    q.vendors[q.nvendors++] = "Dune"; /* OR within a facet */
    CHECK_LISTING(&fx, &q);
    q = srch_query();
    q.vendors[q.nvendors++] = "";
    CHECK_LISTING(&fx, &q);
    q = srch_query();
    q.vendors[q.nvendors++] = "acme"; /* values match exactly */
    q.vendors[q.nvendors++] = "Nobody";
    CHECK_LISTING(&fx, &q);
    q = srch_query();
    q.types[q.ntypes++] = "Shoes";
    CHECK_LISTING(&fx, &q);
    q.types[q.ntypes++] = "Mug";
    CHECK_LISTING(&fx, &q);
    q = srch_query();
    q.tags[q.ntags++] = "wool";
    CHECK_LISTING(&fx, &q);
    q.tags[q.ntags++] = "sale"; /* a product with both counts once */
    CHECK_LISTING(&fx, &q);
    q = srch_query();
    q.price_min = 3900; /* bounds are inclusive, on the lowest price */
    CHECK_LISTING(&fx, &q);
    q.price_max = 4200;
    CHECK_LISTING(&fx, &q);
    q.price_min = -1;
    CHECK_LISTING(&fx, &q);
    q.price_min = q.price_max = 1500;
    CHECK_LISTING(&fx, &q);
    q = srch_query();
    q.available_only = true;
    CHECK_LISTING(&fx, &q);
    q = srch_query();
    q.collection = "summer";
    CHECK_LISTING(&fx, &q);
    q.collection = "coll_summer"; /* or its public id */
    CHECK_LISTING(&fx, &q);
    /* Combined: AND across facets. */
    q.vendors[q.nvendors++] = "Acme";
    q.vendors[q.nvendors++] = "Cobalt";
    q.available_only = true;
    q.price_max = 4900;
    CHECK_LISTING(&fx, &q);
    q = srch_query();
    q.types[q.ntypes++] = "Shirt";
    q.tags[q.ntags++] = "office";
    q.tags[q.ntags++] = "wool";
    q.price_min = 4000;
    CHECK_LISTING(&fx, &q);
    /* A tag, type and vendor in every list slot. */
    q = srch_query();
    for (size_t i = 0; i < 16; i++) {
        q.vendors[q.nvendors++] = i ? "Borealis" : "Dune";
        q.types[q.ntypes++] = "Hat";
        q.tags[q.ntags++] = i == 15 ? "winter" : "none";
    }
    CHECK_LISTING(&fx, &q);
    /* Values with quotes and backslashes are values, not syntax. */
    q = srch_query();
    q.vendors[q.nvendors++] = "Acme\", \"Dune";
    q.tags[q.ntags++] = "x'},{\"wool\\";
    CHECK_LISTING(&fx, &q);
out:
    srch_done(&fx);
}

SEARCH_TEST(sorts_and_pages)
{
    sfx_t fx;
    if (!srch_open(&fx, be, "sorts", true))
        goto out;
    for (int s = SORT_RELEVANCE; s <= SORT_TITLE_DESC; s++) {
        catalog_query_t q = srch_query();
        q.sort = (catalog_sort_t)s;
        CHECK_LISTING(&fx, &q);
        q.collection = "summer";
        CHECK_LISTING(&fx, &q);
        q.include_unpublished = true;
        CHECK_LISTING(&fx, &q);
        /* Pages of 4 in every sort: the same order, the same total. */
        q = srch_query();
        q.sort = (catalog_sort_t)s;
        q.limit = 4;
        for (q.offset = 0; q.offset < 32; q.offset += 4)
            CHECK_LISTING(&fx, &q);
    }
    catalog_page_t pg;
    catalog_query_t q = srch_query();
    q.limit = 1;
    q.offset = CATALOG_MAX_OFFSET; /* allowed, past the end */
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.n, 0);
    BCHECK_INT(pg.total, srch_nactive());
    q.limit = CATALOG_MAX_PAGE_SIZE;
    q.offset = srch_nactive() - 1;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.n, 1);
    /* Bounds, each at its limit and one past it. */
    const struct {
        int limit, offset, rc;
    } bounds[] = {
        {0, 0, SOUK_ERANGE},  {1, 0, 0},
        {100, 0, 0},          {101, 0, SOUK_ERANGE},
        {-1, 0, SOUK_ERANGE}, {10, -1, SOUK_ERANGE},
        {10, 10000, 0},       {10, 10001, SOUK_ERANGE},
    };
    for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
        q = srch_query();
        q.limit = bounds[i].limit;
        q.offset = bounds[i].offset;
        int rc = srch_search(&fx, &q, &pg);
        if (rc != bounds[i].rc)
            test_fail(__FILE__, __LINE__, "[%s] limit %d offset %d: %d, expected %d", be->name,
                      bounds[i].limit, bounds[i].offset, rc, bounds[i].rc);
    }
    q = srch_query();
    q.price_min = -2;
    BCHECK_INT(srch_search(&fx, &q, &pg), SOUK_ERANGE);
    q.price_min = 5;
    q.price_max = 4;
    BCHECK_INT(srch_search(&fx, &q, &pg), SOUK_ERANGE);
    q = srch_query();
    q.sort = (catalog_sort_t)99;
    BCHECK_INT(srch_search(&fx, &q, &pg), SOUK_EINVAL);
    q = srch_query();
    q.nvendors = 17;
    BCHECK_INT(srch_search(&fx, &q, &pg), SOUK_ELIMIT);
    q = srch_query();
    q.ntags = 1; /* tags[0] NULL */
    BCHECK_INT(srch_search(&fx, &q, &pg), SOUK_EINVAL);
    q.tags[0] = "\xc3(";
    BCHECK_INT(srch_search(&fx, &q, &pg), SOUK_EINVAL);
    q = srch_query();
    q.collection = "no-such-collection";
    BCHECK_INT(srch_search(&fx, &q, &pg), SOUK_ENOTFOUND);
out:
    srch_done(&fx);
}

SEARCH_TEST(facets)
{
    sfx_t fx;
    if (!srch_open(&fx, be, "facets", true))
        goto out;
    catalog_query_t q = srch_query();
    q.want_facets = true;
    q.limit = 5;
    CHECK_LISTING(&fx, &q);
    /* Choosing a vendor leaves the vendor counts as they were, so a second
     * vendor still shows what it would add; the other facets narrow. */
    q.vendors[q.nvendors++] = "Acme";
    CHECK_LISTING(&fx, &q);
    catalog_page_t pg;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.nvendors, 4);
    BCHECK_STR(pg.vendors[0].value, "Acme"); /* a tie: by value */
    BCHECK_INT(pg.vendors[0].count, 8);
    BCHECK_STR(pg.vendors[1].value, "Borealis");
    BCHECK_INT(pg.vendors[1].count, 8);
    BCHECK_STR(pg.vendors[2].value, "Cobalt");
    BCHECK_INT(pg.vendors[2].count, 6);
    BCHECK_INT(pg.ntypes, 3); /* Acme's: Shirt, Pants, Hat */
    q.vendors[q.nvendors++] = "Cobalt";
    CHECK_LISTING(&fx, &q);
    /* Each facet with its own filter and the others'. */
    q.types[q.ntypes++] = "Shoes";
    q.types[q.ntypes++] = "Shirt";
    q.tags[q.ntags++] = "outdoor";
    q.tags[q.ntags++] = "cotton";
    CHECK_LISTING(&fx, &q);
    /* The price range leaves the price filter out, the in-stock count the
     * availability filter: what moving the slider or ticking the box gives. */
    q = srch_query();
    q.want_facets = true;
    q.price_min = 2000;
    q.price_max = 5000;
    q.available_only = true;
    CHECK_LISTING(&fx, &q);
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.price_floor, 900);
    BCHECK_INT(pg.price_ceiling, 14000);
    q.collection = "summer";
    q.sort = SORT_PRICE_DESC;
    CHECK_LISTING(&fx, &q);
    /* Nothing matches: empty lists, zero counts. */
    q = srch_query();
    q.want_facets = true;
    q.vendors[q.nvendors++] = "Nobody";
    q.types[q.ntypes++] = "Nothing";
    CHECK_LISTING(&fx, &q);
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK(pg.total == 0 && pg.n == 0 && pg.ntags == 0 && pg.price_floor == 0);
    /* Admin listing: drafts' and archived products' values count too. */
    q = srch_query();
    q.want_facets = true;
    q.include_unpublished = true;
    CHECK_LISTING(&fx, &q);
    /* At most 50 values per facet, by count then value. */
    db_param_t ts[] = {DB_TEXT("2024-03-01T00:00:00.000Z")};
    BCHECK_INT(db_exec(fx.db,
                       "WITH RECURSIVE c(x) AS (SELECT 100 UNION ALL SELECT x + 1 FROM c "
                       "WHERE x < 159) INSERT INTO products (id, public_id, handle, title, vendor, "
                       "status, created_at, updated_at) SELECT x, 'prod_' || x, 'h-' || x, 't', "
                       "'V' || x, 'active', $1, $1 FROM c",
                       ts, 1),
               60);
    q = srch_query();
    q.want_facets = true;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.nvendors, 50);
    BCHECK_STR(pg.vendors[0].value, "Acme");
    BCHECK_STR(pg.vendors[4].value, "V100");
    BCHECK_STR(pg.vendors[49].value, "V145");
out:
    srch_done(&fx);
}

SEARCH_TEST(unpublished)
{
    sfx_t fx;
    if (!srch_open(&fx, be, "unpublished", true))
        goto out;
    catalog_page_t pg;
    /* Shoppers see active products only, by text, listing or collection. */
    BCHECK_INT(srch_find(&fx, "linen", &pg), 0);
    BCHECK_INT(pg.total, 2);
    BCHECK(srch_pos(&pg, "draft-scarf") < 0 && srch_pos(&pg, "archived-tote") < 0);
    catalog_query_t q = srch_query();
    q.q = "linen";
    q.include_unpublished = true;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.total, 4);
    int i = srch_pos(&pg, "draft-scarf");
    BCHECK(i >= 0 && pg.items[i].status == PRODUCT_DRAFT);
    i = srch_pos(&pg, "archived-tote");
    BCHECK(i >= 0 && pg.items[i].status == PRODUCT_ARCHIVED);
    q = srch_query();
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.total, SRCH_NPRODUCTS - 2);
    q.include_unpublished = true;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.total, SRCH_NPRODUCTS);
    /* An unpublished collection is not found by shoppers; staff list it. */
    q = srch_query();
    q.collection = "hidden";
    BCHECK_INT(srch_search(&fx, &q, &pg), SOUK_ENOTFOUND);
    q.include_unpublished = true;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.total, 1);
    BCHECK_INT(srch_pos(&pg, "oxford-shirt"), 0);
    q = srch_query();
    q.collection = "winter";
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.total, 0);
out:
    srch_done(&fx);
}
