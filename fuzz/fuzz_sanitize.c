/* fuzz_sanitize.c - libFuzzer target for sanitize_html() and html_to_text().
 *
 * The output is read back by a small tokenizer of its own, written from
 * sanitize.h rather than from sanitize.c: only allowlisted tags and
 * attributes, every value double-quoted, nothing but the five entities, tags
 * balanced, no on* attribute and no URL with a scheme other than http, https
 * or (href) mailto. It must be valid UTF-8 without "<script", and sanitizing
 * it again must give the same bytes. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/sanitize.h"
#include "core/utf8.h"
#include "fuzz_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const tags[] = {
    "a",     "b",  "blockquote", "br",         "caption", "code",   "dd",   "del", "div",
    "dl",    "dt", "em",         "figcaption", "figure",  "h2",     "h3",   "h4",  "h5",
    "h6",    "hr", "i",          "img",        "ins",     "li",     "mark", "ol",  "p",
    "pre",   "q",  "s",          "small",      "span",    "strong", "sub",  "sup", "table",
    "tbody", "td", "tfoot",      "th",         "thead",   "tr",     "u",    "ul",
};

static bool tag_known(const char *t)
{
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        if (strcmp(tags[i], t) == 0)
            return true;
    }
    return false;
}

static bool tag_void(const char *t)
{
    return strcmp(t, "br") == 0 || strcmp(t, "hr") == 0 || strcmp(t, "img") == 0;
}

static bool attr_allowed(const char *t, const char *a)
{
    static const char *const pairs[] = {
        "a href",     "a rel",      "img src",    "img alt",    "img width", "img height",
        "td colspan", "td rowspan", "th colspan", "th rowspan", "ol start",
    };
    char pair[64];
    if (strcmp(a, "title") == 0)
        return true;
    if (strlen(t) + strlen(a) + 2 > sizeof(pair))
        return false;
    strcpy(pair, t);
    strcat(pair, " ");
    strcat(pair, a);
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        if (strcmp(pairs[i], pair) == 0)
            return true;
    }
    return false;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool has_nocase(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++) {
        size_t k = 0;
        while (k < m && lower((unsigned char)s[i + k]) == needle[k])
            k++;
        if (k == m)
            return true;
    }
    return false;
}

/* " on" followed by letters and "=", in any case. */
static bool has_on_attr(const char *s, size_t n)
{
    for (size_t i = 0; i + 3 < n; i++) {
        if (s[i] != ' ' || lower((unsigned char)s[i + 1]) != 'o' ||
            lower((unsigned char)s[i + 2]) != 'n')
            continue;
        size_t k = i + 3;
        while (k < n && lower((unsigned char)s[k]) >= 'a' && lower((unsigned char)s[k]) <= 'z')
            k++;
        if (k > i + 3 && k < n && s[k] == '=')
            return true;
    }
    return false;
}

