/* test_tmpl.c - the template engine: output and escaping, every tag, filters,
 * inheritance, load-time errors with file and line, limits at and one past,
 * directory loading and reload, and rendering one set from several threads. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/tmpl.h"
#include "harness.h"

/* ---- helpers ---- */

static char err[512];

/* Load name/source pairs (NULL-terminated) from memory. */
static int load_pairs(tmpl_set_t **out, const tmpl_filters_t *f, const char *const *pairs)
{
    tmpl_source_t src[64];
    size_t n = 0;
    for (; pairs[2 * n]; n++) {
        src[n].name = pairs[2 * n];
        src[n].src = pairs[2 * n + 1];
        src[n].len = strlen(pairs[2 * n + 1]);
    }
    return tmpl_load_sources(src, n, f, out, err, sizeof(err));
}
#define LOAD(setp, ...) load_pairs((setp), NULL, (const char *const[]){__VA_ARGS__, NULL})
#define LOADF(setp, f, ...) load_pairs((setp), (f), (const char *const[]){__VA_ARGS__, NULL})

/* Results live in a small ring of static buffers, so tests can compare them
 * without freeing each one. */
static const char *keep(const char *s)
{
    static buf_t ring[16];
    static size_t next;
    buf_t *b = &ring[next++ % 16];
    buf_reset(b);
    buf_puts(b, s);
    return buf_cstr(b);
}

static json_t *parse_json(const char *json)
{
    json_error_t je;
    json_t *j = json_loads(json ? json : "{}", JSON_DECODE_ANY, &je);
    if (j == NULL)
        test_fail(__FILE__, __LINE__, "bad test JSON: %s", je.text);
    return j;
}

/* Render name from set with the JSON text as context: the HTML, or
 * "RENDER <rc>" on error. */
static const char *render_set(const tmpl_set_t *set, const char *name, const char *json)
{
    json_t *ctx = parse_json(json);
    buf_t out = BUF_INIT;
    int rc = tmpl_render(set, name, ctx, &out, TMPL_DEFAULT_MAX_OUT);
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "RENDER %d", rc);
    const char *r = keep(rc == 0 ? buf_cstr(&out) : tmp);
    buf_free(&out);
    json_decref(ctx);
    return r;
}

/* Load one template "t.html" and render it: the HTML, "LOAD <message>" or
 * "RENDER <rc>". */
static const char *r1f(const tmpl_filters_t *f, const char *src, const char *json)
{
    tmpl_set_t *set;
    if (LOADF(&set, f, "t.html", src) != 0) {
        char tmp[600];
        snprintf(tmp, sizeof(tmp), "LOAD %s", err);
        return keep(tmp);
    }
    const char *r = render_set(set, "t.html", json);
    tmpl_set_unref(set);
    return r;
}
static const char *r1(const char *src, const char *json)
{
    return r1f(NULL, src, json);
}

static void mkdirs(const char *path)
{
    char tmp[1024];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    }
    mkdir(tmp, 0755);
}

static void write_file(const char *dir, const char *rel, const char *text, size_t len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    mkdirs(path);
    *slash = '/';
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        test_fail(__FILE__, __LINE__, "cannot write %s: %s", path, strerror(errno));
        return;
    }
    fwrite(text, 1, len, f);
    fclose(f);
}
#define WRITE(dir, rel, text) write_file((dir), (rel), (text), strlen(text))

static const char *fresh_dir(const char *name)
{
    static char dir[16][512];
    static size_t next;
    char *d = dir[next++ % 16];
    snprintf(d, 512, "%s/%s", test_tmpdir(), name);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
    if (system(cmd) != 0)
        test_fail(__FILE__, __LINE__, "rm failed");
    mkdirs(d);
    return d;
}

/* ---- output ---- */

TEST(tmpl_escapes_output_by_default)
{
    const char *ctx = "{\"s\": \"<a href=\\\"x\\\">Tom's & Jerry's</a>\"}";
    CHECK_STR(r1("<p>{{ s }}</p>", ctx),
              "<p>&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&#39;s&lt;/a&gt;</p>");
    CHECK_STR(r1("<p>{{ s | raw }}</p>", ctx), "<p><a href=\"x\">Tom's & Jerry's</a></p>");
    CHECK_STR(r1("{{ s | raw | upper }}", "{\"s\": \"<b>\"}"), "<B>");
    /* Template text itself is never escaped. */
    CHECK_STR(r1("<b>&amp;</b>", NULL), "<b>&amp;</b>");
}

TEST(tmpl_prints_scalars)
{
    const char *ctx = "{\"i\": 42, \"n\": -7, \"t\": true, \"f\": false, \"z\": null, "
                      "\"r\": 1.5, \"big\": 9223372036854775807, \"s\": \"x\"}";
    CHECK_STR(r1("{{ i }}|{{ n }}|{{ t }}|{{ f }}|{{ z }}|{{ r }}|{{ big }}|{{ nope }}", ctx),
              "42|-7|true|false||1.5|9223372036854775807|");
    CHECK_STR(r1("{{ 12 }} {{ -3 }} {{ \"lit<\" }} {{ 'single' }} {{ true }} {{ null }}", NULL),
              "12 -3 lit&lt; single true ");
    CHECK_STR(r1("{{ \"a\\\"b\\\\c\\n\" | raw }}", NULL), "a\"b\\c\n");
    /* Reals: the shortest text that reads back as the same number. */
    CHECK_STR(r1("{% for x in xs %}{{ x }} {% endfor %}",
                 "{\"xs\": [0.1, 12.5, -3.25, -0.05, 100.0, 0.0025, 0.000001, 1e-7, 1e20, "
                 "0.3333333333333333, 1.7976931348623157e308, 123456.789]}"),
              "0.1 12.5 -3.25 -0.05 100 0.0025 0.000001 1e-07 1e+20 0.3333333333333333 "
              "1.7976931348623157e+308 123456.789 ");
    CHECK_STR(r1("{{ xs | json }}", "{\"xs\": [0.1, -0.05, 1e20]}"), "[0.1,-0.05,1e+20]");
}

TEST(tmpl_objects_print_nothing_and_count_a_warning)
{
    tmpl_set_t *set;
    CHECK_INT(LOAD(&set, "t.html", "[{{ o }}][{{ a }}][{{ o.k }}]"), 0);
    unsigned long before = tmpl_set_warnings(set);
    CHECK_STR(render_set(set, "t.html", "{\"o\": {\"k\": 1}, \"a\": [1]}"), "[][][1]");
    CHECK_INT(tmpl_set_warnings(set) - before, 2);
    tmpl_set_unref(set);
}

TEST(tmpl_paths_and_indexes)
{
    const char *ctx = "{\"p\": {\"title\": \"Mug\", \"price\": {\"amount\": 1250}, "
                      "\"images\": [\"a.jpg\", \"b.jpg\", \"c.jpg\"], \"odd key\": 5}}";
    CHECK_STR(r1("{{ p.title }} {{ p.price.amount }} {{ p.images[0] }} {{ p.images.1 }} "
                 "{{ p.images[-1] }} {{ p[\"odd key\"] }}",
                 ctx),
              "Mug 1250 a.jpg b.jpg c.jpg 5");
    /* Missing anything is null, never an error. */
    CHECK_STR(r1("[{{ p.nope.deeper }}{{ p.images[9] }}{{ p.images[-9] }}{{ p.title.x }}"
                 "{{ q[0] }}{{ p.images.title }}]",
                 ctx),
              "[]");
}

/* ---- tags ---- */

