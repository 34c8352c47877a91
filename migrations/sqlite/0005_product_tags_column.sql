-- 0005: a product's tags on its own row.
--
-- A listing's facets and a search's matches read every matching product's
-- tags; from product_tags that is a second lookup per product, about half of
-- a 500-product collection page's database time. products.tags holds the
-- same tags joined by U+001F, a character a tag cannot hold (catalog.c
-- refuses control characters), in no particular order. Triggers keep it, so
-- that whatever writes product_tags (the catalog, an import, a script of the
-- merchant's) cannot leave the two apart. product_tags stays: a tag filter
-- reads its index.
ALTER TABLE products ADD COLUMN tags TEXT NOT NULL DEFAULT '';
UPDATE products SET tags = coalesce((SELECT group_concat(tag, char(31)) FROM product_tags t
    WHERE t.product_id = products.id), '');

-- A new tag is appended unless the row has it already (catalog_repo.c writes
-- the row with its tags, so an import does not rewrite each product once per
-- tag); a removed one makes the list again from what is left.
CREATE TRIGGER product_tags_row_insert AFTER INSERT ON product_tags BEGIN
    UPDATE products SET tags = CASE WHEN tags = '' THEN NEW.tag
                                    ELSE tags || char(31) || NEW.tag END
        WHERE id = NEW.product_id
          AND instr(char(31) || tags || char(31), char(31) || NEW.tag || char(31)) = 0;
END;
CREATE TRIGGER product_tags_row_delete AFTER DELETE ON product_tags BEGIN
    UPDATE products SET tags = coalesce((SELECT group_concat(tag, char(31)) FROM product_tags t
        WHERE t.product_id = OLD.product_id), '')
        WHERE id = OLD.product_id;
END;
CREATE TRIGGER product_tags_row_update AFTER UPDATE ON product_tags BEGIN
    UPDATE products SET tags = coalesce((SELECT group_concat(tag, char(31)) FROM product_tags t
        WHERE t.product_id = products.id), '')
        WHERE id IN (OLD.product_id, NEW.product_id);
END;
