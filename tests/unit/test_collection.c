/* test_collection.c - collections (collection_repo.c) on both backends: the
 * tree, sibling order, depth and cycles, a collection's manual product order,
 * and what deleting a product or a collection leaves. */
#include <stdio.h>
#include <string.h>

#include "catalog_fixture.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "shop/catalog.h"

/* ---- collections ---- */

static collection_t *make_collection(arena_t *a, const char *title, const char *parent)
{
    collection_t *c = arena_alloc(a, sizeof(*c));
    memset(c, 0, sizeof(*c));
    c->title = title;
    c->parent_public_id = parent;
    c->published = true;
    return c;
}

/* The handles of a list, comma-separated, in a. */
static const char *handles(arena_t *a, const collection_t *cs, size_t n)
{
    char buf[1024] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? "," : "", cs[i].handle);
    return arena_strdup(a, buf);
}

static const char *children(fixture_t *fx, const char *parent)
{
    collection_t *cs = NULL;
    size_t n = 0;
    if (catalog_collection_children(fx->db, &fx->a, parent, &cs, &n) != 0)
        return "(error)";
    for (size_t i = 0; i < n; i++) {
        if (cs[i].position != (int)i + 1)
            return "(positions not 1..n)";
    }
    return handles(&fx->a, cs, n);
}

/* The links catalog_collection_links gives under a collection (NULL: the
 * top level), as "handle:title" pairs. */
static const char *links(fixture_t *fx, const collection_t *parent)
{
    collection_link_t *ls = NULL;
    size_t n = 0;
    if (catalog_collection_links(fx->db, &fx->a, parent ? parent->id : 0, &ls, &n) != 0)
        return "(error)";
    char buf[1024] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s:%s", i ? "," : "",
                 ls[i].handle, ls[i].title);
    return arena_strdup(&fx->a, buf);
}

/* A collection's products by handle, in their manual order, if 1..n. */
static const char *members(fixture_t *fx, const char *coll)
{
    db_rows_t *r;
    db_param_t p[] = {DB_TEXT(coll)};
    if (db_query(fx->db,
                 "SELECT pr.handle, cp.position FROM collection_products cp "
                 "JOIN products pr ON pr.id = cp.product_id JOIN collections c ON "
                 "c.id = cp.collection_id WHERE c.handle = $1 ORDER BY cp.position",
                 p, 1, &r) != 0)
        return "(error)";
    char buf[1024] = "";
    int i = 0;
    bool gaps = false;
    while (db_rows_next(r)) {
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? "," : "",
                 db_rows_text(r, 0, NULL));
        gaps |= db_rows_int(r, 1) != ++i;
    }
    db_rows_end(r);
    return gaps ? "(positions not 1..n)" : arena_strdup(&fx->a, buf);
}

