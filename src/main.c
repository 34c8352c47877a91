/* main.c - souk's command line: parse the command, wire the parts, nothing
 * else. Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "http/server.h"
#include "web/web.h"

#define EXIT_USAGE 2

static const char usage_main[] =
    "usage: souk [--config FILE] [--data-dir DIR] COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  serve          serve the store over HTTP\n"
    "  migrate        apply pending database migrations\n"
    "  config check   validate the configuration and print it, secrets masked\n"
    "  version        print the version\n"
    "\n"
    "options:\n"
    "  --config FILE    INI file (also SOUK_CONFIG); overrides the environment\n"
    "  --data-dir DIR   SQLite database and local media (SOUK_DATA_DIR, default ./var)\n"
    "  -h, --help       this help; 'souk COMMAND --help' for a command's\n"
    "\n"
    "The database is SQLite in DIR unless DATABASE_URL or DB_HOST/DB_NAME/DB_USER\n"
    "name a PostgreSQL server. 'souk config check' lists every setting.\n";

static const char usage_serve[] =
    "usage: souk serve [--listen ADDR:PORT] [--threads N] [--migrate]\n"
    "\n"
    "  --listen ADDR:PORT  address to listen on (SOUK_LISTEN, default 127.0.0.1:8080;\n"
    "                      port 0 picks a free port, printed in the log)\n"
    "  --threads N         event-loop threads (SOUK_THREADS, default: one per core)\n"
    "  --migrate           apply pending migrations before serving\n"
    "\n"
    "Stops on SIGTERM or SIGINT after finishing the requests in flight.\n";

static const char usage_migrate[] = "usage: souk migrate\n"
                                    "\n"
                                    "Apply every pending migration, each in its own transaction.\n"
                                    "Running it again when nothing is pending changes nothing.\n";

static const char usage_config[] =
    "usage: souk config check\n"
    "\n"
    "Print the effective configuration (defaults < environment < config file < flags)\n"
    "with secrets masked; exit 2 naming the first invalid value.\n";

/* mkdir -p: create dir and its missing parents (mode 0750). 0 or -1 with errno. */
static int mkdir_p(const char *dir)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof(path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(path, dir, n + 1);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0750) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(path, 0750) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* Match argv[*i] against flag; on a match store its value (from "--flag=V" or
 * the next argument) and advance *i. */
static int take_flag(int argc, char **argv, int *i, const char *flag, const char **value)
{
    size_t n = strlen(flag);
    const char *a = argv[*i];
    if (strncmp(a, flag, n) != 0)
        return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "souk: %s needs a value\n", flag);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

static int open_db(const config_t *cfg, db_t **db)
{
    char *conninfo = config_pg_conninfo(cfg);
    char *path = config_sqlite_path(cfg);
    if (conninfo == NULL && mkdir_p(cfg->data_dir) != 0) {
        log_error("cannot create data directory %s: %s", cfg->data_dir, strerror(errno));
        free(path);
        return SOUK_EIO;
    }
    db_config_t dbc = {
        .pg_conninfo = conninfo, .sqlite_path = path, .busy_timeout_ms = cfg->db_busy_timeout_ms};
    char err[256];
    int rc = db_open(&dbc, db, err, sizeof(err));
    if (rc != 0)
        log_error("cannot open the database: %s", err);
    free(conninfo);
    free(path);
    return rc;
}

static int run_migrate(const config_t *cfg)
{
    db_t *db;
    if (open_db(cfg, &db) != 0)
        return 1;
    int applied = 0;
    int rc = migrate_apply(db, &applied);
    if (rc == 0)
        log_info("migrations: %d applied, schema at version %d", applied, migrate_current(db));
    db_close(db);
    return rc == 0 ? 0 : 1;
}

