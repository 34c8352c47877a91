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

#include <sqlite3.h>

/* Register souk_rank on conn: 0, or an SQLite error code (FTS5 missing). */
int sqlite_rank_register(sqlite3 *conn);

#endif
