/* catalog_facets.h - facet counts made in C, for catalog_search.c: it reads
 * the matching products (vendor, type, price, stock, tags) and hands each
 * one here; each count takes the products that pass every facet filter but
 * its own, so choosing a second vendor still shows what each vendor has.
 * Not for other modules: they get the counts in a catalog_page_t. */
#ifndef SOUK_SHOP_CATALOG_FACETS_H
#define SOUK_SHOP_CATALOG_FACETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "db/db.h"
#include "shop/catalog.h"

/* Values per facet list. */
#define FACET_MAX_VALUES 50

/* The filters that facets count without. */
enum { F_VENDORS, F_TYPES, F_TAGS, F_PRICE, F_AVAIL, F_COUNT };
#define F_ALL ((1u << F_COUNT) - 1)

/* The distinct values of one facet and their counts. */
typedef struct {
    char *value; /* owned */
    size_t len;
    uint32_t hash;
    bool chosen; /* among the shopper's values for this facet's filter */
    int64_t count;
} facet_value_t;

typedef struct {
    facet_value_t *v;
    size_t n, cap;
    uint32_t *slot; /* 1 + index into v, 0 for free; nslot is a power of two */
    size_t nslot;
    const char *const *chosen;
    size_t nchosen;
} facet_set_t;

/* One product as a pass reads it (facets_read). Its tags are indexes into
 * the pass's tag set, in an array facets_read grows and the caller frees
 * (tags) once done with the item. */
typedef struct {
    int64_t id, price;
    bool available, tag_chosen;
    uint32_t vendor, type;
    uint32_t *tags;
    size_t ntags, cap;
} facet_item_t;

/* The figures of a pass besides the value lists. */
typedef struct {
    int64_t total, available, lo, hi;
    bool priced;
} facet_totals_t;

/* The counts of one pass. */
typedef struct {
    const catalog_query_t *q;
    facet_set_t sets[3]; /* vendors, types, tags */
    bool on[F_COUNT];
    facet_totals_t tot;
} facets_t;

/* The facet filters of q a product passes, as bits 1 << F_*: vendor, type
 * and tag say whether its vendor, its type and any of its tags is among the
 * shopper's values (read only when that filter is on[]). The one place
 * these filters' semantics live in C; catalog_mirror_search.c counts with it
 * too. */
unsigned facets_passes(const catalog_query_t *q, const bool on[F_COUNT], bool vendor, bool type,
                       bool tag, int64_t price, bool available);

/* Does a product whose passes are pass count toward facet f's figures? It
 * must pass every filter but f's own. */
static inline bool facets_counts_for(unsigned pass, int f)
{
    return (pass | (1u << f)) == F_ALL;
}

/* Count a product into t: the total, the price range and in-stock count. */
void facets_totals_add(facet_totals_t *t, unsigned pass, int64_t price, bool available);
/* t's figures into out (total, available_count, price floor and ceiling). */
void facets_totals_done(const facet_totals_t *t, catalog_page_t *out);

/* Start counting for q, whose facet filter f is in force when on[f]. */
void facets_init(facets_t *fc, const catalog_query_t *q, const bool on[F_COUNT]);

/* Columns col.. of r (vendor, type, price_min, available, and tags as
 * products.tags joins them) into it. */
void facets_read(facets_t *fc, db_rows_t *r, int col, facet_item_t *it);

/* Count it; whether it passes every filter (it is on the page's list). */
bool facets_item(facets_t *fc, const facet_item_t *it);

/* The total, price range, in-stock count and the three lists into out,
 * lists allocated in a: non-empty values by count descending then value
 * (bytewise), at most FACET_MAX_VALUES each. */
void facets_done(facets_t *fc, arena_t *a, catalog_page_t *out);

void facets_free(facets_t *fc);

#endif
