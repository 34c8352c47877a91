/* sanitize.c - see sanitize.h. libxml2 builds the tree; everything written
 * comes from the tables below and from the escaping writers, never from the
 * source text or from libxml2's serializer. */
#include "core/sanitize.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/parse.h"
#include "core/utf8.h"
#include "core/util.h"

/* NOIMPLIED is not set: the input is read after a "<body>" of ours, so
 * libxml2's implied <html> is the only thing it adds, and text at the start is
 * not wrapped in an implied <p>. IGNORE_ENC: a <meta charset> in the input
 * must not switch the encoding away from the UTF-8 we validated. */
#define PARSE_OPTIONS                                                                              \
    (HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_NODEFDTD |          \
     HTML_PARSE_IGNORE_ENC)

/* How an attribute value is checked. */
enum { AV_TEXT, AV_HREF, AV_SRC, AV_INT };

typedef struct {
    const char *name;
    int type;
    int64_t min, max; /* AV_INT */
} attr_rule_t;

/* What becomes of an element; elements not in the table are unwrapped. */
enum { E_KEEP, E_DROP };

#define F_VOID 1u  /* no content and no end tag */
#define F_BLOCK 2u /* on a line of its own in plain text */
#define F_CELL 4u  /* a table cell: a space apart in plain text */

typedef struct {
    const char *name; /* as libxml2 reports it (lowercase); the table is sorted by it */
    unsigned char what;
    unsigned char flags;
    const char *as;           /* the name written, when renamed */
    const attr_rule_t *attrs; /* allowed besides title; ends with a NULL name */
} elem_rule_t;

static const attr_rule_t attrs_a[] = {{"href", AV_HREF, 0, 0}, {NULL, 0, 0, 0}};
static const attr_rule_t attrs_img[] = {{"src", AV_SRC, 0, 0},
                                        {"alt", AV_TEXT, 0, 0},
                                        {"width", AV_INT, 1, 10000},
                                        {"height", AV_INT, 1, 10000},
                                        {NULL, 0, 0, 0}};
static const attr_rule_t attrs_cell[] = {
    {"colspan", AV_INT, 1, 100}, {"rowspan", AV_INT, 1, 100}, {NULL, 0, 0, 0}};
static const attr_rule_t attrs_ol[] = {{"start", AV_INT, -1000000, 1000000}, {NULL, 0, 0, 0}};
static const attr_rule_t attrs_none[] = {{NULL, 0, 0, 0}};
static const attr_rule_t attrs_global[] = {{"title", AV_TEXT, 0, 0}, {NULL, 0, 0, 0}};

#define KEEP(n, fl, at)                                                                            \
    {                                                                                              \
        n, E_KEEP, fl, NULL, at                                                                    \
    }
#define PLAIN(n, fl)                                                                               \
    {                                                                                              \
        n, E_KEEP, fl, NULL, attrs_none                                                            \
    }
#define AS(n, fl, to)                                                                              \
    {                                                                                              \
        n, E_KEEP, fl, to, attrs_none                                                              \
    }
#define DROP(n)                                                                                    \
    {                                                                                              \
        n, E_DROP, 0, NULL, attrs_none                                                             \
    }