static bool scheme_char(int c)
{
    c = lower(c);
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

static bool same_nocase(const char *s, size_t n, const char *word)
{
    if (strlen(word) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (lower((unsigned char)s[i]) != word[i])
            return false;
    }
    return true;
}

/* Whether a browser given the (decoded) URL v[0..n) would use an allowed
 * scheme or none, read as the WHATWG URL parser does: drop tab/LF/CR, strip
 * C0 controls and spaces at the ends, then a letter and letters, digits, "+-."
 * up to a ':' make a scheme. *external: http(s) or "//host". */
static bool url_allowed(const char *v, size_t n, bool href, bool *external)
{
    char *u = malloc(n + 1);
    size_t lo = 0, hi = 0, k;
    for (size_t i = 0; i < n; i++) {
        if (v[i] != '\t' && v[i] != '\n' && v[i] != '\r')
            u[hi++] = v[i];
    }
    while (lo < hi && (unsigned char)u[lo] <= 0x20)
        lo++;
    while (hi > lo && (unsigned char)u[hi - 1] <= 0x20)
        hi--;
    bool scheme =
        lo < hi && lower((unsigned char)u[lo]) >= 'a' && lower((unsigned char)u[lo]) <= 'z';
    for (k = lo; scheme && k < hi && u[k] != ':'; k++)
        scheme = scheme_char((unsigned char)u[k]);
    scheme = scheme && k < hi;
    bool ok;
    if (!scheme) {
        ok = true;
        *external = hi - lo >= 2 && (u[lo] == '/' || u[lo] == '\\') &&
                    (u[lo + 1] == '/' || u[lo + 1] == '\\');
    } else {
        *external = same_nocase(u + lo, k - lo, "http") || same_nocase(u + lo, k - lo, "https");
        ok = *external || (href && same_nocase(u + lo, k - lo, "mailto"));
    }
    free(u);
    return ok;
}

/* Length of the entity at s (one of the five sanitize writes), or 0. */
static size_t entity(const char *s, size_t n, char *decoded)
{
    static const struct {
        const char *e;
        char c;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    for (size_t i = 0; i < 5; i++) {
        size_t m = strlen(ents[i].e);
        if (m <= n && memcmp(s, ents[i].e, m) == 0) {
            *decoded = ents[i].c;
            return m;
        }
    }
    return 0;
}

/* Read the output as sanitize.h promises it is written. */
static void check_markup(const char *s, size_t n)
{
    char stack[SANITIZE_MAX_DEPTH][16];
    size_t depth = 0, i = 0;
    buf_t skeleton = BUF_INIT; /* tags with their attribute values left out */
    char *val = malloc(n + 1);
    char ch;
    while (i < n) {
        char c = s[i];
        FUZZ_CHECK(c != '>' && c != '"' && c != '\'');
        if (c == '&') {
            size_t m = entity(s + i, n - i, &ch);
            FUZZ_CHECK(m > 0);
            i += m;
            continue;
        }
        if (c != '<') {
            i++;
            continue;
        }
        bool end = i + 1 < n && s[i + 1] == '/';
        size_t t = i + 1 + end, k = t;
        while (k < n && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= '0' && s[k] <= '9')))
            k++;
        FUZZ_CHECK(k > t && k - t < 16);
        char tag[16];
        memcpy(tag, s + t, k - t);
        tag[k - t] = '\0';
        FUZZ_CHECK(tag_known(tag));
        buf_append(&skeleton, s + i, k - i);
        if (end) {
            FUZZ_CHECK(k < n && s[k] == '>');
            FUZZ_CHECK(depth > 0 && strcmp(stack[depth - 1], tag) == 0);
            depth--;
            buf_putc(&skeleton, '>');
            i = k + 1;
            continue;
        }
        bool has_href = false, external = false, has_rel = false;
        for (;;) {
            FUZZ_CHECK(k < n);
            if (s[k] == '>')
                break;
            FUZZ_CHECK(s[k] == ' ');
            size_t a = ++k;
            while (k < n && s[k] >= 'a' && s[k] <= 'z')
                k++;
            FUZZ_CHECK(k > a && k + 1 < n && s[k] == '=' && s[k + 1] == '"');
            char attr[16];
            FUZZ_CHECK(k - a < sizeof(attr));
            memcpy(attr, s + a, k - a);
            attr[k - a] = '\0';
            FUZZ_CHECK(attr_allowed(tag, attr));
            FUZZ_CHECK(!(attr[0] == 'o' && attr[1] == 'n'));
            buf_append(&skeleton, s + a - 1, k + 2 - (a - 1));
            k += 2;
            size_t vn = 0;
            while (k < n && s[k] != '"') {
                FUZZ_CHECK(s[k] != '<' && s[k] != '>' && s[k] != '\'');
                if (s[k] == '&') {
                    size_t m = entity(s + k, n - k, &ch);
                    FUZZ_CHECK(m > 0);
                    val[vn++] = ch;
                    k += m;
                } else {
                    val[vn++] = s[k++];
                }
            }
            FUZZ_CHECK(k < n);
            buf_putc(&skeleton, '"');
            k++;
            for (size_t v = 0; v < vn; v++)
                FUZZ_CHECK((unsigned char)val[v] >= 0x20 || val[v] == '\t' || val[v] == '\n');
            if (strcmp(attr, "href") == 0 || strcmp(attr, "src") == 0) {
                bool href = attr[0] == 'h', ext = false;
                FUZZ_CHECK(url_allowed(val, vn, href, &ext));
                FUZZ_CHECK(vn > 0 && vn <= SANITIZE_MAX_URL);
                if (href) {
                    has_href = true;
                    external = ext;
                }
            }
            if (strcmp(attr, "rel") == 0) {
                has_rel = true;
                FUZZ_CHECK(vn == 17 && memcmp(val, "nofollow noopener", 17) == 0);
            }
            if (strcmp(attr, "width") == 0 || strcmp(attr, "colspan") == 0 ||
                strcmp(attr, "start") == 0) {
                FUZZ_CHECK(vn > 0 && vn < 9);
                for (size_t v = 0; v < vn; v++)
                    FUZZ_CHECK((val[v] >= '0' && val[v] <= '9') || (v == 0 && val[v] == '-'));
            }
        }
        FUZZ_CHECK(has_rel == (has_href && external));
        buf_putc(&skeleton, '>');
        i = k + 1;
        if (!tag_void(tag)) {
            FUZZ_CHECK(depth < SANITIZE_MAX_DEPTH);
            strcpy(stack[depth++], tag);
        }
    }
    FUZZ_CHECK(depth == 0);
    FUZZ_CHECK(!has_nocase(buf_cstr(&skeleton), skeleton.len, "javascript:"));
    FUZZ_CHECK(!has_on_attr(buf_cstr(&skeleton), skeleton.len));
    buf_free(&skeleton);
    free(val);
}

