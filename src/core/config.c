/* config.c - see config.h. One table describes every option: its key in the
 * INI file ("section.name"), its environment variable, its type and bounds,
 * and whether it is a secret; loading, validation and `souk config check` are
 * all driven from it. */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/money.h"
#include "core/parse.h"
#include "core/util.h"

typedef enum { OPT_STR, OPT_INT, OPT_BOOL, OPT_SIZE, OPT_LISTEN, OPT_ENUM } opt_type_t;

typedef struct {
    const char *key; /* "section.name" as in the INI file */
    const char *env; /* environment variable, or NULL */
    opt_type_t type;
    size_t off;
    int64_t min, max;    /* OPT_INT / OPT_SIZE bounds */
    const char *choices; /* OPT_ENUM: "a|b|c" */
    bool secret;
    const char *def;
    const char *help;
} opt_t;

#define O(f) offsetof(config_t, f)

static const opt_t opts[] = {
    {"server.listen", "SOUK_LISTEN", OPT_LISTEN, O(listen_host), 0, 0, NULL, false,
     "127.0.0.1:8080", "address and port to listen on"},
    {"server.threads", "SOUK_THREADS", OPT_INT, O(threads), 0, 256, NULL, false, "0",
     "event-loop threads (0: one per core)"},
    {"server.db_threads", "SOUK_DB_THREADS", OPT_INT, O(db_threads), 0, 256, NULL, false, "0",
     "database worker threads (0: one per event loop and at least 2 on SQLite, two per loop and "
     "at least 4 on PostgreSQL)"},
    {"server.db_queue_max", "SOUK_DB_QUEUE_MAX", OPT_INT, O(db_queue_max), 1, 1000000, NULL, false,
     "4096", "requests waiting for a database worker before 503"},
    {"server.max_body", "SOUK_MAX_BODY", OPT_SIZE, O(max_body), 1, 1 << 30, NULL, false, "1M",
     "largest request body accepted (413 past it)"},
    {"server.max_headers", "SOUK_MAX_HEADERS", OPT_INT, O(max_headers), 1, 90, NULL, false, "64",
     "most request header fields accepted (431 past it)"},
    {"server.max_header_bytes", "SOUK_MAX_HEADER_BYTES", OPT_INT, O(max_header_bytes), 256, 262144,
     NULL, false, "16384", "largest total size of request header fields (431 past it)"},
    {"server.max_form_fields", "SOUK_MAX_FORM_FIELDS", OPT_INT, O(max_form_fields), 1, 100000, NULL,
     false, "256", "most fields in a query string or form body (413 past it)"},
    {"server.max_field_bytes", "SOUK_MAX_FIELD_BYTES", OPT_INT, O(max_field_bytes), 16, 1 << 24,
     NULL, false, "65536", "longest form or query field value (413 past it)"},
    {"server.max_json_depth", "SOUK_MAX_JSON_DEPTH", OPT_INT, O(max_json_depth), 1, 512, NULL,
     false, "32", "deepest nesting accepted in a JSON body"},
    {"server.shutdown_timeout", "SOUK_SHUTDOWN_TIMEOUT", OPT_INT, O(shutdown_timeout_s), 1, 300,
     NULL, false, "10", "seconds to finish requests in flight on SIGTERM"},
    {"server.access_log", "SOUK_ACCESS_LOG", OPT_BOOL, O(access_log), 0, 0, NULL, false, "true",
     "one JSON line per request on stderr"},
    {"server.test_routes", "SOUK_TEST_ROUTES", OPT_BOOL, O(test_routes), 0, 0, NULL, false, "false",
     "test-only routes (refused in production)"},
    {"server.static_dir", "SOUK_STATIC_DIR", OPT_STR, O(static_dir), 0, 0, NULL, false, "./static",
     "directory of static assets"},
    {"server.templates_dir", "SOUK_TEMPLATES_DIR", OPT_STR, O(templates_dir), 0, 0, NULL, false,
     "./templates", "storefront templates (reloaded on change in development)"},
    {"server.page_cache", "SOUK_PAGE_CACHE", OPT_SIZE, O(page_cache_bytes), 0, 1LL << 34, NULL,
     false, "32M", "memory for anonymous pages answered without the database (0: off)"},
    {"server.page_cache_ttl", "SOUK_PAGE_CACHE_TTL", OPT_INT, O(page_cache_ttl_s), 1, 86400, NULL,
     false, "600", "seconds a cached page lives at most, even if nothing changes"},
    {"server.catalog_mirror", "SOUK_CATALOG_MIRROR", OPT_BOOL, O(catalog_mirror), 0, 0, NULL, false,
     "true", "keep what listings filter, sort and count by in memory (SQLite)"},
    {"store.name", "SOUK_STORE_NAME", OPT_STR, O(store_name), 0, 0, NULL, false, "souk",
     "the store's name, shown on every page"},
    {"store.currency", "SOUK_CURRENCY", OPT_STR, O(currency), 0, 0, NULL, false, "USD",
     "ISO 4217 code of the store's prices"},
    {"store.base_url", "SOUK_BASE_URL", OPT_STR, O(base_url), 0, 0, NULL, false, "",
     "public origin for canonical links, e.g. https://shop.example (empty: from Host)"},
    {"store.env", "SOUK_ENV", OPT_ENUM, O(env), 0, 0, "production|development|test", false,
     "production", "production, development or test"},
    {"store.data_dir", "SOUK_DATA_DIR", OPT_STR, O(data_dir), 0, 0, NULL, false, "./var",
     "SQLite database and local media"},
    {"store.log_level", "SOUK_LOG_LEVEL", OPT_ENUM, O(log_level), 0, 0, "debug|info|warn|error",
     false, "info", "least severe log level written"},
    {"store.secret_key", "SECRET_KEY", OPT_STR, O(secret_key), 32, 0, NULL, true, "",
     "secret for signed tokens (at least 32 characters)"},
    {"store.admin_token", "SOUK_ADMIN_TOKEN", OPT_STR, O(admin_token), 32, 0, NULL, true, "",
     "bootstrap token for the admin API (at least 32 characters; empty: admin API off)"},
    {"database.url", "DATABASE_URL", OPT_STR, O(database_url), 0, 0, NULL, true, "",
     "PostgreSQL URL; empty: SQLite in data_dir"},
    {"database.host", "DB_HOST", OPT_STR, O(db_host), 0, 0, NULL, false, "",
     "PostgreSQL host(s), comma-separated for failover"},
    {"database.port", "DB_PORT", OPT_STR, O(db_port), 0, 0, NULL, false, "", "PostgreSQL port(s)"},
    {"database.name", "DB_NAME", OPT_STR, O(db_name), 0, 0, NULL, false, "", "database name"},
    {"database.user", "DB_USER", OPT_STR, O(db_user), 0, 0, NULL, false, "", "database user"},
    {"database.password", "DB_PASSWORD", OPT_STR, O(db_password), 0, 0, NULL, true, "",
     "database password"},
    {"database.sslmode", "DB_SSLMODE", OPT_ENUM, O(db_sslmode), 0, 0,
     "|disable|allow|prefer|require|verify-ca|verify-full", false, "", "libpq sslmode"},
    {"database.busy_timeout_ms", "SOUK_DB_BUSY_TIMEOUT", OPT_INT, O(db_busy_timeout_ms), 1, 600000,
     NULL, false, "5000", "wait for a lock before giving up (ms)"},
};

