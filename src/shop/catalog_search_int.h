/* catalog_search_int.h - what catalog_search.c (listing, search, facets) and
 * catalog_index.c (the search index) share: the one tokenizer that cuts both
 * a shopper's query and, on PostgreSQL, the indexed text, so that both sides
 * of a match are cut the same way; and catalog_page.c's reading of a page's
 * products. Not for other modules: they use catalog.h.
 *
 * A token is a run of letters and digits (ASCII; beyond ASCII every code
 * point but known punctuation, symbols, spaces, combining marks and emoji).
 * Tokens joined by a single '-', '_', '.', '/' or '\'' ("ABC-123", "t-shirt",
 * "men's") form a group, searched as a phrase; everything else separates. */
#ifndef SOUK_SHOP_CATALOG_SEARCH_INT_H
#define SOUK_SHOP_CATALOG_SEARCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"
#include "shop/catalog.h"

/* Tokens of a query past this many are ignored (each one narrows the match:
 * the first 32 already name what the shopper wants). */
#define SEARCH_MAX_TERMS 32
/* SQLite: the weight of a hit in each column of products_fts (title, body,
 * vendor, tags, SKUs), for souk_rank and souk_hits (sqlite_rank.h). A
 * description needs 10 mentions of a word to weigh what one in the title
 * does. Small integers, so that a row's weighted hits are exact in a float
 * (catalog_mirror_text.c keeps them so). */
#define SEARCH_RANK_WEIGHTS "10.0, 1.0, 3.0, 6.0, 8.0"

/* Description text indexed per product, in code points (the rest is cut). */
#define SEARCH_MAX_BODY_CHARS 65536

/* A shopper's query as each backend receives it: bound parameters, never
 * SQL, and built only from tokens, so no operator of either query language
 * can come from the shopper. */
typedef struct {
    size_t ngroups; /* 0: the query had no token, so no text filter */
    /* SQLite FTS5: every group a quoted string ("" doubled), ANDed, the last
     * one a prefix unless its last token is one character: "linen" AND "abc 12"* */
    const char *fts;
    /* ...and each of its groups alone, as FTS5 phrase text: "abc 12"* */
    const char *phrase[SEARCH_MAX_TERMS];
    /* PostgreSQL to_tsquery() input, tokens folded as in search_text_fold():
     * every group but the last, quoted ('' doubled) and ANDed ("" if none)... */
    const char *ts_head;
    /* ...and the last group, a prefix as for fts: 'abc 12':* */
    const char *ts_last;
} search_text_t;

/* Cut q into groups of tokens. q NULL or "" gives ngroups 0. SOUK_ELIMIT past
 * CATALOG_MAX_QUERY bytes, SOUK_EINVAL if q is not valid UTF-8. Strings in a. */
int search_text_parse(arena_t *a, const char *q, search_text_t *out);

/* Append the tokens of s[0..len), separated by one space, to out (a space
 * first if out is not empty): ASCII lowercased and Latin-1/Latin Extended-A
 * letters folded to ASCII ("Crème Brûlée" -> "creme brulee"), as PostgreSQL,
 * which has no unaccent here, must see both the indexed text and the query.
 * Invalid UTF-8 bytes count as separators. */
void search_text_fold(buf_t *out, const char *s, size_t len);

/* ids[0..n) as one list parameter, appended to b: [1,2] for json_each() on
 * SQLite, {1,2} for ::bigint[] on PostgreSQL (pg). catalog_page.c. */
void catalog_ids_param(buf_t *b, bool pg, const int64_t *ids, size_t n);

/* The summaries (catalog.h's listing fields, with the first image and the
 * sale) of ids[0..n), in that order, into out->items and out->n; a product
 * deleted meanwhile leaves no hole. pg: the connection is PostgreSQL's.
 * cards: only catalog_query_t.cards_only's fields. catalog_page.c. */
int catalog_page_summaries(db_t *db, arena_t *a, bool pg, bool cards, const int64_t *ids, size_t n,
                           catalog_page_t *out);

#endif
