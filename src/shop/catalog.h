/* catalog.h - the catalog domain: products, options, variants, images, tags,
 * nested collections, and the queries a storefront and the API make of them.
 *
 * The rules of the catalog live here and know nothing of HTTP. Functions take
 * a database connection and an arena: everything they return (structs,
 * strings, arrays) is allocated in the arena and lives as long as it does.
 * They return 0 or a negative SOUK_E* code; validation failures are
 * SOUK_EINVAL with the problems listed in a catalog_errors_t (field name and
 * message), so the API can answer 422 naming each bad field and the importer
 * can report each bad row.
 *
 * Money is in the store currency's minor unit (core/money.h). Descriptions
 * are sanitized on input (core/sanitize.h) and stored sanitized: what
 * catalog_product_get() returns in body_html may be written into a page raw.
 *
 * SQL for this area lives in catalog_repo.c (writes) and catalog_search.c
 * (listing, search, facets), next to each other and nowhere else. */
#ifndef SOUK_SHOP_CATALOG_H
#define SOUK_SHOP_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "db/db.h"

/* ---- limits (each tested at its value and one past it) ---- */
#define CATALOG_MAX_TITLE 255              /* characters */
#define CATALOG_MAX_HANDLE 255             /* bytes: [a-z0-9-], no leading/trailing '-' */
#define CATALOG_MAX_BODY_HTML (512 * 1024) /* bytes, before sanitizing */
#define CATALOG_MAX_SHORT_TEXT 255      /* vendor, type, option names/values, SKU, barcode, alt */
#define CATALOG_MAX_SEO_DESCRIPTION 320 /* characters */
#define CATALOG_MAX_OPTIONS 3
#define CATALOG_MAX_VARIANTS 100         /* per product, as Shopify */
#define CATALOG_MAX_IMAGES 250           /* per product */
#define CATALOG_MAX_TAGS 250             /* per product */
#define CATALOG_MAX_TAG 255              /* characters */
#define CATALOG_MAX_PRICE 100000000000LL /* minor units: a billion in a 2-decimal currency */
#define CATALOG_MAX_URL 2048
#define CATALOG_MAX_COLLECTION_DEPTH 8
#define CATALOG_MAX_PAGE_SIZE 100
#define CATALOG_MAX_OFFSET 10000 /* deeper pages: narrow the filters */
#define CATALOG_MAX_QUERY 256    /* bytes of a search query */
/* Added with catalog.c (not in the first contract): */
#define CATALOG_MAX_WEIGHT_GRAMS 1000000000LL /* a thousand tonnes */
#define CATALOG_MAX_QUANTITY 1000000000LL     /* |inventory_quantity| */
#define CATALOG_MAX_IMAGE_SIDE 65535          /* width, height in pixels (0: unknown) */

/* Text matches a search ranks and counts at most (catalog_page_t.truncated). */
#define CATALOG_SEARCH_WINDOW 5000

typedef enum { PRODUCT_DRAFT, PRODUCT_ACTIVE, PRODUCT_ARCHIVED } product_status_t;
typedef enum { INVENTORY_DENY, INVENTORY_CONTINUE } inventory_policy_t;
typedef enum { WEIGHT_G, WEIGHT_KG, WEIGHT_LB, WEIGHT_OZ } weight_unit_t;

typedef struct {
    int64_t id;                               /* internal; 0 for a new variant */
    const char *public_id;                    /* "var_..."; NULL for a new variant */
    int position;                             /* 1-based order within the product */
    const char *sku;                          /* NULL or unique across the catalog */
    const char *options[CATALOG_MAX_OPTIONS]; /* values; NULL past the product's options */
    int64_t price;
    int64_t compare_at_price; /* -1: none */
    int64_t cost;             /* -1: none */
    int64_t weight_grams;
    weight_unit_t weight_unit; /* the unit the merchant shows; weight is kept in grams */
    const char *barcode;       /* NULL: none */
    bool requires_shipping;
    bool taxable;
    int64_t inventory_quantity;
    inventory_policy_t inventory_policy;
} variant_t;

typedef struct {
    int64_t id;
    const char *public_id;
    int position;    /* 1-based */
    const char *src; /* an absolute http(s) URL, or a path under the media store */
    const char *alt;
    const char *variant_public_id; /* NULL, or the variant this image shows */
    int width, height;             /* 0: unknown */
} image_t;