_Static_assert(ARRAY_LEN(opts) <= ARRAY_LEN(((config_t *)0)->source), "source[] too small");

static int fail(char *err, size_t errcap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errcap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errcap, fmt, ap);
    va_end(ap);
    return SOUK_ECONFIG;
}

static const opt_t *find_opt(const char *key)
{
    for (size_t i = 0; i < ARRAY_LEN(opts); i++)
        if (strcmp(opts[i].key, key) == 0)
            return &opts[i];
    return NULL;
}

static bool enum_ok(const char *choices, const char *v)
{
    size_t vlen = strlen(v);
    const char *p = choices;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == vlen && strncmp(p, v, n) == 0)
            return true;
        if (bar == NULL)
            return false;
        p = bar + 1;
    }
}

static int set_opt(config_t *cfg, const opt_t *o, const char *v, const char *source, char *err,
                   size_t errcap)
{
    char *field = (char *)cfg + o->off;
    const char *who = source;
    switch (o->type) {
    case OPT_STR: {
        if (o->min > 0 && v[0] != '\0' && strlen(v) < (size_t)o->min)
            return fail(err, errcap, "invalid %s (%s): must be at least %lld characters", o->key,
                        who, (long long)o->min);
        for (const char *c = v; *c; c++)
            if ((unsigned char)*c < 0x20)
                return fail(err, errcap, "invalid %s (%s): control character in value", o->key,
                            who);
        char **s = (char **)field;
        free(*s);
        *s = xstrdup(v);
        break;
    }
    case OPT_ENUM: {
        if (!enum_ok(o->choices, v))
            return fail(err, errcap, "invalid %s (%s): '%s' is not one of %s", o->key, who, v,
                        o->choices[0] == '|' ? o->choices + 1 : o->choices);
        char **s = (char **)field;
        free(*s);
        *s = xstrdup(v);
        break;
    }
    case OPT_INT: {
        int64_t n;
        if (parse_i64(v, o->min, o->max, &n) != 0)
            return fail(err, errcap,
                        "invalid %s (%s): '%s' is not a whole number from %lld to %lld", o->key,
                        who, v, (long long)o->min, (long long)o->max);
        *(int *)field = (int)n;
        break;
    }
    case OPT_SIZE: {
        uint64_t n;
        if (parse_size(v, (uint64_t)o->max, &n) != 0 || n < (uint64_t)o->min)
            return fail(err, errcap,
                        "invalid %s (%s): '%s' is not a size from %lld to %lld bytes (K, M, G "
                        "suffixes allowed)",
                        o->key, who, v, (long long)o->min, (long long)o->max);
        *(uint64_t *)field = n;
        break;
    }
    case OPT_BOOL: {
        bool b;
        if (parse_bool(v, &b) != 0)
            return fail(err, errcap, "invalid %s (%s): '%s' is not true or false", o->key, who, v);
        *(bool *)field = b;
        break;
    }
    case OPT_LISTEN: {
        char host[256];
        int port;
        if (parse_listen(v, host, sizeof(host), &port) != 0)
            return fail(err, errcap, "invalid %s (%s): '%s' is not HOST:PORT", o->key, who, v);
        memcpy(cfg->listen_host, host, sizeof(host));
        cfg->listen_port = port;
        break;
    }
    }
    cfg->source[o - opts] = source;
    return 0;
}