static int cmd_serve(config_t *cfg, int argc, char **argv)
{
    bool migrate = false;
    char err[512];
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        int r;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_serve, stdout);
            return 0;
        } else if (strcmp(argv[i], "--migrate") == 0) {
            migrate = true;
        } else if ((r = take_flag(argc, argv, &i, "--listen", &v)) != 0) {
            if (r < 0 || config_set(cfg, "server.listen", v, "flag", err, sizeof(err)) != 0)
                goto bad;
        } else if ((r = take_flag(argc, argv, &i, "--threads", &v)) != 0) {
            if (r < 0 || config_set(cfg, "server.threads", v, "flag", err, sizeof(err)) != 0)
                goto bad;
        } else {
            fprintf(stderr, "souk serve: unknown argument '%s'\n%s", argv[i], usage_serve);
            return EXIT_USAGE;
        }
        continue;
    bad:
        if (v != NULL)
            fprintf(stderr, "souk: %s\n", err);
        return EXIT_USAGE;
    }
    if (config_finish(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "souk: %s\n", err);
        return EXIT_USAGE;
    }
    if (migrate && run_migrate(cfg) != 0)
        return 1;
    char *pg = config_pg_conninfo(cfg);
    bool sqlite = pg == NULL;
    free(pg);
    if (sqlite && mkdir_p(cfg->data_dir) != 0) {
        log_error("cannot create data directory %s: %s", cfg->data_dir, strerror(errno));
        return 1;
    }
    size_t nroutes;
    const http_route_t *routes = web_routes(cfg, &nroutes);
    if (cfg->test_routes)
        log_warn("test-only routes are enabled (server.test_routes)");
    return server_run(cfg, routes, nroutes) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *config_file = NULL, *data_dir = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *v = NULL;
        int r;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_main, stdout);
            return 0;
        } else if ((r = take_flag(argc, argv, &i, "--config", &v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            config_file = v;
        } else if ((r = take_flag(argc, argv, &i, "--data-dir", &v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            data_dir = v;
        } else {
            fprintf(stderr, "souk: unknown option '%s'\n\n%s", argv[i], usage_main);
            return EXIT_USAGE;
        }
    }
    if (i == argc) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[i++];
    if (strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0) {
        printf("souk %s\n", SOUK_VERSION);
        return 0;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "souk: libsodium failed to initialise\n");
        return 1;
    }

    config_t cfg;
    char err[512];
    int rc;
    if (config_load(&cfg, config_file, err, sizeof(err)) != 0 ||
        (data_dir && config_set(&cfg, "store.data_dir", data_dir, "flag", err, sizeof(err)) != 0)) {
        fprintf(stderr, "souk: %s\n", err);
        config_free(&cfg);
        return EXIT_USAGE;
    }
    log_level_t lvl;
    if (log_parse_level(cfg.log_level, &lvl) == 0)
        log_set_level(lvl);

    bool want_help = i < argc && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0);
    if (strcmp(cmd, "serve") == 0) {
        rc = cmd_serve(&cfg, argc - i, argv + i);
    } else if (strcmp(cmd, "migrate") == 0) {
        if (want_help) {
            fputs(usage_migrate, stdout);
            rc = 0;
        } else if (i < argc) {
            fprintf(stderr, "souk migrate: unexpected argument '%s'\n", argv[i]);
            rc = EXIT_USAGE;
        } else if (config_finish(&cfg, err, sizeof(err)) != 0) {
            fprintf(stderr, "souk: %s\n", err);
            rc = EXIT_USAGE;
        } else {
            rc = run_migrate(&cfg);
        }
    } else if (strcmp(cmd, "config") == 0) {
        if (want_help || i == argc) {
            fputs(usage_config, want_help ? stdout : stderr);
            rc = want_help ? 0 : EXIT_USAGE;
        } else if (strcmp(argv[i], "check") != 0 || i + 1 != argc) {
            fprintf(stderr, "souk config: unknown subcommand '%s'\n%s", argv[i], usage_config);
            rc = EXIT_USAGE;
        } else if (config_finish(&cfg, err, sizeof(err)) != 0) {
            fprintf(stderr, "souk: %s\n", err);
            rc = EXIT_USAGE;
        } else {
            buf_t b = BUF_INIT;
            config_dump(&cfg, &b);
            fputs(buf_cstr(&b), stdout);
            printf("configuration is valid\n");
            buf_free(&b);
            rc = 0;
        }
    } else {
        fprintf(stderr, "souk: unknown command '%s'\n\n%s", cmd, usage_main);
        rc = EXIT_USAGE;
    }
    config_free(&cfg);
    return rc;
}
