/* catalog_facets.c - facet counts made in C (catalog_facets.h).
 *
 * SQLite's GROUP BY would read the matches once per list and sort each
 * through a temporary b-tree (3-4 ms for a 500-product collection); here
 * each product and its tags are read once, every facet filter is evaluated
 * on it in C with the semantics of catalog_search.c's SQL filters (values
 * compared bytewise, as SQLite's BINARY and PostgreSQL's = do), and each
 * count takes the products that pass every filter but its own. Memory is the
 * distinct values, not the matches. */
#include "shop/catalog_facets.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "shop/catalog_int.h"

static void set_grow(facet_set_t *fs)
{
    size_t nslot = fs->nslot ? st_mult(fs->nslot, 2) : 64;
    uint32_t *slot = xcalloc(nslot, sizeof(*slot));
    for (size_t i = 0; i < fs->n; i++) {
        size_t k = fs->v[i].hash & (nslot - 1);
        while (slot[k])
            k = (k + 1) & (nslot - 1);
        slot[k] = (uint32_t)(i + 1);
    }
    free(fs->slot);
    fs->slot = slot;
    fs->nslot = nslot;
}

/* The index of value s[0..len) in fs, added (with its chosen flag) if new. */
static uint32_t set_intern(facet_set_t *fs, const char *s, size_t len)
{
    if (st_mult(fs->n + 1, 2) > fs->nslot)
        set_grow(fs);
    uint32_t h = hash_fnv1a(s, len);
    size_t k = h & (fs->nslot - 1);
    for (; fs->slot[k]; k = (k + 1) & (fs->nslot - 1)) {
        const facet_value_t *v = &fs->v[fs->slot[k] - 1];
        if (v->hash == h && v->len == len && memcmp(v->value, s, len) == 0)
            return fs->slot[k] - 1;
    }
    ASSERT(fs->n < UINT32_MAX - 1);
    if (fs->n == fs->cap) {
        fs->cap = fs->cap ? st_mult(fs->cap, 2) : 16;
        fs->v = xrealloc(fs->v, st_mult(fs->cap, sizeof(*fs->v)));
    }
    facet_value_t *v = &fs->v[fs->n];
    v->value = xmalloc(st_add(len, 1));
    memcpy(v->value, s, len);
    v->value[len] = '\0';
    v->len = len;
    v->hash = h;
    v->count = 0;
    v->chosen = false;
    for (size_t i = 0; i < fs->nchosen && !v->chosen; i++)
        v->chosen = strlen(fs->chosen[i]) == len && memcmp(fs->chosen[i], s, len) == 0;
    fs->slot[k] = (uint32_t)(fs->n + 1);
    return (uint32_t)fs->n++;
}

static void set_free(facet_set_t *fs)
{
    for (size_t i = 0; i < fs->n; i++)
        free(fs->v[i].value);
    free(fs->v);
    free(fs->slot);
}

static int value_cmp(const void *x, const void *y)
{
    const facet_value_t *a = *(const facet_value_t *const *)x;
    const facet_value_t *b = *(const facet_value_t *const *)y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->value, b->value);
}

/* The list of a facet: its counted, non-empty values, by count descending
 * then value (bytewise, as SQLite's BINARY), at most FACET_MAX_VALUES. */
static void set_list(arena_t *a, const facet_set_t *fs, facet_count_t **out, size_t *n)
{
    const facet_value_t **by = xmalloc(st_mult(fs->n + 1, sizeof(*by)));
    size_t m = 0;
    for (size_t i = 0; i < fs->n; i++)
        if (fs->v[i].count > 0 && fs->v[i].len > 0)
            by[m++] = &fs->v[i];
    qsort(by, m, sizeof(*by), value_cmp);
    if (m > FACET_MAX_VALUES)
        m = FACET_MAX_VALUES;
    *out = arena_alloc(a, FACET_MAX_VALUES * sizeof(facet_count_t));
    for (size_t i = 0; i < m; i++) {
        (*out)[i].value = arena_strndup(a, by[i]->value, by[i]->len);
        (*out)[i].count = by[i]->count;
    }
    *n = m;
    free(by);
}

void facets_init(facets_t *fc, const catalog_query_t *q, const bool on[F_COUNT])
{
    memset(fc, 0, sizeof(*fc));
    fc->q = q;
    fc->sets[0].chosen = q->vendors;
    fc->sets[0].nchosen = q->nvendors;
    fc->sets[1].chosen = q->types;
    fc->sets[1].nchosen = q->ntypes;
    fc->sets[2].chosen = q->tags;
    fc->sets[2].nchosen = q->ntags;
    memcpy(fc->on, on, sizeof(fc->on));
}

