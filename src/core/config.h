/* config.h - souk's effective configuration.
 *
 * Four sources, in increasing order of precedence: built-in defaults,
 * environment variables (conventional names such as DATABASE_URL and DB_HOST
 * where they exist, SOUK_* otherwise), an optional INI file (--config FILE or
 * SOUK_CONFIG), and command-line flags. Every value is validated when it is set;
 * the first invalid one is reported with its source and name. */
#ifndef SOUK_CORE_CONFIG_H
#define SOUK_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef struct {
    /* [server] */
    char listen_host[256];
    int listen_port;
    int threads;    /* event-loop threads; 0 at load means the core count */
    int db_threads; /* database worker threads; 0 at load means 2 x threads, min 4 */
    int db_queue_max;
    uint64_t max_body;
    int max_headers;
    int max_header_bytes;
    int max_form_fields;
    int max_field_bytes;
    int max_json_depth;
    int shutdown_timeout_s;
    bool access_log;
    bool test_routes;
    char *static_dir;
    char *templates_dir;
    uint64_t page_cache_bytes;
    int page_cache_ttl_s;
    bool catalog_mirror;
    /* [store] */
    char *env; /* production | development | test */
    char *data_dir;
    char *log_level;
    char *secret_key;
    char *store_name;
    char *currency;
    char *base_url;
    char *admin_token;
    /* [database] */
    char *database_url; /* DATABASE_URL; empty when the DB_* parts are used */
    char *db_host;
    char *db_port;
    char *db_name;
    char *db_user;
    char *db_password;
    char *db_sslmode;
    int db_busy_timeout_ms;
    /* Where each option's value came from ("default", "env", "file", "flag"),
     * indexed like the option table in config.c. */
    const char *source[48];
    /* Where the INI file came from, if any. */
    char *config_file;
} config_t;

/* Fill cfg with defaults and the environment, then the INI file (if named in
 * SOUK_CONFIG or by config_file_flag), leaving flags to config_set_flag().
 * 0 on success; SOUK_ECONFIG with a message in err on the first bad value.
 * cfg owns its strings: release with config_free(). */
int config_load(config_t *cfg, const char *config_file_flag, char *err, size_t errcap);

/* Apply one command-line flag by its option key ("server.listen", "store.data_dir",
 * "server.threads"); the same validation as the other sources. */
int config_set(config_t *cfg, const char *key, const char *value, const char *source, char *err,
               size_t errcap);

/* Cross-field checks once every source is applied (e.g. test routes refused in
 * production, DB_* parts complete). Fills derived defaults (threads, db_threads). */
int config_finish(config_t *cfg, char *err, size_t errcap);

/* The PostgreSQL connection string, or NULL when SQLite is configured.
 * Returned string is owned by the caller. Built from DATABASE_URL or DB_*. */
char *config_pg_conninfo(const config_t *cfg);
/* Path of the SQLite database file under data_dir (caller frees). */
char *config_sqlite_path(const config_t *cfg);

/* Print "key = value  (source)" lines for every option, secrets masked. */
void config_dump(const config_t *cfg, buf_t *out);

void config_free(config_t *cfg);

#endif
