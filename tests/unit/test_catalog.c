/* test_catalog.c - the catalog's rules (catalog.c) and its products
 * (catalog_repo.c) on both backends; collections are in test_collection.c. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog_fixture.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "shop/catalog.h"
#include "shop/catalog_int.h"

/* ---- pure rules ---- */

TEST(catalog_slugify_and_handles)
{
    arena_t a = ARENA_INIT;
    CHECK_STR(catalog_slugify(&a, "Hello World"), "hello-world");
    CHECK_STR(catalog_slugify(&a, "Crème Brûlée à la Façon"), "creme-brulee-a-la-facon");
    CHECK_STR(catalog_slugify(&a, "Straße"), "strasse");
    CHECK_STR(catalog_slugify(&a, "Æsir Øl Łódź Ŝœur ȘȚ"), "aesir-ol-lodz-soeur-st");
    CHECK_STR(catalog_slugify(&a, "  --Hi!!  there-- "), "hi-there");
    CHECK_STR(catalog_slugify(&a, "Men's Shirt"), "mens-shirt");
    CHECK_STR(catalog_slugify(&a, "Men’s 2-Pack (XL)"), "mens-2-pack-xl");
    CHECK_STR(catalog_slugify(&a, "日本語 Tee"), "tee");
    CHECK_STR(catalog_slugify(&a, "日本語"), "product");
    CHECK_STR(catalog_slugify(&a, ""), "product");
    CHECK_STR(catalog_slugify(&a, NULL), "product");
    CHECK_STR(catalog_slugify(&a, "a\xff\xfe b"), "a-b");
    /* One long word is cut at the limit; words are cut between words. */
    CHECK_STR(catalog_slugify(&a, cat_rep(&a, "a", 300)), cat_rep(&a, "a", CATALOG_MAX_HANDLE));
    const char *words = catalog_slugify(&a, cat_rep(&a, "abcd ", 60)); /* 299 bytes of slug */
    CHECK(strlen(words) <= CATALOG_MAX_HANDLE);
    CHECK(strlen(words) == 254 && words[253] == 'd');
    CHECK(catalog_handle_valid(words));
    CHECK_STR(catalog_slugify(&a, cat_rep(&a, "b", CATALOG_MAX_HANDLE)),
              cat_rep(&a, "b", CATALOG_MAX_HANDLE));
    /* A word boundary right at the limit, and a slug ending in '-' there. */
    CHECK_STR(catalog_slugify(&a, cat_fmt(&a, "%s y", cat_rep(&a, "x", CATALOG_MAX_HANDLE))),
              cat_rep(&a, "x", CATALOG_MAX_HANDLE));
    CHECK_STR(catalog_slugify(&a, cat_rep(&a, "ab-", 85)),
              cat_fmt(&a, "%sab", cat_rep(&a, "ab-", 84)));

    CHECK(catalog_handle_valid("a"));
    CHECK(catalog_handle_valid("blue-shirt-2"));
    CHECK(catalog_handle_valid(cat_rep(&a, "h", CATALOG_MAX_HANDLE)));
    CHECK(!catalog_handle_valid(cat_rep(&a, "h", CATALOG_MAX_HANDLE + 1)));
    const char *bad[] = {"", "-a", "a-", "A", "a_b", "a b", "é", "a/b", "prod_x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (catalog_handle_valid(bad[i]))
            test_fail(__FILE__, __LINE__, "handle \"%s\" accepted", bad[i]);
    }
    CHECK(!catalog_handle_valid(NULL));

    product_status_t st;
    weight_unit_t wu;
    CHECK_INT(product_status_parse("archived", &st), 0);
    CHECK_INT(st, PRODUCT_ARCHIVED);
    CHECK_STR(product_status_name(PRODUCT_ACTIVE), "active");
    CHECK_INT(product_status_parse("Active", &st), SOUK_EINVAL);
    CHECK_INT(product_status_parse(NULL, &st), SOUK_EINVAL);
    CHECK_INT(weight_unit_parse("lb", &wu), 0);
    CHECK_INT(wu, WEIGHT_LB);
    CHECK_STR(weight_unit_name(WEIGHT_OZ), "oz");
    CHECK_INT(weight_unit_parse("kgs", &wu), SOUK_EINVAL);
    arena_free(&a);
}

/* ---- products ---- */

/* Public ids: prefix and 20 base32 characters; one made later sorts later
 * as bytes (what keeps bulk inserts at the end of the public_id indexes);
 * ids made in the same millisecond still differ, in their random half. */
TEST(catalog_public_ids_sort_by_creation)
{
    arena_t a = ARENA_INIT;
    char *prev = catalog_new_public_id(&a, "prod_");
    CHECK(cat_is_public_id(prev, "prod_"));
    for (int i = 0; i < 5; i++) {
        struct timespec ts = {0, 2 * 1000000L};
        nanosleep(&ts, NULL);
        char *next = catalog_new_public_id(&a, "prod_");
        CHECK(cat_is_public_id(next, "prod_"));
        if (strcmp(prev, next) >= 0)
            test_fail(__FILE__, __LINE__, "%s made after %s sorts before it", next, prev);
        prev = next;
    }
    enum { SAME = 64 };
    char *ids[SAME];
    for (int i = 0; i < SAME; i++)
        ids[i] = catalog_new_public_id(&a, "");
    for (int i = 0; i < SAME; i++)
        for (int j = i + 1; j < SAME; j++)
            if (strcmp(ids[i] + 10, ids[j] + 10) == 0)
                test_fail(__FILE__, __LINE__, "two ids share their random half: %s %s", ids[i],
                          ids[j]);
    arena_free(&a);
}

