/* main.c - souk's command line: parse the command, wire the parts, nothing
 * else. Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef SOUK_MIMALLOC
#include <mimalloc.h>
#endif

#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "http/server.h"
#include "shop/shop.h"
#include "shop/shopify_csv.h"
#include "web/render.h"
#include "web/web.h"

#define EXIT_USAGE 2

static const char usage_main[] =
    "usage: souk [--config FILE] [--data-dir DIR] COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  serve          serve the store over HTTP\n"
    "  migrate        apply pending database migrations\n"
    "  config check   validate the configuration and print it, secrets masked\n"
    "  import shopify FILE    import products from a Shopify product CSV\n"
    "  export shopify [FILE]  write every product as a Shopify product CSV\n"
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
    static_files_t *statics = static_load(cfg->static_dir, STATIC_MAX_TOTAL);
    if (statics == NULL)
        return 1;
    int rc = web_init(cfg, statics, err, sizeof(err));
    if (rc != 0) {
        log_error("templates in %s: %s", cfg->templates_dir, err);
        static_free(statics);
        return 1;
    }
    size_t nroutes;
    const http_route_t *routes = web_routes(cfg, &nroutes);
    if (cfg->test_routes)
        log_warn("test-only routes are enabled (server.test_routes)");
    shop_t shop;
    shop_start(&shop, cfg);
    rc = server_run(cfg, routes, nroutes, statics, &shop);
    shop_stop(&shop);
    web_shutdown();
    static_free(statics);
    return rc == 0 ? 0 : 1;
}

/* ---- souk import shopify / souk export shopify ---------------------------- */

static const char usage_import[] =
    "usage: souk import shopify FILE [--batch N]\n"
    "\n"
    "Import the products of a Shopify product CSV (classic or newer column names),\n"
    "UTF-8 or Windows-1252. Products are matched by handle, variants by SKU, so\n"
    "importing the same file again changes nothing. A product with a bad row is\n"
    "not imported; every problem is reported with its line, and the rest of the\n"
    "file is imported. Prices are in the store currency (store.currency).\n"
    "\n"
    "  --batch N   products per transaction (default 10000; 1: one each)\n"
    "\n"
    "Prints \"created N, updated N, unchanged N, rejected N\" at the end.\n"
    "Exit status: 0 all imported, 1 some products rejected or the file unreadable\n"
    "(not UTF-8 or Windows-1252, or no Handle/Title column), 2 usage error.\n";

static const char usage_export[] =
    "usage: souk export shopify [FILE]\n"
    "\n"
    "Write every product in Shopify's classic product CSV columns to FILE\n"
    "(standard output when FILE is absent or '-'): one row per variant, and more\n"
    "rows for images past the variants. 'souk import shopify' reads it back.\n";

/* The subcommand's format and optional FILE; --batch for import. 0, or an
 * exit code. */
static int shopify_args(const char *cmd, const char *usage, int argc, char **argv,
                        const char **file, size_t *batch)
{
    int npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        int r;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return -1;
        } else if (batch && (r = take_flag(argc, argv, &i, "--batch", &v)) != 0) {
            int64_t n;
            if (r < 0)
                return EXIT_USAGE;
            if (parse_i64(v, 1, 1000000, &n) != 0) {
                fprintf(stderr, "souk %s: --batch wants a number from 1 to 1000000\n", cmd);
                return EXIT_USAGE;
            }
            *batch = (size_t)n;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "souk %s: unknown option '%s'\n%s", cmd, argv[i], usage);
            return EXIT_USAGE;
        } else if (npos == 0 && strcmp(argv[i], "shopify") == 0) {
            npos++;
        } else if (npos == 0) {
            fprintf(stderr, "souk %s: unknown format '%s' (only 'shopify')\n%s", cmd, argv[i],
                    usage);
            return EXIT_USAGE;
        } else if (npos == 1) {
            *file = argv[i];
            npos++;
        } else {
            fprintf(stderr, "souk %s: unexpected argument '%s'\n%s", cmd, argv[i], usage);
            return EXIT_USAGE;
        }
    }
    if (npos == 0) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    return 0;
}

/* Open the configured database, refusing one whose schema is behind. */
static int open_migrated_db(config_t *cfg, const char *cmd, db_t **db)
{
    char err[512];
    if (config_finish(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "souk: %s\n", err);
        return EXIT_USAGE;
    }
    if (open_db(cfg, db) != 0)
        return 1;
    if (migrate_current(*db) < migrate_latest(db_dialect(*db))) {
        fprintf(stderr, "souk %s: the database schema is not up to date: run 'souk migrate'\n",
                cmd);
        db_close(*db);
        return 1;
    }
    return 0;
}

/* The last line of every import that got past its arguments, on stdout. */
static void import_summary(const shopify_stats_t *st)
{
    printf("created %llu, updated %llu, unchanged %llu, rejected %llu\n",
           (unsigned long long)st->created, (unsigned long long)st->updated,
           (unsigned long long)st->unchanged, (unsigned long long)st->rejected);
}

