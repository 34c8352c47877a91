-- 0004: search and listing speed.
--
-- The SQLite migration of this number adds prefix indexes to its full-text
-- table; PostgreSQL's GIN index already serves prefix queries (':*').
--
-- Name order of the whole catalog (sort title-asc/-desc with no search or
-- collection) read from an index instead of sorting every product: the
-- expression and collation are those catalog_search.c orders by.
CREATE INDEX products_status_ltitle ON products (status, (lower(title) COLLATE "C"));