TEST(tmpl_if_elif_else_and_truthiness)
{
    const char *src = "{% if v %}T{% else %}F{% endif %}";
    const char *falsy[] = {"null", "false", "0", "0.0", "\"\"", "[]", "{}"};
    const char *truthy[] = {"true", "1", "-1", "0.5", "\"0\"", "\" \"", "[0]", "{\"a\": null}"};
    char ctx[64];
    for (size_t i = 0; i < sizeof(falsy) / sizeof(falsy[0]); i++) {
        snprintf(ctx, sizeof(ctx), "{\"v\": %s}", falsy[i]);
        CHECK_STR(r1(src, ctx), "F");
    }
    for (size_t i = 0; i < sizeof(truthy) / sizeof(truthy[0]); i++) {
        snprintf(ctx, sizeof(ctx), "{\"v\": %s}", truthy[i]);
        CHECK_STR(r1(src, ctx), "T");
    }
    CHECK_STR(r1(src, "{}"), "F");
    const char *chain = "{% if n == 1 %}one{% elif n == 2 %}two{% elif n > 2 %}many"
                        "{% else %}none{% endif %}";
    CHECK_STR(r1(chain, "{\"n\": 1}"), "one");
    CHECK_STR(r1(chain, "{\"n\": 2}"), "two");
    CHECK_STR(r1(chain, "{\"n\": 7}"), "many");
    CHECK_STR(r1(chain, "{\"n\": 0}"), "none");
    CHECK_STR(r1("{% if x %}yes{% endif %}", "{}"), "");
}

TEST(tmpl_expressions)
{
    const char *ctx = "{\"a\": 3, \"b\": 4.5, \"s\": \"abc\", \"t\": \"abd\", \"e\": \"\", "
                      "\"l\": [1, 2], \"l2\": [1, 2], \"y\": true}";
#define E(expr, want) CHECK_STR(r1("{{ " expr " }}", ctx), want)
    E("a == 3", "true");
    E("a != 3", "false");
    E("a < b", "true");
    E("b <= 5", "true");
    E("b > 4", "true");
    E("b == 4", "false");
    E("a > 3", "false");
    E("a >= 3", "true");
    E("s < t", "true");
    E("s == \"abc\"", "true");
    E("s < \"abcd\"", "true");
    E("a == \"3\"", "false"); /* different types are never equal */
    E("a != \"3\"", "true");
    E("a < \"4\"", "false");
    E("missing == null", "true");
    E("y == true", "true");
    E("l == l2", "true");
    E("not a", "false");
    E("not not a", "true");
    E("not missing", "true");
    E("a and s", "abc"); /* and/or give the deciding operand, like Python */
    E("e and s", "");
    E("e or s", "abc");
    E("missing or e or \"fallback\"", "fallback");
    E("a > 1 and a < 5", "true");
    E("a > 5 or s == \"abc\"", "true");
    E("not (a > 5 or y)", "false");
    E("(a == 3) == true", "true");
    E("not a == 4", "true"); /* not binds looser than == */
    E("s | upper == \"ABC\"", "true");
#undef E
}

TEST(tmpl_for_loop_variables)
{
    const char *ctx = "{\"xs\": [\"a\", \"b\", \"c\"]}";
    CHECK_STR(r1("{% for x in xs %}{{ loop.index }}{{ x }}{{ loop.index0 }}"
                 "{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}"
                 "{{ loop.length }}{{ loop.revindex }};{% endfor %}",
                 ctx),
              "1a0F33;2b132;3c2L31;");
    CHECK_STR(r1("{% for x in xs %}{{ x }}{% else %}empty{% endfor %}", "{\"xs\": []}"), "empty");
    CHECK_STR(r1("{% for x in xs %}{{ x }}{% else %}empty{% endfor %}", "{}"), "empty");
    CHECK_STR(r1("{% for x in xs %}{{ x }}{% else %}empty{% endfor %}", "{\"xs\": \"str\"}"),
              "empty");
    CHECK_STR(r1("{% for x in xs %}{{ x }}{% endfor %}", "{\"xs\": 5}"), "");
    /* Objects: keys in document order, alone or with their values. */
    const char *obj = "{\"o\": {\"b\": 1, \"a\": 2, \"c\": {\"d\": 3}}}";
    CHECK_STR(r1("{% for k in o %}{{ k }}{% endfor %}", obj), "bac");
    CHECK_STR(r1("{% for k, v in o %}{{ loop.index }}{{ k }}={{ v.d or v }};{% endfor %}", obj),
              "1b=1;2a=2;3c=3;");
    /* Arrays with two names: index from 0, then the item. */
    CHECK_STR(r1("{% for i, x in xs %}{{ i }}{{ x }}{% endfor %}", ctx), "0a1b2c");
    /* loop outside a loop is just a name. */
    CHECK_STR(r1("{{ loop.index }}", "{\"loop\": {\"index\": 9}}"), "9");
    CHECK_STR(r1("{% for x in xs %}{{ loop.nope }}{{ loop }}{% endfor %}", ctx), "");
}

TEST(tmpl_nested_loops_shadow)
{
    const char *ctx = "{\"rows\": [{\"n\": \"r1\", \"cells\": [1, 2]}, "
                      "{\"n\": \"r2\", \"cells\": []}, {\"n\": \"r3\", \"cells\": [3]}], "
                      "\"x\": \"outer\"}";
    CHECK_STR(r1("{% for x in rows %}<{{ x.n }}:{{ loop.index }}"
                 "{% for x in x.cells %}[{{ x }}/{{ loop.index }}/{{ loop.length }}]"
                 "{% else %}-{% endfor %}{{ loop.index }}{% if loop.last %}!{% endif %}>"
                 "{% endfor %}{{ x }}",
                 ctx),
              "<r1:1[1/1/2][2/2/2]1><r2:2-2><r3:3[3/1/1]3!>outer");
}

TEST(tmpl_set_is_scoped)
{
    CHECK_STR(r1("{% set a = 5 %}{% set b = x.y %}{{ a }}{{ b }}", "{\"x\": {\"y\": \"!\"}}"),
              "5!");
    /* A set shadows the context; reassigning in the same scope replaces. */
    CHECK_STR(r1("{{ a }}{% set a = \"local\" %}{{ a }}{% set a = a | upper %}{{ a }}",
                 "{\"a\": \"ctx\"}"),
              "ctxlocalLOCAL");
    /* Inside a for body it lives for one iteration. */
    CHECK_STR(r1("{% set t = \"top\" %}{% for x in xs %}{{ t }}{% set t = x %}{{ t }};"
                 "{% endfor %}{{ t }}",
                 "{\"xs\": [\"a\", \"b\"]}"),
              "topa;topb;top");
    /* if does not open a scope. */
    CHECK_STR(r1("{% if true %}{% set v = 1 %}{% endif %}{{ v }}", NULL), "1");
    /* Rebinding the loop variable lasts until the next item. */
    CHECK_STR(r1("{% for x in xs %}{{ x }}{% set x = x | upper %}{{ x }}{% endfor %}",
                 "{\"xs\": [\"a\", \"b\"]}"),
              "aAbB");
    /* Values that came from filters survive the tag that made them. */
    CHECK_STR(
        r1("{% set u = s | url %}{% set j = s | json %}{{ u }} {{ j | raw }}", "{\"s\": \"a b\"}"),
        "a%20b \"a b\"");
}

TEST(tmpl_comments_and_whitespace_control)
{
    CHECK_STR(r1("a{# a comment {{ x }} {% if %} #}b", NULL), "ab");
    CHECK_STR(r1("a{# line one\nline two #}b", NULL), "ab");
    CHECK_STR(r1("<ul>\n  {%- for x in xs -%}\n  <li>{{ x }}</li>\n  {%- endfor -%}\n</ul>",
                 "{\"xs\": [1, 2]}"),
              "<ul><li>1</li><li>2</li></ul>");
    CHECK_STR(r1("a  \n {{- x -}} \n  b", "{\"x\": \"X\"}"), "aXb");
    CHECK_STR(r1("a  {{- x }}  b", "{\"x\": \"X\"}"), "aX  b");
    CHECK_STR(r1("a  {{ x -}}  b", "{\"x\": \"X\"}"), "a  Xb");
    CHECK_STR(r1("a \n {#- c -#} \n b", NULL), "ab");
    CHECK_STR(r1("{{ -1 }}", NULL), "-1"); /* "{{ -" with a space is a minus sign */
    CHECK_STR(r1("text { not a tag } {x} %} #}", NULL), "text { not a tag } {x} %} #}");
}

