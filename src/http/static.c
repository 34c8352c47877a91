/* static.c - see static.h. Files are few and small (fonts, styles, scripts,
 * icons); product media lives in the object store. Serving them from memory
 * keeps the hot path free of system calls and of any path arithmetic. */
#include "http/static.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"

#define STATIC_MAX_DEPTH 8

struct static_files {
    static_file_t *files;
    size_t n, cap;
    size_t total;
    size_t max_total;
    /* Sorted views for lookup by plain name and by fingerprinted URL tail. */
    const static_file_t **by_name;
    const static_file_t **by_url;
};

static const struct {
    const char *ext;
    const char *mime;
    bool compressible;
} mime_table[] = {
    {"css", "text/css; charset=utf-8", true},
    {"js", "text/javascript; charset=utf-8", true},
    {"mjs", "text/javascript; charset=utf-8", true},
    {"html", "text/html; charset=utf-8", true},
    {"txt", "text/plain; charset=utf-8", true},
    {"json", "application/json", true},
    {"map", "application/json", true},
    {"xml", "application/xml", true},
    {"svg", "image/svg+xml", true},
    {"ico", "image/vnd.microsoft.icon", true},
    {"png", "image/png", false},
    {"jpg", "image/jpeg", false},
    {"jpeg", "image/jpeg", false},
    {"gif", "image/gif", false},
    {"webp", "image/webp", false},
    {"avif", "image/avif", false},
    {"woff", "font/woff", false},
    {"woff2", "font/woff2", false},
    {"ttf", "font/ttf", true},
    {"webmanifest", "application/manifest+json", true},
    {"pdf", "application/pdf", false},
};

const char *static_mime(const char *name, bool *compressible)
{
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    *compressible = false;
    if (dot == NULL || (slash && dot < slash))
        return "application/octet-stream";
    for (size_t i = 0; i < ARRAY_LEN(mime_table); i++) {
        if (strcasecmp(dot + 1, mime_table[i].ext) == 0) {
            *compressible = mime_table[i].compressible;
            return mime_table[i].mime;
        }
    }
    return "application/octet-stream";
}

/* gzip (RFC 1952) of data; NULL unless it saves at least 10%. */
static char *gzip_copy(const char *data, size_t len, size_t *outlen)
{
    z_stream zs = {0};
    if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&zs, len);
    char *out = xmalloc(cap);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = (Bytef *)out;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    size_t n = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END || n > len - len / 10) {
        free(out);
        return NULL;
    }
    *outlen = n;
    return out;
}

static int read_file(int dirfd, const char *name, size_t size, char **out)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char *data = xmalloc(size + 1);
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, data + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != size) {
        free(data);
        return -1;
    }
    data[size] = '\0';
    *out = data;
    return 0;
}

static void add_file(static_files_t *s, const char *rel, char *data, size_t len)
{
    unsigned char digest[8];
    char hex[17];
    crypto_generichash(digest, sizeof(digest), (const unsigned char *)data, len, NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));

    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        s->files = xrealloc(s->files, st_mult(s->cap, sizeof(*s->files)));
    }
    static_file_t *f = &s->files[s->n++];
    bool compressible;
    f->name = xstrdup(rel);
    f->mime = static_mime(rel, &compressible);
    f->data = data;
    f->len = len;
    f->gz_data = compressible ? gzip_copy(data, len, &f->gz_len) : NULL;

    /* name.ext -> name.<hash>.ext; a name without extension gets .<hash> appended. */
    buf_t b = BUF_INIT;
    const char *dot = strrchr(rel, '.');
    const char *slash = strrchr(rel, '/');
    buf_puts(&b, "/static/");
    if (dot && (!slash || dot > slash) && dot != rel && dot[-1] != '/') {
        buf_append(&b, rel, (size_t)(dot - rel));
        buf_printf(&b, ".%s%s", hex, dot);
    } else {
        buf_printf(&b, "%s.%s", rel, hex);
    }
    f->url = buf_detach(&b, NULL);
    buf_printf(&b, "\"%s\"", hex);
    f->etag = buf_detach(&b, NULL);
}