static int cmd_import(config_t *cfg, int argc, char **argv)
{
    const char *file = NULL;
    size_t batch = 0;
    int rc = shopify_args("import", usage_import, argc, argv, &file, &batch);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (file == NULL) {
        fprintf(stderr, "souk import: FILE is missing\n%s", usage_import);
        return EXIT_USAGE;
    }
    shopify_stats_t st = {.created = 0};
    csv_encoding_t enc;
    uint64_t bad = 0;
    rc = csv_detect_encoding(file, &enc, &bad);
    if (rc == SOUK_ENCODING) {
        fprintf(stderr,
                "souk import: %s: byte %llu is neither UTF-8 nor Windows-1252 text; nothing "
                "imported (save the file as UTF-8 CSV)\n",
                file, (unsigned long long)bad);
        import_summary(&st);
        return 1;
    }
    struct stat sb;
    FILE *f = rc == 0 ? fopen(file, "rb") : NULL;
    if (f == NULL || fstat(fileno(f), &sb) != 0) {
        fprintf(stderr, "souk import: cannot read %s: %s\n", file, strerror(errno));
        if (f)
            fclose(f);
        import_summary(&st);
        return 1;
    }
    if (enc == CSV_CP1252)
        fprintf(stderr, "souk import: %s is Windows-1252 text; read as such\n", file);
    db_t *db;
    if ((rc = open_migrated_db(cfg, "import", &db)) != 0) {
        fclose(f);
        import_summary(&st);
        return rc;
    }
    shopify_progress_t prog;
    shopify_progress_init(&prog, stderr, isatty(STDERR_FILENO), (uint64_t)sb.st_size);
    shopify_import_opts_t opts = {.currency = cfg->currency,
                                  .batch = batch,
                                  .report = shopify_progress_report,
                                  .progress = shopify_progress_update,
                                  .ud = &prog};
    rc = shopify_import(db, f, enc, &opts, &st);
    shopify_progress_end(&prog, &st);
    import_summary(&st);
    db_close(db);
    fclose(f);
    return rc == 0 && st.rejected == 0 ? 0 : 1;
}

static int cmd_export(config_t *cfg, int argc, char **argv)
{
    const char *file = NULL;
    int rc = shopify_args("export", usage_export, argc, argv, &file, NULL);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    bool to_stdout = file == NULL || strcmp(file, "-") == 0;
    db_t *db;
    if ((rc = open_migrated_db(cfg, "export", &db)) != 0)
        return rc;
    /* A file appears whole or not at all: write beside it, then rename. */
    char tmp[4096];
    FILE *out = stdout;
    if (!to_stdout) {
        snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", file, (long)getpid());
        out = fopen(tmp, "wb");
        if (out == NULL) {
            fprintf(stderr, "souk export: cannot write %s: %s\n", tmp, strerror(errno));
            db_close(db);
            return 1;
        }
    }
    uint64_t n = 0;
    rc = shopify_export(db, out, cfg->currency, &n);
    if (!to_stdout) {
        if (fclose(out) != 0 && rc == 0)
            rc = SOUK_EIO;
        if (rc == 0 && rename(tmp, file) != 0)
            rc = SOUK_EIO;
        if (rc != 0)
            remove(tmp);
    }
    if (rc == 0)
        fprintf(stderr, "souk export: %llu products written to %s\n", (unsigned long long)n,
                to_stdout ? "standard output" : file);
    else
        fprintf(stderr, "souk export: failed: %s%s%s\n", souk_strerror(rc),
                rc == SOUK_EDB ? ": " : "", rc == SOUK_EDB ? db_errmsg(db) : "");
    db_close(db);
    return rc == 0 ? 0 : 1;
}

/* ---- end of import / export ------------------------------------------------ */

/* mimalloc hands memory it has freed back to the system after 25 ms by
 * default. A search over a large catalog frees and takes again a few MB a
 * request (FTS5's postings buffers), so under load every request paid for
 * page faults on memory given back just before: 219 faults and about 40%
 * of its CPU time at a million products (docs/ARCHITECTURE.md). Given back
 * after a second idle instead; MIMALLOC_DECOMMIT_DELAY still overrides. */
static void allocator_tune(void)
{
#ifdef SOUK_MIMALLOC
    if (getenv("MIMALLOC_DECOMMIT_DELAY") == NULL)
        mi_option_set(mi_option_decommit_delay, 1000);
#endif
}

int main(int argc, char **argv)
{
    allocator_tune();
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
    } else if (strcmp(cmd, "import") == 0) {
        rc = cmd_import(&cfg, argc - i, argv + i);
    } else if (strcmp(cmd, "export") == 0) {
        rc = cmd_export(&cfg, argc - i, argv + i);
    } else {
        fprintf(stderr, "souk: unknown command '%s'\n\n%s", cmd, usage_main);
        rc = EXIT_USAGE;
    }
    config_free(&cfg);
    return rc;
}