TEST(tmpl_include_uses_the_current_context)
{
    tmpl_set_t *set;
    CHECK_INT(LOAD(&set, "page.html",
                   "{% for p in products %}{% include \"partials/card.html\" %}{% endfor %}"
                   "{% set v = 1 %}{% include \"partials/set.html\" %}{{ v }}",
                   "partials/card.html", "<div>{{ loop.index }}:{{ p.title }} in {{ shop }}</div>",
                   "partials/set.html", "{% set v = 2 %}{{ v }}"),
              0);
    CHECK_STR(render_set(set, "page.html",
                         "{\"shop\": \"S\", \"products\": [{\"title\": \"A\"}, {\"title\": "
                         "\"B\"}]}"),
              "<div>1:A in S</div><div>2:B in S</div>21");
    CHECK(tmpl_exists(set, "partials/card.html"));
    CHECK(!tmpl_exists(set, "card.html"));
    tmpl_set_unref(set);
}

TEST(tmpl_extends_and_blocks)
{
    tmpl_set_t *set;
    CHECK_INT(LOAD(&set, "layout.html",
                   "<title>{% block title %}Shop{% endblock %}</title>"
                   "<main>{% block content %}default{% endblock %}</main>"
                   "<footer>{% block footer %}(c) {{ shop }}{% endblock footer %}</footer>",
                   "page.html",
                   "{% extends \"layout.html\" %}\n"
                   "{% set heading = product.title | upper %}\n"
                   "{% block title %}{{ product.title }} - {{ super() }}{% endblock %}\n"
                   "{# comment #}\n"
                   "{% block content %}<h1>{{ heading }}</h1>{% endblock %}\n",
                   "sale.html",
                   "{% extends \"page.html\" %}"
                   "{% block content %}SALE {{ super() }}{% endblock %}"
                   "{% block footer %}{{ super() }}!{% endblock %}"),
              0);
    const char *ctx = "{\"shop\": \"S\", \"product\": {\"title\": \"Mug\"}}";
    CHECK_STR(render_set(set, "layout.html", ctx),
              "<title>Shop</title><main>default</main><footer>(c) S</footer>");
    CHECK_STR(render_set(set, "page.html", ctx),
              "<title>Mug - Shop</title><main><h1>MUG</h1></main><footer>(c) S</footer>");
    CHECK_STR(render_set(set, "sale.html", ctx),
              "<title>Mug - Shop</title><main>SALE <h1>MUG</h1></main><footer>(c) S!</footer>");
    tmpl_set_unref(set);

    /* Nested blocks: the child overrides the inner one only. Blocks see the
     * variables where the layout puts them. */
    CHECK_INT(LOAD(&set, "base.html",
                   "{% for x in xs %}{% block outer %}[{% block inner %}{{ x }}{% endblock %}]"
                   "{% endblock %}{% endfor %}",
                   "child.html",
                   "{% extends \"base.html\" %}{% block inner %}<{{ x }}{{ loop.index }}>"
                   "{% endblock %}"),
              0);
    CHECK_STR(render_set(set, "child.html", "{\"xs\": [\"a\", \"b\"]}"), "[<a1>][<b2>]");
    tmpl_set_unref(set);
}

/* ---- filters ---- */

TEST(tmpl_builtin_filters)
{
    const char *ctx = "{\"s\": \"Caf\xc3\xa9 Cr\xc3\xa8me\", \"a\": [1, 2, 3], \"o\": {\"k\": 1}, "
                      "\"e\": \"\", \"z\": 0, \"n\": 42}";
    CHECK_STR(r1("{{ s | upper }}|{{ s | lower }}", ctx),
              "CAF\xc3\xa9 CR\xc3\xa8ME|caf\xc3\xa9 cr\xc3\xa8me");
    CHECK_STR(r1("{{ s | length }} {{ a | length }} {{ o | length }} {{ e | length }} "
                 "{{ missing | length }} {{ n | length }}",
                 ctx),
              "10 3 1 0 0 0");
    CHECK_STR(
        r1("{{ missing | default(\"none\") }} {{ e | default('empty') }} "
           "{{ z | default(5) }} {{ s | default(\"x\") | length }} {{ missing | default(7) }}",
           ctx),
        "none empty 0 10 7");
    CHECK_STR(r1("{{ q | url }}", "{\"q\": \"a b&c=d/\xc3\xa9~-._\"}"),
              "a%20b%26c%3Dd%2F%C3%A9~-._");
    CHECK_STR(r1("{{ n | url }}", ctx), "42");
    /* truncate counts characters, not bytes, and never splits one. */
    CHECK_STR(r1("{{ s | truncate(4) }}", ctx), "Caf\xc3\xa9\xe2\x80\xa6");
    CHECK_STR(r1("{{ s | truncate(3, \"...\") }}", ctx), "Caf...");
    CHECK_STR(r1("{{ s | truncate(10) }}", ctx), "Caf\xc3\xa9 Cr\xc3\xa8me");
    CHECK_STR(r1("{{ s | truncate(9, \"\") }}", ctx), "Caf\xc3\xa9 Cr\xc3\xa8m");
    CHECK_STR(r1("{{ s | truncate(0, \"\") }}", ctx), "");
    CHECK_STR(r1("{{ n | truncate(1, \"\") }}|{{ n | truncate(5) }}", ctx), "4|42");
    CHECK_STR(r1("{{ \"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\" | truncate(1, \"\") }}", NULL),
              "\xf0\x9f\x98\x80");
    CHECK_STR(r1("{{ s | truncate(4) | upper | length }}", ctx), "5");
    /* json: the value as JSON, escaped for HTML unless raw. */
    CHECK_STR(r1("{{ o | json }}", ctx), "{&quot;k&quot;:1}");
    CHECK_STR(
        r1("{{ a | json | raw }} {{ n | json }} {{ missing | json }} {{ e | json | raw }}", ctx),
        "[1,2,3] 42 null \"\"");
}

TEST(tmpl_json_filter_is_safe_in_a_script)
{
    const char *ctx =
        "{\"p\": {\"name\": \"</script><script>alert('x')</script>\", \"d\": \"a&b <!-- "
        "\\u2028\\u2029 \\\"q\\\" \\\\ \\n\", \"price\": 12.5, \"tags\": [true, null]}}";
    const char *out = r1("<script type=\"application/ld+json\">{{ p | json | raw }}</script>", ctx);
    const char *start = out + strlen("<script type=\"application/ld+json\">");
    size_t len = strlen(start) - strlen("</script>");
    CHECK(strncmp(out, "<script type=\"application/ld+json\">", 35) == 0);
    /* Nothing inside can end the element, open a comment or a line. */
    CHECK(memchr(start, '<', len) == NULL);
    CHECK(memchr(start, '>', len) == NULL);
    CHECK(memchr(start, '&', len) == NULL);
    CHECK(memchr(start, '\'', len) == NULL);
    CHECK(strstr(start, "\xe2\x80\xa8") == NULL && strstr(start, "\xe2\x80\xa9") == NULL);
    CHECK(strstr(start, "\\u003c/script\\u003e") != NULL);
    CHECK(strstr(start, "\\u2028\\u2029") != NULL);
    /* And it is the same data. */
    json_error_t je;
    json_t *back = json_loadb(start, len, 0, &je);
    json_t *want = parse_json(ctx);
    CHECK(back != NULL && json_equal(back, json_object_get(want, "p")));
    json_decref(back);
    json_decref(want);
}

static json_t *money(json_t *value, json_t *const *args, size_t nargs, buf_t *out, void *ud)
{
    const char *sym = nargs > 0 ? json_string_value(args[0]) : (const char *)ud;
    if (!json_is_integer(value))
        return NULL; /* "" */
    json_int_t c = json_integer_value(value);
    buf_printf(out, "%s%lld.%02lld", sym, (long long)(c / 100), (long long)(c % 100));
    return NULL;
}

static json_t *first_n(json_t *value, json_t *const *args, size_t nargs, buf_t *out, void *ud)
{
    (void)out, (void)ud, (void)nargs;
    json_t *r = json_array();
    for (size_t i = 0; i < json_array_size(value) && (json_int_t)i < json_integer_value(args[0]);
         i++)
        json_array_append(r, json_array_get(value, i));
    return r;
}

