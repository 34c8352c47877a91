/* sqlite_rank.h - souk_rank(), an FTS5 ranking function for SQLite.
 *
 *   souk_rank(fts_table, query, w1, ..., wN)
 *
 * Okapi BM25 over a row's phrase hits, each hit weighted by its column's w,
 * without document-length normalisation (b = 0), as PostgreSQL's
 * ts_rank_cd ranks by default; lower is better, as with FTS5's bm25(). query
 * must be the text of the MATCH: when it is quoted phrases joined by AND (as
 * souk writes it), each phrase's document frequency is kept per connection
 * under its text until the database changes, and shared by every query that
 * holds the phrase; other syntax is counted per statement. bm25() counts
 * them again for every statement, reading each phrase's whole postings
 * list, and looks up every matched row's length: together most of a
 * search's ranking cost. */
#ifndef SOUK_DB_SQLITE_RANK_H
#define SOUK_DB_SQLITE_RANK_H

#include <math.h>
#include <sqlite3.h>
#include <stdint.h>

/* BM25's term-frequency saturation. */
#define SQLITE_RANK_K1 1.2

/* What souk_rank computes, for a ranking made outside SQLite from the same
 * counts (catalog_mirror_text.c): a row's rank is minus the sum, over the
 * query's phrases in order, of sqlite_rank_part(the phrase's idf, its
 * weighted hits in the row). Inline so that both give the same double. */

/* BM25's idf of a phrase found in nhit of nrow rows, kept positive so that
 * a word in most rows still counts for a little (as FTS5's bm25 does). */
static inline double sqlite_rank_idf(int64_t nrow, int64_t nhit)
{
    double idf = log((double)(nrow - nhit) + 0.5) - log((double)nhit + 0.5);
    return idf > 1e-6 ? idf : 1e-6;
}

static inline double sqlite_rank_part(double idf, double hits)
{
    return idf * hits * (SQLITE_RANK_K1 + 1) / (hits + SQLITE_RANK_K1);
}

/* Register on conn souk_rank and two helpers for a ranking made outside:
 *
 *   souk_hits(fts_table, w1, ..., wN)  the row's hits of the query's
 *       phrases, each weighted by its column's w (souk_rank's "hits")
 *   souk_rows(fts_table)               the rows in the table (its "nrow")
 *
 * 0, or an SQLite error code (FTS5 missing). */
int sqlite_rank_register(sqlite3 *conn);

#endif