CAT_TEST(product_roundtrip)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "roundtrip"))
        goto out;
    arena_t *a = &fx.a;
    product_t *p = cat_product(a, "  Ünïcödé Tee — 日本語 🛒  ", 3);
    p->option_names[1] = "Color";
    p->option_names[2] = "Material";
    const char *opts[3][3] = {
        {"S", "Red", "Cotton"}, {"M", "Red", "Cotton"}, {"M", "Blue", "Wool"}};
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 3; k++)
            p->variants[i].options[k] = opts[i][k];
    variant_t *v = p->variants;
    v[0].sku = "TEE-S-RED";
    v[0].compare_at_price = 2500;
    v[0].cost = 800;
    v[0].weight_grams = 180;
    v[0].weight_unit = WEIGHT_G;
    v[0].barcode = "0123456789012";
    v[0].requires_shipping = false;
    v[0].taxable = false;
    v[1].sku = "TEE-M-RED";
    v[1].inventory_quantity = -3;
    v[1].inventory_policy = INVENTORY_CONTINUE;
    v[2].price = 1500;
    v[2].inventory_quantity = 0;
    p->body_html = cat_fmt(a, "<p>Soft <b>cotton</b>.</p><script>alert(1)</script>%s",
                           cat_rep(a, "<p>Línea ünïcode – long text.</p>", 3000));
    p->vendor = "Ateliér";
    p->product_type = "Shirts";
    p->seo_title = "Best tee";
    p->seo_description = "A soft tee — 日本語";
    const char *tags[] = {" summer ", "Cotton", "SUMMER", "", "Été"};
    p->tags = tags;
    p->ntags = 5;
    image_t imgs[2] = {
        {.src = "https://cdn.example.com/tee.jpg", .alt = "Front", .width = 800, .height = 600},
        {.src = "products/tee-back.png"}};
    p->images = imgs;
    p->nimages = 2;
    SAVE_OK(&fx, p);
    BCHECK(p->id > 0);
    BCHECK(cat_is_public_id(p->public_id, "prod_"));
    BCHECK_STR(p->handle, "unicode-tee");
    BCHECK_STR(p->title, "Ünïcödé Tee — 日本語 🛒");
    BCHECK_INT(p->price_min, 1000);
    BCHECK_INT(p->price_max, 1500);
    BCHECK(p->available);
    BCHECK(cat_iso_time(p->created_at));
    BCHECK_STR(p->updated_at, p->created_at);
    BCHECK_INT(p->ntags, 3);

    const char *keys[2] = {p->handle, p->public_id};
    for (int round = 0; round < 2; round++) {
        product_t *g = NULL;
        int rc = catalog_product_get(fx.db, a, keys[round], &g);
        BCHECK_INT(rc, 0);
        if (rc != 0)
            continue;
        BCHECK_INT(g->id, p->id);
        BCHECK_STR(g->public_id, p->public_id);
        BCHECK_STR(g->handle, "unicode-tee");
        BCHECK_STR(g->title, "Ünïcödé Tee — 日本語 🛒");
        BCHECK(strstr(g->body_html, "<p>Soft <b>cotton</b>.</p>") == g->body_html);
        BCHECK(strstr(g->body_html, "script") == NULL && strstr(g->body_html, "alert") == NULL);
        BCHECK(strlen(g->body_html) > 90000);
        BCHECK_STR(g->body_html, p->body_html);
        BCHECK_STR(g->vendor, "Ateliér");
        BCHECK_STR(g->product_type, "Shirts");
        BCHECK_INT(g->status, PRODUCT_ACTIVE);
        BCHECK_STR(g->seo_title, "Best tee");
        BCHECK_STR(g->seo_description, "A soft tee — 日本語");
        BCHECK_STR(g->option_names[0], "Size");
        BCHECK_STR(g->option_names[2], "Material");
        BCHECK_INT(g->ntags, 3); /* trimmed, empty dropped, SUMMER merged; alphabetical */
        if (g->ntags == 3) {
            BCHECK_STR(g->tags[0], "Cotton");
            BCHECK_STR(g->tags[1], "summer");
            BCHECK_STR(g->tags[2], "Été");
        }
        BCHECK_INT(g->price_min, 1000);
        BCHECK_INT(g->price_max, 1500);
        BCHECK(g->available);
        BCHECK_STR(g->created_at, p->created_at);
        BCHECK_STR(g->updated_at, p->updated_at);
        BCHECK_INT(g->nvariants, 3);
        if (g->nvariants != 3)
            continue;
        const variant_t *w = g->variants;
        for (int i = 0; i < 3; i++) {
            BCHECK_INT(w[i].position, i + 1);
            BCHECK(cat_is_public_id(w[i].public_id, "var_"));
            BCHECK_STR(w[i].public_id, p->variants[i].public_id);
            BCHECK_INT(w[i].id, p->variants[i].id);
            for (int k = 0; k < 3; k++)
                BCHECK_STR(w[i].options[k], opts[i][k]);
        }
        BCHECK_STR(w[0].sku, "TEE-S-RED");
        BCHECK_INT(w[0].price, 1000);
        BCHECK_INT(w[0].compare_at_price, 2500);
        BCHECK_INT(w[0].cost, 800);
        BCHECK_INT(w[0].weight_grams, 180);
        BCHECK_INT(w[0].weight_unit, WEIGHT_G);
        BCHECK_STR(w[0].barcode, "0123456789012");
        BCHECK(!w[0].requires_shipping && !w[0].taxable);
        BCHECK(w[1].requires_shipping && w[1].taxable);
        BCHECK_INT(w[1].inventory_quantity, -3);
        BCHECK_INT(w[1].inventory_policy, INVENTORY_CONTINUE);
        BCHECK_INT(w[1].compare_at_price, -1);
        BCHECK_INT(w[1].cost, -1);
        BCHECK(w[2].sku == NULL && w[2].barcode == NULL);
        BCHECK_INT(w[2].price, 1500);
        BCHECK_INT(w[2].inventory_policy, INVENTORY_DENY);
        BCHECK_INT(g->nimages, 2);
        if (g->nimages != 2)
            continue;
        BCHECK(cat_is_public_id(g->images[0].public_id, "img_"));
        BCHECK_STR(g->images[0].src, "https://cdn.example.com/tee.jpg");
        BCHECK_STR(g->images[0].alt, "Front");
        BCHECK_INT(g->images[0].width, 800);
        BCHECK_INT(g->images[0].height, 600);
        BCHECK_INT(g->images[1].position, 2);
        BCHECK_STR(g->images[1].src, "products/tee-back.png");
        BCHECK_STR(g->images[1].alt, "");
        BCHECK(g->images[1].variant_public_id == NULL);
    }
    /* An image shows a variant once the variant has its public id. */
    p->images[1].variant_public_id = p->variants[2].public_id;
    SAVE_OK(&fx, p);
    product_t *g = NULL;
    BCHECK_INT(catalog_product_get(fx.db, a, p->public_id, &g), 0);
    if (g && g->nimages == 2)
        BCHECK_STR(g->images[1].variant_public_id, p->variants[2].public_id);
    BCHECK_INT(catalog_product_get(fx.db, a, "no-such-product", &g), SOUK_ENOTFOUND);
    BCHECK_INT(catalog_product_get(fx.db, a, "", &g), SOUK_ENOTFOUND);
    /* Not available: nothing in stock, no backorder. */
    product_t *oos = cat_product(a, "Sold Out", 1);
    oos->variants[0].inventory_quantity = 0;
    SAVE_OK(&fx, oos);
    BCHECK(!oos->available);