int config_set(config_t *cfg, const char *key, const char *value, const char *source, char *err,
               size_t errcap)
{
    const opt_t *o = find_opt(key);
    if (o == NULL)
        return fail(err, errcap, "unknown option '%s' (%s)", key, source);
    return set_opt(cfg, o, value, source, err, errcap);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* The INI file: "[section]" lines, "name = value" lines, '#' or ';' comments.
 * Values may be wrapped in double quotes. An unknown key is an error, so that a
 * typo never passes silently. */
static int load_ini(config_t *cfg, const char *path, char *err, size_t errcap)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return fail(err, errcap, "cannot read config file %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return fail(err, errcap, "cannot read config file %s: not a regular file", path);
    }
    char line[4096], section[64] = "", key[160];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            rc = fail(err, errcap, "%s:%d: line too long", path, lineno);
            break;
        }
        char *s = trim(line);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (end == NULL || end[1] != '\0' || (size_t)(end - s - 1) >= sizeof(section)) {
                rc = fail(err, errcap, "%s:%d: malformed section header", path, lineno);
                break;
            }
            *end = '\0';
            snprintf(section, sizeof(section), "%s", trim(s + 1));
            continue;
        }
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            rc = fail(err, errcap, "%s:%d: expected 'name = value'", path, lineno);
            break;
        }
        *eq = '\0';
        char *name = trim(s), *val = trim(eq + 1);
        size_t vlen = strlen(val);
        if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
            val[vlen - 1] = '\0';
            val++;
        }
        snprintf(key, sizeof(key), "%s.%s", section, name);
        const opt_t *o = find_opt(key);
        if (o == NULL) {
            rc = fail(err, errcap, "%s:%d: unknown option '%s'", path, lineno, key);
            break;
        }
        if ((rc = set_opt(cfg, o, val, "file", err, errcap)) != 0) {
            /* Prefix the place in the file. */
            char msg[512];
            snprintf(msg, sizeof(msg), "%s:%d: %s", path, lineno, err);
            snprintf(err, errcap, "%s", msg);
            break;
        }
    }
    if (rc == 0 && ferror(f))
        rc = fail(err, errcap, "cannot read config file %s: read error", path);
    fclose(f);
    return rc;
}

