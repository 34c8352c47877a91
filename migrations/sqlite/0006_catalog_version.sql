-- 0006: a number that moves with every catalog change.
--
-- The server keeps the fields a listing filters, sorts and counts by in
-- memory (src/shop/catalog_mirror.h). A search answers from that copy only
-- when the copy was made at the catalog's current version, read in one
-- point lookup; PRAGMA data_version cannot serve, as it is per connection
-- and moves with every table, carts and sessions included. Triggers keep the
-- number, so a write from anywhere (the server, `souk import`, a merchant's
-- own SQL) moves it. The same tables as PostgreSQL's notify triggers (0003):
-- all that an anonymous page shows, more than the mirror reads.
-- A bump costs about 0.1 us inside the writing statement.
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
CREATE TRIGGER product_tags_version_i AFTER INSERT ON product_tags BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER product_tags_version_u AFTER UPDATE ON product_tags BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER product_tags_version_d AFTER DELETE ON product_tags BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER variants_version_i AFTER INSERT ON variants BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER variants_version_u AFTER UPDATE ON variants BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER variants_version_d AFTER DELETE ON variants BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER images_version_i AFTER INSERT ON images BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER images_version_u AFTER UPDATE ON images BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER images_version_d AFTER DELETE ON images BEGIN
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
CREATE TRIGGER settings_version_i AFTER INSERT ON settings BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER settings_version_u AFTER UPDATE ON settings BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
CREATE TRIGGER settings_version_d AFTER DELETE ON settings BEGIN
    UPDATE catalog_version SET v = v + 1 WHERE id = 1; END;