CAT_TEST(collections_tree)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "tree"))
        goto out;
    arena_t *a = &fx.a;
    collection_t *clothing = make_collection(a, "Clothing", NULL);
    clothing->featured = true;
    clothing->body_html = "<p>All <em>clothes</em></p><img src=x onerror=alert(1)>";
    clothing->seo_title = "Clothes";
    clothing->seo_description = "Everything to wear";
    COLL_OK(&fx, clothing);
    BCHECK(cat_is_public_id(clothing->public_id, "coll_"));
    BCHECK(cat_iso_time(clothing->created_at));
    BCHECK(strstr(clothing->body_html, "onerror") == NULL);
    collection_t *men = make_collection(a, "Men", "clothing"); /* parent by handle */
    COLL_OK(&fx, men);
    collection_t *women = make_collection(a, "Women", clothing->public_id); /* or public id */
    COLL_OK(&fx, women);
    collection_t *shirts = make_collection(a, "Shirts", "men");
    COLL_OK(&fx, shirts);
    BCHECK_STR(shirts->parent_public_id, men->public_id);
    collection_t *g = NULL;
    BCHECK_INT(catalog_collection_get(fx.db, a, "clothing", &g), 0);
    if (g) {
        BCHECK_STR(g->public_id, clothing->public_id);
        BCHECK(g->featured && g->published);
        BCHECK(g->parent_public_id == NULL);
        BCHECK_STR(g->seo_title, "Clothes");
        BCHECK_STR(g->seo_description, "Everything to wear");
        BCHECK_STR(g->body_html, clothing->body_html);
        BCHECK_INT(g->position, 1);
        BCHECK_INT(g->product_count, 0);
    }
    BCHECK_INT(catalog_collection_get(fx.db, a, clothing->public_id, &g), 0);
    BCHECK_INT(catalog_collection_get(fx.db, a, "nope", &g), SOUK_ENOTFOUND);

    /* Siblings by position: insert at 1, move to 1, append. */
    collection_t *kids = make_collection(a, "Kids", "clothing");
    kids->position = 1;
    COLL_OK(&fx, kids);
    BCHECK_STR(children(&fx, "clothing"), "kids,men,women");
    women->position = 1;
    COLL_OK(&fx, women);
    BCHECK_STR(children(&fx, "clothing"), "women,kids,men");
    women->position = 3;
    COLL_OK(&fx, women);
    BCHECK_STR(children(&fx, "clothing"), "kids,men,women");
    women->position = 0; /* an update without a position stays put */
    women->featured = true;
    COLL_OK(&fx, women);
    BCHECK_STR(children(&fx, "clothing"), "kids,men,women");
    BCHECK_STR(children(&fx, NULL), "clothing");
    BCHECK_STR(children(&fx, "men"), "shirts");
    BCHECK_STR(children(&fx, "shirts"), "");
    /* Links, for the navigation: published ones only, in the same order. */
    BCHECK_STR(links(&fx, NULL), "clothing:Clothing");
    BCHECK_STR(links(&fx, clothing), "kids:Kids,men:Men,women:Women");
    BCHECK_STR(links(&fx, shirts), "");
    kids->published = false;
    COLL_OK(&fx, kids);
    BCHECK_STR(links(&fx, clothing), "men:Men,women:Women");
    BCHECK_STR(children(&fx, "clothing"), "kids,men,women");
    kids->published = true;
    COLL_OK(&fx, kids);
    collection_t *cs = NULL;
    size_t n = 0;
    BCHECK_INT(catalog_collection_children(fx.db, a, "nope", &cs, &n), SOUK_ENOTFOUND);
    BCHECK_INT(catalog_collections_list(fx.db, a, &cs, &n), 0);
    BCHECK_STR(handles(a, cs, n), "clothing,kids,men,shirts,women");

    /* Cycles and unknown parents are refused and change nothing. */
    catalog_errors_t e = {.n = 0};
    clothing->parent_public_id = "shirts";
    BCHECK_INT(catalog_collection_save(fx.db, a, clothing, &e), SOUK_EINVAL);
    BCHECK(cat_err_for(&e, "parent_public_id") != NULL);
    clothing->parent_public_id = "clothing";
    BCHECK_INT(catalog_collection_save(fx.db, a, clothing, &e), SOUK_EINVAL);
    clothing->parent_public_id = "no-such-collection";
    BCHECK_INT(catalog_collection_save(fx.db, a, clothing, &e), SOUK_EINVAL);
    BCHECK(cat_err_for(&e, "parent_public_id") != NULL);
    clothing->parent_public_id = NULL;
    BCHECK_STR(children(&fx, NULL), "clothing");

    /* Depth: a chain of CATALOG_MAX_COLLECTION_DEPTH levels, not one more. */
    const char *parent = NULL;
    for (int d = 1; d <= CATALOG_MAX_COLLECTION_DEPTH + 1; d++) {
        collection_t *c = make_collection(a, cat_fmt(a, "Level %d", d), parent);
        int rc = catalog_collection_save(fx.db, a, c, &e);
        if (d <= CATALOG_MAX_COLLECTION_DEPTH) {
            BCHECK_INT(rc, 0);
            parent = c->handle;
        } else {
            BCHECK_INT(rc, SOUK_EINVAL);
            BCHECK(cat_err_for(&e, "parent_public_id") != NULL);
        }
    }
    /* A subtree moves whole: men (with shirts) fits under level 6, not 7. */
    men->parent_public_id = "level-7";
    BCHECK_INT(catalog_collection_save(fx.db, a, men, &e), SOUK_EINVAL);
    men->parent_public_id = "level-6";
    men->position = 0; /* at the end of its new siblings */
    COLL_OK(&fx, men);
    BCHECK_STR(children(&fx, "clothing"), "kids,women");
    BCHECK_STR(children(&fx, "level-6"), "level-7,men");

    /* Deleting a collection moves its children to the end of the top level. */
    BCHECK_INT(catalog_collection_delete(fx.db, "clothing"), 0);
    BCHECK_INT(catalog_collection_delete(fx.db, "clothing"), SOUK_ENOTFOUND);
    BCHECK_STR(children(&fx, NULL), "level-1,kids,women");
    BCHECK_INT(catalog_collection_get(fx.db, a, "women", &g), 0);
    BCHECK(g && g->parent_public_id == NULL && g->featured);
    BCHECK_INT(catalog_collections_list(fx.db, a, &cs, &n), 0);
    BCHECK_STR(handles(a, cs, n), "level-1,level-2,level-3,level-4,level-5,level-6,level-7,"
                                  "level-8,men,shirts,kids,women");
