/* render.c - see render.h. The loaded template set is published through a
 * tmpl_slot_t so that a development reload never frees a set while a worker
 * is still rendering with it. */
#include "web/render.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"
#include "core/money.h"
#include "core/tmpl.h"
#include "core/util.h"

static struct {
    const config_t *cfg;
    const static_files_t *statics;
    tmpl_filters_t *filters;
    tmpl_slot_t slot;
    bool dev;
    atomic_llong last_check; /* seconds, CLOCK_MONOTONIC */
    bool ready;
    /* The store currency's, looked up once: a listing prints dozens of prices. */
    const char *money_code, *money_symbol; /* symbol NULL: the code follows the amount */
    int money_exp;
} W;

static const struct {
    const char *code, *symbol;
} symbols[] = {
    {"USD", "$"},    {"EUR", "€"},    {"GBP", "£"},    {"JPY", "¥"},    {"CNY", "¥"},
    {"INR", "₹"},    {"KRW", "₩"},    {"CAD", "CA$"},  {"AUD", "A$"},   {"NZD", "NZ$"},
    {"CHF", "CHF "}, {"SEK", "SEK "}, {"NOK", "NOK "}, {"DKK", "DKK "}, {"BRL", "R$"},
    {"MXN", "MX$"},  {"TRY", "₺"},    {"PLN", "zł "},
};

void web_money(buf_t *out, int64_t minor, bool with_symbol)
{
    if (minor < 0)
        buf_putc(out, '-');
    if (with_symbol && W.money_symbol)
        buf_puts(out, W.money_symbol);
    money_format_abs(out, minor, W.money_exp);
    if (with_symbol && !W.money_symbol) {
        buf_putc(out, ' ');
        buf_puts(out, W.money_code);
    }
}

/* {{ amount | money }}: an integer of minor units; anything else prints nothing. */
static json_t *filter_money(json_t *v, json_t *const *args, size_t nargs, buf_t *out, void *ud)
{
    (void)args;
    (void)nargs;
    if (json_is_integer(v))
        web_money(out, json_integer_value(v), ud != NULL);
    return NULL;
}

/* {{ "css/souk.css" | asset }}: the fingerprinted URL; an unknown name links
 * to its plain /static/ path, so a missing file shows as a 404 in the log. */
static json_t *filter_asset(json_t *v, json_t *const *args, size_t nargs, buf_t *out, void *ud)
{
    (void)args;
    (void)nargs;
    (void)ud;
    if (!json_is_string(v))
        return NULL;
    const char *url = W.statics ? static_url(W.statics, json_string_value(v)) : NULL;
    if (url) {
        buf_puts(out, url);
    } else {
        buf_puts(out, "/static/");
        buf_puts(out, json_string_value(v));
    }
    return NULL;
}

int web_init(const config_t *cfg, const static_files_t *statics, char *err, size_t errcap)
{
    W.cfg = cfg;
    W.statics = statics;
    W.money_code = cfg->currency;
    W.money_exp = currency_exponent(cfg->currency);
    if (W.money_exp < 0) /* the configuration is checked before this */
        BUG("unknown currency %s", cfg->currency);
    W.money_symbol = NULL;
    for (size_t i = 0; i < ARRAY_LEN(symbols); i++)
        if (strcmp(symbols[i].code, cfg->currency) == 0)
            W.money_symbol = symbols[i].symbol;
    W.dev = strcmp(cfg->env, "development") == 0;
    W.filters = tmpl_filters_new();
    static int with_symbol = 1;
    if (tmpl_register_filter(W.filters, "money", 0, 0, filter_money, &with_symbol) != 0 ||
        tmpl_register_filter(W.filters, "money_plain", 0, 0, filter_money, NULL) != 0 ||
        tmpl_register_filter(W.filters, "asset", 0, 0, filter_asset, NULL) != 0)
        BUG("template filter registration failed");
    tmpl_set_t *set;
    int rc = tmpl_load(cfg->templates_dir, W.filters, &set, err, errcap);
    if (rc != 0) {
        tmpl_filters_free(W.filters);
        W.filters = NULL;
        return rc;
    }
    tmpl_slot_init(&W.slot, set);
    W.ready = true;
    return 0;
}

void web_shutdown(void)
{
    if (!W.ready)
        return;
    tmpl_slot_destroy(&W.slot);
    tmpl_filters_free(W.filters);
    W.filters = NULL;
    W.ready = false;
}

/* Development: reload changed templates, at most one check a second. */
static void maybe_reload(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long now = ts.tv_sec, last = atomic_load(&W.last_check);
    if (now == last || !atomic_compare_exchange_strong(&W.last_check, &last, now))
        return;
    tmpl_set_t *cur = tmpl_slot_get(&W.slot), *fresh = NULL;
    char err[512];
    if (tmpl_reload(cur, &fresh, err, sizeof(err)) != 0)
        log_error("templates not reloaded, the previous ones stay: %s", err);
    else if (fresh) {
        log_info("templates reloaded from %s", W.cfg->templates_dir);
        tmpl_slot_swap(&W.slot, fresh);
    }
    tmpl_set_unref(cur);
}

const char *web_origin(http_ctx_t *c)
{
    if (W.cfg && W.cfg->base_url[0])
        return W.cfg->base_url;
    const char *host = http_header(c, "host");
    buf_t b = BUF_INIT;
    buf_printf(&b, "http://%s", host && host[0] ? host : "localhost");
    char *s = http_strdup(c, buf_cstr(&b));
    buf_free(&b);
    return s;
}

int web_render(http_ctx_t *c, int status, const char *name, json_t *ctx)
{
    return web_render_with(c, status, name, ctx, NULL, 0);
}

int web_render_with(http_ctx_t *c, int status, const char *name, json_t *ctx,
                    const tmpl_bind_t *binds, size_t nbinds)
{
    ASSERT(W.ready);
    if (W.dev)
        maybe_reload();
    if (json_object_get(ctx, "store") == NULL)
        json_object_set_new(ctx, "store",
                            json_pack("{s:s, s:s, s:s}", "name", W.cfg->store_name, "currency",
                                      W.cfg->currency, "language", "en"));
    tmpl_set_t *set = tmpl_slot_get(&W.slot);
    buf_t *out = http_out(c);
    size_t before = out->len;
    int rc = tmpl_render_with(set, name, ctx, binds, nbinds, out, TMPL_DEFAULT_MAX_OUT);
    tmpl_set_unref(set);
    json_decref(ctx);
    if (rc != 0) {
        out->len = before;
        log_error("rendering %s failed: %s", name, souk_strerror(rc));
        return rc == SOUK_ENOTFOUND ? SOUK_EIO : rc;
    }
    http_set_status(c, status);
    http_set_content_type(c, "text/html; charset=utf-8");
    return 0;
}

void web_put_str(json_t *o, const char *key, const char *v)
{
    json_object_set_new_nocheck(o, key, json_string_nocheck(v ? v : ""));
}

void web_put_int(json_t *o, const char *key, int64_t v)
{
    json_object_set_new_nocheck(o, key, json_integer((json_int_t)v));
}

void web_put_bool(json_t *o, const char *key, bool v)
{
    json_object_set_new_nocheck(o, key, json_boolean(v));
}

void web_put(json_t *o, const char *key, json_t *j)
{
    json_object_set_new_nocheck(o, key, j);
}

void web_put_cat(json_t *o, const char *key, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char small[256], *s = la + lb < sizeof(small) ? small : xmalloc(la + lb + 1);
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
    json_object_set_new_nocheck(o, key, json_stringn_nocheck(s, la + lb));
    if (s != small)
        free(s);
}
