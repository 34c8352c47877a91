/* test_static.c - the static file table: fingerprints, MIME types, gzip
 * copies, and what it refuses to load (links out of the root, dot files). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "http/static.h"

static void put(const char *dir, const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

TEST(static_fingerprints_and_finds)
{
    char dir[256], sub[300], secret[300], link[320];
    snprintf(dir, sizeof(dir), "%s/static", test_tmpdir());
    mkdir(dir, 0755);
    snprintf(sub, sizeof(sub), "%s/css", dir);
    mkdir(sub, 0755);
    char css[4096] = "";
    for (int i = 0; i < 100; i++)
        strcat(css, "body { color: #123456; }\n");
    put(dir, "css/app.css", css);
    put(dir, "robots.txt", "User-agent: *\n");
    put(dir, ".hidden", "no");
    snprintf(secret, sizeof(secret), "%s/secret.txt", test_tmpdir());
    FILE *f = fopen(secret, "w");
    fputs("top secret", f);
    fclose(f);
    snprintf(link, sizeof(link), "%s/leak.txt", dir);
    CHECK_INT(symlink(secret, link), 0);

    static_files_t *s = static_load(dir, 1 << 20);
    CHECK(s != NULL);
    CHECK_INT(static_count(s), 2); /* app.css, robots.txt: no dot file, no link */
    bool imm;
    const static_file_t *a = static_find(s, "css/app.css", 11, &imm);
    CHECK(a != NULL && !imm);
    CHECK_STR(a->mime, "text/css; charset=utf-8");
    CHECK(a->gz_data != NULL && a->gz_len < a->len);
    const char *url = static_url(s, "css/app.css");
    CHECK(url != NULL && strncmp(url, "/static/css/app.", 16) == 0);
    CHECK(strlen(url) == strlen("/static/css/app.") + 16 + strlen(".css"));
    const static_file_t *b = static_find(s, url + 8, strlen(url + 8), &imm);
    CHECK(b == a && imm);
    CHECK(static_find(s, "leak.txt", 8, &imm) == NULL);
    CHECK(static_find(s, ".hidden", 7, &imm) == NULL);
    CHECK(static_find(s, "css/app.cs", 10, &imm) == NULL);
    CHECK(static_find(s, "../secret.txt", 13, &imm) == NULL);
    const static_file_t *r = static_find(s, "robots.txt", 10, &imm);
    CHECK(r != NULL && r->gz_data == NULL); /* too small to gain from gzip */
    static_free(s);
}

TEST(static_total_limit)
{
    char dir[256];
    snprintf(dir, sizeof(dir), "%s/static-limit", test_tmpdir());
    mkdir(dir, 0755);
    put(dir, "a.txt", "0123456789");
    put(dir, "b.txt", "0123456789");
    static_files_t *s = static_load(dir, 15);
    CHECK_INT(static_count(s), 1);
    static_free(s);
    s = static_load(dir, 20);
    CHECK_INT(static_count(s), 2);
    static_free(s);
}

TEST(static_mime_types)
{
    bool z;
    CHECK_STR(static_mime("a/b.js", &z), "text/javascript; charset=utf-8");
    CHECK(z);
    CHECK_STR(static_mime("logo.PNG", &z), "image/png");
    CHECK(!z);
    CHECK_STR(static_mime("font.woff2", &z), "font/woff2");
    CHECK_STR(static_mime("noext", &z), "application/octet-stream");
    CHECK_STR(static_mime("dir.d/noext", &z), "application/octet-stream");
}