static json_t *count_args(json_t *value, json_t *const *args, size_t nargs, buf_t *out, void *ud)
{
    (void)value, (void)args, (void)out, (void)ud;
    return json_integer((json_int_t)nargs);
}

TEST(tmpl_application_filters)
{
    tmpl_filters_t *f = tmpl_filters_new();
    CHECK_INT(tmpl_register_filter(f, "money", 0, 1, money, "$"), 0);
    CHECK_INT(tmpl_register_filter(f, "first", 1, 1, first_n, NULL), 0);
    CHECK_INT(tmpl_register_filter(f, "nargs", 0, TMPL_MAX_FILTER_ARGS, count_args, NULL), 0);
    CHECK_INT(tmpl_register_filter(f, "money", 0, 0, money, NULL), SOUK_ECONFLICT);
    CHECK_INT(tmpl_register_filter(f, "upper", 0, 0, money, NULL), SOUK_ECONFLICT);
    CHECK_INT(tmpl_register_filter(f, "2x", 0, 0, money, NULL), SOUK_EINVAL);
    CHECK_INT(tmpl_register_filter(f, "a-b", 0, 0, money, NULL), SOUK_EINVAL);
    CHECK_INT(tmpl_register_filter(f, "", 0, 0, money, NULL), SOUK_EINVAL);
    CHECK_INT(tmpl_register_filter(f, "many", 0, TMPL_MAX_FILTER_ARGS + 1, money, NULL),
              SOUK_EINVAL);
    CHECK_INT(tmpl_register_filter(f, "backwards", 2, 1, money, NULL), SOUK_EINVAL);

    const char *ctx = "{\"p\": 1250, \"xs\": [\"a\", \"b\", \"c\"], \"s\": \"<>\"}";
    CHECK_STR(r1f(f, "{{ p | money }} {{ p | money(\"EUR \") }} [{{ s | money }}]", ctx),
              "$12.50 EUR 12.50 []");
    CHECK_STR(r1f(f, "{{ p | money | length }}{% if p | money == \"$12.50\" %}!{% endif %}", ctx),
              "6!");
    CHECK_STR(r1f(f, "{% for x in xs | first(2) %}{{ x }}{% endfor %}", ctx), "ab");
    CHECK_STR(r1f(f, "{% set two = xs | first(2) %}{{ two | length }}{{ two[1] }}", ctx), "2b");
    CHECK_STR(r1f(f, "{{ p | nargs(1, -2, \"s\", true, false, null, 'x', 8) }}", ctx), "8");
    /* Unknown filters and wrong argument counts are load errors. */
    CHECK_STR(r1f(f, "\n{{ p | moneyy }}", ctx), "LOAD t.html:2: unknown filter 'moneyy'");
    CHECK_STR(r1("{{ p | money }}", ctx), "LOAD t.html:1: unknown filter 'money'");
    CHECK_STR(r1f(f, "{{ xs | first }}", ctx),
              "LOAD t.html:1: filter 'first' takes 1 argument, not 0");
    CHECK_STR(r1f(f, "{{ p | money(1, 2) }}", ctx),
              "LOAD t.html:1: filter 'money' takes 0 to 1 arguments, not 2");
    CHECK_STR(r1("{{ p | truncate(\"x\") }}", ctx),
              "LOAD t.html:1: truncate takes a character count >= 0 and an optional end string");
    CHECK_STR(r1("{{ p | upper(1) }}", ctx),
              "LOAD t.html:1: filter 'upper' takes 0 arguments, not 1");
    CHECK_STR(r1("{{ p | default(x) }}", ctx),
              "LOAD t.html:1: expected a literal argument (number, string, true, false or null), "
              "found 'x'");

    /* A set keeps its own copy of the filters. */
    tmpl_set_t *set;
    CHECK_INT(LOADF(&set, f, "t.html", "{{ p | money }}"), 0);
    tmpl_filters_free(f);
    CHECK_STR(render_set(set, "t.html", ctx), "$12.50");
    tmpl_set_unref(set);
}

/* ---- host values ---- */

typedef struct {
    const char *title;
    int64_t pages;
    bool fresh;
    const char *author; /* NULL: no author object */
} book_t;

typedef struct {
    const book_t *v;
    size_t n;
} shelf_t;

#define IS(k, kl, lit) ((kl) == strlen(lit) && memcmp((k), (lit), (kl)) == 0)

static void author_get(const void *obj, const char *k, size_t kl, tmpl_out_t *out)
{
    const book_t *b = obj;
    if (IS(k, kl, "name"))
        tmpl_out_str(out, b->author, strlen(b->author));
}

static json_t *author_json(const void *obj)
{
    return json_pack("{s:s}", "name", ((const book_t *)obj)->author);
}

static const tmpl_host_class_t author_class = {.get = author_get, .to_json = author_json};

static void book_get(const void *obj, const char *k, size_t kl, tmpl_out_t *out)
{
    const book_t *b = obj;
    if (IS(k, kl, "title"))
        tmpl_out_str(out, b->title, strlen(b->title));
    else if (IS(k, kl, "pages"))
        tmpl_out_int(out, b->pages);
    else if (IS(k, kl, "new"))
        tmpl_out_bool(out, b->fresh);
    else if (IS(k, kl, "author") && b->author)
        tmpl_out_host(out, &author_class, b);
}

static json_t *book_json(const void *obj)
{
    const book_t *b = obj;
    json_t *j = json_pack("{s:s, s:I, s:b}", "title", b->title, "pages", (json_int_t)b->pages,
                          "new", b->fresh);
    if (b->author)
        json_object_set_new(j, "author", author_json(b));
    return j;
}

static const tmpl_host_class_t book_class = {.get = book_get, .to_json = book_json};

static void shelf_get(const void *obj, const char *k, size_t kl, tmpl_out_t *out)
{
    (void)obj, (void)k, (void)kl, (void)out;
}

static size_t shelf_len(const void *obj)
{
    return ((const shelf_t *)obj)->n;
}

static const void *shelf_at(const void *obj, size_t i, const tmpl_host_class_t **cls)
{
    *cls = &book_class;
    return &((const shelf_t *)obj)->v[i];
}

static json_t *shelf_json(const void *obj)
{
    const shelf_t *s = obj;
    json_t *a = json_array();
    for (size_t i = 0; i < s->n; i++)
        json_array_append_new(a, book_json(&s->v[i]));
    return a;
}

static const tmpl_host_class_t shelf_class = {
    .get = shelf_get, .len = shelf_len, .at = shelf_at, .to_json = shelf_json};

static const book_t books[] = {{"A & B", 100, true, NULL}, {"C", 200, false, "Ann"}};
static const shelf_t shelf = {books, 2}, empty_shelf = {books, 0};

/* Render src with "shelf" and "empty" bound to host lists over JSON ctx. */
static const char *rh(const tmpl_filters_t *f, const char *src, const char *json)
{
    tmpl_set_t *set;
    if (LOADF(&set, f, "t.html", src) != 0)
        return keep(err);
    json_t *ctx = parse_json(json);
    buf_t out = BUF_INIT;
    tmpl_bind_t binds[] = {{"shelf", &shelf_class, &shelf}, {"empty", &shelf_class, &empty_shelf}};
    int rc = tmpl_render_with(set, "t.html", ctx, binds, 2, &out, TMPL_DEFAULT_MAX_OUT);
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "RENDER %d", rc);
    const char *r = keep(rc == 0 ? buf_cstr(&out) : tmp);
    buf_free(&out);
    json_decref(ctx);
    tmpl_set_unref(set);
    return r;
}

/* C data given to a render reads as JSON would: paths, indexes, loops,
 * conditions, set, comparisons and filters. */