out:
    cat_done(&fx);
}

CAT_TEST(product_update_replaces_variants)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "update"))
        goto out;
    arena_t *a = &fx.a;
    product_t *p = cat_product(a, "Update Me", 3);
    p->variants[0].sku = "A-1";
    p->variants[1].sku = "B-1";
    p->variants[2].sku = "C-1";
    SAVE_OK(&fx, p);
    const char *pa = p->variants[0].public_id, *pb = p->variants[1].public_id,
               *pc = p->variants[2].public_id, *created = p->created_at;
    usleep(5000);

    /* B changes and moves first, A is kept, C goes, D is new; A and B swap SKUs. */
    product_t *q = cat_product(a, "Updated", 3);
    q->id = p->id;
    q->variants[0].public_id = pb;
    q->variants[0].options[0] = "S1";
    q->variants[0].sku = "A-1";
    q->variants[0].price = 5000;
    q->variants[1].public_id = pa;
    q->variants[1].options[0] = "S0";
    q->variants[1].sku = "B-1";
    q->variants[2].options[0] = "S9";
    q->variants[2].sku = "D-1";
    SAVE_OK(&fx, q);
    BCHECK_STR(q->public_id, p->public_id);
    BCHECK_STR(q->handle, "update-me"); /* kept: the URL does not move with the title */
    BCHECK_STR(q->created_at, created);
    BCHECK(strcmp(q->updated_at, created) > 0);
    product_t *g = NULL;
    BCHECK_INT(catalog_product_get(fx.db, a, "update-me", &g), 0);
    if (g && g->nvariants == 3) {
        BCHECK_STR(g->title, "Updated");
        BCHECK_STR(g->variants[0].public_id, pb);
        BCHECK_INT(g->variants[0].price, 5000);
        BCHECK_STR(g->variants[0].sku, "A-1");
        BCHECK_STR(g->variants[1].public_id, pa);
        BCHECK_STR(g->variants[1].sku, "B-1");
        BCHECK(cat_is_public_id(g->variants[2].public_id, "var_"));
        BCHECK(strcmp(g->variants[2].public_id, pc) != 0);
        BCHECK_STR(g->variants[2].sku, "D-1");
        for (int i = 0; i < 3; i++)
            BCHECK_INT(g->variants[i].position, i + 1);
        BCHECK_INT(g->price_max, 5000);
        BCHECK_STR(g->created_at, created);
    } else {
        BCHECK(false);
    }
    BCHECK_INT(cat_count(fx.db, "variants"), 3);

    /* A public id that is not this product's refuses the save. */
    product_t *r = cat_product(a, "Again", 1);
    r->id = p->id;
    r->variants[0].public_id = "var_aaaaaaaaaaaaaaaaaaaa";
    catalog_errors_t e = {.n = 0};
    BCHECK_INT(catalog_product_save(fx.db, a, r, &e), SOUK_EINVAL);
    BCHECK(cat_err_for(&e, "variants[0].public_id") != NULL);
    BCHECK_INT(catalog_product_get(fx.db, a, "update-me", &g), 0);
    BCHECK(g && strcmp(g->title, "Updated") == 0 && g->nvariants == 3);
    r->variants[0].public_id = NULL;
    r->id = p->id + 1000;
    BCHECK_INT(catalog_product_save(fx.db, a, r, &e), SOUK_ENOTFOUND);
    BCHECK_INT(cat_count(fx.db, "products"), 1);