static size_t code_points(const char *s, size_t n)
{
    size_t cp = 0;
    for (size_t i = 0; i < n; i++)
        cp += ((unsigned char)s[i] & 0xc0) != 0x80;
    return cp;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    buf_t out = BUF_INIT, again = BUF_INIT, text = BUF_INIT;
    buf_puts(&out, "kept"); /* what was there before must stay */
    int rc = sanitize_html(in, size, &out);

    int want = 0;
    if (size > SANITIZE_MAX_INPUT)
        want = SOUK_ELIMIT;
    else if (memchr(in, 0, size) != NULL || !ref_utf8_valid(data, size))
        want = SOUK_ENCODING;
    FUZZ_CHECK(rc == want || (want == 0 && rc == SOUK_ELIMIT));
    FUZZ_CHECK(out.len >= 4 && memcmp(out.data, "kept", 4) == 0);

    int trc = html_to_text(in, size, 0, &text);
    FUZZ_CHECK(trc == want || (want == 0 && trc == SOUK_ELIMIT));
    FUZZ_CHECK(trc != 0 || ref_utf8_valid((const uint8_t *)text.data, text.len));
    if (rc != 0) {
        FUZZ_CHECK(out.len == 4);
        goto done;
    }
    FUZZ_CHECK(trc == 0);

    const char *s = out.data + 4;
    size_t n = out.len - 4;
    FUZZ_CHECK(n <= SANITIZE_MAX_OUTPUT);
    FUZZ_CHECK(ref_utf8_valid((const uint8_t *)s, n) && memchr(s, 0, n) == NULL);
    FUZZ_CHECK(!has_nocase(s, n, "<script"));
    check_markup(s, n);

    /* Idempotent. */
    FUZZ_CHECK(sanitize_html(s, n, &again) == 0);
    if (again.len != n || memcmp(buf_cstr(&again), s, n) != 0) {
        fprintf(stderr, "first:  %.*s\nsecond: %s\n", (int)n, s, buf_cstr(&again));
        FUZZ_CHECK(!"sanitize_html is idempotent");
    }

    /* Plain text of the output, cut to a length taken from the input. */
    size_t max = size % 40;
    buf_reset(&text);
    FUZZ_CHECK(html_to_text(s, n, max, &text) == 0);
    FUZZ_CHECK(ref_utf8_valid((const uint8_t *)buf_cstr(&text), text.len));
    FUZZ_CHECK(max == 0 || code_points(buf_cstr(&text), text.len) <= max);
    FUZZ_CHECK(memchr(buf_cstr(&text), 0, text.len) == NULL);

done:
    buf_free(&out);
    buf_free(&again);
    buf_free(&text);
    return 0;
}
