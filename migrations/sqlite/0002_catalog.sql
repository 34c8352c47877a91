-- 0002: the catalog: products, their options and variants, tags, images,
-- nested collections with a manual order, and the full-text index.
-- Money columns are integers in the store currency's minor unit.
-- Times are UTC ISO 8601 text.
CREATE TABLE products (
    id               INTEGER PRIMARY KEY,
    public_id        TEXT NOT NULL UNIQUE,
    handle           TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    body_html        TEXT NOT NULL DEFAULT '',
    vendor           TEXT NOT NULL DEFAULT '',
    product_type     TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'draft'
                     CHECK (status IN ('draft', 'active', 'archived')),
    seo_title        TEXT NOT NULL DEFAULT '',
    seo_description  TEXT NOT NULL DEFAULT '',
    option1_name     TEXT,
    option2_name     TEXT,
    option3_name     TEXT,
    -- Kept by the repository from the variants, for listing, sorting and filtering.
    price_min        INTEGER NOT NULL DEFAULT 0,
    price_max        INTEGER NOT NULL DEFAULT 0,
    available        INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX products_status_created ON products (status, created_at);
CREATE INDEX products_status_price ON products (status, price_min);
CREATE INDEX products_status_title ON products (status, title);
CREATE INDEX products_vendor ON products (vendor);
CREATE INDEX products_type ON products (product_type);

CREATE TABLE product_tags (
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (product_id, tag)
);
CREATE INDEX product_tags_tag ON product_tags (tag, product_id);

CREATE TABLE variants (
    id                 INTEGER PRIMARY KEY,
    public_id          TEXT NOT NULL UNIQUE,
    product_id         INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    sku                TEXT UNIQUE,
    option1            TEXT,
    option2            TEXT,
    option3            TEXT,
    price              INTEGER NOT NULL CHECK (price >= 0),
    compare_at_price   INTEGER CHECK (compare_at_price >= 0),
    cost               INTEGER CHECK (cost >= 0),
    weight_grams       INTEGER NOT NULL DEFAULT 0 CHECK (weight_grams >= 0),
    weight_unit        TEXT NOT NULL DEFAULT 'kg' CHECK (weight_unit IN ('g', 'kg', 'lb', 'oz')),
    barcode            TEXT,
    requires_shipping  INTEGER NOT NULL DEFAULT 1,
    taxable            INTEGER NOT NULL DEFAULT 1,
    inventory_quantity INTEGER NOT NULL DEFAULT 0,
    inventory_policy   TEXT NOT NULL DEFAULT 'deny'
                       CHECK (inventory_policy IN ('deny', 'continue')),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    -- Inventory never goes negative unless the variant sells on backorder.
    CHECK (inventory_policy = 'continue' OR inventory_quantity >= 0)
);
CREATE INDEX variants_product ON variants (product_id, position);

CREATE TABLE collections (
    id              INTEGER PRIMARY KEY,
    public_id       TEXT NOT NULL UNIQUE,
    handle          TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    body_html       TEXT NOT NULL DEFAULT '',
    parent_id       INTEGER REFERENCES collections (id) ON DELETE SET NULL,
    position        INTEGER NOT NULL DEFAULT 0,
    featured        INTEGER NOT NULL DEFAULT 0,
    published       INTEGER NOT NULL DEFAULT 1,
    seo_title       TEXT NOT NULL DEFAULT '',
    seo_description TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX collections_parent ON collections (parent_id, position);

CREATE TABLE collection_products (
    collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    product_id    INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    PRIMARY KEY (collection_id, product_id)
);
CREATE INDEX collection_products_order ON collection_products (collection_id, position);
CREATE INDEX collection_products_product ON collection_products (product_id);

CREATE TABLE images (
    id         INTEGER PRIMARY KEY,
    public_id  TEXT NOT NULL UNIQUE,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    variant_id INTEGER REFERENCES variants (id) ON DELETE SET NULL,
    position   INTEGER NOT NULL,
    src        TEXT NOT NULL,
    alt        TEXT NOT NULL DEFAULT '',
    width      INTEGER,
    height     INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX images_product ON images (product_id, position);

-- Full text over title, description text, vendor, tags and SKUs; rowid is the
-- product id. Kept by the repository in the same transaction as the product.
CREATE VIRTUAL TABLE products_fts USING fts5 (
    title, body, vendor, tags, skus,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
