/* tmpl.c - template sets: the filter registry, loading a directory or sources,
 * noticing changes, reference counts and the slot that publishes a set.
 * Parsing is in tmpl_parse.c, rendering in tmpl_render.c. */
#include "core/tmpl_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/util.h"

/* ---- filters ---- */

static const filter_t builtins[] = {
    {"raw", F_RAW, 0, 0, NULL, NULL},         {"upper", F_UPPER, 0, 0, NULL, NULL},
    {"lower", F_LOWER, 0, 0, NULL, NULL},     {"length", F_LENGTH, 0, 0, NULL, NULL},
    {"default", F_DEFAULT, 1, 1, NULL, NULL}, {"url", F_URL, 0, 0, NULL, NULL},
    {"json", F_JSON, 0, 0, NULL, NULL},       {"truncate", F_TRUNCATE, 1, 2, NULL, NULL},
};

static bool name_is(const char *name, const char *s, size_t len)
{
    return strncmp(name, s, len) == 0 && name[len] == '\0';
}

bool tmpl_filter_builtin(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(builtins); i++)
        if (strcmp(builtins[i].name, name) == 0)
            return true;
    return false;
}

const filter_t *tmpl_filter_find(const tmpl_set_t *set, const char *name, size_t len)
{
    for (size_t i = 0; i < ARRAY_LEN(builtins); i++)
        if (name_is(builtins[i].name, name, len))
            return &builtins[i];
    for (size_t i = 0; i < set->filters.n; i++)
        if (name_is(set->filters.v[i].name, name, len))
            return &set->filters.v[i];
    return NULL;
}

tmpl_filters_t *tmpl_filters_new(void)
{
    return xcalloc(1, sizeof(tmpl_filters_t));
}

int tmpl_register_filter(tmpl_filters_t *reg, const char *name, unsigned min_args,
                         unsigned max_args, tmpl_filter_fn fn, void *userdata)
{
    if (fn == NULL || min_args > max_args || max_args > TMPL_MAX_FILTER_ARGS)
        return SOUK_EINVAL;
    for (const char *c = name; *c; c++) {
        bool alpha = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_';
        if (!alpha && !(c > name && *c >= '0' && *c <= '9'))
            return SOUK_EINVAL;
    }
    if (name[0] == '\0')
        return SOUK_EINVAL;
    if (tmpl_filter_builtin(name))
        return SOUK_ECONFLICT;
    for (size_t i = 0; i < reg->n; i++)
        if (strcmp(reg->v[i].name, name) == 0)
            return SOUK_ECONFLICT;
    if (reg->n == reg->cap) {
        reg->cap = reg->cap ? st_mult(reg->cap, 2) : 8;
        reg->v = xrealloc(reg->v, st_mult(reg->cap, sizeof(*reg->v)));
    }
    filter_t *f = &reg->v[reg->n++];
    f->name = xstrdup(name);
    f->id = F_CUSTOM;
    f->min_args = (uint8_t)min_args;
    f->max_args = (uint8_t)max_args;
    f->fn = fn;
    f->userdata = userdata;
    return 0;
}

void tmpl_filters_free(tmpl_filters_t *reg)
{
    if (reg == NULL)
        return;
    for (size_t i = 0; i < reg->n; i++)
        free((char *)reg->v[i].name);
    free(reg->v);
    free(reg);
}

/* ---- sets ---- */

static tmpl_set_t *set_new(const tmpl_filters_t *filters)
{
    tmpl_set_t *set = xcalloc(1, sizeof(*set));
    atomic_init(&set->refs, 1);
    atomic_init(&set->warnings, 0);
    if (filters && filters->n) {
        set->filters.v = arena_alloc(&set->arena, st_mult(filters->n, sizeof(filter_t)));
        set->filters.n = set->filters.cap = filters->n;
        for (size_t i = 0; i < filters->n; i++) {
            set->filters.v[i] = filters->v[i];
            set->filters.v[i].name = arena_strdup(&set->arena, filters->v[i].name);
        }
    }
    return set;
}

