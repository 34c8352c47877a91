/* tmpl_filter.c - values during a render and the built-in filters.
 *
 * Filters turn one value into another without allocating: strings they make
 * go into the render's scratch buffer (tmpl_scratch_t) and are referred to by
 * offset, since the buffer moves as it grows. Every write reserves its worst
 * case first, so an input that itself lives in the buffer is re-read after
 * the move. Application filters (F_CUSTOM) get the same buffer to append to. */
#include "core/tmpl_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

static int limit(const tmpl_scratch_t *st)
{
    UNUSED(st); /* one place to put a breakpoint on a render over its limits */
    return SOUK_ELIMIT;
}

static const char *scr_ptr(const tmpl_scratch_t *st, size_t off)
{
    return st->buf.data ? st->buf.data + off : "";
}

/* The bytes of a string value (V_STR or V_SCR). Valid until scratch grows. */
const char *tmpl_str(const tmpl_scratch_t *st, const val_t *v, size_t *len)
{
    if (v->kind == V_SCR) {
        *len = v->u.scr.len;
        return scr_ptr(st, v->u.scr.off);
    }
    *len = v->u.s.len;
    return v->u.s.p;
}

/* ---- numbers as text ---- */

/* The shortest of %.15g..%.17g that reads back as d; "" if not finite. */
size_t tmpl_fmt_real(double d, char *buf, size_t cap)
{
    if (!isfinite(d)) {
        buf[0] = '\0';
        return 0;
    }
    /* Most reals in a shop are short decimals (12.5, 0.25): when d is exactly
     * the double nearest some i / 10^k, print that without printf. */
    double scale = 1;
    for (int k = 0; k <= 6; k++, scale *= 10) {
        double x = d * scale;
        if (!(fabs(x) < 9007199254740992.0) || x != (double)(int64_t)x ||
            (double)(int64_t)x / scale != d)
            continue;
        int64_t iv = (int64_t)x, div = (int64_t)scale;
        size_t n = 0;
        if (iv < 0) {
            buf[n++] = '-';
            iv = -iv;
        }
        n += fmt_i64(iv / div, buf + n);
        if (k > 0) {
            buf[n++] = '.';
            for (int64_t f = iv % div, p = div / 10; p > 0; p /= 10)
                buf[n++] = (char)('0' + f / p % 10);
        }
        buf[n] = '\0';
        return n;
    }
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, cap, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    return n > 0 ? (size_t)n : 0;
}

/* ---- filters ---- */

/* Room for n more scratch bytes; returns the write position or NULL when an
 * intermediate result would pass the render's output cap. */
static char *scratch_reserve(tmpl_scratch_t *st, size_t n)
{
    if (n > st->max || st->buf.len > st->max - n)
        return NULL;
    buf_grow(&st->buf, n);
    return st->buf.data + st->buf.len;
}

/* A value's text for the string filters. Where it lives: a stable pointer
 * (a literal, the context, num), or the scratch buffer at off. */
typedef struct {
    const char *p;
    size_t len;
    bool scr;
    size_t off;
    char num[32];
} text_t;

static void val_text(const val_t *v, text_t *t)
{
    t->scr = false;
    t->p = t->num;
    t->len = 0;
    t->num[0] = '\0';
    switch (v->kind) {
    case V_BOOL:
        t->p = v->u.b ? "true" : "false";
        t->len = strlen(t->p);
        break;
    case V_INT:
        t->len = fmt_i64(v->u.i, t->num);
        break;
    case V_REAL:
        t->len = tmpl_fmt_real(v->u.d, t->num, sizeof(t->num));
        break;
    case V_STR:
        t->p = v->u.s.p;
        t->len = v->u.s.len;
        break;
    case V_SCR:
        t->scr = true;
        t->off = v->u.scr.off;
        t->len = v->u.scr.len;
        break;
    default:
        break;
    }
}

static const char *text_ptr(const tmpl_scratch_t *st, const text_t *t)
{
    return t->scr ? scr_ptr(st, t->off) : t->p;
}

