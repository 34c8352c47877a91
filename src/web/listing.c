/* listing.c - see listing.h. */
#include "web/listing.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/money.h"
#include "core/parse.h"
#include "core/util.h"
#include "web/render.h"

static const struct {
    const char *value, *label;
    catalog_sort_t sort;
} sorts[] = {
    {"relevance", "Relevance", SORT_RELEVANCE},
    {"manual", "Featured", SORT_MANUAL},
    {"price-asc", "Price, low to high", SORT_PRICE_ASC},
    {"price-desc", "Price, high to low", SORT_PRICE_DESC},
    {"newest", "Newest", SORT_NEWEST},
    {"title-asc", "Name, A to Z", SORT_TITLE_ASC},
    {"title-desc", "Name, Z to A", SORT_TITLE_DESC},
};

int listing_parse(http_ctx_t *c, catalog_query_t *q, int *page, char *err, size_t errcap)
{
    const form_t *f;
    int rc = http_query(c, &f);
    if (rc != 0) {
        snprintf(err, errcap, "the query string is malformed or too long");
        return rc;
    }
    memset(q, 0, sizeof(*q));
    q->cards_only = true; /* the page shows cards (listing_card) */
    q->q = form_get(f, "q");
    if (q->q && strlen(q->q) > CATALOG_MAX_QUERY) {
        snprintf(err, errcap, "the search is longer than %d characters", CATALOG_MAX_QUERY);
        return SOUK_EINVAL;
    }
    q->nvendors = form_get_all(f, "vendor", q->vendors, ARRAY_LEN(q->vendors));
    q->ntypes = form_get_all(f, "type", q->types, ARRAY_LEN(q->types));
    q->ntags = form_get_all(f, "tag", q->tags, ARRAY_LEN(q->tags));
    const config_t *cfg = http_config(c);
    const char *pmin = form_get(f, "price_min"), *pmax = form_get(f, "price_max");
    q->price_min = q->price_max = -1;
    if ((pmin && pmin[0] && money_parse(pmin, strlen(pmin), cfg->currency, &q->price_min) != 0) ||
        (pmax && pmax[0] && money_parse(pmax, strlen(pmax), cfg->currency, &q->price_max) != 0) ||
        (pmin && pmin[0] && q->price_min < 0) || (pmax && pmax[0] && q->price_max < 0)) {
        snprintf(err, errcap, "prices must be amounts like 25 or 25.50");
        return SOUK_EINVAL;
    }
    const char *avail = form_get(f, "available");
    q->available_only = avail && strcmp(avail, "1") == 0;
    const char *sort = form_get(f, "sort");
    q->sort = q->q && q->q[0] ? SORT_RELEVANCE : SORT_MANUAL;
    if (sort && sort[0]) {
        size_t i;
        for (i = 0; i < ARRAY_LEN(sorts); i++)
            if (strcmp(sorts[i].value, sort) == 0)
                break;
        if (i == ARRAY_LEN(sorts)) {
            snprintf(err, errcap, "unknown sort order");
            return SOUK_EINVAL;
        }
        q->sort = sorts[i].sort;
    }
    int64_t p = 1;
    const char *ps = form_get(f, "page");
    int max_page = CATALOG_MAX_OFFSET / LISTING_PAGE_SIZE + 1;
    if (ps && ps[0] && parse_i64(ps, 1, max_page, &p) != 0) {
        snprintf(err, errcap, "page must be a number from 1 to %d", max_page);
        return SOUK_EINVAL;
    }
    *page = (int)p;
    q->limit = LISTING_PAGE_SIZE;
    q->offset = (int)(p - 1) * LISTING_PAGE_SIZE;
    q->want_facets = true;
    return 0;
}

/* What goes before an image's src to make its URL: nothing for an absolute
 * URL or path, "/media/" for a file in the media directory. */
static const char *media_prefix(const char *src)
{
    if (strncmp(src, "http://", 7) == 0 || strncmp(src, "https://", 8) == 0 || src[0] == '/')
        return "";
    return "/media/";
}

/* a followed by b, allocated in c. */
static char *http_cat(http_ctx_t *c, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = http_alloc(c, la + lb + 1);
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
    return s;
}