static const elem_rule_t rules[] = {
    KEEP("a", 0, attrs_a),
    AS("address", F_BLOCK, "div"),
    DROP("applet"),
    AS("article", F_BLOCK, "div"),
    AS("aside", F_BLOCK, "div"),
    PLAIN("b", 0),
    DROP("base"),
    DROP("basefont"),
    DROP("bgsound"),
    PLAIN("blockquote", F_BLOCK),
    PLAIN("br", F_VOID | F_BLOCK),
    DROP("button"),
    PLAIN("caption", F_BLOCK),
    AS("center", F_BLOCK, "div"),
    PLAIN("code", 0),
    DROP("datalist"),
    PLAIN("dd", F_BLOCK),
    PLAIN("del", 0),
    AS("details", F_BLOCK, "div"),
    PLAIN("div", F_BLOCK),
    PLAIN("dl", F_BLOCK),
    PLAIN("dt", F_BLOCK),
    PLAIN("em", 0),
    DROP("embed"),
    PLAIN("figcaption", F_BLOCK),
    PLAIN("figure", F_BLOCK),
    AS("footer", F_BLOCK, "div"),
    DROP("form"),
    DROP("frame"),
    DROP("frameset"),
    AS("h1", F_BLOCK, "h2"),
    PLAIN("h2", F_BLOCK),
    PLAIN("h3", F_BLOCK),
    PLAIN("h4", F_BLOCK),
    PLAIN("h5", F_BLOCK),
    PLAIN("h6", F_BLOCK),
    DROP("head"),
    AS("header", F_BLOCK, "div"),
    AS("hgroup", F_BLOCK, "div"),
    PLAIN("hr", F_VOID | F_BLOCK),
    PLAIN("i", 0),
    DROP("iframe"),
    KEEP("img", F_VOID, attrs_img),
    DROP("input"),
    PLAIN("ins", 0),
    DROP("keygen"),
    PLAIN("li", F_BLOCK),
    DROP("link"),
    AS("main", F_BLOCK, "div"),
    PLAIN("mark", 0),
    DROP("math"),
    DROP("meta"),
    AS("nav", F_BLOCK, "div"),
    DROP("noembed"),
    DROP("noframes"),
    DROP("noscript"),
    DROP("object"),
    KEEP("ol", F_BLOCK, attrs_ol),
    DROP("optgroup"),
    DROP("option"),
    PLAIN("p", F_BLOCK),
    DROP("param"),
    DROP("plaintext"),
    PLAIN("pre", F_BLOCK),
    PLAIN("q", 0),
    PLAIN("s", 0),
    DROP("script"),
    AS("section", F_BLOCK, "div"),
    DROP("select"),
    PLAIN("small", 0),
    PLAIN("span", 0),
    AS("strike", 0, "s"),
    PLAIN("strong", 0),
    DROP("style"),
    PLAIN("sub", 0),
    AS("summary", F_BLOCK, "div"),
    PLAIN("sup", 0),
    DROP("svg"),
    PLAIN("table", F_BLOCK),
    PLAIN("tbody", F_BLOCK),
    KEEP("td", F_CELL, attrs_cell),
    DROP("template"),
    DROP("textarea"),
    PLAIN("tfoot", F_BLOCK),
    KEEP("th", F_CELL, attrs_cell),
    PLAIN("thead", F_BLOCK),
    DROP("title"),
    PLAIN("tr", F_BLOCK),
    AS("tt", 0, "code"),
    PLAIN("u", 0),
    PLAIN("ul", F_BLOCK),
    DROP("xmp"),
};

#define NRULES ARRAY_LEN(rules)

/* canon[i]: the rule of the name rule i is written as (itself unless renamed).
 * nest_ok[p][c]: libxml2 keeps a <c> inside a <p> (both canonical) rather than
 * closing the <p> first. Filled once by init(). */
static size_t canon[NRULES];
static bool nest_ok[NRULES][NRULES];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* strcmp with ASCII letters folded to lowercase (no locale). */
static int ascii_casecmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    while (*x && ascii_lower(*x) == ascii_lower(*y))
        x++, y++;
    return ascii_lower(*x) - ascii_lower(*y);
}

