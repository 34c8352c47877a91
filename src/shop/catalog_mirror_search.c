/* catalog_mirror_search.c - a search answered from a mirror snapshot
 * (catalog_mirror_int.h): the filters, the facet counts and the page's
 * order, with the semantics of catalog_search.c's SQL and of
 * catalog_facets.c's counting, which a unit test holds the two to
 * (test_catalog_mirror.c). The text's matches come from kept postings
 * (catalog_mirror_text.c); afterwards only the page's own products come
 * from the database.
 *
 * Work is proportional to the candidates (a collection's products, the
 * text's matches, or the catalog), with no string compared per product:
 * the shopper's values are looked up once in the snapshot's dictionaries. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "shop/catalog_facets.h"
#include "shop/catalog_mirror_int.h"

/* The counts of one facet list, by dictionary number, and the numbers
 * counted at least once (the list is made from those, not the whole
 * dictionary). */
typedef struct {
    uint32_t *count;
    uint32_t *seen;
    size_t nseen, cap;
} tally_t;

/* A search in progress. */
typedef struct {
    const mirror_snap_t *s;
    const catalog_query_t *q;
    bool on[F_COUNT];
    uint8_t *chosen[3]; /* per dictionary number: among the shopper's values */
    tally_t tally[3];
    facet_totals_t tot;
} msearch_t;

static void tally_add(tally_t *t, uint32_t v)
{
    if (t->count[v]++ == 0) {
        if (t->nseen == t->cap) {
            t->cap = t->cap ? st_mult(t->cap, 2) : 64;
            t->seen = xrealloc(t->seen, st_mult(t->cap, sizeof(*t->seen)));
        }
        t->seen[t->nseen++] = v;
    }
}

/* Mark the shopper's values of facet d; values the catalog lacks match
 * nothing, as in SQL. */
static void choose(msearch_t *ms, int d, const char *const *v, size_t n)
{
    const mdict_t *dict = &ms->s->dict[d];
    ms->chosen[d] = xcalloc(dict->n ? dict->n : 1, 1);
    for (size_t i = 0; i < n; i++) {
        uint32_t k = mdict_find(dict, v[i], strlen(v[i]));
        if (k != MIRROR_NONE)
            ms->chosen[d][k] = 1;
    }
    ms->tally[d].count = xcalloc(dict->n ? dict->n : 1, sizeof(uint32_t));
}

/* Count product i as catalog_facets.c's facets_item counts a product; true
 * if it passes every filter. */
static bool count_item(msearch_t *ms, uint32_t i)
{
    const mirror_snap_t *s = ms->s;
    const mprod_t *p = &s->p[i];
    bool available = p->flags & MF_AVAILABLE;
    const uint32_t *tag = s->tags + p->tag_off, *tag_end = tag + p->ntags;
    bool tag_chosen = false;
    if (ms->on[F_TAGS])
        for (const uint32_t *t = tag; t < tag_end && !tag_chosen; t++)
            tag_chosen = ms->chosen[F_TAGS][*t];
    unsigned pass = facets_passes(ms->q, ms->on, ms->chosen[F_VENDORS][p->vendor],
                                  ms->chosen[F_TYPES][p->type], tag_chosen, p->price, available);
    if (!ms->q->want_facets) {
        ms->tot.total += pass == F_ALL;
        return pass == F_ALL;
    }
    facets_totals_add(&ms->tot, pass, p->price, available);
    if (facets_counts_for(pass, F_VENDORS))
        tally_add(&ms->tally[F_VENDORS], p->vendor);
    if (facets_counts_for(pass, F_TYPES))
        tally_add(&ms->tally[F_TYPES], p->type);
    if (facets_counts_for(pass, F_TAGS))
        for (const uint32_t *t = tag; t < tag_end; t++)
            tally_add(&ms->tally[F_TAGS], *t);
    return pass == F_ALL;
}

/* ---- facet lists ---- */

typedef struct {
    const mdict_t *d;
    const uint32_t *count;
} list_ctx_t;

/* By count descending, then value bytewise (catalog_facets.c's order). */
static int list_cmp(const void *x, const void *y, void *ctx)
{
    const list_ctx_t *c = ctx;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (c->count[a] != c->count[b])
        return c->count[a] > c->count[b] ? -1 : 1;
    size_t la, lb;
    const char *sa = mdict_str(c->d, a, &la), *sb = mdict_str(c->d, b, &lb);
    int d = memcmp(sa, sb, la < lb ? la : lb);
    if (d)
        return d;
    return (la > lb) - (la < lb);
}

