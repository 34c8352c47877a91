/* shop.c - starting and stopping the domain's long-lived parts (shop.h). */
#include "shop/shop.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

void shop_start(shop_t *shop, const config_t *cfg)
{
    memset(shop, 0, sizeof(*shop));
    char *pg = config_pg_conninfo(cfg), *path = config_sqlite_path(cfg);
    if (cfg->catalog_mirror && pg == NULL) {
        db_config_t dbc = {
            .sqlite_path = path,
            .busy_timeout_ms = cfg->db_busy_timeout_ms,
        };
        shop->mirror = catalog_mirror_start(&dbc);
    }
    free(pg);
    free(path);
}

void shop_stop(shop_t *shop)
{
    if (shop->mirror) {
        catalog_mirror_stats_t st;
        catalog_mirror_stats(shop->mirror, &st);
        log_info("catalog mirror: %" PRIu64 " snapshots (last: %zu products, %" PRId64
                 " ms), %" PRIu64 " failed; %" PRIu64 " searches answered from it, %" PRIu64
                 " found it behind",
                 st.builds, st.products, st.build_us / 1000, st.failures, st.used, st.stale);
    }
    catalog_mirror_stop(shop->mirror);
    shop->mirror = NULL;
}
