/* testdb.c - see testdb.h. */
#include "testdb.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "db/migrate.h"
#include "harness.h"

void testdb_quiet_log(bool quiet)
{
    static int devnull = -1;
    if (devnull < 0)
        devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    log_set_fd(quiet && devnull >= 0 ? devnull : 2);
}

void testdb_pg_admin(const char *who, const char *url, const char *sql)
{
    db_config_t cfg = {.pg_conninfo = url};
    db_t *db;
    char err[256];
    if (db_open(&cfg, &db, err, sizeof(err)) != 0) {
        test_fail(__FILE__, __LINE__, "[%s] db_open: %s", who, err);
        return;
    }
    if (db_exec_script(db, sql) != 0)
        test_fail(__FILE__, __LINE__, "[%s] %s: %s", who, sql, db_errmsg(db));
    db_close(db);
}

db_t *testdb_open(const char *who, db_dialect_t dialect, const char *url, const char *prefix,
                  const char *tag, testdb_names_t *n, int busy_timeout_ms)
{
    memset(n, 0, sizeof(*n));
    db_config_t cfg = {.busy_timeout_ms = busy_timeout_ms};
    if (dialect == DB_SQLITE) {
        snprintf(n->path, sizeof(n->path), "%s/%s_%s.db", test_tmpdir(), prefix, tag);
        static const char *const suffixes[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < 3; i++) {
            char p[300];
            snprintf(p, sizeof(p), "%s%s", n->path, suffixes[i]);
            unlink(p);
        }
        cfg.sqlite_path = n->path;
    } else {
        snprintf(n->schema, sizeof(n->schema), "souk_%s_%ld_%s", prefix, (long)getpid(), tag);
        char sql[256];
        snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", n->schema,
                 n->schema);
        testdb_pg_admin(who, url, sql);
        bool uri = strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
        if (uri)
            snprintf(n->conninfo, sizeof(n->conninfo), "%s%soptions=-csearch_path%%3D%s", url,
                     strchr(url, '?') ? "&" : "?", n->schema);
        else
            snprintf(n->conninfo, sizeof(n->conninfo), "%s options='-csearch_path=%s'", url,
                     n->schema);
        cfg.pg_conninfo = n->conninfo;
    }
    char err[256];
    db_t *db;
    if (db_open(&cfg, &db, err, sizeof(err)) != 0) {
        test_fail(__FILE__, __LINE__, "[%s] db_open: %s", who, err);
        return NULL;
    }
    testdb_quiet_log(true); /* "applied migration" for every case says nothing */
    int rc = migrate_apply(db, NULL);
    testdb_quiet_log(false);
    if (rc != 0) {
        test_fail(__FILE__, __LINE__, "[%s] migrate: %s", who, db_errmsg(db));
        db_close(db);
        return NULL;
    }
    return db;
}

void testdb_drop(const char *who, db_dialect_t dialect, const char *url, const testdb_names_t *n)
{
    if (dialect != DB_POSTGRES || n->schema[0] == '\0')
        return;
    char sql[160];
    snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", n->schema);
    testdb_pg_admin(who, url, sql);
}