static void stamps_free(tmpl_stamp_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

static void set_free(tmpl_set_t *set)
{
    for (size_t i = 0; i < set->njson; i++)
        json_decref(set->json[i]);
    free(set->json);
    stamps_free(set->stamps, set->nstamps);
    free(set->dir);
    arena_free(&set->arena);
    free(set);
}

tmpl_set_t *tmpl_set_ref(tmpl_set_t *set)
{
    atomic_fetch_add_explicit(&set->refs, 1, memory_order_relaxed);
    return set;
}

void tmpl_set_unref(tmpl_set_t *set)
{
    if (set == NULL)
        return;
    unsigned before = atomic_fetch_sub_explicit(&set->refs, 1, memory_order_acq_rel);
    ASSERT(before > 0);
    if (before == 1)
        set_free(set);
}

unsigned long tmpl_set_warnings(const tmpl_set_t *set)
{
    return atomic_load_explicit(&((tmpl_set_t *)set)->warnings, memory_order_relaxed);
}

const tmpl_t *tmpl_find(const tmpl_set_t *set, const char *name)
{
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, set->t[mid].name);
        if (c == 0)
            return &set->t[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

bool tmpl_exists(const tmpl_set_t *set, const char *name)
{
    return tmpl_find(set, name) != NULL;
}

static int cmp_source(const void *a, const void *b)
{
    return strcmp(((const tmpl_source_t *)a)->name, ((const tmpl_source_t *)b)->name);
}

/* Parse and link src (names and texts already in the set's arena). */
static int compile(tmpl_set_t *set, tmpl_source_t *src, size_t n, char *err, size_t errcap)
{
    tmpl_load_t lc = {set, NULL, err, errcap};
    qsort(src, n, sizeof(*src), cmp_source);
    for (size_t i = 1; i < n; i++)
        if (strcmp(src[i - 1].name, src[i].name) == 0)
            return tmpl_errorf(&lc, SOUK_EINVAL, src[i].name, 0, "two templates of that name");
    set->n = n;
    set->t = arena_alloc(&set->arena, st_mult(n ? n : 1, sizeof(tmpl_t)));
    memset(set->t, 0, n * sizeof(tmpl_t));
    lc.syms = tmpl_symtab_new(&set->arena);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        set->t[i].name = src[i].name;
        rc = tmpl_parse(&lc, &set->t[i], src[i].src, src[i].len);
    }
    if (rc == 0)
        rc = tmpl_link(&lc);
    tmpl_symtab_free(lc.syms);
    return rc;
}

int tmpl_load_sources(const tmpl_source_t *src, size_t n, const tmpl_filters_t *filters,
                      tmpl_set_t **out, char *err, size_t errcap)
{
    if (errcap)
        err[0] = '\0';
    tmpl_set_t *set = set_new(filters);
    tmpl_source_t *copy = xcalloc(n ? n : 1, sizeof(*copy));
    for (size_t i = 0; i < n; i++) {
        copy[i].name = arena_strdup(&set->arena, src[i].name);
        copy[i].src = arena_memdup(&set->arena, src[i].src, src[i].len);
        copy[i].len = src[i].len;
    }
    int rc = compile(set, copy, n, err, errcap);
    free(copy);
    if (rc != 0) {
        set_free(set);
        set = NULL;
    }
    *out = set;
    return rc;
}

/* ---- directories ---- */

typedef struct {
    tmpl_stamp_t *v;
    size_t n, cap;
} stamps_t;

static int io_error(char *err, size_t errcap, const char *path, const char *what)
{
    tmpl_load_t lc = {NULL, NULL, err, errcap};
    return tmpl_errorf(&lc, SOUK_EIO, path, 0, "%s: %s", what, strerror(errno));
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && memcmp(s + n - k, suffix, k) == 0;
}

/* Collect the *.html files under root/rel (rel "" for root itself). */
static int scan_dir(const char *root, const char *rel, int depth, stamps_t *sv, char *err,
                    size_t errcap)
{
    buf_t path = BUF_INIT, child = BUF_INIT;
    buf_printf(&path, "%s%s%s", root, rel[0] ? "/" : "", rel);
    DIR *d = opendir(path.data);
    int rc = 0;
    if (d == NULL) {
        rc = io_error(err, errcap, path.data, "cannot open directory");
        goto out;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        buf_reset(&child);
        buf_printf(&child, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
        buf_reset(&path);
        buf_printf(&path, "%s/%s", root, child.data);
        struct stat st;
        if (stat(path.data, &st) != 0) {
            if (errno == ENOENT)
                continue; /* a dangling symlink, or removed while we looked */
            rc = io_error(err, errcap, path.data, "cannot stat");
            goto out;
        }
        if (S_ISDIR(st.st_mode)) {
            if (depth + 1 > TMPL_MAX_DIR_DEPTH) {
                tmpl_load_t lc = {NULL, NULL, err, errcap};
                rc = tmpl_errorf(&lc, SOUK_ELIMIT, path.data, 0,
                                 "directories nested deeper than %d", TMPL_MAX_DIR_DEPTH);
                goto out;
            }
            if ((rc = scan_dir(root, child.data, depth + 1, sv, err, errcap)) != 0)
                goto out;
        } else if (S_ISREG(st.st_mode) && ends_with(de->d_name, ".html")) {
            if (sv->n == sv->cap) {
                sv->cap = sv->cap ? st_mult(sv->cap, 2) : 32;
                sv->v = xrealloc(sv->v, st_mult(sv->cap, sizeof(*sv->v)));
            }
            tmpl_stamp_t *s = &sv->v[sv->n++];
            s->name = buf_detach(&child, NULL);
            s->mtime = st.st_mtim;
            s->size = st.st_size;
        }
    }
out:
    if (d)
        closedir(d);
    buf_free(&path);
    buf_free(&child);
    return rc;
}

static int cmp_stamp(const void *a, const void *b)
{
    return strcmp(((const tmpl_stamp_t *)a)->name, ((const tmpl_stamp_t *)b)->name);
}

static int scan(const char *dir, stamps_t *sv, char *err, size_t errcap)
{
    memset(sv, 0, sizeof(*sv));
    int rc = scan_dir(dir, "", 0, sv, err, errcap);
    if (rc != 0) {
        stamps_free(sv->v, sv->n);
        memset(sv, 0, sizeof(*sv));
        return rc;
    }
    qsort(sv->v, sv->n, sizeof(*sv->v), cmp_stamp);
    return 0;
}

/* Read dir/s->name into the arena, refreshing the stamp from the open file. */
static int read_template(tmpl_set_t *set, const char *dir, tmpl_stamp_t *s, tmpl_source_t *out,
                         char *err, size_t errcap)
{
    buf_t path = BUF_INIT;
    buf_printf(&path, "%s/%s", dir, s->name);
    int rc = 0, fd = open(path.data, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = io_error(err, errcap, path.data, "cannot read");
        goto out;
    }
    if (st.st_size > TMPL_MAX_FILE_SIZE) {
        tmpl_load_t lc = {NULL, NULL, err, errcap};
        rc = tmpl_errorf(&lc, SOUK_ELIMIT, s->name, 0,
                         "template is %lld bytes, over the limit of %d", (long long)st.st_size,
                         TMPL_MAX_FILE_SIZE);
        goto out;
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *data = arena_alloc(&set->arena, size + 1);
    while (got < size) {
        ssize_t r = read(fd, data + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = io_error(err, errcap, path.data, "cannot read");
            goto out;
        }
        if (r == 0)
            break; /* shrank meanwhile: the next tmpl_set_changed notices */
        got += (size_t)r;
    }
    s->mtime = st.st_mtim;
    s->size = st.st_size;
    out->name = arena_strdup(&set->arena, s->name);
    out->src = data;
    out->len = got;
out:
    if (fd >= 0)
        close(fd);
    buf_free(&path);
    return rc;
}

int tmpl_load(const char *dir, const tmpl_filters_t *filters, tmpl_set_t **out, char *err,
              size_t errcap)
{
    *out = NULL;
    if (errcap)
        err[0] = '\0';
    stamps_t sv;
    int rc = scan(dir, &sv, err, errcap);
    if (rc != 0)
        return rc;
    tmpl_set_t *set = set_new(filters);
    set->dir = xstrdup(dir);
    set->stamps = sv.v;
    set->nstamps = sv.n;
    tmpl_source_t *src = xcalloc(sv.n ? sv.n : 1, sizeof(*src));
    for (size_t i = 0; i < sv.n && rc == 0; i++)
        rc = read_template(set, dir, &sv.v[i], &src[i], err, errcap);
    if (rc == 0)
        rc = compile(set, src, sv.n, err, errcap);
    free(src);
    if (rc != 0) {
        set_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

bool tmpl_set_changed(const tmpl_set_t *set)
{
    if (set->dir == NULL)
        return false;
    stamps_t sv;
    if (scan(set->dir, &sv, NULL, 0) != 0)
        return true;
    bool changed = sv.n != set->nstamps;
    for (size_t i = 0; i < sv.n && !changed; i++) {
        const tmpl_stamp_t *a = &sv.v[i], *b = &set->stamps[i];
        changed = strcmp(a->name, b->name) != 0 || a->size != b->size ||
                  a->mtime.tv_sec != b->mtime.tv_sec || a->mtime.tv_nsec != b->mtime.tv_nsec;
    }
    stamps_free(sv.v, sv.n);
    return changed;
}

int tmpl_reload(const tmpl_set_t *set, tmpl_set_t **out, char *err, size_t errcap)
{
    *out = NULL;
    if (errcap)
        err[0] = '\0';
    if (set->dir == NULL || !tmpl_set_changed(set))
        return 0;
    return tmpl_load(set->dir, &set->filters, out, err, errcap);
}

/* ---- slot ---- */

void tmpl_slot_init(tmpl_slot_t *slot, tmpl_set_t *set)
{
    if (pthread_mutex_init(&slot->mu, NULL) != 0)
        BUG("pthread_mutex_init failed");
    slot->set = set;
}

tmpl_set_t *tmpl_slot_get(tmpl_slot_t *slot)
{
    pthread_mutex_lock(&slot->mu);
    tmpl_set_t *set = slot->set ? tmpl_set_ref(slot->set) : NULL;
    pthread_mutex_unlock(&slot->mu);
    return set;
}

void tmpl_slot_swap(tmpl_slot_t *slot, tmpl_set_t *set)
{
    pthread_mutex_lock(&slot->mu);
    tmpl_set_t *old = slot->set;
    slot->set = set;
    pthread_mutex_unlock(&slot->mu);
    tmpl_set_unref(old);
}

void tmpl_slot_destroy(tmpl_slot_t *slot)
{
    tmpl_set_unref(slot->set);
    slot->set = NULL;
    pthread_mutex_destroy(&slot->mu);
}
