-- 0002: the catalog: products, their options and variants, tags, images,
-- nested collections with a manual order, and the full-text index.
-- Money columns are integers in the store currency's minor unit.
CREATE TABLE products (
    id               BIGSERIAL PRIMARY KEY,
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
    price_min        BIGINT NOT NULL DEFAULT 0,
    price_max        BIGINT NOT NULL DEFAULT 0,
    available        BOOLEAN NOT NULL DEFAULT false,
    -- Weighted: title A, tags and SKUs B, vendor C, description D.
    search           TSVECTOR NOT NULL DEFAULT ''::tsvector,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX products_status_created ON products (status, created_at);
CREATE INDEX products_status_price ON products (status, price_min);
CREATE INDEX products_status_title ON products (status, title);
CREATE INDEX products_vendor ON products (vendor);
CREATE INDEX products_type ON products (product_type);
CREATE INDEX products_search ON products USING GIN (search);

CREATE TABLE product_tags (
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (product_id, tag)
);
CREATE INDEX product_tags_tag ON product_tags (tag, product_id);

CREATE TABLE variants (
    id                 BIGSERIAL PRIMARY KEY,
    public_id          TEXT NOT NULL UNIQUE,
    product_id         BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    sku                TEXT UNIQUE,
    option1            TEXT,
    option2            TEXT,
    option3            TEXT,
    price              BIGINT NOT NULL CHECK (price >= 0),
    compare_at_price   BIGINT CHECK (compare_at_price >= 0),
    cost               BIGINT CHECK (cost >= 0),
    weight_grams       BIGINT NOT NULL DEFAULT 0 CHECK (weight_grams >= 0),
    weight_unit        TEXT NOT NULL DEFAULT 'kg' CHECK (weight_unit IN ('g', 'kg', 'lb', 'oz')),
    barcode            TEXT,
    requires_shipping  BOOLEAN NOT NULL DEFAULT true,
    taxable            BOOLEAN NOT NULL DEFAULT true,
    inventory_quantity BIGINT NOT NULL DEFAULT 0,
    inventory_policy   TEXT NOT NULL DEFAULT 'deny'
                       CHECK (inventory_policy IN ('deny', 'continue')),
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (inventory_policy = 'continue' OR inventory_quantity >= 0)
);
CREATE INDEX variants_product ON variants (product_id, position);

CREATE TABLE collections (
    id              BIGSERIAL PRIMARY KEY,
    public_id       TEXT NOT NULL UNIQUE,
    handle          TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    body_html       TEXT NOT NULL DEFAULT '',
    parent_id       BIGINT REFERENCES collections (id) ON DELETE SET NULL,
    position        INTEGER NOT NULL DEFAULT 0,
    featured        BOOLEAN NOT NULL DEFAULT false,
    published       BOOLEAN NOT NULL DEFAULT true,
    seo_title       TEXT NOT NULL DEFAULT '',
    seo_description TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX collections_parent ON collections (parent_id, position);

CREATE TABLE collection_products (
    collection_id BIGINT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    product_id    BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    PRIMARY KEY (collection_id, product_id)
);
CREATE INDEX collection_products_order ON collection_products (collection_id, position);
CREATE INDEX collection_products_product ON collection_products (product_id);

CREATE TABLE images (
    id         BIGSERIAL PRIMARY KEY,
    public_id  TEXT NOT NULL UNIQUE,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    variant_id BIGINT REFERENCES variants (id) ON DELETE SET NULL,
    position   INTEGER NOT NULL,
    src        TEXT NOT NULL,
    alt        TEXT NOT NULL DEFAULT '',
    width      INTEGER,
    height     INTEGER,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX images_product ON images (product_id, position);
