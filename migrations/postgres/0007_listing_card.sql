-- 0007: what a listing card shows beyond the product row, kept on the row.
--
-- A listing or search page shows each product's first image (lowest
-- position, then id) and, when a variant is on sale, the lowest compare-at
-- price above its variant's price, with that price (then position, then id).
-- Read per page through subqueries, they were most of the statement's cost:
-- about 40% of a 24-product page's instructions on SQLite went to finding
-- them (an index probe and a row for the image, every variant's row for the
-- sale). The catalog repository (catalog_repo.c) writes them with the
-- product row, computed from the images and variants it saves in the same
-- transaction; this fills them for what is stored already.
ALTER TABLE products ADD COLUMN first_image_public_id TEXT;
ALTER TABLE products ADD COLUMN first_image_src TEXT;
ALTER TABLE products ADD COLUMN first_image_alt TEXT;
ALTER TABLE products ADD COLUMN first_image_width INTEGER;
ALTER TABLE products ADD COLUMN first_image_height INTEGER;
ALTER TABLE products ADD COLUMN first_image_position INTEGER;
ALTER TABLE products ADD COLUMN sale_compare_at_price BIGINT;
ALTER TABLE products ADD COLUMN sale_price BIGINT;
UPDATE products SET
    (first_image_public_id, first_image_src, first_image_alt, first_image_width,
     first_image_height, first_image_position) =
        (SELECT i.public_id, i.src, i.alt, i.width, i.height, i.position FROM images i
         WHERE i.product_id = products.id ORDER BY i.position, i.id LIMIT 1),
    (sale_compare_at_price, sale_price) =
        (SELECT v.compare_at_price, v.price FROM variants v
         WHERE v.product_id = products.id AND v.compare_at_price > v.price
         ORDER BY v.compare_at_price, v.position, v.id LIMIT 1)
WHERE EXISTS (SELECT 1 FROM images i WHERE i.product_id = products.id)
   OR EXISTS (SELECT 1 FROM variants v WHERE v.product_id = products.id
              AND v.compare_at_price > v.price);