typedef struct {
    int64_t id;
    const char *public_id; /* "prod_..." */
    const char *handle;    /* NULL/"" on create: generated from the title */
    const char *title;
    const char *body_html; /* sanitized */
    const char *vendor;
    const char *product_type;
    product_status_t status;
    const char *seo_title;
    const char *seo_description;
    const char *option_names[CATALOG_MAX_OPTIONS]; /* NULL past the last option */
    const char **tags;
    size_t ntags;
    variant_t *variants;
    size_t nvariants;
    image_t *images;
    size_t nimages;
    /* Derived from the variants when saved. */
    int64_t price_min, price_max;
    bool available;                      /* some variant in stock, or selling on backorder */
    const char *created_at, *updated_at; /* ISO 8601 UTC */
} product_t;

typedef struct {
    int64_t id;
    const char *public_id; /* "coll_..." */
    const char *handle;
    const char *title;
    const char *body_html;
    const char *parent_public_id; /* NULL: top level */
    int position;                 /* order among siblings */
    bool featured;                /* shown on the home page */
    bool published;
    const char *seo_title;
    const char *seo_description;
    int64_t product_count; /* active products: filled by catalog_collection_get and
                            * catalog_collections_list; -1 from the others */
    const char *created_at, *updated_at;
} collection_t;

/* Validation problems: one entry per bad field, e.g. {"variants[2].price",
 * "must be 0 or more"}. Filled by the functions that validate. */
typedef struct {
    const char *field;
    const char *message;
} catalog_error_t;

typedef struct {
    catalog_error_t items[32];
    size_t n;
} catalog_errors_t;

/* ---- products ---- */

/* Validate, sanitize and store p in one transaction: a new product when
 * p->id == 0 (public ids and, if empty, the handle are generated; a handle
 * taken already gets "-2", "-3"...), else a full replacement of that product,
 * variants and images matched by public id (new ones inserted, missing ones
 * deleted). Updates p's ids, handle, derived fields and times. SOUK_EINVAL with
 * errs filled; SOUK_ECONFLICT when an explicit handle or a SKU is taken
 * (errs names it); SOUK_ENOTFOUND when p->id names no product.
 *
 * The rules where the above is silent (catalog.c):
 *  - errs is cleared first and keeps the first 32 problems; messages are
 *    short, lowercase, and fields are paths: "variants[2].price",
 *    "variants[0].options[1]", "images[0].src", "tags[3]", "option_names[1]".
 *  - Text must be UTF-8 without control characters (C0, DEL, C1); only
 *    body_html may hold tab, LF and CR. Single-line fields are trimmed of
 *    ASCII whitespace; an empty sku or barcode is NULL. Lengths count
 *    characters, except the handle, body_html and image src (bytes).
 *    seo_title has the title's limit.
 *  - Option names: none after an empty one, none twice (ASCII case
 *    ignored). Each variant has exactly one value per option name, and no two
 *    variants the same values (ASCII case ignored), nor the same SKU.
 *  - Variants and images are matched by public id only (id is ignored); a
 *    public id that is not one of this product's is SOUK_EINVAL naming
 *    "variants[i].public_id". Positions are renumbered 1..n in the order
 *    given. An image's variant_public_id must name a variant in p->variants
 *    that has its public id already: link images to new variants in a second
 *    save.
 *  - Tags: trimmed, empty ones dropped, repeats merged ignoring ASCII case
 *    (the first spelling kept), no commas (they would not survive a CSV);
 *    the limit counts the tags given. Stored as a set: reads return them in
 *    alphabetical order (ASCII case ignored, then bytes).
 *  - Image src: http:// or https:// with a host, or a relative path in the
 *    media store: segments of letters, digits and -._~!$&'()*+,;=@ or
 *    non-ASCII, none empty, "." or "..".
 *  - An empty handle on an update keeps the current one (URLs stay put
 *    when a title changes). Generated handles try "-2" .. "-100", then a
 *    random 8-character suffix. Two concurrent creates on PostgreSQL racing
 *    for the same generated handle: one gets SOUK_ECONFLICT naming "handle"
 *    (retry it).
 *  - On success *p is replaced by the stored form (copied into a: trimmed
 *    text, sanitized body_html, tags as a read returns them, new public ids,
 *    positions, times); on failure *p is untouched and nothing is written.
 *  - Called with a transaction open (the importer's batches), the save is a
 *    savepoint inside it instead of a transaction of its own. So are the
 *    other writes below. */