out:
    cat_done(&fx);
}

CAT_TEST(product_validation_names_every_field)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "invalid"))
        goto out;
    arena_t *a = &fx.a;
    product_t *p = cat_product(a, "  ", 3);
    p->handle = "Bad Handle";
    p->body_html = "<p>x\x02</p>";
    p->vendor = "bad\x01vendor";
    p->product_type = "\xff\xfe";
    p->status = (product_status_t)7;
    p->variants[0].inventory_quantity = -1;
    p->variants[0].options[1] = "Extra";
    p->variants[1].price = -1;
    p->variants[2].options[0] = "s0"; /* the options of variants[0], in another case */
    const char *tags[] = {"ok", "bad\ttag", "a,b"};
    p->tags = tags;
    p->ntags = 3;
    image_t imgs[3] = {{.src = "javascript:alert(1)"},
                       {.src = "media/../etc/passwd"},
                       {.src = "https://x.example/a.jpg", .variant_public_id = "var_nope"}};
    p->images = imgs;
    p->nimages = 3;
    catalog_errors_t e = {.n = 0};
    BCHECK_INT(catalog_product_save(fx.db, a, p, &e), SOUK_EINVAL);
    const char *fields[] = {"title",
                            "handle",
                            "body_html",
                            "vendor",
                            "product_type",
                            "status",
                            "variants[0].inventory_quantity",
                            "variants[0].options[1]",
                            "variants[1].price",
                            "variants[2].options",
                            "tags[1]",
                            "tags[2]",
                            "images[0].src",
                            "images[1].src",
                            "images[2].variant_public_id"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (cat_err_for(&e, fields[i]) == NULL)
            test_fail(__FILE__, __LINE__, "[%s] no error for %s", be->name, fields[i]);
    }
    BCHECK_INT(e.n, sizeof(fields) / sizeof(fields[0]));
    for (size_t i = 0; i < e.n; i++) {
        const char *m = e.items[i].message;
        BCHECK(m && m[0] >= 'a' && m[0] <= 'z');
    }
    BCHECK(p->id == 0 && p->public_id == NULL);
    BCHECK_INT(cat_count(fx.db, "products"), 0);
    BCHECK_INT(cat_count(fx.db, "variants"), 0);

    /* No variants; an option name after an empty one; repeated option names. */
    product_t *q = cat_product(a, "Fine", 0);
    q->option_names[0] = NULL;
    q->option_names[1] = "Color";
    q->option_names[2] = "color";
    BCHECK_INT(catalog_product_save(fx.db, a, q, &e), SOUK_EINVAL);
    BCHECK(cat_err_for(&e, "variants") != NULL);
    BCHECK(cat_err_for(&e, "option_names[1]") != NULL);
    BCHECK(cat_err_for(&e, "option_names[2]") != NULL);
    BCHECK(cat_err_for(&e, "title") == NULL);
    /* A missing option value; a SKU twice in one product. */
    product_t *r = cat_product(a, "Fine", 2);
    r->variants[1].options[0] = "";
    r->variants[0].sku = r->variants[1].sku = "SAME";
    BCHECK_INT(catalog_product_save(fx.db, a, r, &e), SOUK_EINVAL);
    BCHECK(cat_err_for(&e, "variants[1].options[0]") != NULL);
    BCHECK(cat_err_for(&e, "variants[1].sku") != NULL);
    BCHECK_INT(cat_count(fx.db, "products"), 0);
out:
    cat_done(&fx);
}

/* ---- limits: each at its value (saved) and one past it (refused, naming the field) ---- */

typedef void (*mutate_fn)(arena_t *a, product_t *p, size_t n);

