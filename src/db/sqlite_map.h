/* sqlite_map.h - an SQLite VFS that gives every connection of this process to
 * one database file the same read-only memory map of it.
 *
 * SQLite's own unix VFS maps the file once per connection, so a server with
 * N connections holds N mappings of the same pages: the physical memory is
 * shared, but the process's resident set counts each page N times, which
 * makes RSS (what an operator's monitoring and an auto-scaler watch) N times
 * the database's hot size. This VFS forwards everything to the default VFS
 * except xFetch/xUnfetch on main database files, which it answers from one
 * mapping per file, kept until the last connection to it closes. SQLite has
 * no option for this, hence our own code. */
#ifndef SOUK_DB_SQLITE_MAP_H
#define SOUK_DB_SQLITE_MAP_H

#include <stddef.h>

/* The name to pass as sqlite3_open_v2's zVfs, registering the VFS on the
 * first call (thread-safe). NULL if it could not be registered; the caller
 * then uses the default VFS, which works, with a mapping per connection. */
const char *sqlite_map_vfs(void);

/* Bytes of address space reserved for each file's map: a database larger
 * than this is read with pread beyond it. */
#define SQLITE_MAP_MAX ((size_t)16 << 30)

/* For tests: the number of files mapped now. */
size_t sqlite_map_count(void);
/* For tests: reserve bytes (0: SQLITE_MAP_MAX) for the maps made from now on;
 * one too large to map exercises the fallback to per-connection maps. */
void sqlite_map_set_reserve(size_t bytes);

#endif