/* Replace *v by the scratch bytes [off, scratch.len). */
static void set_scratch(tmpl_scratch_t *st, val_t *v, size_t off)
{
    tmpl_val_release(v);
    memset(v, 0, sizeof(*v));
    v->kind = V_SCR;
    v->u.scr.off = off;
    v->u.scr.len = st->buf.len - off;
}

static int f_case(tmpl_scratch_t *st, val_t *v, bool upper)
{
    text_t t;
    val_text(v, &t);
    char *o = scratch_reserve(st, t.len);
    if (o == NULL)
        return limit(st);
    const char *in = text_ptr(st, &t);
    for (size_t i = 0; i < t.len; i++) {
        char c = in[i];
        if (upper && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (!upper && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        o[i] = c;
    }
    size_t off = st->buf.len;
    st->buf.len += t.len;
    set_scratch(st, v, off);
    return 0;
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

/* Characters of a string, items of an array or object, else 0. */
static void f_length(const tmpl_scratch_t *st, val_t *v)
{
    int64_t n = 0;
    size_t len;
    if (v->kind == V_STR || v->kind == V_SCR) {
        const char *s = tmpl_str(st, v, &len);
        n = (int64_t)utf8_chars(s, len);
    } else if (v->kind == V_JSON) {
        n = (int64_t)(json_is_array(v->j) ? json_array_size(v->j) : json_object_size(v->j));
    } else if (v->kind == V_HOST && v->u.host.cls->len) {
        n = (int64_t)v->u.host.cls->len(v->u.host.obj);
    } else if (v->kind == V_HOST) { /* an object: its number of fields */
        json_t *j = v->u.host.cls->to_json(v->u.host.obj);
        n = (int64_t)json_object_size(j);
        json_decref(j);
    }
    tmpl_val_release(v);
    tmpl_val_scalar(v, V_INT, n);
}

static int f_url(tmpl_scratch_t *st, val_t *v)
{
    static const char hex[] = "0123456789ABCDEF";
    text_t t;
    val_text(v, &t);
    if (t.len > SIZE_MAX / 3)
        return limit(st);
    char *o = scratch_reserve(st, t.len * 3);
    if (o == NULL)
        return limit(st);
    const unsigned char *in = (const unsigned char *)text_ptr(st, &t);
    size_t k = 0;
    for (size_t i = 0; i < t.len; i++) {
        unsigned char c = in[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            o[k++] = (char)c;
        } else {
            o[k++] = '%';
            o[k++] = hex[c >> 4];
            o[k++] = hex[c & 15];
        }
    }
    size_t off = st->buf.len;
    st->buf.len += k;
    set_scratch(st, v, off);
    return 0;
}

static int f_truncate(tmpl_scratch_t *st, val_t *v, json_t *const *args, uint32_t nargs)
{
    size_t max = (size_t)json_integer_value(args[0]);
    const char *end = nargs > 1 ? json_string_value(args[1]) : "\xe2\x80\xa6"; /* U+2026 */
    size_t endlen = nargs > 1 ? json_string_length(args[1]) : 3;
    text_t t;
    val_text(v, &t);
    const char *in = text_ptr(st, &t);
    size_t cut = 0, chars = 0;
    for (; cut < t.len; cut++) {
        if (((unsigned char)in[cut] & 0xc0) != 0x80 && chars++ == max)
            break;
    }
    if (cut == t.len) { /* short enough: the text itself */
        if (v->kind != V_STR && v->kind != V_SCR) {
            char *o = scratch_reserve(st, t.len);
            if (o == NULL)
                return limit(st);
            memcpy(o, t.p, t.len); /* a number or true/false: t.p is stable */
            size_t off = st->buf.len;
            st->buf.len += t.len;
            set_scratch(st, v, off);
        }
        return 0;
    }
    char *o = scratch_reserve(st, cut + endlen);
    if (o == NULL)
        return limit(st);
    memmove(o, text_ptr(st, &t), cut);
    memcpy(o + cut, end, endlen);
    size_t off = st->buf.len;
    st->buf.len += cut + endlen;
    set_scratch(st, v, off);
    return 0;
}

/* The bytes json_escape may rewrite: quote, backslash, controls, DEL, the
 * HTML-significant < > & ', and 0xe2, which starts U+2028 and U+2029. Runs
 * of other bytes are copied whole: the strings are mostly such runs. */
static const unsigned char JSON_SPECIAL[256] = {
    [0x00 ... 0x1f] = 1, ['"'] = 1,  ['\\'] = 1, ['<'] = 1,  ['>'] = 1,
    ['&'] = 1,           ['\''] = 1, [0x7f] = 1, [0xe2] = 1,
};

/* JSON text safe to place in a <script> element: besides JSON's own escapes,
 * < > & ' and U+2028/2029 become \uXXXX, so no "</script>", "<!--" or line
 * terminator can appear. At most 6 bytes out per byte in. */
static size_t json_escape(char *o, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    o[k++] = '"';
    for (size_t i = 0; i < len; i++) {
        size_t run = i;
        while (run < len && !JSON_SPECIAL[(unsigned char)s[run]])
            run++;
        if (run > i) {
            memcpy(o + k, s + i, run - i);
            k += run - i;
            i = run;
            if (i == len)
                break;
        }
        unsigned char c = (unsigned char)s[i];
        if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
            ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
            memcpy(o + k, (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
            k += 6;
            i += 2;
        } else if (c == '"' || c == '\\') {
            o[k++] = '\\';
            o[k++] = (char)c;
        } else if (c == '\n') {
            memcpy(o + k, "\\n", 2);
            k += 2;
        } else if (c == '\t') {
            memcpy(o + k, "\\t", 2);
            k += 2;
        } else if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&' || c == '\'') {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            memcpy(o + k, esc, 6);
            k += 6;
        } else {
            o[k++] = (char)c;
        }
    }
    o[k++] = '"';
    return k;
}

/* Append the JSON for a string at p (stable) or scratch offset off. */
static int json_str(tmpl_scratch_t *st, const char *p, bool scr, size_t off, size_t len)
{
    if (len > (SIZE_MAX - 2) / 6)
        return limit(st);
    char *o = scratch_reserve(st, len * 6 + 2);
    if (o == NULL)
        return limit(st);
    st->buf.len += json_escape(o, scr ? scr_ptr(st, off) : p, len);
    return 0;
}

static int json_lit(tmpl_scratch_t *st, const char *s, size_t n)
{
    char *o = scratch_reserve(st, n);
    if (o == NULL)
        return limit(st);
    memcpy(o, s, n);
    st->buf.len += n;
    return 0;
}

static int json_value(tmpl_scratch_t *st, json_t *j, int depth)
{
    char num[40];
    int rc = 0;
    if (depth > TMPL_MAX_JSON_DEPTH) {
        st->warnings++;
        return json_lit(st, "null", 4);
    }
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *val;
        bool first = true;
        rc = json_lit(st, "{", 1);
        json_object_foreach(j, key, val)
        {
            if (rc == 0 && !first)
                rc = json_lit(st, ",", 1);
            first = false;
            if (rc == 0)
                rc = json_str(st, key, false, 0,
                              json_object_iter_key_len(json_object_key_to_iter(key)));
            if (rc == 0)
                rc = json_lit(st, ":", 1);
            if (rc == 0)
                rc = json_value(st, val, depth + 1);
            if (rc != 0)
                return rc;
        }
        return json_lit(st, "}", 1);
    }
    case JSON_ARRAY: {
        rc = json_lit(st, "[", 1);
        for (size_t i = 0; rc == 0 && i < json_array_size(j); i++) {
            if (i > 0)
                rc = json_lit(st, ",", 1);
            if (rc == 0)
                rc = json_value(st, json_array_get(j, i), depth + 1);
        }
        return rc ? rc : json_lit(st, "]", 1);
    }
    case JSON_STRING:
        return json_str(st, json_string_value(j), false, 0, json_string_length(j));
    case JSON_INTEGER:
        return json_lit(st, num, fmt_i64(json_integer_value(j), num));
    case JSON_REAL: {
        size_t n = tmpl_fmt_real(json_real_value(j), num, sizeof(num));
        return n ? json_lit(st, num, n) : json_lit(st, "null", 4);
    }
    case JSON_TRUE:
        return json_lit(st, "true", 4);
    case JSON_FALSE:
        return json_lit(st, "false", 5);
    default:
        return json_lit(st, "null", 4);
    }
}

static int f_json(tmpl_scratch_t *st, val_t *v)
{
    size_t off = st->buf.len;
    char num[40];
    int rc;
    switch (v->kind) {
    case V_BOOL:
        rc = v->u.b ? json_lit(st, "true", 4) : json_lit(st, "false", 5);
        break;
    case V_INT:
        rc = json_lit(st, num, fmt_i64(v->u.i, num));
        break;
    case V_REAL: {
        size_t n = tmpl_fmt_real(v->u.d, num, sizeof(num));
        rc = n ? json_lit(st, num, n) : json_lit(st, "null", 4);
        break;
    }
    case V_STR:
        rc = json_str(st, v->u.s.p, false, 0, v->u.s.len);
        break;
    case V_SCR:
        rc = json_str(st, NULL, true, v->u.scr.off, v->u.scr.len);
        break;
    case V_JSON:
        rc = json_value(st, v->j, 0);
        break;
    case V_HOST: {
        json_t *j = v->u.host.cls->to_json(v->u.host.obj);
        if (j == NULL)
            BUG("out of memory in jansson");
        rc = json_value(st, j, 0);
        json_decref(j);
        break;
    }
    default:
        rc = json_lit(st, "null", 4);
    }
    if (rc == 0)
        set_scratch(st, v, off);
    return rc;
}

/* A JSON form of v for an application filter: borrowed if v has one. */
static json_t *to_json(const tmpl_scratch_t *st, const val_t *v, bool *made)
{
    *made = v->j == NULL && v->kind != V_NULL && v->kind != V_BOOL && v->kind != V_LOOP;
    if (v->j)
        return v->j;
    size_t len;
    const char *s;
    switch (v->kind) {
    case V_BOOL:
        return json_boolean(v->u.b);
    case V_INT:
        return json_integer(v->u.i);
    case V_REAL:
        return json_real(v->u.d);
    case V_STR:
    case V_SCR:
        s = tmpl_str(st, v, &len);
        return json_stringn_nocheck(s, len);
    case V_HOST:
        return v->u.host.cls->to_json(v->u.host.obj);
    default:
        return json_null();
    }
}

static int f_custom(tmpl_scratch_t *st, val_t *v, const fcall_t *fc)
{
    bool made;
    json_t *in = to_json(st, v, &made);
    if (in == NULL)
        BUG("out of memory in jansson");
    size_t off = st->buf.len;
    json_t *r = fc->f->fn(in, fc->args, fc->nargs, &st->buf, fc->f->userdata);
    if (made)
        json_decref(in);
    ASSERT(st->buf.len >= off); /* filters append to out, never shorten it */
    if (r != NULL) {
        st->buf.len = off; /* a value result: any text is a contract breach */
        tmpl_val_release(v);
        tmpl_from_json(r, v);
        v->owner = r;
        return 0;
    }
    if (st->buf.len > st->max)
        return limit(st);
    set_scratch(st, v, off);
    return 0;
}

int tmpl_filter_apply(tmpl_scratch_t *st, val_t *v, const fcall_t *fc)
{
    switch (fc->f->id) {
    case F_RAW:
        return 0;
    case F_UPPER:
    case F_LOWER:
        return f_case(st, v, fc->f->id == F_UPPER);
    case F_LENGTH:
        f_length(st, v);
        return 0;
    case F_DEFAULT:
        if (v->kind == V_NULL || (v->kind == V_STR && v->u.s.len == 0) ||
            (v->kind == V_SCR && v->u.scr.len == 0)) {
            tmpl_val_release(v);
            tmpl_from_json(fc->args[0], v);
        }
        return 0;
    case F_URL:
        return f_url(st, v);
    case F_JSON:
        return f_json(st, v);
    case F_TRUNCATE:
        return f_truncate(st, v, fc->args, fc->nargs);
    default:
        return f_custom(st, v, fc);
    }
}