const char *listing_image_url(http_ctx_t *c, const char *src)
{
    if (src == NULL || src[0] == '\0')
        return NULL;
    const char *pre = media_prefix(src);
    return pre[0] ? http_cat(c, pre, src) : src;
}

/* An image for a template: src as a URL, alt, and its size when known. */
static json_t *image_json(const image_t *im)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, media_prefix(im->src));
    buf_puts(&b, im->src);
    json_t *img = json_object();
    web_put_str(img, "src", buf_cstr(&b));
    web_put_str(img, "alt", im->alt);
    buf_free(&b);
    if (im->width > 0 && im->height > 0) {
        web_put_int(img, "width", im->width);
        web_put_int(img, "height", im->height);
    }
    return img;
}

json_t *listing_image(const image_t *im)
{
    return image_json(im);
}

/* A card's struck-out price, if it has one: it must belong to the price
 * shown next to it. */
static bool card_compare_at(const product_t *p, int64_t *out)
{
    if (p->nvariants > 0 && p->variants[0].compare_at_price > p->variants[0].price &&
        p->variants[0].price == p->price_min) {
        *out = p->variants[0].compare_at_price;
        return true;
    }
    return false;
}

json_t *listing_card(const product_t *p)
{
    json_t *card = json_object();
    char url[CATALOG_MAX_HANDLE * 4 + 16] = "/products/";
    size_t hl = strlen(p->handle), at = strlen(url);
    if (hl > sizeof(url) - at - 1)
        hl = sizeof(url) - at - 1; /* a handle is at most CATALOG_MAX_HANDLE */
    memcpy(url + at, p->handle, hl);
    url[at + hl] = '\0';
    web_put_str(card, "url", url);
    web_put_str(card, "title", p->title);
    web_put_str(card, "vendor", p->vendor);
    web_put_int(card, "price", p->price_min);
    web_put_bool(card, "price_varies", p->price_max > p->price_min);
    web_put_bool(card, "available", p->available);
    int64_t was;
    if (card_compare_at(p, &was))
        web_put_int(card, "compare_at", was);
    if (p->nimages > 0)
        json_object_set_new_nocheck(card, "image", image_json(&p->images[0]));
    return card;
}

