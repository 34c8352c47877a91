/* fuzz_tmpl.c - libFuzzer target for the template engine (tmpl.h).
 *
 * Input: template sources, then optionally a NUL byte and a JSON context.
 * The sources are split on \x01 into up to four templates a.html .. d.html,
 * so include and extends between them get exercised. Loading must never
 * crash; a load error must come with a "name:" message. If the set loads,
 * every template is rendered against a fixed product-like context and, if
 * the input has one, against its own; each render must succeed within
 * max_out or fail leaving the output as it was, and render the same twice. */
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

static tmpl_filters_t *filters;
static json_t *fixed;

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