TEST(tmpl_host_values_read_as_json)
{
    const char *ctx = "{\"shelf\": \"hidden by the binding\", \"other\": \"root\"}";
    CHECK_STR(rh(NULL,
                 "{% for b in shelf %}{{ loop.index }}:{{ b.title }}/{{ b.pages }}"
                 "{% if b.new %}*{% endif %}{% if loop.last %}.{% endif %};{% endfor %}",
                 ctx),
              "1:A &amp; B/100*;2:C/200.;");
    CHECK_STR(rh(NULL, "{{ shelf[0].title }}|{{ shelf[-1].title }}|{{ shelf[5].title }}", ctx),
              "A &amp; B|C|");
    CHECK_STR(
        rh(NULL, "{{ shelf[0].nope }}|{{ shelf[0].author.name }}|{{ shelf[1].author.name }}", ctx),
        "||Ann");
    CHECK_STR(rh(NULL, "{{ shelf[0].nope | default(\"x\") }} {{ other }}", ctx), "x root");
    CHECK_STR(rh(NULL, "{% for i, b in shelf %}{{ i }}{{ b.title | upper }}{% endfor %}", ctx),
              "0A &amp; B1C");
    CHECK_STR(rh(NULL, "{% for b in empty %}x{% else %}none{% endfor %}", ctx), "none");
    CHECK_STR(rh(NULL,
                 "{% if shelf %}y{% endif %}{% if empty %}n{% else %}e{% endif %}"
                 "{% if not shelf[1].new %}!{% endif %}",
                 ctx),
              "ye!");
    CHECK_STR(rh(NULL,
                 "{% set b = shelf[1] %}{{ b.title }}{% if b == shelf[1] %}={% endif %}"
                 "{% if b == shelf[0] %}!{% endif %}{% if b.pages > 150 %}>{% endif %}",
                 ctx),
              "C=>");
    CHECK_STR(rh(NULL, "{{ shelf | length }} {{ empty | length }} {{ shelf[1] | length }}", ctx),
              "2 0 4");
    CHECK_STR(rh(NULL, "{{ shelf[1] | json | raw }}", ctx),
              "{\"title\":\"C\",\"pages\":200,\"new\":false,\"author\":{\"name\":\"Ann\"}}");
    CHECK_STR(rh(NULL, "{% for k, v in shelf[1].author %}{{ k }}={{ v }}{% endfor %}", ctx),
              "name=Ann");
    /* An object or a list printed prints nothing, as JSON ones do. */
    CHECK_STR(rh(NULL, "[{{ shelf }}{{ shelf[0] }}]", ctx), "[]");

    tmpl_filters_t *f = tmpl_filters_new();
    CHECK_INT(tmpl_register_filter(f, "money", 0, 1, money, "$"), 0);
    CHECK_INT(tmpl_register_filter(f, "first", 1, 1, first_n, NULL), 0);
    CHECK_STR(rh(f, "{{ shelf[0].pages | money }}", ctx), "$1.00");
    CHECK_STR(rh(f, "{% for b in shelf | first(1) %}{{ b.title }}{% endfor %}", ctx), "A &amp; B");
    tmpl_filters_free(f);
}

/* ---- load-time errors ---- */

