/* tmpl.h - the storefront's HTML templates: a small Jinja-like language.
 *
 * A merchant edits the *.html files of a directory; the server loads them all
 * once at start (tmpl_load), which parses every file and checks every tag,
 * filter, include and extends, so a broken template stops the server with
 * "file:line: message" instead of breaking a page later. The loaded set is
 * read-only and rendered from any number of threads at once (tmpl_render).
 * Data comes from a jansson object; a missing value is null, never an error.
 *
 * Syntax (the full reference for merchants is in the docs):
 *
 *   {{ expr }}  {{ expr | filter | filter(arg) }}   output, HTML-escaped unless `raw`
 *   {% if e %} {% elif e %} {% else %} {% endif %}
 *   {% for x in e %} {% else %} {% endfor %}         also `for key, value in object`
 *   {% set name = e %}  {% include "name.html" %}  {% extends "layout.html" %}
 *   {% block name %}...{% endblock %}  {{ super() }}  {# comment #}
 *   {%- -%} {{- -}} {#- -#}                           trim whitespace on that side
 *
 * Ownership: a set is reference-counted. tmpl_load gives the caller one
 * reference; every thread that renders holds its own (tmpl_set_ref) for the
 * duration, and the last tmpl_set_unref frees the set. tmpl_slot_t below is
 * the usual way to publish a set and swap in a reloaded one. */
#ifndef SOUK_CORE_TMPL_H
#define SOUK_CORE_TMPL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* Load-time limits: going past one is a load error naming file and line. */
#define TMPL_MAX_FILE_SIZE (1024 * 1024) /* bytes of one template file */
#define TMPL_MAX_NESTING 32              /* if/for/block tags open inside each other */
#define TMPL_MAX_EXPR_DEPTH 32           /* parentheses and `not` inside each other */
#define TMPL_MAX_INCLUDE_DEPTH 16        /* include/extends edges on any path */
#define TMPL_MAX_DIR_DEPTH 16            /* subdirectories below the template directory */
#define TMPL_MAX_FILTER_ARGS 8           /* arguments of one filter call */
/* Render-time limits: going past one fails the render with SOUK_ELIMIT. */
#define TMPL_MAX_RENDER_DEPTH 64         /* included templates + blocks + super() being rendered */
#define TMPL_MAX_LOOP_ITERATIONS 1000000 /* for-loop turns of one render, all loops together */
#define TMPL_MAX_JSON_DEPTH 64           /* the json filter writes deeper values as null */
/* A sensible output cap for tmpl_render's max_out. */
#define TMPL_DEFAULT_MAX_OUT (8 * 1024 * 1024)

typedef struct tmpl_set tmpl_set_t;
typedef struct tmpl_filters tmpl_filters_t;

/* ---- application filters ----
 *
 * A filter gets the value left of the `|` (never NULL: null is json_null()),
 * its arguments (literals from the template, 0..max_args of them, already
 * counted at load time) and userdata. It produces its result in one of two
 * ways:
 *   - text: append it to `out` (append only) and return NULL. This is the
 *     cheap way for the common case (money, asset URLs): nothing is allocated.
 *   - a value: return a new reference (json_null() for null, an array to loop
 *     over, ...) and leave `out` alone.
 * Filters run on render threads at the same time: they must be thread-safe,
 * must not modify `value` or `args`, and cannot fail (return null or "" on
 * nonsense input). Text results are escaped on output like any other string. */
typedef json_t *(*tmpl_filter_fn)(json_t *value, json_t *const *args, size_t nargs, buf_t *out,
                                  void *userdata);

/* A new, empty registry of application filters. Free with tmpl_filters_free. */
tmpl_filters_t *tmpl_filters_new(void);
/* Register `name` (letters, digits, '_', not starting with a digit) taking
 * min_args..max_args (<= TMPL_MAX_FILTER_ARGS) arguments. userdata must
 * outlive every set loaded with this registry. 0, SOUK_EINVAL for a bad name
 * or arity, SOUK_ECONFLICT if the name is taken (built-in names included). */
int tmpl_register_filter(tmpl_filters_t *reg, const char *name, unsigned min_args,
                         unsigned max_args, tmpl_filter_fn fn, void *userdata);
/* Free the registry. Sets loaded with it keep their own copy. NULL is a no-op. */
void tmpl_filters_free(tmpl_filters_t *reg);

/* ---- loading ---- */

/* Load every *.html file under dir (recursively; names and dot-directories
 * starting with '.' are skipped; symlinks are followed) as templates named by
 * their path relative to dir, e.g. "layout.html", "partials/card.html".
 * filters may be NULL (built-in filters only).
 * On success returns 0 and *out holds a set with one reference.
 * On failure returns SOUK_EINVAL (a template is wrong), SOUK_ELIMIT (a limit
 * above), SOUK_EIO (cannot read), sets *out to NULL and writes one
 * "file:line: message" line (NUL-terminated, truncated to errcap) into err,
 * which may be NULL if errcap is 0. */
int tmpl_load(const char *dir, const tmpl_filters_t *filters, tmpl_set_t **out, char *err,
              size_t errcap);

typedef struct {
    const char *name; /* as include/extends/tmpl_render will name it */
    const char *src;  /* need not be NUL-terminated; copied */
    size_t len;
} tmpl_source_t;

/* Like tmpl_load, from memory: templates built into the binary, tests, the
 * fuzzer. Names must be distinct (SOUK_EINVAL otherwise). Such a set never
 * reports changes. */
int tmpl_load_sources(const tmpl_source_t *src, size_t n, const tmpl_filters_t *filters,
                      tmpl_set_t **out, char *err, size_t errcap);