static uint32_t facets_intern_tag(facets_t *fc, const char *s, size_t len)
{
    return set_intern(&fc->sets[2], s, len);
}

static bool facets_tag_chosen(const facets_t *fc, uint32_t tag)
{
    ASSERT(tag < fc->sets[2].n);
    return fc->sets[2].v[tag].chosen;
}

static void facets_add_tag(facets_t *fc, facet_item_t *it, uint32_t tag)
{
    if (it->ntags == it->cap) {
        it->cap = it->cap ? st_mult(it->cap, 2) : 8;
        it->tags = xrealloc(it->tags, st_mult(it->cap, sizeof(*it->tags)));
    }
    it->tags[it->ntags++] = tag;
    it->tag_chosen |= facets_tag_chosen(fc, tag);
}

/* facets_add_tag for each tag of a products.tags value (len bytes of s). */
static void add_joined_tags(facets_t *fc, facet_item_t *it, const char *s, size_t len)
{
    const char *tag;
    size_t n;
    for (const char *end = s + len; catalog_tags_next(&s, end, &tag, &n);)
        facets_add_tag(fc, it, facets_intern_tag(fc, tag, n));
}

void facets_read(facets_t *fc, db_rows_t *r, int col, facet_item_t *it)
{
    size_t len;
    const char *v = db_rows_text(r, col, &len);
    it->vendor = set_intern(&fc->sets[0], v, len);
    v = db_rows_text(r, col + 1, &len);
    it->type = set_intern(&fc->sets[1], v, len);
    it->price = db_rows_int(r, col + 2);
    it->available = db_rows_int(r, col + 3) != 0;
    it->ntags = 0;
    it->tag_chosen = false;
    v = db_rows_text(r, col + 4, &len);
    add_joined_tags(fc, it, v, len);
}

unsigned facets_passes(const catalog_query_t *q, const bool on[F_COUNT], bool vendor, bool type,
                       bool tag, int64_t price, bool available)
{
    unsigned pass = 0;
    pass |= (!on[F_VENDORS] || vendor) << F_VENDORS;
    pass |= (!on[F_TYPES] || type) << F_TYPES;
    pass |= (!on[F_TAGS] || tag) << F_TAGS;
    pass |=
        ((q->price_min < 0 || price >= q->price_min) && (q->price_max < 0 || price <= q->price_max))
        << F_PRICE;
    pass |= (!on[F_AVAIL] || available) << F_AVAIL;
    return pass;
}

void facets_totals_add(facet_totals_t *t, unsigned pass, int64_t price, bool available)
{
    if (pass == F_ALL)
        t->total++;
    if (facets_counts_for(pass, F_PRICE)) {
        if (!t->priced || price < t->lo)
            t->lo = price;
        if (!t->priced || price > t->hi)
            t->hi = price;
        t->priced = true;
    }
    if (facets_counts_for(pass, F_AVAIL) && available)
        t->available++;
}

void facets_totals_done(const facet_totals_t *t, catalog_page_t *out)
{
    out->total = t->total;
    out->available_count = t->available;
    out->price_floor = t->priced ? t->lo : 0;
    out->price_ceiling = t->priced ? t->hi : 0;
}

bool facets_item(facets_t *fc, const facet_item_t *it)
{
    /* Each count takes the products that pass every filter but its own. */
    unsigned pass =
        facets_passes(fc->q, fc->on, fc->sets[0].v[it->vendor].chosen,
                      fc->sets[1].v[it->type].chosen, it->tag_chosen, it->price, it->available);
    facets_totals_add(&fc->tot, pass, it->price, it->available);
    if (facets_counts_for(pass, F_VENDORS))
        fc->sets[0].v[it->vendor].count++;
    if (facets_counts_for(pass, F_TYPES))
        fc->sets[1].v[it->type].count++;
    if (facets_counts_for(pass, F_TAGS))
        for (size_t i = 0; i < it->ntags; i++)
            fc->sets[2].v[it->tags[i]].count++;
    return pass == F_ALL;
}

void facets_done(facets_t *fc, arena_t *a, catalog_page_t *out)
{
    facets_totals_done(&fc->tot, out);
    set_list(a, &fc->sets[0], &out->vendors, &out->nvendors);
    set_list(a, &fc->sets[1], &out->types, &out->ntypes);
    set_list(a, &fc->sets[2], &out->tags, &out->ntags);
}

void facets_free(facets_t *fc)
{
    for (int i = 0; i < 3; i++)
        set_free(&fc->sets[i]);
}