out:
    cat_done(&fx);
}

CAT_TEST(collection_products_order)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "members"))
        goto out;
    arena_t *a = &fx.a;
    product_t *ps[4];
    for (int i = 0; i < 4; i++) {
        ps[i] = cat_product(a, cat_fmt(a, "P%d", i + 1), 1);
        ps[i]->status = i == 2 ? PRODUCT_DRAFT : PRODUCT_ACTIVE;
        SAVE_OK(&fx, ps[i]);
    }
    collection_t *sale = make_collection(a, "Sale", NULL);
    collection_t *acc = make_collection(a, "accessories", NULL);
    COLL_OK(&fx, sale);
    COLL_OK(&fx, acc);
    for (int i = 0; i < 3; i++)
        BCHECK_INT(catalog_collection_add(fx.db, "sale", ps[i]->handle, 0), 0);
    BCHECK_STR(members(&fx, "sale"), "p1,p2,p3");
    BCHECK_INT(catalog_collection_add(fx.db, sale->public_id, ps[3]->public_id, 1), 0);
    BCHECK_STR(members(&fx, "sale"), "p4,p1,p2,p3");
    BCHECK_INT(catalog_collection_add(fx.db, "sale", "p3", 2), 0); /* moves */
    BCHECK_STR(members(&fx, "sale"), "p4,p3,p1,p2");
    BCHECK_INT(catalog_collection_add(fx.db, "sale", "p4", 99), 0); /* past the end: last */
    BCHECK_STR(members(&fx, "sale"), "p3,p1,p2,p4");
    BCHECK_INT(catalog_collection_remove(fx.db, "sale", "p1"), 0);
    BCHECK_STR(members(&fx, "sale"), "p3,p2,p4");
    BCHECK_INT(catalog_collection_remove(fx.db, "sale", "p1"), SOUK_ENOTFOUND);
    BCHECK_INT(catalog_collection_add(fx.db, "nope", "p1", 0), SOUK_ENOTFOUND);
    BCHECK_INT(catalog_collection_add(fx.db, "sale", "nope", 0), SOUK_ENOTFOUND);
    BCHECK_INT(catalog_collection_add(fx.db, "sale", "p1", -1), SOUK_EINVAL);
    BCHECK_STR(members(&fx, "sale"), "p3,p2,p4");

    /* product_count counts active products only (p3 is a draft). */
    collection_t *g = NULL;
    BCHECK_INT(catalog_collection_get(fx.db, a, "sale", &g), 0);
    BCHECK(g && g->product_count == 2);
    ps[2]->status = PRODUCT_ACTIVE;
    SAVE_OK(&fx, ps[2]);
    BCHECK_INT(catalog_collection_get(fx.db, a, "sale", &g), 0);
    BCHECK(g && g->product_count == 3);
    /* The uncounted forms: the same collection, the count left at -1. */
    collection_t *f = NULL;
    BCHECK_INT(catalog_collection_find(fx.db, a, g ? g->public_id : "?", &f), 0);
    BCHECK(f && g && f->id == g->id && strcmp(f->handle, "sale") == 0 &&
           strcmp(f->title, g->title) == 0 && f->product_count == -1);
    BCHECK_INT(catalog_collection_find(fx.db, a, "nope", &f), SOUK_ENOTFOUND);
    collection_t *all = NULL, *bare = NULL;
    size_t nall = 0, nbare = 0;
    BCHECK_INT(catalog_collections_list(fx.db, a, &all, &nall), 0);
    BCHECK_INT(catalog_collections_list_uncounted(fx.db, a, &bare, &nbare), 0);
    BCHECK_INT(nbare, nall);
    BCHECK_STR(handles(a, bare, nbare), handles(a, all, nall));
    for (size_t i = 0; i < nbare; i++)
        BCHECK_INT(bare[i].product_count, -1);

    /* A product's published collections, by title. */
    BCHECK_INT(catalog_collection_add(fx.db, "accessories", "p2", 0), 0);
    collection_link_t *ls = NULL;
    size_t n = 0;
    BCHECK_INT(catalog_product_collections(fx.db, a, ps[1]->id, &ls, &n), 0);
    BCHECK_INT(n, 2);
    if (n == 2) {
        BCHECK_STR(ls[0].handle, "accessories");
        BCHECK_STR(ls[1].handle, "sale");
        BCHECK_STR(ls[1].title, "Sale");
    }
    BCHECK_INT(catalog_product_collections(fx.db, a, ps[0]->id, &ls, &n), 0);
    BCHECK_INT(n, 0);
    acc->published = false; /* a hidden collection is never named */
    acc->position = 0;
    COLL_OK(&fx, acc);
    BCHECK_INT(catalog_product_collections(fx.db, a, ps[1]->id, &ls, &n), 0);
    BCHECK_INT(n, 1);
    if (n == 1)
        BCHECK_STR(ls[0].handle, "sale");

    /* Deleting a product closes its gap; deleting a collection keeps the products. */
    BCHECK_INT(catalog_product_delete(fx.db, "p3"), 0);
    BCHECK_STR(members(&fx, "sale"), "p2,p4");
    BCHECK_INT(catalog_collection_delete(fx.db, "sale"), 0);
    BCHECK_INT(cat_count(fx.db, "collection_products"), 1);
    BCHECK_INT(cat_count(fx.db, "products"), 3);
