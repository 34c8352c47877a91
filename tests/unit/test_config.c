/* test_config.c - configuration sources, precedence, validation and masking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/err.h"
#include "harness.h"

static const char *const vars[] = {
    "SOUK_LISTEN",  "SOUK_THREADS", "SOUK_MAX_BODY", "SOUK_ENV",         "SOUK_CONFIG",
    "DATABASE_URL", "DB_HOST",      "DB_PORT",       "DB_NAME",          "DB_USER",
    "DB_PASSWORD",  "SECRET_KEY",   "SOUK_DATA_DIR", "SOUK_TEST_ROUTES", "SOUK_MAX_HEADERS"};

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        unsetenv(vars[i]);
}

static const char *write_ini(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

TEST(config_defaults)
{
    clear_env();
    config_t c;
    char err[256];
    CHECK_INT(config_load(&c, NULL, err, sizeof(err)), 0);
    CHECK_STR(c.listen_host, "127.0.0.1");
    CHECK_INT(c.listen_port, 8080);
    CHECK_INT(c.max_body, 1024 * 1024);
    CHECK_STR(c.data_dir, "./var");
    CHECK_STR(c.env, "production");
    CHECK_INT(config_finish(&c, err, sizeof(err)), 0);
    CHECK(c.threads >= 1);
    CHECK(c.db_threads >= 2 && c.db_threads == (c.threads < 2 ? 2 : c.threads)); /* SQLite */
    CHECK(config_pg_conninfo(&c) == NULL);
    char *p = config_sqlite_path(&c);
    CHECK_STR(p, "./var/souk.db");
    free(p);
    config_free(&c);
}

TEST(config_precedence_env_file_flag)
{
    clear_env();
    setenv("SOUK_LISTEN", "127.0.0.1:7001", 1);
    setenv("SOUK_THREADS", "3", 1);
    setenv("SOUK_MAX_BODY", "2M", 1);
    const char *ini = write_ini("prec.ini", "# comment\n[server]\nlisten = 127.0.0.1:7002\n"
                                            "threads = \"5\"\n");
    config_t c;
    char err[256];
    CHECK_INT(config_load(&c, ini, err, sizeof(err)), 0);
    CHECK_INT(c.listen_port, 7002); /* file beats env */
    CHECK_INT(c.threads, 5);
    CHECK_INT(c.max_body, 2 * 1024 * 1024); /* env beats default */
    CHECK_INT(config_set(&c, "server.listen", "127.0.0.1:7003", "flag", err, sizeof(err)), 0);
    CHECK_INT(c.listen_port, 7003); /* flag beats file */
    buf_t b = BUF_INIT;
    config_dump(&c, &b);
    CHECK(strstr(buf_cstr(&b), "127.0.0.1:7003  # flag") != NULL);
    CHECK(strstr(buf_cstr(&b), "= 5  # file") != NULL);
    CHECK(strstr(buf_cstr(&b), "= 2097152  # env") != NULL);
    buf_free(&b);
    config_free(&c);
    clear_env();
}