static int walk(static_files_t *s, int dirfd, const char *prefix, int depth)
{
    if (depth > STATIC_MAX_DEPTH) {
        log_warn("static: %s nested too deep, not loaded", prefix);
        return 0;
    }
    int fd = dup(dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        struct stat st;
        if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        char rel[1024];
        int n = snprintf(rel, sizeof(rel), "%s%s%s", prefix, prefix[0] ? "/" : "", e->d_name);
        if (n < 0 || (size_t)n >= sizeof(rel))
            continue;
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                walk(s, sub, rel, depth + 1);
                close(sub);
            }
        } else if (S_ISREG(st.st_mode)) {
            size_t size = (size_t)st.st_size;
            if (s->total + size > s->max_total) {
                log_warn("static: %s not loaded: over the %zu-byte total for static files", rel,
                         s->max_total);
                continue;
            }
            char *data;
            if (read_file(dirfd, e->d_name, size, &data) != 0) {
                log_warn("static: cannot read %s", rel);
                continue;
            }
            s->total += size;
            add_file(s, rel, data, size);
        }
    }
    closedir(d);
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp((*(const static_file_t *const *)a)->name,
                  (*(const static_file_t *const *)b)->name);
}

static int cmp_url(const void *a, const void *b)
{
    return strcmp((*(const static_file_t *const *)a)->url, (*(const static_file_t *const *)b)->url);
}

static_files_t *static_load(const char *dir, size_t max_total)
{
    static_files_t *s = xcalloc(1, sizeof(*s));
    s->max_total = max_total;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT) {
            log_error("static: cannot open %s: %s", dir, strerror(errno));
            free(s);
            return NULL;
        }
        log_warn("static: directory %s does not exist; no static files", dir);
    } else {
        walk(s, fd, "", 0);
        close(fd);
    }
    s->by_name = xcalloc(s->n ? s->n : 1, sizeof(*s->by_name));
    s->by_url = xcalloc(s->n ? s->n : 1, sizeof(*s->by_url));
    for (size_t i = 0; i < s->n; i++)
        s->by_name[i] = s->by_url[i] = &s->files[i];
    qsort(s->by_name, s->n, sizeof(*s->by_name), cmp_name);
    qsort(s->by_url, s->n, sizeof(*s->by_url), cmp_url);
    return s;
}

void static_free(static_files_t *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free((char *)s->files[i].name);
        free((char *)s->files[i].url);
        free((char *)s->files[i].etag);
        free((char *)s->files[i].data);
        free((char *)s->files[i].gz_data);
    }
    free(s->files);
    free(s->by_name);
    free(s->by_url);
    free(s);
}

/* Binary search over a sorted view by a key that need not be NUL-terminated. */
static const static_file_t *search(const static_file_t **v, size_t n, bool by_url, const char *key,
                                   size_t klen, size_t skip)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *s = (by_url ? v[mid]->url : v[mid]->name) + skip;
        int c = strncmp(s, key, klen);
        if (c == 0 && s[klen] != '\0')
            c = 1;
        if (c == 0)
            return v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const static_file_t *static_find(const static_files_t *s, const char *rel, size_t len,
                                 bool *immutable)
{
    if (memchr(rel, '\0', len) != NULL)
        return NULL;
    const static_file_t *f = search(s->by_url, s->n, true, rel, len, strlen("/static/"));
    if (f) {
        *immutable = true;
        return f;
    }
    *immutable = false;
    return search(s->by_name, s->n, false, rel, len, 0);
}

const char *static_url(const static_files_t *s, const char *name)
{
    const static_file_t *f = search(s->by_name, s->n, false, name, strlen(name), 0);
    return f ? f->url : NULL;
}

size_t static_count(const static_files_t *s)
{
    return s->n;
}