static void m_title(arena_t *a, product_t *p, size_t n)
{
    p->title = cat_rep(a, "é", n); /* characters, not bytes */
}
static void m_handle(arena_t *a, product_t *p, size_t n)
{
    p->handle = cat_rep(a, "h", n);
}
static void m_body(arena_t *a, product_t *p, size_t n)
{
    p->body_html = cat_fmt(a, "<p>%s</p>", cat_rep(a, "a", n - 7));
}
static void m_vendor(arena_t *a, product_t *p, size_t n)
{
    p->vendor = cat_rep(a, "ü", n);
}
static void m_type(arena_t *a, product_t *p, size_t n)
{
    p->product_type = cat_rep(a, "t", n);
}
static void m_seo_title(arena_t *a, product_t *p, size_t n)
{
    p->seo_title = cat_rep(a, "s", n);
}
static void m_seo_desc(arena_t *a, product_t *p, size_t n)
{
    p->seo_description = cat_rep(a, "d", n);
}
static void m_option_name(arena_t *a, product_t *p, size_t n)
{
    p->option_names[0] = cat_rep(a, "o", n);
}
static void m_option_value(arena_t *a, product_t *p, size_t n)
{
    p->variants[0].options[0] = cat_rep(a, "v", n);
}
static void m_sku(arena_t *a, product_t *p, size_t n)
{
    p->variants[0].sku = cat_rep(a, "k", n);
}
static void m_barcode(arena_t *a, product_t *p, size_t n)
{
    p->variants[0].barcode = cat_rep(a, "9", n);
}
static void m_price(arena_t *a, product_t *p, size_t n)
{
    (void)a;
    p->variants[0].price = CATALOG_MAX_PRICE + (int64_t)n;
}
static void m_compare(arena_t *a, product_t *p, size_t n)
{
    (void)a;
    p->variants[0].compare_at_price = CATALOG_MAX_PRICE + (int64_t)n;
}
static void m_cost(arena_t *a, product_t *p, size_t n)
{
    (void)a;
    p->variants[0].cost = CATALOG_MAX_PRICE + (int64_t)n;
}
static void m_weight(arena_t *a, product_t *p, size_t n)
{
    (void)a;
    p->variants[0].weight_grams = CATALOG_MAX_WEIGHT_GRAMS + (int64_t)n;
}
static void m_quantity(arena_t *a, product_t *p, size_t n)
{
    (void)a;
    p->variants[0].inventory_quantity = -CATALOG_MAX_QUANTITY - (int64_t)n;
    p->variants[0].inventory_policy = INVENTORY_CONTINUE;
}
static void m_variants(arena_t *a, product_t *p, size_t n)
{
    *p = *cat_product(a, p->title, n);
}
static void m_image_src(arena_t *a, product_t *p, size_t n)
{
    cat_images(a, p, 1);
    p->images[0].src = cat_fmt(a, "https://cdn.example.com/%s", cat_rep(a, "x", n - 24));
}
static void m_image_alt(arena_t *a, product_t *p, size_t n)
{
    cat_images(a, p, 1);
    p->images[0].alt = cat_rep(a, "ä", n);
}
static void m_image_width(arena_t *a, product_t *p, size_t n)
{
    cat_images(a, p, 1);
    p->images[0].width = (int)n;
}
static void m_tags(arena_t *a, product_t *p, size_t n)
{
    const char **t = arena_alloc(a, n * sizeof(*t));
    for (size_t i = 0; i < n; i++)
        t[i] = cat_fmt(a, "tag %zu", i);
    p->tags = t;
    p->ntags = n;
}
static void m_tag(arena_t *a, product_t *p, size_t n)
{
    m_tags(a, p, 1);
    p->tags[0] = cat_rep(a, "ŧ", n);
}

CAT_TEST(product_limits)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "limits"))
        goto out;
    const struct {
        const char *field;
        mutate_fn fn;
        size_t at; /* the limit; "past" is at + 1 */
    } cases[] = {
        {"title", m_title, CATALOG_MAX_TITLE},
        {"handle", m_handle, CATALOG_MAX_HANDLE},
        {"body_html", m_body, CATALOG_MAX_BODY_HTML},
        {"vendor", m_vendor, CATALOG_MAX_SHORT_TEXT},
        {"product_type", m_type, CATALOG_MAX_SHORT_TEXT},
        {"seo_title", m_seo_title, CATALOG_MAX_TITLE},
        {"seo_description", m_seo_desc, CATALOG_MAX_SEO_DESCRIPTION},
        {"option_names[0]", m_option_name, CATALOG_MAX_SHORT_TEXT},
        {"variants[0].options[0]", m_option_value, CATALOG_MAX_SHORT_TEXT},
        {"variants[0].sku", m_sku, CATALOG_MAX_SHORT_TEXT},
        {"variants[0].barcode", m_barcode, CATALOG_MAX_SHORT_TEXT},
        {"variants[0].price", m_price, 0},
        {"variants[0].compare_at_price", m_compare, 0},
        {"variants[0].cost", m_cost, 0},
        {"variants[0].weight_grams", m_weight, 0},
        {"variants[0].inventory_quantity", m_quantity, 0},
        {"variants", m_variants, CATALOG_MAX_VARIANTS},
        {"images", cat_images, CATALOG_MAX_IMAGES},
        {"images[0].src", m_image_src, CATALOG_MAX_URL},
        {"images[0].alt", m_image_alt, CATALOG_MAX_SHORT_TEXT},
        {"images[0].width", m_image_width, CATALOG_MAX_IMAGE_SIDE},
        {"tags", m_tags, CATALOG_MAX_TAGS},
        {"tags[0]", m_tag, CATALOG_MAX_TAG},
    };
    int64_t saved = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (size_t past = 0; past < 2; past++) {
            product_t *p = cat_product(&fx.a, "Limit", 1);
            cases[i].fn(&fx.a, p, cases[i].at + past);
            catalog_errors_t e = {.n = 0};
            int rc = catalog_product_save(fx.db, &fx.a, p, &e);
            if (!past && rc != 0)
                test_fail(__FILE__, __LINE__, "[%s] %s at its limit: %d %s %s", be->name,
                          cases[i].field, rc, e.n ? e.items[0].field : "",
                          e.n ? e.items[0].message : db_errmsg(fx.db));
            if (past && (rc != SOUK_EINVAL || e.n != 1 || !cat_err_for(&e, cases[i].field)))
                test_fail(__FILE__, __LINE__, "[%s] %s past its limit: %d %s", be->name,
                          cases[i].field, rc, e.n ? e.items[0].field : "");
            saved += rc == 0;
        }
    }
    BCHECK_INT(cat_count(fx.db, "products"), saved);
    /* The stored text is what was given: 255 two-byte characters. */
    product_t *g = NULL;
    BCHECK_INT(catalog_product_get(fx.db, &fx.a, cat_rep(&fx.a, "e", CATALOG_MAX_TITLE), &g), 0);
    BCHECK(g && strlen(g->title) == 2 * CATALOG_MAX_TITLE);
