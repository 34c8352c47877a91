/* shop.h - the domain's long-lived parts for a running store: made once by
 * `souk serve` before the server starts, shared by every handler through
 * http_app(), and stopped after the server has returned. Today that is the
 * catalog mirror; what later areas need for the life of the process joins it
 * here, each part with its own documented sharing. */
#ifndef SOUK_SHOP_SHOP_H
#define SOUK_SHOP_SHOP_H

#include "core/config.h"
#include "shop/catalog_mirror.h"

typedef struct {
    catalog_mirror_t *mirror; /* NULL: off (server.catalog_mirror), or PostgreSQL */
} shop_t;

/* The mirror of shop, which may be NULL (a server started without one). */
static inline catalog_mirror_t *shop_mirror(const shop_t *shop)
{
    return shop ? shop->mirror : NULL;
}

/* Start what cfg asks for. Never fails: a part that cannot work logs and
 * leaves its readers on the database. */
void shop_start(shop_t *shop, const config_t *cfg);
void shop_stop(shop_t *shop);

#endif