/* Facet list d, by dictionary number, into f. */
static void make_list(msearch_t *ms, int d, mfacets_t *f)
{
    const mdict_t *dict = &ms->s->dict[d];
    tally_t *t = &ms->tally[d];
    size_t m = 0;
    for (size_t k = 0; k < t->nseen; k++)
        if (dict->v[t->seen[k]].len > 0)
            t->seen[m++] = t->seen[k];
    list_ctx_t ctx = {dict, t->count};
    if (m > 1) /* seen is NULL when nothing was counted */
        qsort_r(t->seen, m, sizeof(*t->seen), list_cmp, &ctx);
    if (m > FACET_MAX_VALUES)
        m = FACET_MAX_VALUES;
    for (size_t k = 0; k < m; k++) {
        f->list[d][k].v = t->seen[k];
        f->list[d][k].count = t->count[t->seen[k]];
    }
    f->n[d] = (uint32_t)m;
}

/* ---- facets, counted or kept ---- */

/* f's figures and lists into out, the values as strings in a. */
static void facets_out(const mirror_snap_t *s, const mfacets_t *f, arena_t *a, catalog_page_t *out)
{
    out->total = f->total;
    out->price_floor = f->price_floor;
    out->price_ceiling = f->price_ceiling;
    out->available_count = f->available_count;
    facet_count_t **lists[] = {&out->vendors, &out->types, &out->tags};
    size_t *counts[] = {&out->nvendors, &out->ntypes, &out->ntags};
    for (int d = 0; d < 3; d++) {
        *lists[d] = arena_alloc(a, FACET_MAX_VALUES * sizeof(facet_count_t));
        for (uint32_t k = 0; k < f->n[d]; k++) {
            size_t len;
            const char *v = mdict_str(&s->dict[d], f->list[d][k].v, &len);
            (*lists[d])[k].value = arena_strndup(a, v, len);
            (*lists[d])[k].count = f->list[d][k].count;
        }
        *counts[d] = f->n[d];
    }
}

/* The facets counted in ms, into a new mfacets_t. */
static mfacets_t *facets_counted(msearch_t *ms)
{
    mfacets_t *f = xcalloc(1, sizeof(*f));
    catalog_page_t tot = {0};
    facets_totals_done(&ms->tot, &tot);
    f->total = tot.total;
    f->price_floor = tot.price_floor;
    f->price_ceiling = tot.price_ceiling;
    f->available_count = tot.available_count;
    for (int d = 0; d < 3; d++)
        make_list(ms, d, f);
    return f;
}

void mirror_facets_free(mirror_snap_t *s)
{
    for (size_t b = 0; b < MIRROR_FACET_BUCKETS; b++) {
        while (s->facets[b]) {
            mfacets_t *f = s->facets[b];
            s->facets[b] = f->next;
            free(f);
        }
    }
}

/* The facets kept for coll_id into out (in a); false if none. */
static bool facets_get(mirror_snap_t *s, int64_t coll_id, arena_t *a, catalog_page_t *out)
{
    pthread_mutex_lock(&s->memo_lock);
    const mfacets_t *f = s->facets[(uint64_t)coll_id % MIRROR_FACET_BUCKETS];
    while (f && f->coll_id != coll_id)
        f = f->next;
    if (f) {
        s->facet_hits++;
        facets_out(s, f, a, out);
    }
    pthread_mutex_unlock(&s->memo_lock);
    return f != NULL;
}

/* Keep fresh as coll_id's (taking it); a copy made meanwhile by another
 * search wins. */
static void facets_put(mirror_snap_t *s, int64_t coll_id, mfacets_t *fresh)
{
    fresh->coll_id = coll_id;
    pthread_mutex_lock(&s->memo_lock);
    mfacets_t **at = &s->facets[(uint64_t)coll_id % MIRROR_FACET_BUCKETS];
    while (*at && (*at)->coll_id != coll_id)
        at = &(*at)->next;
    if (*at == NULL && s->nfacets < MIRROR_FACET_ENTRIES) {
        *at = fresh;
        fresh->next = NULL;
        s->nfacets++;
        fresh = NULL;
    }
    pthread_mutex_unlock(&s->memo_lock);
    free(fresh);
}

/* ---- the page ---- */

typedef struct {
    double rank;
    uint32_t newest; /* place in MORDER_NEWEST: the tie-break */
    uint32_t idx;
} ranked_t;

static int ranked_cmp(const void *x, const void *y)
{
    const ranked_t *a = x, *b = y;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return (a->newest > b->newest) - (a->newest < b->newest);
}

static void ranked_swap(ranked_t *a, ranked_t *b)
{
    ranked_t t = *a;
    *a = *b;
    *b = t;
}