int catalog_product_save(db_t *db, arena_t *a, product_t *p, catalog_errors_t *errs);

/* What a bulk writer (the importer) may tell catalog_product_save_flags(). */
enum {
    /* Leave the product's search entry alone: the caller passes its id to
     * catalog_index_products() before it commits the transaction it holds, so
     * no commit ever shows a product its index does not. Allowed only inside
     * a transaction of the caller's (anything else is a bug and aborts). */
    CATALOG_SAVE_DEFER_INDEX = 1 << 0,
    /* A create (p->id == 0) of a handle the caller has just looked up and
     * found free, for a caller that expects its SKUs to be free too (an
     * import of new products): the catalog skips its look-ups of the handle
     * and the SKUs and leaves them to the UNIQUE constraints, then names a
     * taken handle or every taken SKU with SOUK_ECONFLICT as without the
     * flag (a refused save costs more; a stored one less). */
    CATALOG_SAVE_NEW = 1 << 1,
};

/* catalog_product_save() with flags (0: the same as it). A CATALOG_SAVE_NEW
 * save whose p->id is not 0 is a bug and aborts. */
int catalog_product_save_flags(db_t *db, arena_t *a, product_t *p, unsigned flags,
                               catalog_errors_t *errs);

/* Validate p as catalog_product_save would, without touching the database
 * (uniqueness is not checked). 0, or SOUK_EINVAL with errs filled. */
int catalog_product_validate(arena_t *a, const product_t *p, catalog_errors_t *errs);

/* Load a product with its variants, images and tags, by handle or public id
 * (whichever matches). Drafts and archived products are returned too: the
 * caller decides who may see them. SOUK_ENOTFOUND if none. Tags come in
 * alphabetical order, variants and images by position. */
int catalog_product_get(db_t *db, arena_t *a, const char *handle_or_id, product_t **out);

/* Delete a product and everything that belongs to it (variants, images,
 * tags, its places in collections, whose order closes up, and on SQLite its
 * FTS5 row). SOUK_ENOTFOUND. */
int catalog_product_delete(db_t *db, const char *handle_or_id);

/* Products per call of catalog_product_ids_after(), at most. */
#define CATALOG_MAX_ID_PAGE 1000

/* One page of a walk over every product, drafts and archived included: the
 * internal ids greater than after_id, ascending, at most limit of them
 * (1..CATALOG_MAX_ID_PAGE, SOUK_ERANGE otherwise), in *ids, and their public
 * ids (for catalog_product_get) in *public_ids unless it is NULL; arrays in
 * a, *n entries. Start with after_id 0 and go on from the last id of each
 * page; a page shorter than limit is the last. A keyset, not an offset: the
 * walk costs the same at any depth, and products created or deleted during
 * it never shift the others (one created behind the walk is missed, one
 * deleted before its page is read is not listed). */
int catalog_product_ids_after(db_t *db, arena_t *a, int64_t after_id, size_t limit, int64_t **ids,
                              const char ***public_ids, size_t *n);

/* A URL-safe handle from a title: lowercase ASCII letters and digits, other
 * runs become '-', Latin accents folded (é -> e), at most CATALOG_MAX_HANDLE
 * bytes; "product" if nothing is left. Allocated in a. Folded: Latin-1,
 * Latin Extended-A and Romanian ș ț (ß -> ss, æ -> ae, œ -> oe, þ -> th,
 * ø -> o, ł -> l); apostrophes (' and ’) are dropped ("men's" -> "mens");
 * other scripts separate words. Cut on a '-' when the title is too long. */
char *catalog_slugify(arena_t *a, const char *title);
/* Is s a well-formed handle? */
bool catalog_handle_valid(const char *s);

const char *product_status_name(product_status_t s);
int product_status_parse(const char *s, product_status_t *out);
const char *weight_unit_name(weight_unit_t u);
int weight_unit_parse(const char *s, weight_unit_t *out);

/* ---- collections ---- */

