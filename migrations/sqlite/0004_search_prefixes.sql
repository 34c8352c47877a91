-- 0004: search and listing speed.
--
-- Prefix indexes for the full-text table. The last word of a search is
-- matched as a prefix ("shirt"*); without an index of that length FTS5 merges
-- the postings of every term that starts with it across the whole catalog,
-- however few matches the search keeps (about 5 ms for "shirt"*, 50 ms for
-- "sku"* at a million products). Lengths 2 to 6 cover most words a shopper
-- ends a search with; a longer last word still works, unindexed. The index
-- grows about 3.4 times (85 to 290 MB at a million products).
--
-- FTS5 options cannot be altered, so the table is rebuilt with the same
-- columns and tokenizer, and its rows are copied: their text is what
-- catalog_index.c wrote (description as text, tags and SKUs joined), which
-- the copy keeps exactly. 'optimize' then merges the copy into one segment.
ALTER TABLE products_fts RENAME TO products_fts_old;
CREATE VIRTUAL TABLE products_fts USING fts5 (
    title, body, vendor, tags, skus,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3 4 5 6'
);
INSERT INTO products_fts (rowid, title, body, vendor, tags, skus)
    SELECT rowid, title, body, vendor, tags, skus FROM products_fts_old;
DROP TABLE products_fts_old;
INSERT INTO products_fts (products_fts) VALUES ('optimize');

-- Name order of the whole catalog (sort title-asc/-desc with no search or
-- collection) read from an index instead of sorting every product.
CREATE INDEX products_status_ltitle ON products (status, lower(title));
