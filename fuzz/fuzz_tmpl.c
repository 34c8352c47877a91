/* fuzz_tmpl.c - libFuzzer target for the template engine (tmpl.h).
 *
 * Input: template sources, then optionally a NUL byte and a JSON context.
 * The sources are split on \x01 into up to four templates a.html .. d.html,
 * so include and extends between them get exercised. Loading must never
 * crash; a load error must come with a "name:" message. If the set loads,
 * every template is rendered against a fixed product-like context and, if
 * the input has one, against its own; each render must succeed within
 * max_out or fail leaving the output as it was, and render the same twice.
 * Each render is also made with a host value (tmpl.h) bound as "hs", and
 * with the same data as JSON under that name: the two must give the same
 * output, since templates are not to tell them apart. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/tmpl.h"
#include "fuzz_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_json[] =
    "{\"shop\": \"Caf\\u00e9 <&> \\\"Q\\\" 'S'\", \"n\": 42, \"neg\": -7, \"r\": 2.5,"
    " \"t\": true, \"f\": false, \"z\": null, \"e\": \"\", \"ea\": [], \"eo\": {},"
    " \"product\": {\"title\": \"Mug \\u2028 </script>\", \"price\": 1250,"
    "  \"images\": [\"a.jpg\", \"b.jpg\", \"c.jpg\"],"
    "  \"variants\": [{\"title\": \"S\", \"price\": 1000, \"sku\": \"s/1\"},"
    "                {\"title\": \"L\", \"price\": 1500, \"sku\": \"l 2\", \"tags\": [1, [2, "
    "{}]]}],"
    "  \"meta\": {\"a\": 1, \"b\": {\"c\": [true, null, 0.1]}}},"
    " \"xs\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}";

static json_t *money(json_t *value, json_t *const *args, size_t nargs, buf_t *out, void *ud)
{
    (void)ud;
    if (!json_is_integer(value))
        return NULL;
    json_int_t c = json_integer_value(value);
    buf_printf(out, "%s%lld", nargs && json_is_string(args[0]) ? json_string_value(args[0]) : "$",
               (long long)c);
    return NULL;
}

static json_t *wrap(json_t *value, json_t *const *args, size_t nargs, buf_t *out, void *ud)
{
    (void)args, (void)nargs, (void)out, (void)ud;
    json_t *a = json_array();
    json_array_append(a, value);
    json_array_append(a, value);
    return a;
}

/* ---- host values: a list of items, each with a sub-object ---- */

typedef struct {
    const char *title;
    int64_t n;
    bool ok;
    const char *tag; /* the sub-object's one field */
} item_t;

static const item_t items[] = {
    {"A & <b>", 1, true, "x\"y"}, {"", -2, false, "long \u2028 tag"}, {"C's", 1250, true, "z"}};

#define IS(k, kl, lit) ((kl) == strlen(lit) && memcmp((k), (lit), (kl)) == 0)

static void sub_get(const void *obj, const char *k, size_t kl, tmpl_out_t *out)
{
    const item_t *it = obj;
    if (IS(k, kl, "tag"))
        tmpl_out_str(out, it->tag, strlen(it->tag));
}

static json_t *sub_json(const void *obj)
{
    return json_pack("{s:s}", "tag", ((const item_t *)obj)->tag);
}

static const tmpl_host_class_t sub_class = {.get = sub_get, .to_json = sub_json};

static void item_get(const void *obj, const char *k, size_t kl, tmpl_out_t *out)
{
    const item_t *it = obj;
    if (IS(k, kl, "title"))
        tmpl_out_str(out, it->title, strlen(it->title));
    else if (IS(k, kl, "n"))
        tmpl_out_int(out, it->n);
    else if (IS(k, kl, "ok"))
        tmpl_out_bool(out, it->ok);
    else if (IS(k, kl, "sub"))
        tmpl_out_host(out, &sub_class, it);
}

static json_t *item_json(const void *obj)
{
    const item_t *it = obj;
    return json_pack("{s:s, s:I, s:b, s:o}", "title", it->title, "n", (json_int_t)it->n, "ok",
                     it->ok, "sub", sub_json(it));
}

static const tmpl_host_class_t item_class = {.get = item_get, .to_json = item_json};

static void list_get(const void *obj, const char *k, size_t kl, tmpl_out_t *out)
{
    (void)obj, (void)k, (void)kl, (void)out;
}

static size_t list_len(const void *obj)
{
    (void)obj;
    return sizeof(items) / sizeof(items[0]);
}