static const elem_rule_t *rule_find(const xmlChar *name)
{
    size_t lo = 0, hi = NRULES;
    if (name == NULL)
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = ascii_casecmp((const char *)name, rules[mid].name);
        if (c == 0)
            return &rules[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static const char *rule_out_name(const elem_rule_t *r)
{
    return r->as ? r->as : r->name;
}

/* The first element child of n named name, or NULL. */
static xmlNode *child_named(xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    }
    return NULL;
}

/* Ask libxml2 whether "<parent><child>" leaves the child inside the parent.
 * libxml2 closes some elements when certain others start (a <p> when a <div>
 * starts); copying its table would go stale with a new libxml2, so the
 * sanitizer asks the parser it actually runs. */
static bool probe_nesting(const char *parent, const char *child)
{
    char src[64];
    int n = snprintf(src, sizeof(src), "<body><%s><%s>", parent, child);
    ASSERT(n > 0 && (size_t)n < sizeof(src));
    htmlDocPtr doc = htmlReadMemory(src, n, NULL, "UTF-8", PARSE_OPTIONS);
    ASSERT(doc != NULL);
    xmlNode *body = child_named(xmlDocGetRootElement(doc), "body");
    xmlNode *p = child_named(body, parent);
    bool ok = p != NULL && p->children != NULL && p->children->type == XML_ELEMENT_NODE &&
              strcmp((const char *)p->children->name, child) == 0;
    xmlFreeDoc(doc);
    return ok;
}

static void init(void)
{
    xmlInitParser();
    for (size_t i = 0; i < NRULES; i++) {
        ASSERT(i == 0 || strcmp(rules[i - 1].name, rules[i].name) < 0);
        if (rules[i].what != E_KEEP)
            continue;
        const elem_rule_t *c = rule_find((const xmlChar *)rule_out_name(&rules[i]));
        ASSERT(c != NULL && c->what == E_KEEP && c->as == NULL);
        canon[i] = (size_t)(c - rules);
    }
    for (size_t p = 0; p < NRULES; p++) {
        if (rules[p].what != E_KEEP || rules[p].as != NULL || (rules[p].flags & F_VOID))
            continue;
        for (size_t c = 0; c < NRULES; c++) {
            if (rules[c].what == E_KEEP && rules[c].as == NULL)
                nest_ok[p][c] = probe_nesting(rules[p].name, rules[c].name);
        }
    }
}

void sanitize_init(void)
{
    pthread_once(&init_once, init);
}

/* ---- input ---- */

/* What every input must be before it is read: 0, or the error. */
static int check_input(const char *in, size_t len)
{
    if (len > SANITIZE_MAX_INPUT)
        return SOUK_ELIMIT;
    if (len > 0 && (memchr(in, '\0', len) != NULL || !utf8_valid(in, len)))
        return SOUK_ENCODING;
    return 0;
}

/* Check in[0..len) and parse it as the content of a <body>. */
static int parse(const char *in, size_t len, htmlDocPtr *docp)
{
    static const char body[] = "<body>";
    const size_t blen = sizeof(body) - 1;
    *docp = NULL;
    int rc = check_input(in, len);
    if (rc != 0)
        return rc;
    sanitize_init();

    char *src = xmalloc(blen + len);
    memcpy(src, body, blen);
    if (len > 0)
        memcpy(src + blen, in, len);
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (ctxt == NULL)
        BUG("htmlNewParserCtxt: out of memory");
    htmlDocPtr doc = htmlCtxtReadMemory(ctxt, src, (int)(blen + len), NULL, "UTF-8", PARSE_OPTIONS);
    if (doc == NULL) {
        rc = SOUK_EINVAL;
    } else if (ctxt->disableSAX) {
        /* libxml2 stopped reading, which it does past 256 nested elements:
         * what it built is missing the rest of the input. */
        xmlFreeDoc(doc);
        doc = NULL;
        rc = SOUK_ELIMIT;
    }
    htmlFreeParserCtxt(ctxt);
    free(src);
    *docp = doc;
    return rc;
}

/* Visit the nodes of doc in document order without recursion (libxml2's tree
 * may be 256 deep). enter() says whether to visit a node's children; leave()
 * is called for every node entered, after its children. Stops early once
 * *stop is non-zero. */
typedef bool (*enter_fn)(void *ctx, const xmlNode *n);
typedef void (*leave_fn)(void *ctx, const xmlNode *n);

static void walk(htmlDocPtr doc, enter_fn enter, leave_fn leave, void *ctx, const int *stop)
{
    const xmlNode *top = (const xmlNode *)doc;
    const xmlNode *n = doc->children;
    while (n != NULL && *stop == 0) {
        if (enter(ctx, n) && n->children != NULL) {
            n = n->children;
            continue;
        }
        while (n != NULL) {
            leave(ctx, n);
            if (n->next != NULL) {
                n = n->next;
                break;
            }
            n = n->parent;
            if (n == top)
                n = NULL;
        }
    }
}

/* ---- text ---- */

/* The length of the UTF-8 sequence at p[i] (p[0..n) holds valid UTF-8, but
 * the checks cost little): 1..4, or 0 if it is ill-formed. */
static size_t seq_len(const unsigned char *p, size_t i, size_t n)
{
    size_t k = p[i] < 0x80 ? 1 : p[i] < 0xe0 ? 2 : p[i] < 0xf0 ? 3 : 4;
    if (k > n - i || !utf8_valid((const char *)p + i, k))
        return 0;
    return k;
}

/* Append p[0..n) to dst as sanitize.h describes text: CR and CRLF become LF;
 * C0 controls but tab and LF, DEL, C1 controls, U+FEFF (byte order marks),
 * U+FFFE and U+FFFF go. */
static void clean_append(buf_t *dst, const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t run = 0, i = 0;
    while (i < n) {
        size_t k = seq_len(u, i, n);
        bool keep;
        if (k == 1)
            keep = (u[i] >= 0x20 && u[i] != 0x7f) || u[i] == '\t' || u[i] == '\n';
        else if (k == 2)
            keep = !(u[i] == 0xc2 && u[i + 1] < 0xa0);
        else if (k == 3)
            keep = !(u[i] == 0xef && u[i + 1] == 0xbf && u[i + 2] >= 0xbe) &&
                   !(u[i] == 0xef && u[i + 1] == 0xbb && u[i + 2] == 0xbf);
        else
            keep = k == 4;
        if (k == 0)
            k = 1;
        if (!keep) {
            buf_append(dst, p + run, i - run);
            if (u[i] == '\r') {
                buf_putc(dst, '\n');
                if (i + 1 < n && u[i + 1] == '\n')
                    k = 2;
            }
            run = i + k;
        }
        i += k;
    }
    buf_append(dst, p + run, n - run);
}

/* The text of an attribute (its text children) into dst, cleaned. */
static void attr_text(const xmlAttr *a, buf_t *dst)
{
    buf_reset(dst);
    for (const xmlNode *c = a->children; c != NULL; c = c->next) {
        if (c->type == XML_TEXT_NODE && c->content != NULL)
            clean_append(dst, (const char *)c->content, strlen((const char *)c->content));
    }
}

static const xmlAttr *attr_find(const xmlNode *n, const char *name)
{
    for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
        if (a->ns == NULL && a->name != NULL && ascii_casecmp((const char *)a->name, name) == 0)
            return a;
    }
    return NULL;
}