/* Move the k first of r[0..n) in ranked_cmp order to r[0..k), in no order
 * (quickselect): a page needs its own k, not every match sorted. */
static void ranked_select(ranked_t *r, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* the k-th lies in [lo, hi) */
    while (hi - lo > 1) {
        /* Median of three as the pivot, kept at lo. */
        size_t mid = lo + (hi - lo) / 2, last = hi - 1;
        if (ranked_cmp(&r[mid], &r[lo]) < 0)
            ranked_swap(&r[mid], &r[lo]);
        if (ranked_cmp(&r[last], &r[lo]) < 0)
            ranked_swap(&r[last], &r[lo]);
        if (ranked_cmp(&r[last], &r[mid]) < 0)
            ranked_swap(&r[last], &r[mid]);
        ranked_swap(&r[lo], &r[mid]);
        size_t store = lo + 1;
        for (size_t i = lo + 1; i < hi; i++)
            if (ranked_cmp(&r[i], &r[lo]) < 0)
                ranked_swap(&r[i], &r[store++]);
        ranked_swap(&r[lo], &r[store - 1]);
        size_t p = store - 1; /* the pivot's final place */
        if (p == k)
            return;
        if (p < k)
            lo = p + 1;
        else
            hi = p;
    }
}

static bool bit(const uint64_t *b, uint32_t k)
{
    return (b[k / 64] >> (k % 64)) & 1;
}

static void set_bit(uint64_t *b, uint32_t k)
{
    b[k / 64] |= (uint64_t)1 << (k % 64);
}

/* Append product i to the page if it falls in [offset, offset + limit) of
 * the passing products taken in order; false once the page is full. */
typedef struct {
    const mirror_snap_t *s;
    int64_t *ids;
    size_t n, skip, limit;
} pager_t;

static bool page_take(pager_t *p, uint32_t i)
{
    if (p->skip) {
        p->skip--;
        return true;
    }
    p->ids[p->n++] = p->s->id[i];
    return p->n < p->limit;
}

/* The passing products pass[0..npass) (in candidate order), paged in the
 * search's order. */
static void make_page(const msearch_t *ms, const mquery_t *mq, const uint32_t *pass,
                      const double *rank, size_t npass, pager_t *p)
{
    const mirror_snap_t *s = ms->s;
    if (p->limit == 0 || npass <= p->skip)
        return;
    if (mq->sort == SORT_RELEVANCE) {
        ranked_t *r = xmalloc(st_mult(npass, sizeof(*r)));
        for (size_t k = 0; k < npass; k++)
            r[k] = (ranked_t){rank[k], s->p[pass[k]].newest, pass[k]};
        size_t want = p->skip + p->limit;
        if (want < npass)
            ranked_select(r, npass, want);
        qsort(r, want < npass ? want : npass, sizeof(*r), ranked_cmp);
        for (size_t k = 0; k < npass && page_take(p, r[k].idx); k++)
            ;
        free(r);
        return;
    }
    if (mq->sort == SORT_MANUAL && !mq->text) {
        for (size_t k = 0; k < npass && page_take(p, pass[k]); k++)
            ; /* the collection's order is the candidates' */
        return;
    }
    uint64_t *set = xcalloc((s->n + 63) / 64, sizeof(uint64_t));
    if (mq->sort == SORT_MANUAL) {
        /* A text search in a collection's order: the collection's
         * products that passed, in its order. */
        const mcoll_t *c = msnap_coll(s, mq->coll_id);
        for (size_t k = 0; k < npass; k++)
            set_bit(set, pass[k]);
        for (uint32_t k = 0; c && k < c->n; k++)
            if (bit(set, c->order[k]) && !page_take(p, c->order[k]))
                break;
        free(set);
        return;
    }
    int o = mq->sort == SORT_NEWEST                                     ? MORDER_NEWEST
            : mq->sort == SORT_PRICE_ASC || mq->sort == SORT_PRICE_DESC ? MORDER_PRICE
                                                                        : MORDER_TITLE;
    bool down = mq->sort == SORT_PRICE_DESC || mq->sort == SORT_TITLE_DESC;
    /* Places of the passing products as bits, read in order: a pass over
     * n / 64 words rather than a sort of the matches. */
    for (size_t k = 0; k < npass; k++)
        set_bit(set, s->place[o][pass[k]]);
    size_t words = (s->n + 63) / 64;
    for (size_t w = 0; w < words; w++) {
        size_t wi = down ? words - 1 - w : w;
        uint64_t b = set[wi];
        while (b) {
            int j = down ? 63 - __builtin_clzll(b) : __builtin_ctzll(b);
            b &= ~((uint64_t)1 << j);
            if (!page_take(p, s->at[o][wi * 64 + (size_t)j]))
                goto done;
        }
    }
done:
    free(set);
}