/* base?params with one page number, keeping every filter the shopper chose. */
static char *page_url(http_ctx_t *c, const char *base, int page)
{
    const form_t *f;
    buf_t b = BUF_INIT;
    buf_puts(&b, base);
    char sep = '?';
    if (http_query(c, &f) == 0 && f) {
        for (size_t i = 0; i < form_count(f); i++) {
            size_t kl, vl;
            const char *k = form_key(f, i, &kl), *v = form_value(f, i, &vl);
            if (strcmp(k, "page") == 0 || vl == 0)
                continue;
            buf_putc(&b, sep);
            sep = '&';
            form_url_encode(&b, k, kl);
            buf_putc(&b, '=');
            form_url_encode(&b, v, vl);
        }
    }
    if (page > 1)
        buf_printf(&b, "%cpage=%d", sep, page);
    char *s = http_strdup(c, buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* Values of a facet shown before the rest fold under "more". */
#define FACET_SHOWN 10

static bool chosen_in(const char *v, const char *const *chosen, size_t nchosen)
{
    for (size_t k = 0; k < nchosen; k++)
        if (strcmp(chosen[k], v) == 0)
            return true;
    return false;
}

/* ---- the results as host values (tmpl.h) ----
 *
 * A listing's cards are read by the template from the page's product_t
 * array, with no jansson object made for them: as jansson trees, two dozen
 * cards (made, hashed into, looked up, freed) cost about a fifth of a
 * collection page's instructions. Templates see the same names and values
 * as listing_card() gives, which to_json() still uses. */

typedef struct {
    const product_t *p;
    const char *url;     /* /products/<handle> */
    const char *img_src; /* the first image's URL; NULL without an image */
} card_t;

typedef struct {
    card_t *cards;
    size_t n;
    int64_t total, page, pages;
    const char *prev_url, *next_url; /* NULL: no such page */
} results_t;

#define KEY_IS(k, kl, lit) ((kl) == sizeof(lit) - 1 && memcmp((k), (lit), sizeof(lit) - 1) == 0)

static void out_cstr(tmpl_out_t *out, const char *s)
{
    if (s == NULL)
        s = "";
    tmpl_out_str(out, s, strlen(s));
}

static void image_get(const void *obj, const char *k, size_t kl, tmpl_out_t *out)
{
    const card_t *cd = obj;
    const image_t *im = &cd->p->images[0];
    bool sized = im->width > 0 && im->height > 0;
    if (KEY_IS(k, kl, "src"))
        out_cstr(out, cd->img_src);
    else if (KEY_IS(k, kl, "alt"))
        out_cstr(out, im->alt);
    else if (sized && KEY_IS(k, kl, "width"))
        tmpl_out_int(out, im->width);
    else if (sized && KEY_IS(k, kl, "height"))
        tmpl_out_int(out, im->height);
}

static json_t *image_to_json(const void *obj)
{
    return image_json(&((const card_t *)obj)->p->images[0]);
}

static const tmpl_host_class_t image_class = {.get = image_get, .to_json = image_to_json};

static void card_get(const void *obj, const char *k, size_t kl, tmpl_out_t *out)
{
    const card_t *cd = obj;
    const product_t *p = cd->p;
    int64_t was;
    if (KEY_IS(k, kl, "url"))
        out_cstr(out, cd->url);
    else if (KEY_IS(k, kl, "title"))
        out_cstr(out, p->title);
    else if (KEY_IS(k, kl, "vendor"))
        out_cstr(out, p->vendor);
    else if (KEY_IS(k, kl, "price"))
        tmpl_out_int(out, p->price_min);
    else if (KEY_IS(k, kl, "price_varies"))
        tmpl_out_bool(out, p->price_max > p->price_min);
    else if (KEY_IS(k, kl, "available"))
        tmpl_out_bool(out, p->available);
    else if (KEY_IS(k, kl, "compare_at") && card_compare_at(p, &was))
        tmpl_out_int(out, was);
    else if (KEY_IS(k, kl, "image") && p->nimages > 0)
        tmpl_out_host(out, &image_class, cd);
}

static json_t *card_to_json(const void *obj)
{
    return listing_card(((const card_t *)obj)->p);
}

static const tmpl_host_class_t card_class = {.get = card_get, .to_json = card_to_json};

/* A list's fields: it has none. */
static void no_fields(const void *obj, const char *k, size_t kl, tmpl_out_t *out)
{
    (void)obj, (void)k, (void)kl, (void)out;
}

static size_t cards_len(const void *obj)
{
    return ((const results_t *)obj)->n;
}

static const void *cards_at(const void *obj, size_t i, const tmpl_host_class_t **cls)
{
    *cls = &card_class;
    return &((const results_t *)obj)->cards[i];
}

static json_t *cards_to_json(const void *obj)
{
    const results_t *r = obj;
    json_t *items = json_array();
    for (size_t i = 0; i < r->n; i++)
        json_array_append_new(items, listing_card(r->cards[i].p));
    return items;
}

static const tmpl_host_class_t cards_class = {
    .get = no_fields, .len = cards_len, .at = cards_at, .to_json = cards_to_json};

static void results_get(const void *obj, const char *k, size_t kl, tmpl_out_t *out)
{
    const results_t *r = obj;
    if (KEY_IS(k, kl, "items"))
        tmpl_out_host(out, &cards_class, r);
    else if (KEY_IS(k, kl, "total"))
        tmpl_out_int(out, r->total);
    else if (KEY_IS(k, kl, "page"))
        tmpl_out_int(out, r->page);
    else if (KEY_IS(k, kl, "pages"))
        tmpl_out_int(out, r->pages);
    else if (KEY_IS(k, kl, "prev_url") && r->prev_url)
        out_cstr(out, r->prev_url);
    else if (KEY_IS(k, kl, "next_url") && r->next_url)
        out_cstr(out, r->next_url);
}

static json_t *results_to_json(const void *obj)
{
    const results_t *r = obj;
    json_t *results = json_object();
    web_put(results, "items", cards_to_json(r));
    web_put_int(results, "total", r->total);
    web_put_int(results, "page", r->page);
    web_put_int(results, "pages", r->pages);
    if (r->prev_url)
        web_put_str(results, "prev_url", r->prev_url);
    if (r->next_url)
        web_put_str(results, "next_url", r->next_url);
    return results;
}

static const tmpl_host_class_t results_class = {.get = results_get, .to_json = results_to_json};

/* ---- the facets as host values ----
 *
 * The filter form's facets, read the same way: each facet's values are
 * printed with three or four lookups apiece. A facet is left out when it
 * offers no choice: a single value that every result has, none chosen,
 * since ticking it changes nothing. "values" are all of a facet's values
 * (as merchants' templates knew them); "shown" the first FACET_SHOWN,
 * "more" the rest (a <details> in the template, open when one of them is
 * chosen so a ticked box is never hidden). */

typedef struct {
    const char *value;
    int64_t count;
    bool selected;
} fvalue_t;

typedef struct {
    const fvalue_t *v;
    size_t n;
} frange_t;

typedef struct {
    const char *label, *param;
    frange_t all, shown, more;
    bool more_open;
} facet_t;

typedef struct {
    facet_t lists[3];
    size_t nlists;
    int64_t floor, ceiling;
    const char *min, *max; /* as the shopper typed them; NULL: not given */
    bool available_only, active;
    int64_t available_count;
} facets_t;

static void fvalue_get(const void *obj, const char *k, size_t kl, tmpl_out_t *out)
{
    const fvalue_t *v = obj;
    if (KEY_IS(k, kl, "value"))
        out_cstr(out, v->value);
    else if (KEY_IS(k, kl, "count"))
        tmpl_out_int(out, v->count);
    else if (KEY_IS(k, kl, "selected"))
        tmpl_out_bool(out, v->selected);
}

static json_t *fvalue_json(const void *obj)
{
    const fvalue_t *v = obj;
    json_t *one = json_object();
    web_put_str(one, "value", v->value);
    web_put_int(one, "count", v->count);
    web_put_bool(one, "selected", v->selected);
    return one;
}

static const tmpl_host_class_t fvalue_class = {.get = fvalue_get, .to_json = fvalue_json};

static size_t frange_len(const void *obj)
{
    return ((const frange_t *)obj)->n;
}

static const void *frange_at(const void *obj, size_t i, const tmpl_host_class_t **cls)
{
    *cls = &fvalue_class;
    return &((const frange_t *)obj)->v[i];
}

static json_t *frange_json(const void *obj)
{
    const frange_t *r = obj;
    json_t *a = json_array();
    for (size_t i = 0; i < r->n; i++)
        json_array_append_new(a, fvalue_json(&r->v[i]));
    return a;
}

static const tmpl_host_class_t frange_class = {
    .get = no_fields, .len = frange_len, .at = frange_at, .to_json = frange_json};

static void facet_get(const void *obj, const char *k, size_t kl, tmpl_out_t *out)
{
    const facet_t *f = obj;
    if (KEY_IS(k, kl, "label"))
        out_cstr(out, f->label);
    else if (KEY_IS(k, kl, "param"))
        out_cstr(out, f->param);
    else if (KEY_IS(k, kl, "values"))
        tmpl_out_host(out, &frange_class, &f->all);
    else if (KEY_IS(k, kl, "shown"))
        tmpl_out_host(out, &frange_class, &f->shown);
    else if (KEY_IS(k, kl, "more"))
        tmpl_out_host(out, &frange_class, &f->more);
    else if (KEY_IS(k, kl, "more_open"))
        tmpl_out_bool(out, f->more_open);
}

static json_t *facet_json(const void *obj)
{
    const facet_t *f = obj;
    json_t *j = json_object();
    web_put_str(j, "label", f->label);
    web_put_str(j, "param", f->param);
    web_put(j, "values", frange_json(&f->all));
    web_put(j, "shown", frange_json(&f->shown));
    web_put(j, "more", frange_json(&f->more));
    web_put_bool(j, "more_open", f->more_open);
    return j;
}

static const tmpl_host_class_t facet_class = {.get = facet_get, .to_json = facet_json};

static size_t flists_len(const void *obj)
{
    return ((const facets_t *)obj)->nlists;
}

static const void *flists_at(const void *obj, size_t i, const tmpl_host_class_t **cls)
{
    *cls = &facet_class;
    return &((const facets_t *)obj)->lists[i];
}

static json_t *flists_json(const void *obj)
{
    const facets_t *fs = obj;
    json_t *a = json_array();
    for (size_t i = 0; i < fs->nlists; i++)
        json_array_append_new(a, facet_json(&fs->lists[i]));
    return a;
}

static const tmpl_host_class_t flists_class = {
    .get = no_fields, .len = flists_len, .at = flists_at, .to_json = flists_json};

static void price_get(const void *obj, const char *k, size_t kl, tmpl_out_t *out)
{
    const facets_t *fs = obj;
    if (KEY_IS(k, kl, "floor"))
        tmpl_out_int(out, fs->floor);
    else if (KEY_IS(k, kl, "ceiling"))
        tmpl_out_int(out, fs->ceiling);
    else if (KEY_IS(k, kl, "min") && fs->min)
        out_cstr(out, fs->min);
    else if (KEY_IS(k, kl, "max") && fs->max)
        out_cstr(out, fs->max);
}

static json_t *price_json(const void *obj)
{
    const facets_t *fs = obj;
    json_t *price = json_object();
    web_put_int(price, "floor", fs->floor);
    web_put_int(price, "ceiling", fs->ceiling);
    if (fs->min)
        web_put_str(price, "min", fs->min);
    if (fs->max)
        web_put_str(price, "max", fs->max);
    return price;
}

static const tmpl_host_class_t price_class = {.get = price_get, .to_json = price_json};

static void facets_get(const void *obj, const char *k, size_t kl, tmpl_out_t *out)
{
    const facets_t *fs = obj;
    if (KEY_IS(k, kl, "lists"))
        tmpl_out_host(out, &flists_class, fs);
    else if (KEY_IS(k, kl, "price"))
        tmpl_out_host(out, &price_class, fs);
    else if (KEY_IS(k, kl, "available_only"))
        tmpl_out_bool(out, fs->available_only);
    else if (KEY_IS(k, kl, "available_count"))
        tmpl_out_int(out, fs->available_count);
    else if (KEY_IS(k, kl, "active"))
        tmpl_out_bool(out, fs->active);
}

static json_t *facets_json(const void *obj)
{
    const facets_t *fs = obj;
    json_t *facets = json_object();
    web_put(facets, "lists", flists_json(fs));
    web_put(facets, "price", price_json(fs));
    web_put_bool(facets, "available_only", fs->available_only);
    web_put_int(facets, "available_count", fs->available_count);
    web_put_bool(facets, "active", fs->active);
    return facets;
}

static const tmpl_host_class_t facets_class = {.get = facets_get, .to_json = facets_json};

/* Add one facet to fs unless it offers no choice. */
static void facet_add(http_ctx_t *c, facets_t *fs, const char *label, const char *param,
                      const facet_count_t *v, size_t n, const char *const *chosen, size_t nchosen,
                      int64_t total)
{
    if (n == 0 || (n == 1 && nchosen == 0 && v[0].count >= total))
        return;
    fvalue_t *vs = http_alloc(c, st_mult(n, sizeof(*vs)));
    facet_t *f = &fs->lists[fs->nlists++];
    f->more_open = false;
    for (size_t i = 0; i < n; i++) {
        vs[i] = (fvalue_t){v[i].value, v[i].count, chosen_in(v[i].value, chosen, nchosen)};
        if (i >= FACET_SHOWN)
            f->more_open |= vs[i].selected;
    }
    size_t shown = n < FACET_SHOWN ? n : FACET_SHOWN;
    f->label = label;
    f->param = param;
    f->all = (frange_t){vs, n};
    f->shown = (frange_t){vs, shown};
    f->more = (frange_t){vs + shown, n - shown};
}

void listing_context(http_ctx_t *c, json_t *ctx, tmpl_bind_t binds[LISTING_BINDS], const char *base,
                     const catalog_query_t *q, const catalog_page_t *page, int pageno,
                     bool collection)
{
    int64_t pages = (page->total + LISTING_PAGE_SIZE - 1) / LISTING_PAGE_SIZE;
    int64_t max_pages = CATALOG_MAX_OFFSET / LISTING_PAGE_SIZE + 1;
    if (pages > max_pages)
        pages = max_pages;
    results_t *r = http_alloc(c, sizeof(*r));
    r->cards = http_alloc(c, st_mult(page->n ? page->n : 1, sizeof(*r->cards)));
    r->n = page->n;
    for (size_t i = 0; i < page->n; i++) {
        const product_t *p = &page->items[i];
        card_t *cd = &r->cards[i];
        cd->p = p;
        cd->url = http_cat(c, "/products/", p->handle);
        cd->img_src = NULL;
        if (p->nimages > 0) { /* image_json's URL */
            const char *src = p->images[0].src, *pre = media_prefix(src);
            cd->img_src = pre[0] ? http_cat(c, pre, src) : src;
        }
    }
    r->total = page->total;
    r->page = pageno;
    r->pages = pages;
    r->prev_url = pageno > 1 ? page_url(c, base, pageno - 1) : NULL;
    r->next_url = pageno < pages ? page_url(c, base, pageno + 1) : NULL;
    binds[0] = (tmpl_bind_t){"results", &results_class, r};

    facets_t *fs = http_alloc(c, sizeof(*fs));
    memset(fs, 0, sizeof(*fs));
    facet_add(c, fs, "Brand", "vendor", page->vendors, page->nvendors, q->vendors, q->nvendors,
              page->total);
    facet_add(c, fs, "Type", "type", page->types, page->ntypes, q->types, q->ntypes, page->total);
    facet_add(c, fs, "Tag", "tag", page->tags, page->ntags, q->tags, q->ntags, page->total);
    fs->floor = page->price_floor;
    fs->ceiling = page->price_ceiling;
    const form_t *f;
    if (http_query(c, &f) == 0 && f) {
        const char *pmin = form_get(f, "price_min"), *pmax = form_get(f, "price_max");
        fs->min = pmin && pmin[0] ? pmin : NULL;
        fs->max = pmax && pmax[0] ? pmax : NULL;
    }
    fs->active = q->nvendors || q->ntypes || q->ntags || q->price_min >= 0 || q->price_max >= 0 ||
                 q->available_only;
    fs->available_only = q->available_only;
    fs->available_count = page->available_count;
    binds[1] = (tmpl_bind_t){"facets", &facets_class, fs};
    json_t *sl = json_array();
    for (size_t i = 0; i < ARRAY_LEN(sorts); i++) {
        if (sorts[i].sort == SORT_RELEVANCE && !(q->q && q->q[0]))
            continue;
        if (sorts[i].sort == SORT_MANUAL && !collection)
            continue;
        json_t *one = json_object();
        web_put_str(one, "value", sorts[i].value);
        web_put_str(one, "label", sorts[i].label);
        web_put_bool(one, "selected", sorts[i].sort == q->sort);
        json_array_append_new(sl, one);
    }
    json_object_set_new(ctx, "sorts", sl);
    json_object_set_new(ctx, "form_action", json_string(base));
    json_object_set_new(ctx, "query", json_string(q->q ? q->q : ""));
}

json_t *listing_nav(http_ctx_t *c, const char *current_handle)
{
    arena_t a = ARENA_INIT;
    collection_link_t *ls;
    size_t n;
    json_t *nav = json_array();
    if (catalog_collection_links(http_db(c), &a, 0, &ls, &n) == 0)
        for (size_t i = 0; i < n; i++) {
            json_t *link = json_object();
            web_put_str(link, "title", ls[i].title);
            web_put_cat(link, "url", "/collections/", ls[i].handle);
            web_put_bool(link, "current",
                         current_handle && strcmp(current_handle, ls[i].handle) == 0);
            json_array_append_new(nav, link);
        }
    arena_free(&a);
    return nav;
}