/* ---- URLs ---- */

enum { URL_BAD, URL_LOCAL, URL_EXTERNAL };

static bool ascii_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* What browsers do to an attribute value before they parse it as a URL:
 * remove ASCII tab, LF and CR anywhere, strip C0 controls and spaces at both
 * ends. In place, so that what is checked is what is written. */
static void url_strip(buf_t *b)
{
    size_t o = 0, lo = 0;
    for (size_t i = 0; i < b->len; i++) {
        char c = b->data[i];
        if (c != '\t' && c != '\n' && c != '\r')
            b->data[o++] = c;
    }
    while (lo < o && (unsigned char)b->data[lo] <= 0x20)
        lo++;
    while (o > lo && (unsigned char)b->data[o - 1] <= 0x20)
        o--;
    if (b->len > 0) {
        memmove(b->data, b->data + lo, o - lo);
        b->len = o - lo;
        b->data[b->len] = '\0';
    }
}

/* Whether the stripped URL u[0..n) may be written, and whether it leaves the
 * site. A scheme is what a URL parser takes as one: a letter, then letters,
 * digits, + - . up to the first ':'. Without one the URL is relative. */
static int url_kind(const char *u, size_t n, bool href)
{
    size_t i = 0;
    if (n == 0 || n > SANITIZE_MAX_URL)
        return URL_BAD;
    if (ascii_alpha((unsigned char)u[0])) {
        i = 1;
        while (i < n && (ascii_alpha((unsigned char)u[i]) || (u[i] >= '0' && u[i] <= '9') ||
                         u[i] == '+' || u[i] == '-' || u[i] == '.'))
            i++;
    }
    if (i > 0 && i < n && u[i] == ':') {
        char scheme[8];
        if (i >= sizeof(scheme))
            return URL_BAD;
        for (size_t k = 0; k < i; k++)
            scheme[k] = (char)ascii_lower((unsigned char)u[k]);
        scheme[i] = '\0';
        if (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0)
            return URL_EXTERNAL;
        if (href && strcmp(scheme, "mailto") == 0)
            return URL_LOCAL;
        return URL_BAD;
    }
    /* "//host/path", which browsers also spell with backslashes. */
    if (n >= 2 && (u[0] == '/' || u[0] == '\\') && (u[1] == '/' || u[1] == '\\'))
        return URL_EXTERNAL;
    return URL_LOCAL;
}