TEST(config_invalid_values_name_the_option)
{
    static const struct {
        const char *var, *val, *needle;
    } cases[] = {
        {"SOUK_LISTEN", "nonsense", "server.listen"},
        {"SOUK_LISTEN", "127.0.0.1:65536", "server.listen"},
        {"SOUK_THREADS", "abc", "server.threads"},
        {"SOUK_THREADS", "257", "server.threads"},
        {"SOUK_THREADS", "4x", "server.threads"},
        {"SOUK_MAX_BODY", "-1", "server.max_body"},
        {"SOUK_MAX_BODY", "2G", "server.max_body"},
        {"SOUK_ENV", "staging", "store.env"},
        {"SECRET_KEY", "too-short", "store.secret_key"},
        {"SOUK_MAX_HEADERS", "91", "server.max_headers"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        clear_env();
        setenv(cases[i].var, cases[i].val, 1);
        config_t c;
        char err[256] = "";
        CHECK_INT(config_load(&c, NULL, err, sizeof(err)), SOUK_ECONFIG);
        if (strstr(err, cases[i].needle) == NULL || strstr(err, cases[i].var) == NULL)
            test_fail(__FILE__, __LINE__, "%s=%s: message '%s' does not name %s", cases[i].var,
                      cases[i].val, err, cases[i].needle);
        config_free(&c);
    }
    clear_env();
}

TEST(config_limits_at_and_past_bounds)
{
    clear_env();
    config_t c;
    char err[256];
    CHECK_INT(config_load(&c, NULL, err, sizeof(err)), 0);
    CHECK_INT(config_set(&c, "server.max_headers", "90", "flag", err, sizeof(err)), 0);
    CHECK_INT(config_set(&c, "server.max_headers", "91", "flag", err, sizeof(err)), SOUK_ECONFIG);
    CHECK_INT(c.max_headers, 90);
    CHECK_INT(config_set(&c, "server.max_body", "1G", "flag", err, sizeof(err)), 0);
    CHECK_INT(config_set(&c, "server.max_body", "1073741825", "flag", err, sizeof(err)),
              SOUK_ECONFIG);
    CHECK_INT(config_set(&c, "server.max_body", "0", "flag", err, sizeof(err)), SOUK_ECONFIG);
    config_free(&c);
}

TEST(config_ini_errors_name_file_and_line)
{
    clear_env();
    config_t c;
    char err[512];
    const char *ini =
        write_ini("bad.ini", "[server]\nlisten = 127.0.0.1:1\n\n[server]\nlistne = x\n");
    CHECK_INT(config_load(&c, ini, err, sizeof(err)), SOUK_ECONFIG);
    CHECK(strstr(err, "bad.ini:5") != NULL);
    CHECK(strstr(err, "server.listne") != NULL);
    config_free(&c);

    ini = write_ini("bad2.ini", "[server]\nthreads = many\n");
    CHECK_INT(config_load(&c, ini, err, sizeof(err)), SOUK_ECONFIG);
    CHECK(strstr(err, "bad2.ini:2") != NULL && strstr(err, "server.threads") != NULL);
    config_free(&c);

    ini = write_ini("bad3.ini", "listen 127.0.0.1:1\n");
    CHECK_INT(config_load(&c, ini, err, sizeof(err)), SOUK_ECONFIG);
    CHECK(strstr(err, "bad3.ini:1") != NULL);
    config_free(&c);

    CHECK_INT(config_load(&c, "/nonexistent/souk.ini", err, sizeof(err)), SOUK_ECONFIG);
    CHECK(strstr(err, "/nonexistent/souk.ini") != NULL);
    config_free(&c);
}

TEST(config_cross_checks)
{
    clear_env();
    config_t c;
    char err[256];
    setenv("SOUK_TEST_ROUTES", "true", 1);
    CHECK_INT(config_load(&c, NULL, err, sizeof(err)), 0);
    CHECK_INT(config_finish(&c, err, sizeof(err)), SOUK_ECONFIG); /* production */
    CHECK(strstr(err, "test_routes") != NULL);
    config_free(&c);
    setenv("SOUK_ENV", "test", 1);
    CHECK_INT(config_load(&c, NULL, err, sizeof(err)), 0);
    CHECK_INT(config_finish(&c, err, sizeof(err)), 0);
    config_free(&c);
    clear_env();

    setenv("DATABASE_URL", "mysql://x", 1);
    CHECK_INT(config_load(&c, NULL, err, sizeof(err)), 0);
    CHECK_INT(config_finish(&c, err, sizeof(err)), SOUK_ECONFIG);
    config_free(&c);
    clear_env();

    setenv("DB_HOST", "db.internal", 1);
    CHECK_INT(config_load(&c, NULL, err, sizeof(err)), 0);
    CHECK_INT(config_finish(&c, err, sizeof(err)), SOUK_ECONFIG); /* no DB_NAME/DB_USER */
    CHECK(strstr(err, "DB_NAME") != NULL);
    config_free(&c);
    clear_env();
}

TEST(config_pg_conninfo_from_parts)
{
    clear_env();
    setenv("DB_HOST", "db-a.internal,db-b.internal", 1);
    setenv("DB_PORT", "5432,5432", 1);
    setenv("DB_NAME", "shop", 1);
    setenv("DB_USER", "souk", 1);
    setenv("DB_PASSWORD", "it's \\secret", 1);
    config_t c;
    char err[256];
    CHECK_INT(config_load(&c, NULL, err, sizeof(err)), 0);
    CHECK_INT(config_finish(&c, err, sizeof(err)), 0);
    char *ci = config_pg_conninfo(&c);
    CHECK_STR(ci, "host='db-a.internal,db-b.internal' port='5432,5432' dbname='shop' "
                  "user='souk' password='it\\'s \\\\secret' target_session_attrs='read-write'");
    free(ci);
    config_free(&c);
    clear_env();
}

TEST(config_dump_masks_secrets)
{
    clear_env();
    setenv("DATABASE_URL", "postgresql://souk:pw-4815162342@db.internal:5432/shop", 1);
    setenv("SECRET_KEY", "0123456789abcdef0123456789abcdef-secret", 1);
    config_t c;
    char err[256];
    CHECK_INT(config_load(&c, NULL, err, sizeof(err)), 0);
    CHECK_INT(config_finish(&c, err, sizeof(err)), 0);
    buf_t b = BUF_INIT;
    config_dump(&c, &b);
    CHECK(strstr(buf_cstr(&b), "pw-4815162342") == NULL);
    CHECK(strstr(buf_cstr(&b), "0123456789abcdef") == NULL);
    CHECK(strstr(buf_cstr(&b), "postgresql://souk:****@db.internal:5432/shop") != NULL);
    buf_free(&b);
    config_free(&c);

    clear_env();
    setenv("DB_HOST", "h", 1);
    setenv("DB_NAME", "n", 1);
    setenv("DB_USER", "u", 1);
    setenv("DB_PASSWORD", "hunter2-password", 1);
    CHECK_INT(config_load(&c, NULL, err, sizeof(err)), 0);
    config_dump(&c, &b);
    CHECK(strstr(buf_cstr(&b), "hunter2") == NULL);
    CHECK(strstr(buf_cstr(&b), "database.password") != NULL);
    buf_free(&b);
    config_free(&c);
    clear_env();
}