out:
    cat_done(&fx);
}

/* ---- handles and SKUs ---- */

CAT_TEST(product_handles)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "handles"))
        goto out;
    arena_t *a = &fx.a;
    const char *want[] = {"blue-shirt", "blue-shirt-2", "blue-shirt-3"};
    product_t *ps[3];
    for (int i = 0; i < 3; i++) {
        ps[i] = cat_product(a, "Blue Shirt!", 1);
        SAVE_OK(&fx, ps[i]);
        BCHECK_STR(ps[i]->handle, want[i]);
    }
    catalog_errors_t e = {.n = 0};
    product_t *q = cat_product(a, "Other", 1);
    q->handle = "blue-shirt";
    BCHECK_INT(catalog_product_save(fx.db, a, q, &e), SOUK_ECONFLICT);
    BCHECK(cat_err_for(&e, "handle") != NULL);
    q->handle = "Blue Shirt";
    BCHECK_INT(catalog_product_save(fx.db, a, q, &e), SOUK_EINVAL);
    BCHECK(cat_err_for(&e, "handle") != NULL);
    BCHECK_INT(cat_count(fx.db, "products"), 3);
    BCHECK_INT(cat_count(fx.db, "variants"), 3);
    /* An update without a handle keeps it; an explicit one renames. */
    ps[1]->handle = NULL;
    ps[1]->title = "Navy Shirt";
    SAVE_OK(&fx, ps[1]);
    BCHECK_STR(ps[1]->handle, "blue-shirt-2");
    ps[1]->handle = "navy-shirt";
    SAVE_OK(&fx, ps[1]);
    product_t *g = NULL;
    BCHECK_INT(catalog_product_get(fx.db, a, "blue-shirt-2", &g), SOUK_ENOTFOUND);
    BCHECK_INT(catalog_product_get(fx.db, a, "navy-shirt", &g), 0);
    ps[2]->handle = "navy-shirt";
    BCHECK_INT(catalog_product_save(fx.db, a, ps[2], &e), SOUK_ECONFLICT);
    /* Handles are unique per kind: a collection may share one. */
    collection_t c = {.title = "Blue Shirt", .published = true};
    COLL_OK(&fx, &c);
    BCHECK_STR(c.handle, "blue-shirt");
    collection_t c2 = {.title = "Blue shirt", .published = true};
    COLL_OK(&fx, &c2);
    BCHECK_STR(c2.handle, "blue-shirt-2");
    /* A suffix on a handle at the length limit still fits. */
    const char *long_title = cat_rep(a, "z", CATALOG_MAX_TITLE);
    product_t *l1 = cat_product(a, long_title, 1), *l2 = cat_product(a, long_title, 1);
    SAVE_OK(&fx, l1);
    SAVE_OK(&fx, l2);
    BCHECK_INT(strlen(l1->handle), CATALOG_MAX_HANDLE);
    BCHECK(l2->handle && strlen(l2->handle) == CATALOG_MAX_HANDLE &&
           catalog_handle_valid(l2->handle));
    BCHECK(l2->handle && strcmp(l2->handle + CATALOG_MAX_HANDLE - 2, "-2") == 0);
out:
    cat_done(&fx);
}

CAT_TEST(product_sku_conflict_leaves_nothing)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "sku"))
        goto out;
    arena_t *a = &fx.a;
    product_t *pa = cat_product(a, "First", 1);
    pa->variants[0].sku = "SKU-1";
    SAVE_OK(&fx, pa);
    product_t *pb = cat_product(a, "Second", 2);
    pb->variants[0].sku = "SKU-2";
    pb->variants[1].sku = "SKU-1";
    const char *tags[] = {"new"};
    pb->tags = tags;
    pb->ntags = 1;
    cat_images(a, pb, 1);
    catalog_errors_t e = {.n = 0};
    BCHECK_INT(catalog_product_save(fx.db, a, pb, &e), SOUK_ECONFLICT);
    BCHECK_INT(e.n, 1);
    BCHECK(cat_err_for(&e, "variants[1].sku") != NULL);
    BCHECK(pb->id == 0);
    BCHECK_INT(cat_count(fx.db, "products"), 1);
    BCHECK_INT(cat_count(fx.db, "variants"), 1);
    BCHECK_INT(cat_count(fx.db, "product_tags"), 0);
    BCHECK_INT(cat_count(fx.db, "images"), 0);
    /* An update that takes another product's SKU changes nothing. */
    product_t *pc = cat_product(a, "Third", 1);
    pc->variants[0].sku = "SKU-3";
    SAVE_OK(&fx, pc);
    product_t *upd = cat_product(a, "Third renamed", 1);
    upd->id = pc->id;
    upd->variants[0].public_id = pc->variants[0].public_id;
    upd->variants[0].sku = "SKU-1";
    BCHECK_INT(catalog_product_save(fx.db, a, upd, &e), SOUK_ECONFLICT);
    BCHECK(cat_err_for(&e, "variants[0].sku") != NULL);
    product_t *g = NULL;
    BCHECK_INT(catalog_product_get(fx.db, a, pc->public_id, &g), 0);
    BCHECK(g && strcmp(g->title, "Third") == 0 && g->nvariants == 1 &&
           strcmp(g->variants[0].sku, "SKU-3") == 0);
    /* Its own SKU is no conflict. */
    pa->title = "First again";
    SAVE_OK(&fx, pa);
    BCHECK_INT(cat_count(fx.db, "variants"), 2);