/* Is product i in c (NULL: an empty collection)? */
static bool member(const mcoll_t *c, uint32_t i)
{
    uint32_t lo = 0, hi = c ? c->n : 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (c->members[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return c && lo < c->n && c->members[lo] == i;
}

/* How far ahead the candidate loop prefetches (see there). */
#define PREFETCH_ROW 16
#define PREFETCH_TAGS 8

void mirror_search(const mirror_snap_t *cs, arena_t *a, const mquery_t *mq, catalog_page_t *out,
                   int64_t **ids, size_t *nids)
{
    mirror_snap_t *s = (mirror_snap_t *)cs; /* the facet table is its own */
    const catalog_query_t *q = mq->q;
    msearch_t ms = {.s = s, .q = q};
    ms.on[F_VENDORS] = q->nvendors > 0;
    ms.on[F_TYPES] = q->ntypes > 0;
    ms.on[F_TAGS] = q->ntags > 0;
    ms.on[F_PRICE] = q->price_min >= 0 || q->price_max >= 0;
    ms.on[F_AVAIL] = q->available_only;
    /* A shopper's listing with no text and no filter: facets kept. */
    bool plain = !mq->text && q->want_facets && !q->include_unpublished && !ms.on[F_VENDORS] &&
                 !ms.on[F_TYPES] && !ms.on[F_TAGS] && !ms.on[F_PRICE] && !ms.on[F_AVAIL];
    bool kept = plain && facets_get(s, mq->coll_id, a, out);
    if (!kept) {
        choose(&ms, F_VENDORS, q->vendors, q->nvendors);
        choose(&ms, F_TYPES, q->types, q->ntypes);
        choose(&ms, F_TAGS, q->tags, q->ntags);
    }

    const mcoll_t *coll = mq->coll_id ? msnap_coll(s, mq->coll_id) : NULL;
    size_t ncand = mq->text ? mq->nmatch : mq->coll_id ? (coll ? coll->n : 0) : s->n;
    uint32_t *pass = xmalloc(st_mult(ncand + 1, sizeof(*pass)));
    double *rank = mq->sort == SORT_RELEVANCE ? xmalloc(st_mult(ncand + 1, sizeof(*rank))) : NULL;
    size_t npass = 0;
    /* The candidates' indexes, unless they are the whole catalog in order. */
    const uint32_t *order = mq->text ? mq->match_idx : coll ? coll->order : NULL;
    for (size_t k = 0; k < ncand; k++) {
        /* Candidates from a list lie anywhere in the catalog: a product's
         * row and then its tags are each a cache miss at a million
         * products, most of a text search's time here. Ask for them ahead,
         * the row PREFETCH_ROW candidates on, its tags when it is nearer. */
        if (order && k + PREFETCH_ROW < ncand)
            __builtin_prefetch(&s->p[order[k + PREFETCH_ROW]]);
        if (order && !kept && k + PREFETCH_TAGS < ncand)
            __builtin_prefetch(s->tags + s->p[order[k + PREFETCH_TAGS]].tag_off);
        uint32_t i = order ? order[k] : (uint32_t)k;
        if (mq->text && mq->coll_id && !member(coll, i))
            continue;
        if (!q->include_unpublished && !(s->p[i].flags & MF_ACTIVE))
            continue;
        if (kept) {
            pass[npass++] = i; /* no filter: every visible product passes */
            continue;
        }
        if (count_item(&ms, i)) {
            if (rank)
                rank[npass] = mq->match_rank[k];
            pass[npass++] = i;
        }
    }
    if (!kept && q->want_facets) {
        mfacets_t *f = facets_counted(&ms);
        facets_out(s, f, a, out);
        if (plain)
            facets_put(s, mq->coll_id, f);
        else
            free(f);
    } else if (!kept) {
        out->total = ms.tot.total;
    }
    pager_t p = {.s = s,
                 .ids = arena_alloc(a, st_mult((size_t)q->limit, sizeof(int64_t))),
                 .skip = (size_t)q->offset,
                 .limit = (size_t)q->limit};
    make_page(&ms, mq, pass, rank, npass, &p);
    *ids = p.ids;
    *nids = p.n;
    for (int d = 0; d < 3; d++) {
        free(ms.chosen[d]);
        free(ms.tally[d].count);
        free(ms.tally[d].seen);
    }
    free(pass);
    free(rank);
}