/* Create (c->id == 0) or update a collection. A parent that would make a cycle
 * or nest deeper than CATALOG_MAX_COLLECTION_DEPTH is SOUK_EINVAL. Text and
 * handle rules as for products (handles are unique among collections, not
 * across products and collections). parent_public_id takes a public id or a
 * handle; one naming no collection is SOUK_EINVAL naming "parent_public_id".
 * Depth counts levels (a top-level collection is 1) and includes the
 * subtree that moves along. position: 0 appends a new collection, or keeps
 * an updated one where it is (at the end of its new siblings if the parent
 * changes); k inserts or moves it to k (past the end: last). Siblings stay
 * numbered 1..n. On success *c is reloaded from the database. */
int catalog_collection_save(db_t *db, arena_t *a, collection_t *c, catalog_errors_t *errs);
int catalog_collection_get(db_t *db, arena_t *a, const char *handle_or_id, collection_t **out);
/* Its products stay; its children move to the end of the top level. */
int catalog_collection_delete(db_t *db, const char *handle_or_id);
/* Every collection, parents before children, siblings by position: depth
 * first, each collection followed by its subtree. */
int catalog_collections_list(db_t *db, arena_t *a, collection_t **out, size_t *n);
/* catalog_collection_get() and catalog_collections_list() without
 * product_count (-1): counting reads every member of a collection, which a
 * page that does not show the count should not pay for (about a seventh of
 * an uncached 500-product collection page). */
int catalog_collection_find(db_t *db, arena_t *a, const char *handle_or_id, collection_t **out);
int catalog_collections_list_uncounted(db_t *db, arena_t *a, collection_t **out, size_t *n);
/* The children of a collection (NULL: the top level), by position. */
int catalog_collection_children(db_t *db, arena_t *a, const char *parent_public_id,
                                collection_t **out, size_t *n);

/* A link to a collection: what the navigation and a collection's list of
 * subcollections show. */
typedef struct {
    int64_t id;
    const char *handle, *title;
} collection_link_t;
/* The published children of the collection with this id (0: the top level),
 * by position: only their handles and titles, since every storefront page
 * shows the top level. */
int catalog_collection_links(db_t *db, arena_t *a, int64_t parent_id, collection_link_t **out,
                             size_t *n);
/* Put a product in a collection at a 1-based position (0 or past the end:
 * at the end); a product already there moves; the others shift so positions
 * stay 1..n. Both by handle or public id: SOUK_ENOTFOUND if either is
 * unknown (or, for remove, the product is not in it); a negative position is
 * SOUK_EINVAL. product_count counts active products, published or not. */
int catalog_collection_add(db_t *db, const char *collection, const char *product, int position);
int catalog_collection_remove(db_t *db, const char *collection, const char *product);
/* The published collections a product is in, by title (ASCII case
 * ignored), as links. */
int catalog_product_collections(db_t *db, arena_t *a, int64_t product_id, collection_link_t **out,
                                size_t *n);

/* ---- listing and search (catalog_search.c) ---- */

typedef enum {
    SORT_RELEVANCE, /* with a query; without one, as SORT_MANUAL or SORT_NEWEST */
    SORT_MANUAL,    /* a collection's own order */
    SORT_PRICE_ASC,
    SORT_PRICE_DESC,
    SORT_NEWEST,
    SORT_TITLE_ASC,
    SORT_TITLE_DESC,
} catalog_sort_t;

typedef struct {
    const char *q;          /* full-text query, NULL or "" for none */
    const char *collection; /* handle or public id; includes nothing from child collections */
    const char *vendors[16];
    size_t nvendors; /* OR within a facet, AND across facets */
    const char *types[16];
    size_t ntypes;
    const char *tags[16];
    size_t ntags;
    int64_t price_min, price_max; /* -1: unbounded; on the product's lowest price */
    bool available_only;
    bool include_unpublished; /* drafts and archived too (admin API) */
    catalog_sort_t sort;
    int limit;  /* 1..CATALOG_MAX_PAGE_SIZE */
    int offset; /* 0..CATALOG_MAX_OFFSET */
    bool want_facets;
    /* Items carry only what a storefront card shows (handle, title, vendor,
     * prices, availability, the first image, the sale): no public id,
     * type, times or status (left NULL, and PRODUCT_ACTIVE). */
    bool cards_only;
} catalog_query_t;

/* One facet value and how many products match it with the other facets'
 * filters applied (so a shopper sees what choosing it would give). */
