-- 0003: tell every souk instance when the catalog changes, so each can drop
-- the anonymous pages it keeps in memory (src/http/pagecache.h). One
-- notification per statement, not per row, and PostgreSQL folds identical
-- notifications of one transaction into one, delivered at commit: a bulk
-- import costs a handful of them. Instances listen with db_watch().
CREATE OR REPLACE FUNCTION souk_catalog_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('souk_catalog', '');
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER products_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON products FOR EACH STATEMENT EXECUTE FUNCTION souk_catalog_changed();
CREATE OR REPLACE TRIGGER product_tags_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON product_tags FOR EACH STATEMENT EXECUTE FUNCTION souk_catalog_changed();
CREATE OR REPLACE TRIGGER variants_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON variants FOR EACH STATEMENT EXECUTE FUNCTION souk_catalog_changed();
CREATE OR REPLACE TRIGGER images_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON images FOR EACH STATEMENT EXECUTE FUNCTION souk_catalog_changed();
CREATE OR REPLACE TRIGGER collections_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON collections FOR EACH STATEMENT EXECUTE FUNCTION souk_catalog_changed();
CREATE OR REPLACE TRIGGER collection_products_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON collection_products FOR EACH STATEMENT EXECUTE FUNCTION souk_catalog_changed();
CREATE OR REPLACE TRIGGER settings_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON settings FOR EACH STATEMENT EXECUTE FUNCTION souk_catalog_changed();