TEST(tmpl_load_errors_name_file_and_line)
{
    static const struct {
        const char *src, *want;
    } cases[] = {
        {"ok\n{{ a b }}", "t.html:2: expected '}}', found 'b'"},
        {"{{ a ==  }}", "t.html:1: expected a value, found the end of the tag"},
        {"{{ (a }}", "t.html:1: expected ')', found the end of the tag"},
        {"{{ a.  }}", "t.html:1: expected a name after '.', found the end of the tag"},
        {"{{ a[b] }}", "t.html:1: expected an integer or a string inside [ ], found 'b'"},
        {"{{ a ! b }}", "t.html:1: unexpected '!'"},
        {"{{ a == b == c }}", "t.html:1: comparisons cannot be chained; use 'and'"},
        {"{{ \"abc }}", "t.html:1: unterminated string"},
        {"{{ \"a\\qb\" }}", "t.html:1: unknown escape '\\q' in a string"},
        {"{{ 99999999999999999999 }}", "t.html:1: number too large"},
        {"\n\n{{ x ", "t.html:3: unclosed {{ tag"},
        {"{% if x }}", "t.html:1: '}}' cannot close the '{%' opened on line 1"},
        {"\n{% if x %}\n{{ x %}", "t.html:3: '%}' cannot close the '{{' opened on line 3"},
        {"a\n{# never closed", "t.html:2: unclosed {# comment"},
        {"\n{% if x %}\n{% for y in x %}{% endfor %}", "t.html:2: unclosed {% if %}"},
        {"{% for y in x %}\n{% if y %}", "t.html:2: unclosed {% if %}"},
        {"{% if x %}\n{% endfor %}",
         "t.html:2: unexpected {% endfor %} inside the {% if %} of line 1"},
        {"\n{% endif %}", "t.html:2: unexpected {% endif %}"},
        {"{% else %}", "t.html:1: unexpected {% else %}"},
        {"{% frobnicate %}", "t.html:1: unknown tag 'frobnicate'"},
        {"{% %}", "t.html:1: expected a tag name after {%, found the end of the tag"},
        {"{% for in xs %}{% endfor %}", "t.html:1: expected a name, found 'in'"},
        {"{% for x of xs %}{% endfor %}", "t.html:1: expected 'in', found 'of'"},
        {"{% for loop in xs %}{% endfor %}",
         "t.html:1: 'loop' is reserved for the for-loop variables"},
        {"{% set loop = 1 %}", "t.html:1: 'loop' is reserved for the for-loop variables"},
        {"{% set x 1 %}", "t.html:1: expected '=', found a number"},
        {"{% include x %}", "t.html:1: expected a template name in quotes, found 'x'"},
        {"\n\n{% include \"nope.html\" %}", "t.html:3: include \"nope.html\": no such template"},
        {"{% extends \"nope.html\" %}", "t.html:1: extends \"nope.html\": no such template"},
        {"hello {% extends \"x.html\" %}",
         "t.html:1: {% extends %} must come before any other content"},
        {"{% if 1 %}{% extends \"x.html\" %}{% endif %}",
         "t.html:1: {% extends %} must be at the top level"},
        {"{% extends \"x.html\" %}\n{% extends \"x.html\" %}",
         "t.html:2: only {% block %} and {% set %} may follow {% extends %}"},
        {"{% extends \"x.html\" %}\n\n  stray", "t.html:3: text outside {% block %} in a template "
                                                "that extends another"},
        {"{% extends \"x.html\" %}\n{{ x }}",
         "t.html:2: output outside {% block %} in a template that extends another"},
        {"{{ super() }}", "t.html:1: super() outside a {% block %}"},
        {"{% block a %}\n{{ super() }}{% endblock %}",
         "t.html:2: super() in block 'a', which no parent template defines"},
        {"{{ x | super() }}", "t.html:1: unknown filter 'super'"},
        {"{{ super() == x }}", "t.html:1: super() can only stand alone: {{ super() }}"},
        {"{% block a %}{% endblock %}\n{% block a %}{% endblock %}",
         "t.html:2: block 'a' is defined twice (first on line 1)"},
        {"{% block a %}\n{% endblock b %}", "t.html:2: endblock 'b' closes block 'a'"},
        {"{% block a %}{% block a %}{% endblock %}{% endblock %}",
         "t.html:1: block 'a' is defined twice (first on line 1)"},
        {"ok\n\xc3\x28", "t.html:2: invalid UTF-8"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = r1(cases[i].src, NULL);
        if (strncmp(got, "LOAD ", 5) != 0 || strcmp(got + 5, cases[i].want) != 0)
            test_fail(__FILE__, __LINE__, "case %zu: %s\n    got:  %s\n    want: LOAD %s", i,
                      cases[i].src, got, cases[i].want);
    }
    /* A NUL byte. */
    tmpl_set_t *set;
    tmpl_source_t nul = {"n.html", "a\n\0b", 4};
    CHECK_INT(tmpl_load_sources(&nul, 1, NULL, &set, err, sizeof(err)), SOUK_EINVAL);
    CHECK_STR(err, "n.html:2: NUL byte in template");
    CHECK(set == NULL);
}

TEST(tmpl_load_errors_across_files)
{
    tmpl_set_t *set = (tmpl_set_t *)&set;
    CHECK_INT(LOAD(&set, "a.html", "x\n{% include \"b.html\" %}", "b.html",
                   "{% include \"c.html\" %}", "c.html", "\n\n{% include \"a.html\" %}"),
              SOUK_EINVAL);
    CHECK_STR(err, "c.html:3: include cycle: a.html -> b.html -> c.html -> a.html");
    CHECK(set == NULL);
    CHECK_INT(LOAD(&set, "self.html", "{% include \"self.html\" %}"), SOUK_EINVAL);
    CHECK_STR(err, "self.html:1: include cycle: self.html -> self.html");
    CHECK_INT(
        LOAD(&set, "a.html", "{% extends \"b.html\" %}", "b.html", "{% extends \"a.html\" %}"),
        SOUK_EINVAL);
    CHECK_STR(err, "b.html:1: extends cycle: a.html -> b.html -> a.html");
    CHECK_INT(LOAD(&set, "a.html", "{% extends \"b.html\" %}", "b.html",
                   "{% block x %}{% include \"a.html\" %}{% endblock %}"),
              SOUK_EINVAL);
    CHECK_STR(err, "b.html:1: include cycle: a.html -> b.html -> a.html");
    /* The first broken file in name order is the one reported. */
    CHECK_INT(LOAD(&set, "z.html", "{% if %}", "m.html", "{{ }}"), SOUK_EINVAL);
    CHECK_STR(err, "m.html:1: expected a value, found the end of the tag");
    CHECK_INT(LOAD(&set, "a.html", "x", "a.html", "y"), SOUK_EINVAL);
    CHECK_STR(err, "a.html: two templates of that name");
    /* A small error buffer gets a truncated, terminated message. */
    tmpl_source_t s = {"t.html", "{{ x", 4};
    char small[8];
    CHECK_INT(tmpl_load_sources(&s, 1, NULL, &set, small, sizeof(small)), SOUK_EINVAL);
    CHECK_STR(small, "t.html:");
    CHECK_INT(tmpl_load_sources(&s, 1, NULL, &set, NULL, 0), SOUK_EINVAL);
}

/* ---- limits ---- */

static char *repeat(const char *a, size_t n, const char *mid, const char *b, size_t m)
{
    buf_t out = BUF_INIT;
    for (size_t i = 0; i < n; i++)
        buf_puts(&out, a);
    buf_puts(&out, mid);
    for (size_t i = 0; i < m; i++)
        buf_puts(&out, b);
    return buf_detach(&out, NULL);
}

TEST(tmpl_limit_file_size)
{
    tmpl_set_t *set;
    size_t n = TMPL_MAX_FILE_SIZE;
    char *big = malloc(n + 1);
    memset(big, 'a', n + 1);
    tmpl_source_t s = {"big.html", big, n};
    CHECK_INT(tmpl_load_sources(&s, 1, NULL, &set, err, sizeof(err)), 0);
    tmpl_set_unref(set);
    s.len = n + 1;
    CHECK_INT(tmpl_load_sources(&s, 1, NULL, &set, err, sizeof(err)), SOUK_ELIMIT);
    CHECK_STR(err, "big.html: template is 1048577 bytes, over the limit of 1048576");
    /* The same from a directory. */
    const char *dir = fresh_dir("tmpl-size");
    write_file(dir, "big.html", big, n);
    CHECK_INT(tmpl_load(dir, NULL, &set, err, sizeof(err)), 0);
    tmpl_set_unref(set);
    write_file(dir, "big.html", big, n + 1);
    CHECK_INT(tmpl_load(dir, NULL, &set, err, sizeof(err)), SOUK_ELIMIT);
    CHECK_STR(err, "big.html: template is 1048577 bytes, over the limit of 1048576");
    free(big);
}

TEST(tmpl_limit_tag_nesting)
{
    char *ok = repeat("{% if true %}", TMPL_MAX_NESTING, "x", "{% endif %}", TMPL_MAX_NESTING);
    char *over =
        repeat("{% if true %}", TMPL_MAX_NESTING + 1, "x", "{% endif %}", TMPL_MAX_NESTING + 1);
    CHECK_STR(r1(ok, NULL), "x");
    CHECK_STR(r1(over, NULL), "LOAD t.html:1: tags nested deeper than 32");
    free(ok);
    free(over);
    ok = repeat("{% for x in xs -%}\n", TMPL_MAX_NESTING, "{{ x }}", "{% endfor %}",
                TMPL_MAX_NESTING);
    over = repeat("{% for x in xs %}\n", TMPL_MAX_NESTING + 1, "{{ x }}", "{% endfor %}",
                  TMPL_MAX_NESTING + 1);
    CHECK_STR(r1(ok, "{\"xs\": [1]}"), "1");
    CHECK_STR(r1(over, NULL), "LOAD t.html:33: tags nested deeper than 32");
    free(ok);
    free(over);
}

TEST(tmpl_limit_expression_depth)
{
    char *ok = repeat("(", TMPL_MAX_EXPR_DEPTH, "x", ")", TMPL_MAX_EXPR_DEPTH);
    char *over = repeat("(", TMPL_MAX_EXPR_DEPTH + 1, "x", ")", TMPL_MAX_EXPR_DEPTH + 1);
    char src[256];
    snprintf(src, sizeof(src), "{{ %s }}", ok);
    CHECK_STR(r1(src, "{\"x\": 1}"), "1");
    snprintf(src, sizeof(src), "{{ %s }}", over);
    CHECK_STR(r1(src, "{\"x\": 1}"), "LOAD t.html:1: expression nested deeper than 32");
    free(ok);
    free(over);
    ok = repeat("not ", TMPL_MAX_EXPR_DEPTH, "x", "", 0);
    over = repeat("not ", TMPL_MAX_EXPR_DEPTH + 1, "x", "", 0);
    snprintf(src, sizeof(src), "{{ %s }}", ok);
    CHECK_STR(r1(src, "{\"x\": 1}"), "true");
    snprintf(src, sizeof(src), "{{ %s }}", over);
    CHECK_STR(r1(src, "{\"x\": 1}"), "LOAD t.html:1: expression nested deeper than 32");
    free(ok);
    free(over);
    /* Long and/or chains and filter chains are flat, not deep. */
    ok = repeat("x and ", 100, "x", " | upper | lower", 40);
    buf_t b = BUF_INIT;
    buf_printf(&b, "{{ %s }}", ok);
    CHECK_STR(r1(b.data, "{\"x\": \"Y\"}"), "y");
    buf_free(&b);
    free(ok);
}

/* t0 includes t1 includes ... t<edges>; child.html extends t0 if asked. */
static int include_chain(size_t edges, bool child, tmpl_set_t **set)
{
    tmpl_source_t src[32];
    char names[32][16], bodies[32][64];
    for (size_t i = 0; i <= edges; i++) {
        snprintf(names[i], sizeof(names[i]), "t%zu.html", i);
        if (i < edges)
            snprintf(bodies[i], sizeof(bodies[i]), "%zu{%% include \"t%zu.html\" %%}", i, i + 1);
        else
            snprintf(bodies[i], sizeof(bodies[i]), "end");
        src[i] = (tmpl_source_t){names[i], bodies[i], strlen(bodies[i])};
    }
    if (child)
        src[edges + 1] = (tmpl_source_t){"child.html", "{% extends \"t0.html\" %}", 23};
    return tmpl_load_sources(src, edges + 1 + child, NULL, set, err, sizeof(err));
}

TEST(tmpl_limit_include_depth)
{
    tmpl_set_t *set;
    CHECK_INT(include_chain(TMPL_MAX_INCLUDE_DEPTH, false, &set), 0);
    CHECK_STR(render_set(set, "t0.html", NULL), "0123456789101112131415end");
    tmpl_set_unref(set);
    CHECK_INT(include_chain(TMPL_MAX_INCLUDE_DEPTH + 1, false, &set), SOUK_ELIMIT);
    CHECK_STR(err, "t16.html:1: include \"t17.html\": templates nested deeper than 16");
    /* Extends counts too: a child of a template 16 deep is 17 deep. */
    CHECK_INT(include_chain(TMPL_MAX_INCLUDE_DEPTH - 1, true, &set), 0);
    tmpl_set_unref(set);
    CHECK_INT(include_chain(TMPL_MAX_INCLUDE_DEPTH, true, &set), SOUK_ELIMIT);
    CHECK_STR(err, "t15.html:1: include \"t16.html\": templates nested deeper than 16");
}

TEST(tmpl_limit_filter_arguments)
{
    tmpl_filters_t *f = tmpl_filters_new();
    CHECK_INT(tmpl_register_filter(f, "n", 0, TMPL_MAX_FILTER_ARGS, count_args, NULL), 0);
    CHECK_STR(r1f(f, "{{ x | n(1,2,3,4,5,6,7,8) }}", NULL), "8");
    CHECK_STR(r1f(f, "{{ x | n(1,2,3,4,5,6,7,8,9) }}", NULL),
              "LOAD t.html:1: more than 8 filter arguments");
    tmpl_filters_free(f);
}

TEST(tmpl_limit_directory_depth)
{
    const char *dir = fresh_dir("tmpl-deep");
    char rel[512] = "";
    for (int i = 1; i <= TMPL_MAX_DIR_DEPTH; i++)
        snprintf(rel + strlen(rel), sizeof(rel) - strlen(rel), "d%d/", i);
    char file[600];
    snprintf(file, sizeof(file), "%sdeep.html", rel);
    WRITE(dir, file, "deep");
    tmpl_set_t *set;
    CHECK_INT(tmpl_load(dir, NULL, &set, err, sizeof(err)), 0);
    CHECK(set && tmpl_exists(set, file));
    tmpl_set_unref(set);
    snprintf(file, sizeof(file), "%sd17/deeper.html", rel);
    WRITE(dir, file, "deeper");
    CHECK_INT(tmpl_load(dir, NULL, &set, err, sizeof(err)), SOUK_ELIMIT);
    CHECK(strstr(err, "/d17: directories nested deeper than 16") != NULL);
}

/* 32 nested blocks in a.html, the innermost including b.html with `inner`
 * nested blocks: 32 + 1 + inner render levels. */
static int render_depth(int inner, tmpl_set_t **set)
{
    buf_t a = BUF_INIT, b = BUF_INIT;
    for (int i = 0; i < TMPL_MAX_NESTING; i++)
        buf_printf(&a, "{%% block a%d %%}", i);
    buf_puts(&a, "{% include \"b.html\" %}");
    for (int i = 0; i < TMPL_MAX_NESTING; i++)
        buf_puts(&a, "{% endblock %}");
    for (int i = 0; i < inner; i++)
        buf_printf(&b, "{%% block b%d %%}", i);
    buf_puts(&b, "deep");
    for (int i = 0; i < inner; i++)
        buf_puts(&b, "{% endblock %}");
    int rc = LOAD(set, "a.html", a.data, "b.html", b.data);
    buf_free(&a);
    buf_free(&b);
    return rc;
}

TEST(tmpl_limit_render_depth)
{
    tmpl_set_t *set;
    int inner = TMPL_MAX_RENDER_DEPTH - TMPL_MAX_NESTING - 1;
    CHECK_INT(render_depth(inner, &set), 0);
    CHECK_STR(render_set(set, "a.html", NULL), "deep");
    tmpl_set_unref(set);
    CHECK_INT(render_depth(inner + 1, &set), 0);
    buf_t out = BUF_INIT;
    buf_puts(&out, "kept");
    CHECK_INT(tmpl_render(set, "a.html", NULL, &out, TMPL_DEFAULT_MAX_OUT), SOUK_ELIMIT);
    CHECK_STR(buf_cstr(&out), "kept");
    buf_free(&out);
    tmpl_set_unref(set);
}

TEST(tmpl_limit_output_size)
{
    tmpl_set_t *set;
    CHECK_INT(LOAD(&set, "t.html", "<p>{% for x in xs %}{{ x }}{% endfor %}</p>"), 0);
    json_t *ctx = parse_json("{\"xs\": [\"a&\", \"b\", \"c\"]}");
    const char *want = "<p>a&amp;bc</p>";
    size_t n = strlen(want);
    buf_t out = BUF_INIT;
    buf_puts(&out, "prefix:");
    CHECK_INT(tmpl_render(set, "t.html", ctx, &out, n), 0);
    CHECK_STR(buf_cstr(&out), "prefix:<p>a&amp;bc</p>");
    /* One byte less fails at each place a byte could go over. */
    for (size_t max = 0; max < n; max++) {
        buf_reset(&out);
        buf_puts(&out, "prefix:");
        CHECK_INT(tmpl_render(set, "t.html", ctx, &out, max), SOUK_ELIMIT);
        CHECK_STR(buf_cstr(&out), "prefix:");
    }
    tmpl_set_unref(set);
    /* Filter results in between count against the cap too. */
    CHECK_INT(LOAD(&set, "t.html", "{{ s | url | length }}"), 0);
    json_decref(ctx);
    ctx = parse_json("{\"s\": \"    \"}");
    buf_reset(&out);
    CHECK_INT(tmpl_render(set, "t.html", ctx, &out, 12), 0);
    CHECK_STR(buf_cstr(&out), "12");
    CHECK_INT(tmpl_render(set, "t.html", ctx, &out, 11), SOUK_ELIMIT);
    CHECK_INT(tmpl_render(set, "nope.html", ctx, &out, 11), SOUK_ENOTFOUND);
    buf_free(&out);
    json_decref(ctx);
    tmpl_set_unref(set);
}

TEST(tmpl_limit_json_depth)
{
    char *ok = repeat("[", TMPL_MAX_JSON_DEPTH, "1", "]", TMPL_MAX_JSON_DEPTH);
    char *over = repeat("[", TMPL_MAX_JSON_DEPTH + 1, "1", "]", TMPL_MAX_JSON_DEPTH + 1);
    char *want_over = repeat("[", TMPL_MAX_JSON_DEPTH + 1, "null", "]", TMPL_MAX_JSON_DEPTH + 1);
    buf_t ctx = BUF_INIT;
    buf_printf(&ctx, "{\"v\": %s}", ok);
    CHECK_STR(r1("{{ v | json | raw }}", ctx.data), ok);
    buf_reset(&ctx);
    buf_printf(&ctx, "{\"v\": %s}", over);
    CHECK_STR(r1("{{ v | json | raw }}", ctx.data), want_over);
    buf_free(&ctx);
    free(ok);
    free(over);
    free(want_over);
}

/* ---- directories and reload ---- */

TEST(tmpl_loads_a_directory)
{
    const char *dir = fresh_dir("tmpl-dir");
    WRITE(dir, "layout.html", "<html>{% block body %}{% endblock %}</html>");
    WRITE(dir, "product.html",
          "{% extends \"layout.html\" %}{% block body %}"
          "{% for p in ps %}{% include \"partials/card.html\" %}{% endfor %}{% endblock %}");
    WRITE(dir, "partials/card.html", "<div>{{ p }}</div>");
    WRITE(dir, "partials/notes.txt", "not a template {{");
    WRITE(dir, ".hidden.html", "{{ broken");
    WRITE(dir, ".git/x.html", "{{ broken");
    tmpl_set_t *set;
    CHECK_INT(tmpl_load(dir, NULL, &set, err, sizeof(err)), 0);
    CHECK(tmpl_exists(set, "layout.html") && tmpl_exists(set, "partials/card.html"));
    CHECK(!tmpl_exists(set, "partials/notes.txt") && !tmpl_exists(set, ".hidden.html"));
    CHECK_STR(render_set(set, "product.html", "{\"ps\": [1, 2]}"),
              "<html><div>1</div><div>2</div></html>");
    CHECK(!tmpl_set_changed(set));
    tmpl_set_t *again = (tmpl_set_t *)&again;
    CHECK_INT(tmpl_reload(set, &again, err, sizeof(err)), 0);
    CHECK(again == NULL);
    tmpl_set_unref(set);

    char missing[600];
    snprintf(missing, sizeof(missing), "%s/nope", dir);
    CHECK_INT(tmpl_load(missing, NULL, &set, err, sizeof(err)), SOUK_EIO);
    CHECK(set == NULL && strstr(err, "cannot open directory: No such file or directory"));

    WRITE(dir, "partials/card.html", "\n{{ p | nope }}");
    CHECK_INT(tmpl_load(dir, NULL, &set, err, sizeof(err)), SOUK_EINVAL);
    CHECK_STR(err, "partials/card.html:2: unknown filter 'nope'");
}

static void set_mtime(const char *dir, const char *rel, time_t sec)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    struct timespec ts[2] = {{sec, 0}, {sec, 0}};
    CHECK_INT(utimensat(AT_FDCWD, path, ts, 0), 0);
}