/* Whether the directory of a loaded set now differs from what was loaded: a
 * file added or removed, or a file's mtime or size changed. Walks the
 * directory (development mode; cheap but not free). A directory that cannot
 * be read counts as changed. Always false for tmpl_load_sources sets. */
bool tmpl_set_changed(const tmpl_set_t *set);

/* Load the set's directory again (with the same filters) if it changed.
 * Returns 0 with *out NULL if nothing changed (or the set came from memory),
 * 0 with *out a new set (one reference; the caller swaps it in, e.g.
 * tmpl_slot_swap) if it did, or tmpl_load's error with *out NULL and err
 * filled, in which case the old set is still good to serve. */
int tmpl_reload(const tmpl_set_t *set, tmpl_set_t **out, char *err, size_t errcap);

/* Take one more reference; returns set. Thread-safe. */
tmpl_set_t *tmpl_set_ref(tmpl_set_t *set);
/* Drop one reference; the last one frees the set. Thread-safe; NULL is a no-op. */
void tmpl_set_unref(tmpl_set_t *set);

/* Whether the set holds a template of that name. */
bool tmpl_exists(const tmpl_set_t *set, const char *name);

/* ---- rendering ---- */

/* Render template `name` with ctx (a JSON object; NULL or a non-object is an
 * empty context) as the root of all names, appending the HTML to out.
 * Thread-safe: any number of renders of one set may run at once. ctx is only
 * read; it may not be changed by another thread during the render.
 * Returns 0, SOUK_ENOTFOUND if there is no such template, or SOUK_ELIMIT if
 * the output would pass max_out bytes, an intermediate filter result would,
 * or TMPL_MAX_RENDER_DEPTH or TMPL_MAX_LOOP_ITERATIONS is passed (so that a
 * template cannot keep a thread busy for long even where it prints nothing). On error out is
 * restored to the length it had on entry: nothing partial is left in it. */
int tmpl_render(const tmpl_set_t *set, const char *name, json_t *ctx, buf_t *out, size_t max_out);

/* ---- host values ----
 *
 * A render may also be given C data that templates read as they read JSON,
 * without a jansson tree being built for it: a listing's two dozen product
 * cards cost more made, hashed, looked up and freed as jansson objects than
 * they cost to print. A host value is an object of a class, which answers
 * its fields by name; a list class also gives its length and its items.
 * Paths, indexes, loops (with `loop`), `if`, `set`, `length` and `json` work
 * on host values as on JSON; other filters and `for key, value in` get the
 * value's to_json(); `==` holds only between a host value and itself.
 * Class functions run on render threads at the same time: they must only
 * read. */
typedef struct tmpl_out tmpl_out_t;
typedef struct tmpl_host_class tmpl_host_class_t;
struct tmpl_host_class {
    /* Write field key of obj into out with one tmpl_out_* call; writing
     * nothing makes it null. Required. */
    void (*get)(const void *obj, const char *key, size_t keylen, tmpl_out_t *out);
    /* A list: the number of items and item i (0 <= i < len), with its class
     * in *cls. Both NULL for an object. */
    size_t (*len)(const void *obj);
    const void *(*at)(const void *obj, size_t i, const tmpl_host_class_t **cls);
    /* The value as JSON, a new reference. Required. */
    json_t *(*to_json)(const void *obj);
};
/* Strings are borrowed: s must stay as it is until the render returns. */
void tmpl_out_str(tmpl_out_t *out, const char *s, size_t len);
void tmpl_out_int(tmpl_out_t *out, int64_t i);
void tmpl_out_bool(tmpl_out_t *out, bool b);
void tmpl_out_host(tmpl_out_t *out, const tmpl_host_class_t *cls, const void *obj);

/* A top-level name bound to a host value; it hides the same name in ctx. */
typedef struct {
    const char *name;
    const tmpl_host_class_t *cls;
    const void *obj;
} tmpl_bind_t;

/* tmpl_render with names bound to host values, which must stay unchanged
 * until it returns. */
int tmpl_render_with(const tmpl_set_t *set, const char *name, json_t *ctx, const tmpl_bind_t *binds,
                     size_t nbinds, buf_t *out, size_t max_out);

/* How many times renders of this set met a value that cannot be printed
 * ({{ an_object }} or {{ an_array }}, which print nothing). For metrics and
 * development; a relaxed counter. */
unsigned long tmpl_set_warnings(const tmpl_set_t *set);

/* ---- publishing a set to render threads ----
 *
 *   tmpl_slot_init(&slot, set);                  // takes the caller's reference
 *   tmpl_set_t *s = tmpl_slot_get(&slot);        // per render: a reference
 *   tmpl_render(s, "product.html", ctx, &out, TMPL_DEFAULT_MAX_OUT);
 *   tmpl_set_unref(s);
 *   if (tmpl_reload(cur, &fresh, err, sizeof(err)) == 0 && fresh)
 *       tmpl_slot_swap(&slot, fresh);            // old set freed when its last render ends
 *
 * A mutex guards only the pointer and the reference count's increment, so
 * a render never waits for another render. */
typedef struct {
    pthread_mutex_t mu;
    tmpl_set_t *set;
} tmpl_slot_t;

/* Initialise the slot holding set (which may be NULL); takes over the
 * caller's reference. */
void tmpl_slot_init(tmpl_slot_t *slot, tmpl_set_t *set);
/* A new reference to the current set (NULL if none); tmpl_set_unref it. */
tmpl_set_t *tmpl_slot_get(tmpl_slot_t *slot);
/* Publish set (taking over the caller's reference) and drop the slot's
 * reference to the previous one. */
void tmpl_slot_swap(tmpl_slot_t *slot, tmpl_set_t *set);
/* Drop the slot's reference and destroy the mutex. */
void tmpl_slot_destroy(tmpl_slot_t *slot);

#endif
