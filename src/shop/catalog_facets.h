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

/* One product as a pass reads it. Its tags are indexes from
 * facets_intern_tag(): the caller's array, or one facets_add_tag() grows
 * (then the caller frees tags). */
typedef struct {
    int64_t id, price;
    bool available, tag_chosen;
    uint32_t vendor, type;
    uint32_t *tags;
    size_t ntags, cap;
} facet_item_t;

/* The counts of one pass. */
typedef struct {
    const catalog_query_t *q;
    facet_set_t sets[3]; /* vendors, types, tags */
    bool on[F_COUNT];
    int64_t total, available, lo, hi;
    bool priced;
} facets_t;

/* Start counting for q, whose facet filter f is in force when on[f]. */
void facets_init(facets_t *fc, const catalog_query_t *q, const bool on[F_COUNT]);

/* Columns col.. of r (vendor, type, price_min, available) into it, with no
 * tags yet. */
void facets_read(facets_t *fc, db_rows_t *r, int col, facet_item_t *it);

/* The index of tag s[0..len), and whether the shopper chose it. */
uint32_t facets_intern_tag(facets_t *fc, const char *s, size_t len);
bool facets_tag_chosen(const facets_t *fc, uint32_t tag);

/* Append tag (from facets_intern_tag) to it's own growing array. */
void facets_add_tag(facets_t *fc, facet_item_t *it, uint32_t tag);
/* facets_add_tag for each tag of a products.tags value (len bytes of s,
 * joined by CATALOG_TAG_SEP; empty for none). */
void facets_add_joined_tags(facets_t *fc, facet_item_t *it, const char *s, size_t len);

/* Count it; whether it passes every filter (it is on the page's list). */
bool facets_item(facets_t *fc, const facet_item_t *it);

/* The total, price range, in-stock count and the three lists into out,
 * lists allocated in a: non-empty values by count descending then value
 * (bytewise), at most FACET_MAX_VALUES each. */
void facets_done(facets_t *fc, arena_t *a, catalog_page_t *out);

void facets_free(facets_t *fc);

#endif