/* ---- sanitize_html ---- */

typedef struct {
    buf_t *out;
    size_t start; /* out->len on entry */
    int rc;
    buf_t val; /* scratch: an attribute value or a text node, cleaned */
    buf_t tag; /* scratch: a start tag or escaped text, before it is written */
    struct {
        const xmlNode *node;
        size_t rule; /* canonical */
    } open[SANITIZE_MAX_DEPTH];
    size_t depth;
} san_t;

/* Append to the output unless that would pass SANITIZE_MAX_OUTPUT. */
static void put(san_t *s, const char *p, size_t n)
{
    if (s->rc != 0)
        return;
    if (n > SANITIZE_MAX_OUTPUT - (s->out->len - s->start)) {
        s->rc = SOUK_ELIMIT;
        return;
    }
    buf_append(s->out, p, n);
}

/* Append ` name="value"` to the start tag in s->tag. */
static void tag_attr(san_t *s, const char *name, const char *v, size_t n)
{
    buf_putc(&s->tag, ' ');
    buf_puts(&s->tag, name);
    buf_puts(&s->tag, "=\"");
    buf_html(&s->tag, v, n);
    buf_putc(&s->tag, '"');
}

/* Add the allowed attributes of n in list to s->tag. False if the element
 * must go (an img without a usable src). *external is set for an href that
 * leaves the site. */
static bool tag_attrs(san_t *s, const xmlNode *n, const attr_rule_t *list, bool *external)
{
    for (const attr_rule_t *ar = list; ar->name != NULL; ar++) {
        const xmlAttr *a = attr_find(n, ar->name);
        if (a == NULL) {
            if (ar->type == AV_SRC)
                return false;
            continue;
        }
        attr_text(a, &s->val);
        const char *v = buf_cstr(&s->val);
        switch (ar->type) {
        case AV_TEXT:
            tag_attr(s, ar->name, v, s->val.len);
            break;
        case AV_HREF:
        case AV_SRC: {
            url_strip(&s->val);
            int kind = url_kind(v, s->val.len, ar->type == AV_HREF);
            if (kind == URL_BAD) {
                if (ar->type == AV_SRC)
                    return false;
                break;
            }
            *external = ar->type == AV_HREF && kind == URL_EXTERNAL;
            tag_attr(s, ar->name, v, s->val.len);
            break;
        }
        case AV_INT: {
            /* Browsers read "100px" as 100; we keep plain integers only. */
            size_t lo = 0, hi = s->val.len;
            while (lo < hi && (v[lo] == ' ' || v[lo] == '\t' || v[lo] == '\n'))
                lo++;
            while (hi > lo && (v[hi - 1] == ' ' || v[hi - 1] == '\t' || v[hi - 1] == '\n'))
                hi--;
            int64_t x;
            if (parse_i64n(v + lo, hi - lo, ar->min, ar->max, &x) == 0) {
                char num[24];
                int k = snprintf(num, sizeof(num), "%lld", (long long)x);
                tag_attr(s, ar->name, num, (size_t)k);
            }
            break;
        }
        default:
            BUG("attribute rule %s has type %d", ar->name, ar->type);
        }
    }
    return true;
}

