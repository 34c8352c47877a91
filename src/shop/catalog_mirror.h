/* catalog_mirror.h - what a listing filters, sorts and counts by, for every
 * product, kept in memory, so that a collection page or a search with
 * facets reads from the database only the products of the page it shows.
 *
 * Per product: id, status, vendor, type, lowest price, availability, tags,
 * and its place in each sort order (newest, price, title); per collection,
 * its products in manual order. A snapshot of that is made by the mirror's
 * own thread, on its own connection, in one read transaction, and never
 * changes once published: searches on any thread share it by reference.
 *
 * A search uses a snapshot only when it was made at the catalog version the
 * search reads (migration 0006), so it never answers from an older catalog
 * than the database's; otherwise it reads the database as it would without
 * a mirror, and wakes the thread to make a new snapshot. A snapshot also
 * keeps the full-text postings of the phrases searched at its version, so
 * that a text made of words searched before is matched and ranked in memory
 * (catalog_mirror_int.h, mirror_text_matches). The thread spends
 * at most about a fifth of its time making snapshots, however often the
 * catalog changes.
 *
 * SQLite stores only: on PostgreSQL a listing's facets are one statement
 * counted on the database server (catalog_search.c). */
#ifndef SOUK_SHOP_CATALOG_MIRROR_H
#define SOUK_SHOP_CATALOG_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

typedef struct catalog_mirror catalog_mirror_t;

/* Start mirroring dbc's database (borrowed for the call); the first snapshot
 * is made in the background. NULL for a PostgreSQL configuration. Owned by
 * the caller: catalog_mirror_stop() ends the thread and frees it. */
catalog_mirror_t *catalog_mirror_start(const db_config_t *dbc);
void catalog_mirror_stop(catalog_mirror_t *m);

/* Wait until a snapshot of the catalog version db reads now is published:
 * 0, SOUK_EBUSY after timeout_ms, or the database's error. Tests and
 * warm-up. */
int catalog_mirror_wait(catalog_mirror_t *m, db_t *db, int timeout_ms);

typedef struct {
    uint64_t builds;   /* snapshots made */
    uint64_t failures; /* snapshots that could not be made (logged) */
    uint64_t used;     /* searches answered from a snapshot */
    uint64_t stale;    /* searches that found none at their version */
    int64_t version;   /* of the current snapshot; 0 before the first */
    size_t products;   /* in it */
    int64_t build_us;  /* the last snapshot's making, in microseconds */
    /* Phrases of text searches whose postings the current snapshot had
     * kept, or not; and the bytes it keeps. */
    uint64_t phrase_hits, phrase_misses;
    size_t phrase_bytes;
    /* Unfiltered listings answered with facets the snapshot had kept. */
    uint64_t facet_hits;
} catalog_mirror_stats_t;

void catalog_mirror_stats(catalog_mirror_t *m, catalog_mirror_stats_t *out);

#endif