TEST(tmpl_reload_notices_changes)
{
    const char *dir = fresh_dir("tmpl-reload");
    WRITE(dir, "a.html", "one");
    set_mtime(dir, "a.html", 1000000000);
    tmpl_set_t *set, *next;
    CHECK_INT(tmpl_load(dir, NULL, &set, err, sizeof(err)), 0);
    CHECK(!tmpl_set_changed(set));

    /* Same size, new mtime. */
    WRITE(dir, "a.html", "two");
    set_mtime(dir, "a.html", 1000000001);
    CHECK(tmpl_set_changed(set));
    CHECK_INT(tmpl_reload(set, &next, err, sizeof(err)), 0);
    CHECK(next != NULL);
    CHECK_STR(render_set(next, "a.html", NULL), "two");
    CHECK_STR(render_set(set, "a.html", NULL), "one"); /* the old set still serves */
    tmpl_set_unref(set);
    set = next;
    CHECK(!tmpl_set_changed(set));

    /* Same mtime, new size. */
    WRITE(dir, "a.html", "three");
    set_mtime(dir, "a.html", 1000000001);
    CHECK(tmpl_set_changed(set));
    CHECK_INT(tmpl_reload(set, &next, err, sizeof(err)), 0);
    tmpl_set_unref(set);
    set = next;

    /* A new file. */
    WRITE(dir, "sub/b.html", "{% include \"a.html\" %}!");
    CHECK(tmpl_set_changed(set));
    CHECK_INT(tmpl_reload(set, &next, err, sizeof(err)), 0);
    CHECK(next && tmpl_exists(next, "sub/b.html"));
    CHECK_STR(render_set(next, "sub/b.html", NULL), "three!");
    tmpl_set_unref(set);
    set = next;

    /* A broken edit: reload fails, the old set stays usable. */
    WRITE(dir, "a.html", "{% if %}");
    CHECK(tmpl_set_changed(set));
    next = (tmpl_set_t *)&next;
    CHECK_INT(tmpl_reload(set, &next, err, sizeof(err)), SOUK_EINVAL);
    CHECK(next == NULL);
    CHECK_STR(err, "a.html:1: expected a value, found the end of the tag");
    CHECK_STR(render_set(set, "sub/b.html", NULL), "three!");

    /* A removed file. */
    WRITE(dir, "a.html", "three");
    char path[600];
    snprintf(path, sizeof(path), "%s/sub/b.html", dir);
    unlink(path);
    CHECK(tmpl_set_changed(set));
    tmpl_set_unref(set);

    /* Sets from memory never change. */
    CHECK_INT(LOAD(&set, "m.html", "m"), 0);
    CHECK(!tmpl_set_changed(set));
    CHECK_INT(tmpl_reload(set, &next, err, sizeof(err)), 0);
    CHECK(next == NULL);
    tmpl_set_unref(set);
}