int config_load(config_t *cfg, const char *config_file_flag, char *err, size_t errcap)
{
    memset(cfg, 0, sizeof(*cfg));
    int rc;
    for (size_t i = 0; i < ARRAY_LEN(opts); i++)
        if ((rc = set_opt(cfg, &opts[i], opts[i].def, "default", err, errcap)) != 0)
            BUG("bad default for %s: %s", opts[i].key, err);
    for (size_t i = 0; i < ARRAY_LEN(opts); i++) {
        const char *v = opts[i].env ? getenv(opts[i].env) : NULL;
        if (v != NULL && (rc = set_opt(cfg, &opts[i], v, "env", err, errcap)) != 0) {
            char msg[512];
            snprintf(msg, sizeof(msg), "%s: %s", opts[i].env, err);
            snprintf(err, errcap, "%s", msg);
            return rc;
        }
    }
    const char *file = config_file_flag ? config_file_flag : getenv("SOUK_CONFIG");
    if (file != NULL && file[0] != '\0') {
        cfg->config_file = xstrdup(file);
        if ((rc = load_ini(cfg, file, err, errcap)) != 0)
            return rc;
    }
    return 0;
}

static int count_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

int config_finish(config_t *cfg, char *err, size_t errcap)
{
    log_level_t lvl;
    if (log_parse_level(cfg->log_level, &lvl) != 0)
        BUG("log level '%s' passed validation", cfg->log_level);
    if (cfg->threads == 0)
        cfg->threads = count_cores();
    /* PostgreSQL: workers spend much of a request waiting on the network,
     * so two per loop, at least 4. SQLite: a worker's database work is
     * this process's CPU work, and workers beyond the cores only take turns
     * on them, stretching every request: one per loop, at least 2 (at 2
     * cores and 64 connections the collection page's p99 fell from about
     * 12.8 to 9.8 ms at the same throughput, docs/ARCHITECTURE.md). */
    if (cfg->db_threads == 0) {
        bool pg = cfg->database_url[0] != '\0' || cfg->db_host[0] != '\0';
        int per = pg ? 2 : 1, least = pg ? 4 : 2;
        cfg->db_threads = cfg->threads * per < least ? least : cfg->threads * per;
    }
    if (cfg->test_routes && strcmp(cfg->env, "production") == 0)
        return fail(err, errcap,
                    "invalid server.test_routes: test routes cannot be enabled when store.env is "
                    "production");
    if (cfg->database_url[0] != '\0' && strncmp(cfg->database_url, "postgres://", 11) != 0 &&
        strncmp(cfg->database_url, "postgresql://", 13) != 0)
        return fail(err, errcap,
                    "invalid database.url: must start with postgresql:// (or leave it empty for "
                    "SQLite)");
    bool parts = cfg->db_host[0] || cfg->db_name[0] || cfg->db_user[0] || cfg->db_port[0];
    if (parts && cfg->database_url[0] != '\0')
        return fail(err, errcap, "invalid database: set DATABASE_URL or DB_*, not both");
    if (parts && (!cfg->db_host[0] || !cfg->db_name[0] || !cfg->db_user[0]))
        return fail(err, errcap, "invalid database: DB_HOST, DB_NAME and DB_USER are all needed");
    if (cfg->data_dir[0] == '\0')
        return fail(err, errcap, "invalid store.data_dir: empty");
    if (currency_exponent(cfg->currency) < 0)
        return fail(err, errcap, "invalid store.currency: '%s' is not an ISO 4217 code souk knows",
                    cfg->currency);
    size_t bl = strlen(cfg->base_url);
    if (bl > 0 && ((strncmp(cfg->base_url, "https://", 8) != 0 &&
                    strncmp(cfg->base_url, "http://", 7) != 0) ||
                   cfg->base_url[bl - 1] == '/' || strchr(cfg->base_url + 8, '/') != NULL))
        return fail(err, errcap,
                    "invalid store.base_url: '%s' must be an origin like https://shop.example "
                    "(no path, no trailing slash)",
                    cfg->base_url);
    return 0;
}

/* Append a libpq keyword=value pair, quoting the value as libpq requires. */
static void conninfo_kv(buf_t *b, const char *k, const char *v)
{
    if (v == NULL || v[0] == '\0')
        return;
    buf_printf(b, "%s%s='", b->len ? " " : "", k);
    for (const char *c = v; *c; c++) {
        if (*c == '\'' || *c == '\\')
            buf_putc(b, '\\');
        buf_putc(b, *c);
    }
    buf_putc(b, '\'');
}