out:
    cat_done(&fx);
}

/* Inside the caller's transaction (the importer's batches) a save is a
 * savepoint: a failed one leaves the others. */
CAT_TEST(product_save_inside_a_transaction)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "nested"))
        goto out;
    arena_t *a = &fx.a;
    BCHECK_INT(db_begin(fx.db, DB_TX_WRITE), 0);
    product_t *p1 = cat_product(a, "One", 1), *p2 = cat_product(a, "Two", 1),
              *p3 = cat_product(a, "Three", 1);
    p1->variants[0].sku = p2->variants[0].sku = "DUP";
    SAVE_OK(&fx, p1);
    catalog_errors_t e = {.n = 0};
    BCHECK_INT(catalog_product_save(fx.db, a, p2, &e), SOUK_ECONFLICT);
    SAVE_OK(&fx, p3);
    BCHECK_INT(db_commit(fx.db), 0);
    BCHECK_INT(cat_count(fx.db, "products"), 2);
    BCHECK_INT(cat_count(fx.db, "variants"), 2);
out:
    cat_done(&fx);
}

/* products.tags (migration 0005) as a sorted, comma-joined list in a, or
 * "?" when the row cannot be read. */
static const char *row_tags(db_t *db, arena_t *a, int64_t id)
{
    db_param_t p[] = {DB_INT(id)};
    db_rows_t *r;
    if (db_query(db, "SELECT tags FROM products WHERE id = $1", p, 1, &r) < 0)
        return "?";
    const char *parts[16];
    size_t n = 0;
    char *copy = NULL;
    if (db_rows_next(r)) {
        size_t len;
        const char *v = db_rows_text(r, 0, &len);
        copy = arena_strndup(a, v, len);
        for (char *s = copy; *s && n < 16;) {
            parts[n++] = s;
            char *e = strchr(s, '\x1f');
            if (!e)
                break;
            *e = '\0';
            s = e + 1;
        }
    }
    if (db_rows_end(r) < 0 || copy == NULL)
        return "?";
    for (size_t i = 1; i < n; i++) /* insertion sort: a handful of tags */
        for (size_t j = i; j > 0 && strcmp(parts[j - 1], parts[j]) > 0; j--) {
            const char *t = parts[j];
            parts[j] = parts[j - 1];
            parts[j - 1] = t;
        }
    const char *out = "";
    for (size_t i = 0; i < n; i++)
        out = cat_fmt(a, "%s%s%s", out, i ? "," : "", parts[i]);
    return out;
}

/* The tags a listing's facets read from the product row follow every change
 * of product_tags: a save, and a statement that goes round the catalog. */
CAT_TEST(product_row_tags_follow_product_tags)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "rowtags"))
        goto out;
    arena_t *a = &fx.a;
    product_t *p = cat_product(a, "Tagged", 1);
    const char *t1[] = {"red", "blue"};
    p->tags = t1;
    p->ntags = 2;
    SAVE_OK(&fx, p);
    BCHECK_STR(row_tags(fx.db, a, p->id), "blue,red");
    product_t *q = cat_product(a, "Tagged", 1);
    q->id = p->id;
    q->variants[0].public_id = p->variants[0].public_id;
    const char *t2[] = {"green", "blue"};
    q->tags = t2;
    q->ntags = 2;
    SAVE_OK(&fx, q);
    BCHECK_STR(row_tags(fx.db, a, p->id), "blue,green");
    db_param_t id[] = {DB_INT(p->id)};
    BCHECK_INT(
        db_exec(fx.db, "DELETE FROM product_tags WHERE product_id = $1 AND tag = 'blue'", id, 1),
        1);
    BCHECK_STR(row_tags(fx.db, a, p->id), "green");
    BCHECK_INT(db_exec(fx.db, "UPDATE product_tags SET tag = 'teal' WHERE product_id = $1", id, 1),
               1);
    BCHECK_STR(row_tags(fx.db, a, p->id), "teal");
    BCHECK_INT(db_exec(fx.db, "DELETE FROM product_tags WHERE product_id = $1", id, 1), 1);
    BCHECK_STR(row_tags(fx.db, a, p->id), "");
    product_t *none = cat_product(a, "Untagged", 1);
    SAVE_OK(&fx, none);
    BCHECK_STR(row_tags(fx.db, a, none->id), "");