typedef struct {
    const char *value;
    int64_t count;
} facet_count_t;

/* A page of results. Items are summaries: id, public_id, handle, title,
 * vendor, product_type, status, price_min/max, available, created_at and
 * updated_at; no body, tags or option names. images[0] is the first image by
 * position (nimages 0 or 1). For an "on sale" display, variants[0] (nvariants
 * 0 or 1) holds the lowest compare_at_price above its variant's price, with
 * that price (no other field); nvariants is 0 when no variant is on sale.
 * Both as the catalog repository last saved them with the product (migration
 * 0007).
 *
 * Facets (want_facets) count active products, or all with include_unpublished,
 * among those matching every filter but the facet's own: the vendor counts
 * ignore the vendor filter, the price range the price filter, the in-stock
 * count available_only. Lists hold at most 50 values, by count descending
 * then value; empty vendors and types are not listed. */
typedef struct {
    product_t *items;
    size_t n;
    int64_t total; /* matching products, for pagination */
    facet_count_t *vendors, *types, *tags;
    size_t nvendors, ntypes, ntags;
    int64_t price_floor, price_ceiling; /* lowest and highest price_min; 0 when none */
    int64_t available_count;
    /* A text query matched more than CATALOG_SEARCH_WINDOW products: the
     * page, total and facets are then over the newest CATALOG_SEARCH_WINDOW
     * of those matches (total is a lower bound), which keeps a search over a
     * large catalog bounded in time. Never set without q. */
    bool truncated;
} catalog_page_t;

/* Validate q and run it: SOUK_ERANGE for limit, offset or prices out of range,
 * SOUK_ELIMIT for a query over CATALOG_MAX_QUERY bytes or too many values,
 * SOUK_EINVAL for text that is not UTF-8, SOUK_ENOTFOUND for an unknown
 * collection (or an unpublished one without include_unpublished).
 *
 * The query text is words, never syntax: it is cut into runs of letters and
 * digits (a run joined by - _ . / ' is a phrase, so "ABC-123" finds that
 * SKU), all must match, the last as a prefix (as the shopper types; not for
 * a single character). Stemmed ("shirts" finds "shirt"); accents ignored.
 * PostgreSQL also drops English stop words. A query with no word in it is
 * no text filter. Relevance weighs title above SKUs and tags above vendor
 * above description; ties go to the newest. */
int catalog_search(db_t *db, arena_t *a, const catalog_query_t *q, catalog_page_t *out);

/* catalog_search(), answered from m (catalog_mirror.h; NULL: none) when it
 * holds the catalog db reads now: the same results, with only the page's
 * products and a text's matches read from the database. */
typedef struct catalog_mirror catalog_mirror_t;
int catalog_search_mirrored(db_t *db, catalog_mirror_t *m, arena_t *a, const catalog_query_t *q,
                            catalog_page_t *out);

/* Rebuild the search entry of one product from its stored rows (title,
 * description as text, vendor, tags and type, SKUs): the FTS5 row on SQLite,
 * the weighted tsvector on PostgreSQL. Called by catalog_repo.c inside the
 * transaction that changed the product. A product that no longer exists
 * loses its entry (0 is returned). On SQLite it also moves the catalog
 * version (migration 0006), as the catalog mirror keeps text matches per
 * version. */
int catalog_index_product(db_t *db, int64_t product_id);

/* catalog_index_product() for each of ids[0..n) (repeats allowed), inside
 * the caller's open transaction (SOUK_EINVAL outside one), for the products
 * saved with CATALOG_SAVE_DEFER_INDEX. Written after the products and
 * outside their savepoints, a batch's entries reach SQLite's FTS5 index in
 * large segments, where each savepoint would have closed one segment per
 * product for FTS5 to merge again and again. On failure some entries may be
 * written: the caller rolls its transaction back. */
int catalog_index_products(db_t *db, const int64_t *ids, size_t n);

/* Every active product's handle and update time, by id, then every
 * published collection's, for /sitemap.xml; calls fn once per entry, with
 * kind "product" or "collection". Read in chunks of 1000, so any size of
 * catalog streams; fn must not use db. */
int catalog_sitemap(db_t *db,
                    void (*fn)(void *ud, const char *kind, const char *handle,
                               const char *updated_at),
                    void *ud);

#endif