out:
    cat_done(&fx);
}

CAT_TEST(product_delete_cascades)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "delete"))
        goto out;
    arena_t *a = &fx.a;
    product_t *p = cat_product(a, "Doomed", 2);
    const char *tags[] = {"a", "b"};
    p->tags = tags;
    p->ntags = 2;
    cat_images(a, p, 2);
    SAVE_OK(&fx, p);
    p->images[0].variant_public_id = p->variants[1].public_id;
    SAVE_OK(&fx, p);
    product_t *keep = cat_product(a, "Kept", 1);
    SAVE_OK(&fx, keep);
    collection_t *c = make_collection(a, "Box", NULL);
    COLL_OK(&fx, c);
    BCHECK_INT(catalog_collection_add(fx.db, "box", "doomed", 0), 0);
    BCHECK_INT(catalog_collection_add(fx.db, "box", "kept", 0), 0);
    BCHECK_INT(catalog_product_delete(fx.db, p->public_id), 0);
    BCHECK_INT(catalog_product_delete(fx.db, p->public_id), SOUK_ENOTFOUND);
    BCHECK_INT(catalog_product_delete(fx.db, "kept-nope"), SOUK_ENOTFOUND);
    product_t *g = NULL;
    BCHECK_INT(catalog_product_get(fx.db, a, "doomed", &g), SOUK_ENOTFOUND);
    BCHECK_INT(cat_count(fx.db, "products"), 1);
    BCHECK_INT(cat_count(fx.db, "variants"), 1);
    BCHECK_INT(cat_count(fx.db, "images"), 0);
    BCHECK_INT(cat_count(fx.db, "product_tags"), 0);
    BCHECK_STR(members(&fx, "box"), "kept");
    if (be->dialect == DB_SQLITE) {
        int64_t n = -1;
        BCHECK_INT(db_query_int(fx.db, "SELECT count(*) FROM products_fts WHERE rowid = $1",
                                (db_param_t[]){DB_INT(p->id)}, 1, &n),
                   0);
        BCHECK_INT(n, 0);
    }
    BCHECK_INT(catalog_product_delete(fx.db, "kept"), 0);
    BCHECK_INT(cat_count(fx.db, "collection_products"), 0);
out:
    cat_done(&fx);
}
