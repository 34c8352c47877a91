/* static.h - static assets, loaded into memory at start and served under
 * content-fingerprinted URLs.
 *
 * static/css/app.css is served at /static/css/app.<hash>.css with
 * "Cache-Control: public, max-age=31536000, immutable", and at its plain name
 * /static/css/app.css with a short, revalidated lifetime. The fingerprint is an
 * 8-byte BLAKE2b digest of the file, in 16 hex digits. Only regular files under the
 * root are loaded (no symbolic links, no dot files), so no request can reach
 * outside it. Compressible files also keep a gzip copy made at load. */
#ifndef SOUK_HTTP_STATIC_H
#define SOUK_HTTP_STATIC_H

#include <stdbool.h>
#include <stddef.h>

typedef struct static_files static_files_t;

/* The most static data loaded into memory, in all. */
#define STATIC_MAX_TOTAL (64u << 20)

typedef struct {
    const char *name; /* "css/app.css" */
    const char *url;  /* "/static/css/app.<hash>.css" */
    const char *mime; /* "text/css; charset=utf-8" */
    const char *etag; /* "\"<hash>\"" */
    const char *data;
    size_t len;
    const char *gz_data; /* NULL when not worth compressing */
    size_t gz_len;
} static_file_t;

/* Load every file under dir (at most max_total bytes in all). NULL and a logged
 * reason if dir cannot be read. A missing directory loads as empty. */
static_files_t *static_load(const char *dir, size_t max_total);
void static_free(static_files_t *s);

/* Look up the part of a path after "/static/". *immutable tells whether it was
 * the fingerprinted name. NULL if there is no such file. */
const static_file_t *static_find(const static_files_t *s, const char *rel, size_t len,
                                 bool *immutable);
/* The fingerprinted URL of a file by plain name, or NULL. */
const char *static_url(const static_files_t *s, const char *name);
size_t static_count(const static_files_t *s);

/* The MIME type for a file name by its extension ("application/octet-stream"
 * when unknown); *compressible says whether gzip helps. */
const char *static_mime(const char *name, bool *compressible);

#endif