static void san_text(san_t *s, const xmlChar *content)
{
    if (content == NULL)
        return;
    buf_reset(&s->val);
    clean_append(&s->val, (const char *)content, strlen((const char *)content));
    buf_reset(&s->tag);
    buf_html(&s->tag, buf_cstr(&s->val), s->val.len);
    put(s, buf_cstr(&s->tag), s->tag.len);
}

static bool san_enter(void *ctx, const xmlNode *n)
{
    san_t *s = ctx;
    if (n->type == XML_TEXT_NODE) {
        san_text(s, n->content);
        return false;
    }
    if (n->type != XML_ELEMENT_NODE) /* comments, PIs, CDATA, doctypes */
        return false;
    const elem_rule_t *r = rule_find(n->name);
    if (r == NULL)
        return true; /* unknown: unwrap */
    if (r->what == E_DROP)
        return false;
    size_t k = canon[r - rules];
    if (s->depth == SANITIZE_MAX_DEPTH || (s->depth > 0 && !nest_ok[s->open[s->depth - 1].rule][k]))
        return true; /* unwrap, see sanitize.h */

    const char *name = rules[k].name;
    bool external = false;
    buf_reset(&s->tag);
    buf_putc(&s->tag, '<');
    buf_puts(&s->tag, name);
    if (!tag_attrs(s, n, r->attrs, &external))
        return false;
    tag_attrs(s, n, attrs_global, &external);
    if (external)
        buf_puts(&s->tag, " rel=\"nofollow noopener\"");
    buf_putc(&s->tag, '>');
    put(s, buf_cstr(&s->tag), s->tag.len);
    if (r->flags & F_VOID)
        return false;
    s->open[s->depth].node = n;
    s->open[s->depth].rule = k;
    s->depth++;
    return true;
}

static void san_leave(void *ctx, const xmlNode *n)
{
    san_t *s = ctx;
    if (s->depth == 0 || s->open[s->depth - 1].node != n)
        return;
    s->depth--;
    const char *name = rules[s->open[s->depth].rule].name;
    put(s, "</", 2);
    put(s, name, strlen(name));
    put(s, ">", 1);
}

int sanitize_html(const char *in, size_t len, buf_t *out)
{
    htmlDocPtr doc;
    int rc = parse(in, len, &doc);
    if (rc != 0)
        return rc;
    san_t s = {.out = out, .start = out->len, .val = BUF_INIT, .tag = BUF_INIT};
    walk(doc, san_enter, san_leave, &s, &s.rc);
    ASSERT(s.rc != 0 || s.depth == 0);
    if (s.rc != 0) {
        out->len = s.start;
        if (out->data != NULL)
            out->data[out->len] = '\0';
    }
    buf_free(&s.val);
    buf_free(&s.tag);
    xmlFreeDoc(doc);
    return s.rc;
}

/* ---- html_to_text ---- */

enum { SEP_NONE, SEP_SPACE, SEP_LINE };

typedef struct {
    buf_t text;
    buf_t val; /* scratch: a text node, cleaned */
    int sep;   /* the separator owed before the next visible character */
    int stop;  /* never set: walk() wants one */
} text_t;

static void owe(text_t *t, int sep)
{
    if (sep > t->sep)
        t->sep = sep;
}