char *config_pg_conninfo(const config_t *cfg)
{
    if (cfg->database_url[0] != '\0')
        return xstrdup(cfg->database_url);
    if (cfg->db_host[0] == '\0')
        return NULL;
    buf_t b = BUF_INIT;
    conninfo_kv(&b, "host", cfg->db_host);
    conninfo_kv(&b, "port", cfg->db_port);
    conninfo_kv(&b, "dbname", cfg->db_name);
    conninfo_kv(&b, "user", cfg->db_user);
    conninfo_kv(&b, "password", cfg->db_password);
    conninfo_kv(&b, "sslmode", cfg->db_sslmode);
    /* Several hosts mean a failover pair: only a writable primary will do. */
    if (strchr(cfg->db_host, ',') != NULL)
        conninfo_kv(&b, "target_session_attrs", "read-write");
    return buf_detach(&b, NULL);
}

char *config_sqlite_path(const config_t *cfg)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s/souk.db", cfg->data_dir);
    return buf_detach(&b, NULL);
}

/* Mask the password inside a postgresql:// URL: in user:***@host, and the
 * value of a password= query parameter. */
static void put_masked_url(buf_t *out, const char *url)
{
    const char *q = strchr(url, '?');
    if (q != NULL) {
        buf_t head = BUF_INIT;
        buf_append(&head, url, (size_t)(q - url));
        put_masked_url(out, buf_cstr(&head));
        buf_free(&head);
        /* Each query parameter; the value of "password" is masked. */
        const char *p = q;
        while (*p) {
            const char *amp = strchr(p + 1, '&');
            size_t len = amp ? (size_t)(amp - p) : strlen(p);
            if (len > 10 && strncasecmp(p + 1, "password=", 9) == 0) {
                buf_append(out, p, 10);
                buf_puts(out, "****");
            } else {
                buf_append(out, p, len);
            }
            p += len;
        }
        return;
    }
    const char *scheme_end = strstr(url, "://");
    const char *at = scheme_end ? strchr(scheme_end + 3, '@') : NULL;
    if (at == NULL) {
        buf_puts(out, url);
        return;
    }
    const char *colon = memchr(scheme_end + 3, ':', (size_t)(at - scheme_end - 3));
    if (colon == NULL) {
        buf_puts(out, url);
        return;
    }
    buf_append(out, url, (size_t)(colon - url + 1));
    buf_puts(out, "****");
    buf_puts(out, at);
}

void config_dump(const config_t *cfg, buf_t *out)
{
    for (size_t i = 0; i < ARRAY_LEN(opts); i++) {
        const opt_t *o = &opts[i];
        const char *field = (const char *)cfg + o->off;
        buf_printf(out, "%-26s = ", o->key);
        switch (o->type) {
        case OPT_STR:
        case OPT_ENUM: {
            const char *s = *(char *const *)field;
            if (o->secret && s[0] != '\0') {
                if (o->off == O(database_url))
                    put_masked_url(out, s);
                else
                    buf_puts(out, "****");
            } else {
                buf_puts(out, s);
            }
            break;
        }
        case OPT_INT:
            buf_printf(out, "%d", *(const int *)field);
            break;
        case OPT_SIZE:
            buf_printf(out, "%llu", (unsigned long long)*(const uint64_t *)field);
            break;
        case OPT_BOOL:
            buf_puts(out, *(const bool *)field ? "true" : "false");
            break;
        case OPT_LISTEN:
            if (strchr(cfg->listen_host, ':'))
                buf_printf(out, "[%s]:%d", cfg->listen_host, cfg->listen_port);
            else
                buf_printf(out, "%s:%d", cfg->listen_host, cfg->listen_port);
            break;
        }
        buf_printf(out, "  # %s%s%s\n", cfg->source[i], o->env ? ", " : "", o->env ? o->env : "");
    }
}

void config_free(config_t *cfg)
{
    for (size_t i = 0; i < ARRAY_LEN(opts); i++) {
        if (opts[i].type == OPT_STR || opts[i].type == OPT_ENUM) {
            char **s = (char **)((char *)cfg + opts[i].off);
            free(*s);
            *s = NULL;
        }
    }
    free(cfg->config_file);
    cfg->config_file = NULL;
}
