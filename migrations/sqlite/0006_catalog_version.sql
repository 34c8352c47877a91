-- 0006: a number that moves with every change a listing reads.
--
-- The server keeps the fields a listing filters, sorts and counts by in
-- memory (src/shop/catalog_mirror.h). A search answers from that copy only
-- when the copy was made at the catalog's current version, read in one
-- point lookup; PRAGMA data_version cannot serve, as it is per connection
-- and moves with every table, carts and sessions included. Triggers keep the
-- number, so a write from anywhere (the server, `souk import`, a merchant's
-- own SQL) moves it.
--
-- Only the tables the mirror reads: products (whose row also carries the
-- tags, the lowest price and the availability that product_tags and variants
-- feed, through migration 0005's triggers and the catalog's writes),
-- collections and collection_products. Each bump is a write inside the
-- writing statement: on every catalog table it made an import 25% slower.
CREATE TABLE catalog_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    v  INTEGER NOT NULL
);
INSERT INTO catalog_version (id, v) VALUES (1, 1);

CREATE TRIGGER products_version_i AFTER INSERT ON products BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER products_version_u AFTER UPDATE ON products BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER products_version_d AFTER DELETE ON products BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER collections_version_i AFTER INSERT ON collections BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER collections_version_u AFTER UPDATE ON collections BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER collections_version_d AFTER DELETE ON collections BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER collection_products_version_i AFTER INSERT ON collection_products BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER collection_products_version_u AFTER UPDATE ON collection_products BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER collection_products_version_d AFTER DELETE ON collection_products BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