/* ---- threads ---- */

static const char *page_src =
    "{% for v in product.variants %}<li class=\"{% if loop.first %}first{% endif %}\">"
    "{{ v.title | upper }} {{ v.price | money }} {{ v.sku | url }}"
    "{% for i in v.images %}<img src=\"{{ i }}\" alt=\"{{ product.title | truncate(8) }}\">"
    "{% endfor %}</li>{% endfor %}<script>{{ product | json | raw }}</script>";

typedef struct {
    tmpl_slot_t *slot;
    json_t *ctx;
    const char *want;
    int iterations;
    int bad;
} worker_t;

static void *worker(void *arg)
{
    worker_t *w = arg;
    buf_t out = BUF_INIT;
    for (int i = 0; i < w->iterations; i++) {
        tmpl_set_t *set = tmpl_slot_get(w->slot);
        buf_reset(&out);
        if (tmpl_render(set, "page.html", w->ctx, &out, TMPL_DEFAULT_MAX_OUT) != 0 ||
            strcmp(buf_cstr(&out), w->want) != 0)
            w->bad++;
        tmpl_set_unref(set);
    }
    buf_free(&out);
    return NULL;
}

TEST(tmpl_renders_from_threads_while_reloaded)
{
    tmpl_filters_t *f = tmpl_filters_new();
    tmpl_register_filter(f, "money", 0, 1, money, "$");
    tmpl_set_t *set;
    CHECK_INT(LOADF(&set, f, "page.html", page_src), 0);
    json_t *ctx = parse_json(
        "{\"product\": {\"title\": \"A very long title <b>\", \"variants\": ["
        "{\"title\": \"small\", \"price\": 1000, \"sku\": \"S 1\", \"images\": [\"a\", \"b\"]},"
        "{\"title\": \"large\", \"price\": 1250, \"sku\": \"L/2\", \"images\": [\"c\"]}]}}");
    buf_t ref = BUF_INIT;
    CHECK_INT(tmpl_render(set, "page.html", ctx, &ref, TMPL_DEFAULT_MAX_OUT), 0);
    CHECK(strstr(ref.data, "<li class=\"first\">SMALL $10.00 S%201<img src=\"a\" alt=\"A very "
                           "l\xe2\x80\xa6\">") != NULL);

    tmpl_slot_t slot;
    tmpl_slot_init(&slot, set);
    worker_t w[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker_t){&slot, ctx, ref.data, 2000, 0};
        CHECK_INT(pthread_create(&th[i], NULL, worker, &w[i]), 0);
    }
    /* Swap in equivalent sets meanwhile: a set in use must not be freed. */
    for (int i = 0; i < 50; i++) {
        tmpl_set_t *fresh;
        CHECK_INT(LOADF(&fresh, f, "page.html", page_src), 0);
        tmpl_slot_swap(&slot, fresh);
        usleep(200);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(w[i].bad, 0);
    }
    tmpl_slot_destroy(&slot);
    tmpl_filters_free(f);
    buf_free(&ref);
    json_decref(ctx);
}

TEST(tmpl_limit_loop_iterations)
{
    /* 1000 outer turns of 999 inner ones: exactly the limit; one more turn
     * anywhere is past it, even though nothing is printed. */
    tmpl_set_t *set;
    CHECK_INT(LOAD(&set, "t.html",
                   "{% for x in a %}{% for y in b %}{% endfor %}{% endfor %}"
                   "{% for z in c %}{% endfor %}done"),
              0);
    json_t *ctx = json_object(), *a = json_array(), *b = json_array(), *c = json_array();
    for (int i = 0; i < 1000; i++)
        json_array_append_new(a, json_integer(i));
    for (int i = 0; i < 999; i++)
        json_array_append_new(b, json_integer(i));
    json_object_set_new(ctx, "a", a);
    json_object_set_new(ctx, "b", b);
    json_object_set_new(ctx, "c", c);
    CHECK_INT(1000 + 1000 * 999, TMPL_MAX_LOOP_ITERATIONS);
    buf_t out = BUF_INIT;
    CHECK_INT(tmpl_render(set, "t.html", ctx, &out, TMPL_DEFAULT_MAX_OUT), 0);
    CHECK_STR(buf_cstr(&out), "done");
    json_array_append_new(c, json_true());
    buf_reset(&out);
    CHECK_INT(tmpl_render(set, "t.html", ctx, &out, TMPL_DEFAULT_MAX_OUT), SOUK_ELIMIT);
    CHECK_STR(buf_cstr(&out), "");
    buf_free(&out);
    json_decref(ctx);
    tmpl_set_unref(set);
}