static const void *list_at(const void *obj, size_t i, const tmpl_host_class_t **cls)
{
    (void)obj;
    *cls = &item_class;
    return &items[i];
}

static json_t *list_json(const void *obj)
{
    json_t *a = json_array();
    for (size_t i = 0; i < list_len(obj); i++)
        json_array_append_new(a, item_json(&items[i]));
    return a;
}

static const tmpl_host_class_t list_class = {
    .get = list_get, .len = list_len, .at = list_at, .to_json = list_json};

static tmpl_filters_t *filters;
static json_t *fixed;

/* name rendered with "hs" bound to the host list, and with ctx plus "hs"
 * as JSON: the same result and the same output. */
static void host_same_as_json(const tmpl_set_t *set, const char *name, json_t *ctx, size_t max_out)
{
    tmpl_bind_t bind = {"hs", &list_class, items};
    buf_t h = BUF_INIT, j = BUF_INIT;
    int rh = tmpl_render_with(set, name, ctx, &bind, 1, &h, max_out);
    json_t *with = json_is_object(ctx) ? json_copy(ctx) : json_object();
    json_object_set_new(with, "hs", list_json(items));
    int rj = tmpl_render(set, name, with, &j, max_out);
    json_decref(with);
    FUZZ_CHECK(rh == rj);
    FUZZ_CHECK(h.len == j.len && (h.len == 0 || memcmp(h.data, j.data, h.len) == 0));
    buf_free(&h);
    buf_free(&j);
}

static void render_all(const tmpl_set_t *set, size_t n, json_t *ctx, size_t max_out)
{
    static const char *const names[] = {"a.html", "b.html", "c.html", "d.html"};
    buf_t out = BUF_INIT, again = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        buf_reset(&out);
        buf_puts(&out, "pre");
        int rc = tmpl_render(set, names[i], ctx, &out, max_out);
        FUZZ_CHECK(rc == 0 || rc == SOUK_ELIMIT);
        if (rc != 0) {
            FUZZ_CHECK(out.len == 3 && strcmp(out.data, "pre") == 0);
            continue;
        }
        FUZZ_CHECK(out.len - 3 <= max_out && strlen(out.data) <= out.len);
        buf_reset(&again);
        buf_puts(&again, "pre");
        FUZZ_CHECK(tmpl_render(set, names[i], ctx, &again, max_out) == 0);
        FUZZ_CHECK(again.len == out.len && memcmp(again.data, out.data, out.len) == 0);
        host_same_as_json(set, names[i], ctx, max_out);
    }
    FUZZ_CHECK(tmpl_render(set, "missing.html", ctx, &out, max_out) == SOUK_ENOTFOUND);
    buf_free(&out);
    buf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (filters == NULL) {
        filters = tmpl_filters_new();
        tmpl_register_filter(filters, "money", 0, 1, money, NULL);
        tmpl_register_filter(filters, "wrap", 0, 0, wrap, NULL);
        fixed = json_loads(fixed_json, 0, NULL);
        FUZZ_CHECK(fixed != NULL);
    }
    const char *s = (const char *)data;
    const char *nul = memchr(s, '\0', size);
    size_t tlen = nul ? (size_t)(nul - s) : size;

    tmpl_source_t src[4];
    static const char *const names[] = {"a.html", "b.html", "c.html", "d.html"};
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= tlen && n < 4; i++) {
        if (i == tlen || s[i] == '\x01' || n == 3) {
            if (n == 3)
                i = tlen; /* the last template takes the rest, \x01 and all */
            src[n] = (tmpl_source_t){names[n], s + start, i - start};
            n++;
            start = i + 1;
        }
    }

    char err[256];
    tmpl_set_t *set = NULL;
    int rc = tmpl_load_sources(src, n, filters, &set, err, sizeof(err));
    if (rc != 0) {
        FUZZ_CHECK(set == NULL);
        FUZZ_CHECK(rc == SOUK_EINVAL || rc == SOUK_ELIMIT);
        FUZZ_CHECK(strlen(err) > 0 && strlen(err) < sizeof(err));
        FUZZ_CHECK(err[0] >= 'a' && err[0] <= 'd' && strncmp(err + 1, ".html:", 6) == 0);
        return 0;
    }
    size_t max_out = 64 + (size * 37) % 8192;
    render_all(set, n, fixed, max_out);
    if (nul) {
        json_t *ctx = json_loadb(nul + 1, size - tlen - 1, JSON_DECODE_ANY, NULL);
        render_all(set, n, ctx, max_out);
        json_decref(ctx);
    }
    tmpl_set_unref(set);
    return 0;
}
