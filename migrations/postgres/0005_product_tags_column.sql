-- 0005: a product's tags on its own row.
--
-- A listing's facets and a search's matches read every matching product's
-- tags; from product_tags that is a second lookup per product. products.tags
-- holds the same tags joined by U+001F, a character a tag cannot hold
-- (catalog.c refuses control characters), in no particular order. A trigger
-- keeps it, so that whatever writes product_tags cannot leave the two apart.
-- product_tags stays: a tag filter reads its index.
ALTER TABLE products ADD COLUMN tags text NOT NULL DEFAULT '';
UPDATE products p SET tags = t.tags FROM
    (SELECT product_id, string_agg(tag, chr(31)) AS tags FROM product_tags
     GROUP BY product_id) t
    WHERE t.product_id = p.id;

CREATE OR REPLACE FUNCTION souk_product_tags_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- Unless the row has it already: catalog_repo.c writes it with its tags.
        UPDATE products SET tags = CASE WHEN tags = '' THEN NEW.tag
                                        ELSE tags || chr(31) || NEW.tag END
            WHERE id = NEW.product_id
              AND strpos(chr(31) || tags || chr(31), chr(31) || NEW.tag || chr(31)) = 0;
        RETURN NULL;
    END IF;
    UPDATE products p SET tags = coalesce((SELECT string_agg(tag, chr(31)) FROM product_tags t
        WHERE t.product_id = p.id), '')
        WHERE p.id = OLD.product_id OR (TG_OP = 'UPDATE' AND p.id = NEW.product_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER product_tags_row AFTER INSERT OR UPDATE OR DELETE ON product_tags
    FOR EACH ROW EXECUTE FUNCTION souk_product_tags_row();