out:
    cat_done(&fx);
}

/* The product's listing card as a page of every product shows it. */
static const product_t *card_in_listing(fixture_t *fx, int64_t id)
{
    catalog_query_t q = {.limit = 50, .price_min = -1, .price_max = -1, .sort = SORT_NEWEST};
    catalog_page_t pg;
    if (catalog_search(fx->db, &fx->a, &q, &pg) != 0)
        return NULL;
    for (size_t i = 0; i < pg.n; i++)
        if (pg.items[i].id == id)
            return &pg.items[i];
    return NULL;
}

/* A cards-only listing (the storefront's) gives the same card as a full
 * one, without the fields a card does not show. */
static void card_only_agrees(fixture_t *fx, int64_t id, int line)
{
    const product_t *full = card_in_listing(fx, id);
    catalog_query_t q = {
        .limit = 50, .price_min = -1, .price_max = -1, .sort = SORT_NEWEST, .cards_only = true};
    catalog_page_t pg;
    const product_t *c = NULL;
    if (catalog_search(fx->db, &fx->a, &q, &pg) == 0)
        for (size_t i = 0; i < pg.n; i++)
            if (pg.items[i].id == id)
                c = &pg.items[i];
    if (full == NULL || c == NULL) {
        test_fail(__FILE__, line, "no card for product %lld", (long long)id);
        return;
    }
    bool same = strcmp(c->handle, full->handle) == 0 && strcmp(c->title, full->title) == 0 &&
                strcmp(c->vendor, full->vendor) == 0 && c->price_min == full->price_min &&
                c->price_max == full->price_max && c->available == full->available &&
                c->status == PRODUCT_ACTIVE && c->nimages == full->nimages &&
                c->nvariants == full->nvariants && c->public_id == NULL && c->created_at == NULL;
    if (same && c->nimages)
        same = strcmp(c->images[0].src, full->images[0].src) == 0 &&
               strcmp(c->images[0].alt, full->images[0].alt) == 0 &&
               c->images[0].width == full->images[0].width &&
               c->images[0].height == full->images[0].height;
    if (same && c->nvariants)
        same = c->variants[0].price == full->variants[0].price &&
               c->variants[0].compare_at_price == full->variants[0].compare_at_price;
    if (!same)
        test_fail(__FILE__, line, "the cards-only listing's card differs from the full one");
}

/* A listing shows each product's first image and its best on-sale prices,
 * which the repository keeps on the product row with every save
 * (migration 0007): they follow images reordered and sales ended. */
CAT_TEST(product_listing_card_follows_saves)
{
    fixture_t fx;
    if (!cat_open(&fx, be, "card"))
        goto out;
    arena_t *a = &fx.a;
    product_t *p = cat_product(a, "Card", 3);
    p->variants[1].compare_at_price = 3000; /* on sale, but not the lowest was-price */
    p->variants[2].compare_at_price = 2000;
    cat_images(a, p, 2);
    p->images[0].alt = "Front";
    p->images[0].width = 800;
    p->images[0].height = 600;
    SAVE_OK(&fx, p);
    const product_t *c = card_in_listing(&fx, p->id);
    BCHECK(c != NULL);
    if (c == NULL)
        goto out;
    BCHECK_INT(c->nimages, 1);
    if (c->nimages == 1) {
        BCHECK_STR(c->images[0].public_id, p->images[0].public_id);
        BCHECK_STR(c->images[0].src, "products/0.jpg");
        BCHECK_STR(c->images[0].alt, "Front");
        BCHECK_INT(c->images[0].width, 800);
        BCHECK_INT(c->images[0].height, 600);
        BCHECK_INT(c->images[0].position, 1);
    }
    BCHECK_INT(c->nvariants, 1);
    if (c->nvariants == 1) {
        BCHECK_INT(c->variants[0].compare_at_price, 2000);
        BCHECK_INT(c->variants[0].price, 1002);
    }
    card_only_agrees(&fx, p->id, __LINE__);

    /* The back image moves first; the sale ends (a was-price below the
     * price is no sale). */
    image_t front = p->images[0];
    p->images[0] = p->images[1];
    p->images[1] = front;
    p->variants[1].compare_at_price = -1;
    p->variants[2].compare_at_price = 900;
    SAVE_OK(&fx, p);
    c = card_in_listing(&fx, p->id);
    BCHECK(c != NULL);
    if (c == NULL)
        goto out;
    BCHECK_INT(c->nimages, 1);
    if (c->nimages == 1) {
        BCHECK_STR(c->images[0].src, "products/1.jpg");
        BCHECK_INT(c->images[0].width, 0); /* unknown */
    }
    BCHECK_INT(c->nvariants, 0);

    /* No image left; a new variant on sale. */
    p->nimages = 0;
    p->variants[0].compare_at_price = 1500;
    SAVE_OK(&fx, p);
    c = card_in_listing(&fx, p->id);
    BCHECK(c != NULL);
    if (c == NULL)
        goto out;
    BCHECK_INT(c->nimages, 0);
    BCHECK_INT(c->nvariants, 1);
    if (c->nvariants == 1)
        BCHECK_INT(c->variants[0].compare_at_price, 1500);
    card_only_agrees(&fx, p->id, __LINE__);
out:
    cat_done(&fx);
}