static void text_add(text_t *t, const char *p, size_t n)
{
    size_t i = 0, run = 0;
    while (i < n) {
        size_t k = 1, ws = 0;
        if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n')
            ws = 1;
        else if ((unsigned char)p[i] == 0xc2 && i + 1 < n && (unsigned char)p[i + 1] == 0xa0)
            ws = k = 2; /* U+00A0, &nbsp; */
        if (ws) {
            buf_append(&t->text, p + run, i - run);
            owe(t, SEP_SPACE);
            run = i + k;
        } else if (t->sep != SEP_NONE) {
            buf_append(&t->text, p + run, i - run);
            if (t->text.len > 0)
                buf_putc(&t->text, t->sep == SEP_LINE ? '\n' : ' ');
            t->sep = SEP_NONE;
            run = i;
        }
        i += k;
    }
    buf_append(&t->text, p + run, n - run);
}

static bool text_enter(void *ctx, const xmlNode *n)
{
    text_t *t = ctx;
    if (n->type == XML_TEXT_NODE) {
        if (n->content != NULL) {
            buf_reset(&t->val);
            clean_append(&t->val, (const char *)n->content, strlen((const char *)n->content));
            text_add(t, buf_cstr(&t->val), t->val.len);
        }
        return false;
    }
    if (n->type != XML_ELEMENT_NODE)
        return false;
    const elem_rule_t *r = rule_find(n->name);
    if (r == NULL)
        return true;
    if (r->what == E_DROP)
        return false;
    if (r->flags & F_BLOCK)
        owe(t, SEP_LINE);
    if (r->flags & F_CELL)
        owe(t, SEP_SPACE);
    return true;
}

static void text_leave(void *ctx, const xmlNode *n)
{
    text_t *t = ctx;
    const elem_rule_t *r = n->type == XML_ELEMENT_NODE ? rule_find(n->name) : NULL;
    if (r != NULL && (r->flags & F_BLOCK))
        owe(t, SEP_LINE);
    if (r != NULL && (r->flags & F_CELL))
        owe(t, SEP_SPACE);
}

/* The byte length of the first max code points of s[0..len). */
static size_t utf8_prefix(const char *s, size_t len, size_t max)
{
    size_t i = 0;
    for (size_t cp = 0; i < len && cp < max; cp++) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
            i++;
    }
    return i;
}

int html_to_text(const char *html, size_t len, size_t max_chars, buf_t *out)
{
    text_t t = {.text = BUF_INIT, .val = BUF_INIT, .sep = SEP_NONE, .stop = 0};
    if (len == 0 || (memchr(html, '<', len) == NULL && memchr(html, '&', len) == NULL)) {
        /* No markup and no reference: the one text node a parse would
         * give, without libxml2's parser (about 13,000 instructions for an
         * empty collection description's meta text, by callgrind). */
        int rc = check_input(html, len);
        if (rc != 0)
            return rc;
        clean_append(&t.val, html, len);
        text_add(&t, buf_cstr(&t.val), t.val.len);
    } else {
        htmlDocPtr doc;
        int rc = parse(html, len, &doc);
        if (rc != 0)
            return rc;
        walk(doc, text_enter, text_leave, &t, &t.stop);
        xmlFreeDoc(doc);
    }

    const char *s = buf_cstr(&t.text);
    size_t n = t.text.len;
    if (max_chars > 0 && utf8_prefix(s, n, max_chars) < n) {
        /* Room for the ellipsis, then back to the last space if that keeps
         * at least half; the text has no space or newline at either end. */
        size_t cut = utf8_prefix(s, n, max_chars - 1);
        if (s[cut] != ' ' && s[cut] != '\n') {
            size_t sp = cut;
            while (sp > 0 && s[sp - 1] != ' ' && s[sp - 1] != '\n')
                sp--;
            if (sp > 0 && sp - 1 >= cut / 2)
                cut = sp - 1;
        }
        while (cut > 0 && (s[cut - 1] == ' ' || s[cut - 1] == '\n'))
            cut--;
        buf_append(out, s, cut);
        buf_puts(out, "\xe2\x80\xa6");
    } else {
        buf_append(out, s, n);
    }
    buf_free(&t.text);
    buf_free(&t.val);
    return 0;
}
