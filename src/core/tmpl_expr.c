/* tmpl_expr.c - expressions inside {{ }} and tags: literals, paths, filter
 * calls (resolved to the set's filters and checked for arguments here, at
 * load), comparisons, not/and/or, parentheses. Also the parser's error and
 * token-matching helpers, shared with the tags in tmpl_parse.c. */
#include "core/tmpl_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

void *tmpl_grow(void *v, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return v;
    *cap = *cap ? st_mult(*cap, 2) : 8;
    return xrealloc(v, st_mult(*cap, elem));
}

int tmpl_perr(tmpl_parser_t *p, int rc, uint32_t line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return tmpl_errorf(p->lc, rc, p->t->name, line, "%s", msg);
}

/* "expected X, found Y" at the current token. */
int tmpl_expected(tmpl_parser_t *p, const char *what)
{
    char d[64];
    tmpl_tok_desc(tmpl_cur(p), d, sizeof(d));
    return tmpl_perr(p, SOUK_EINVAL, tmpl_cur(p)->line, "expected %s, found %s", what, d);
}

int tmpl_expect_op(tmpl_parser_t *p, char op, const char *what)
{
    if (!tmpl_tok_op(tmpl_cur(p), op))
        return tmpl_expected(p, what);
    p->pos++;
    return 0;
}

/* A name to bind (for, set): an identifier that is not a keyword or `loop`. */
int tmpl_unescape(tmpl_parser_t *p, const tmpl_tok_t *t, const char **out, size_t *outlen)
{
    char *o = arena_alloc(p->arena, st_add(t->len, 1));
    size_t n = 0;
    for (size_t i = 0; i < t->len; i++) {
        char c = t->p[i];
        if (c == '\\') {
            char e = t->p[++i];
            switch (e) {
            case 'n':
                c = '\n';
                break;
            case 't':
                c = '\t';
                break;
            case 'r':
                c = '\r';
                break;
            case '\\':
            case '"':
            case '\'':
                c = e;
                break;
            default:
                return tmpl_perr(p, SOUK_EINVAL, t->line, "unknown escape '\\%c' in a string",
                                 e >= 0x20 && e < 0x7f ? e : '?');
            }
        }
        o[n++] = c;
    }
    o[n] = '\0';
    *out = o;
    *outlen = n;
    return 0;
}

static expr_t *new_expr(tmpl_parser_t *p, uint8_t kind)
{
    expr_t *e = arena_alloc(p->arena, sizeof(*e));
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    return e;
}

static void keep_json(tmpl_set_t *set, json_t *j)
{
    if (set->njson == set->capjson) {
        set->capjson = set->capjson ? st_mult(set->capjson, 2) : 16;
        set->json = xrealloc(set->json, st_mult(set->capjson, sizeof(*set->json)));
    }
    set->json[set->njson++] = j;
}

static int parse_or(tmpl_parser_t *p, int depth, expr_t **out);

/* A literal filter argument, as JSON owned by the set. */
static int parse_arg(tmpl_parser_t *p, json_t **out)
{
    const tmpl_tok_t *t = tmpl_cur(p);
    json_t *j = NULL;
    if (t->kind == TK_INT) {
        j = json_integer(t->i);
    } else if (tmpl_tok_op(t, '-') && t[1].kind == TK_INT) {
        p->pos++;
        j = json_integer(-t[1].i);
    } else if (t->kind == TK_STR) {
        const char *s;
        size_t n;
        int rc = tmpl_unescape(p, t, &s, &n);
        if (rc != 0)
            return rc;
        j = json_stringn_nocheck(s, n);
    } else if (tmpl_tok_word(t, "true") || tmpl_tok_word(t, "false")) {
        j = json_boolean(tmpl_tok_word(t, "true"));
    } else if (tmpl_tok_word(t, "null") || tmpl_tok_word(t, "none")) {
        j = json_null();
    } else {
        return tmpl_expected(p, "a literal argument (number, string, true, false or null)");
    }
    if (j == NULL)
        BUG("out of memory in jansson");
    keep_json(p->lc->set, j);
    p->pos++;
    *out = j;
    return 0;
}

static int parse_filter(tmpl_parser_t *p, fcall_t *fc)
{
    const tmpl_tok_t *name = tmpl_cur(p);
    if (name->kind != TK_IDENT)
        return tmpl_expected(p, "a filter name");
    const filter_t *f = tmpl_filter_find(p->lc->set, name->p, name->len);
    if (f == NULL)
        return tmpl_perr(p, SOUK_EINVAL, name->line, "unknown filter '%.*s'",
                         name->len > 40 ? 40 : (int)name->len, name->p);
    p->pos++;
    json_t *args[TMPL_MAX_FILTER_ARGS];
    uint32_t n = 0;
    if (tmpl_tok_op(tmpl_cur(p), '(')) {
        p->pos++;
        while (!tmpl_tok_op(tmpl_cur(p), ')')) {
            if (n > 0 && tmpl_expect_op(p, ',', "',' or ')'") != 0)
                return SOUK_EINVAL;
            if (n == TMPL_MAX_FILTER_ARGS)
                return tmpl_perr(p, SOUK_ELIMIT, tmpl_cur(p)->line, "more than %d filter arguments",
                                 TMPL_MAX_FILTER_ARGS);
            int rc = parse_arg(p, &args[n]);
            if (rc != 0)
                return rc;
            n++;
        }
        p->pos++;
    }
    if (n < f->min_args || n > f->max_args) {
        if (f->min_args == f->max_args)
            return tmpl_perr(p, SOUK_EINVAL, name->line, "filter '%s' takes %u argument%s, not %u",
                             f->name, f->min_args, f->min_args == 1 ? "" : "s", n);
        return tmpl_perr(p, SOUK_EINVAL, name->line, "filter '%s' takes %u to %u arguments, not %u",
                         f->name, f->min_args, f->max_args, n);
    }
    if (f->id == F_TRUNCATE && (!json_is_integer(args[0]) || json_integer_value(args[0]) < 0 ||
                                (n == 2 && !json_is_string(args[1]))))
        return tmpl_perr(p, SOUK_EINVAL, name->line,
                         "truncate takes a character count >= 0 and an optional end string");
    fc->f = f;
    fc->nargs = n;
    fc->args = n ? arena_memdup(p->arena, args, n * sizeof(*args)) : NULL;
    return 0;
}

static int parse_path(tmpl_parser_t *p, expr_t **out)
{
    const tmpl_tok_t *t = tmpl_cur(p);
    expr_t *e = new_expr(p, EXPR_PATH);
    e->u.path.sym = tmpl_intern(p->lc->syms, t->p, t->len, &e->u.path.name);
    e->u.path.namelen = t->len;
    p->pos++;
    seg_t *segs = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (;;) {
        seg_t sg = {0};
        if (tmpl_tok_op(tmpl_cur(p), '.')) {
            p->pos++;
            t = tmpl_cur(p);
            if (t->kind == TK_IDENT) {
                sg.kind = SEG_KEY;
                sg.key = arena_strndup(p->arena, t->p, t->len);
                sg.keylen = t->len;
            } else if (t->kind == TK_INT) {
                sg.kind = SEG_INDEX;
                sg.index = t->i;
            } else {
                rc = tmpl_expected(p, "a name after '.'");
                goto out;
            }
            p->pos++;
        } else if (tmpl_tok_op(tmpl_cur(p), '[')) {
            p->pos++;
            t = tmpl_cur(p);
            if (t->kind == TK_INT) {
                sg.kind = SEG_INDEX;
                sg.index = t->i;
            } else if (tmpl_tok_op(t, '-') && t[1].kind == TK_INT) {
                sg.kind = SEG_INDEX;
                sg.index = -t[1].i;
                p->pos++;
            } else if (t->kind == TK_STR) {
                sg.kind = SEG_KEY;
                if ((rc = tmpl_unescape(p, t, &sg.key, &sg.keylen)) != 0)
                    goto out;
            } else {
                rc = tmpl_expected(p, "an integer or a string inside [ ]");
                goto out;
            }
            p->pos++;
            if ((rc = tmpl_expect_op(p, ']', "']'")) != 0)
                goto out;
        } else {
            break;
        }
        segs = tmpl_grow(segs, &cap, n, sizeof(*segs));
        segs[n++] = sg;
    }
    if (e->u.path.sym == TMPL_SYM_LOOP && n > 0 && segs[0].kind == SEG_KEY) {
        static const struct {
            const char *name;
            uint8_t attr;
        } attrs[] = {{"index", LOOP_INDEX}, {"index0", LOOP_INDEX0}, {"first", LOOP_FIRST},
                     {"last", LOOP_LAST},   {"length", LOOP_LENGTH}, {"revindex", LOOP_REVINDEX}};
        for (size_t i = 0; i < ARRAY_LEN(attrs); i++)
            if (strcmp(segs[0].key, attrs[i].name) == 0)
                segs[0].loop_attr = attrs[i].attr;
    }
    e->u.path.seg = n ? arena_memdup(p->arena, segs, n * sizeof(*segs)) : NULL;
    e->u.path.nseg = (uint32_t)n;
    *out = e;
out:
    free(segs);
    return rc;
}

static int parse_primary(tmpl_parser_t *p, int depth, expr_t **out)
{
    const tmpl_tok_t *t = tmpl_cur(p);
    expr_t *e;
    if (t->kind == TK_INT || (tmpl_tok_op(t, '-') && t[1].kind == TK_INT)) {
        e = new_expr(p, EXPR_LIT);
        e->u.lit.kind = V_INT;
        if (t->kind == TK_OP) {
            p->pos++;
            e->u.lit.u.i = -t[1].i;
        } else {
            e->u.lit.u.i = t->i;
        }
        p->pos++;
    } else if (t->kind == TK_STR) {
        e = new_expr(p, EXPR_LIT);
        e->u.lit.kind = V_STR;
        int rc = tmpl_unescape(p, t, &e->u.lit.u.s.p, &e->u.lit.u.s.len);
        if (rc != 0)
            return rc;
        p->pos++;
    } else if (tmpl_tok_word(t, "true") || tmpl_tok_word(t, "false")) {
        e = new_expr(p, EXPR_LIT);
        e->u.lit.kind = V_BOOL;
        e->u.lit.u.b = tmpl_tok_word(t, "true");
        p->pos++;
    } else if (tmpl_tok_word(t, "null") || tmpl_tok_word(t, "none")) {
        e = new_expr(p, EXPR_LIT);
        e->u.lit.kind = V_NULL;
        p->pos++;
    } else if (tmpl_tok_word(t, "super") && tmpl_tok_op(&t[1], '(')) {
        return tmpl_perr(p, SOUK_EINVAL, t->line, "super() can only stand alone: {{ super() }}");
    } else if (t->kind == TK_IDENT && !tmpl_tok_reserved(t)) {
        return parse_path(p, out);
    } else if (tmpl_tok_op(t, '(')) {
        if (depth + 1 > TMPL_MAX_EXPR_DEPTH)
            return tmpl_perr(p, SOUK_ELIMIT, t->line, "expression nested deeper than %d",
                             TMPL_MAX_EXPR_DEPTH);
        p->pos++;
        int rc = parse_or(p, depth + 1, &e);
        if (rc == 0)
            rc = tmpl_expect_op(p, ')', "')'");
        if (rc != 0)
            return rc;
    } else {
        return tmpl_expected(p, "a value");
    }
    *out = e;
    return 0;
}

static int parse_filtered(tmpl_parser_t *p, int depth, expr_t **out)
{
    expr_t *base = NULL;
    int rc = parse_primary(p, depth, &base);
    if (rc != 0 || !tmpl_tok_op(tmpl_cur(p), '|')) {
        *out = base;
        return rc;
    }
    fcall_t *calls = NULL;
    size_t n = 0, cap = 0;
    while (tmpl_tok_op(tmpl_cur(p), '|')) {
        p->pos++;
        calls = tmpl_grow(calls, &cap, n, sizeof(*calls));
        if ((rc = parse_filter(p, &calls[n])) != 0)
            goto out;
        n++;
    }
    expr_t *e = new_expr(p, EXPR_FILTER);
    e->u.filt.base = base;
    e->u.filt.calls = arena_memdup(p->arena, calls, n * sizeof(*calls));
    e->u.filt.n = (uint32_t)n;
    *out = e;
out:
    free(calls);
    return rc;
}

static int cmp_op(const tmpl_tok_t *t)
{
    if (t->kind != TK_OP)
        return -1;
    switch (t->op) {
    case OP_EQ:
        return CMP_EQ;
    case OP_NE:
        return CMP_NE;
    case '<':
        return CMP_LT;
    case OP_LE:
        return CMP_LE;
    case '>':
        return CMP_GT;
    case OP_GE:
        return CMP_GE;
    default:
        return -1;
    }
}

static int parse_cmp(tmpl_parser_t *p, int depth, expr_t **out)
{
    expr_t *a = NULL, *b;
    int rc = parse_filtered(p, depth, &a);
    int op = rc == 0 ? cmp_op(tmpl_cur(p)) : -1;
    if (op < 0) {
        *out = a;
        return rc;
    }
    p->pos++;
    if ((rc = parse_filtered(p, depth, &b)) != 0)
        return rc;
    if (cmp_op(tmpl_cur(p)) >= 0)
        return tmpl_perr(p, SOUK_EINVAL, tmpl_cur(p)->line,
                         "comparisons cannot be chained; use 'and'");
    expr_t *e = new_expr(p, EXPR_CMP);
    e->op = (uint8_t)op;
    e->u.cmp.a = a;
    e->u.cmp.b = b;
    *out = e;
    return 0;
}

static int parse_not(tmpl_parser_t *p, int depth, expr_t **out)
{
    if (!tmpl_tok_word(tmpl_cur(p), "not"))
        return parse_cmp(p, depth, out);
    if (depth + 1 > TMPL_MAX_EXPR_DEPTH)
        return tmpl_perr(p, SOUK_ELIMIT, tmpl_cur(p)->line, "expression nested deeper than %d",
                         TMPL_MAX_EXPR_DEPTH);
    p->pos++;
    expr_t *e = new_expr(p, EXPR_NOT);
    int rc = parse_not(p, depth + 1, &e->u.operand);
    if (rc == 0)
        *out = e;
    return rc;
}

/* `a and b and c` (or `or`) as one node with a list, so a long chain does not
 * make a deep tree. */
static int parse_list(tmpl_parser_t *p, int depth, const char *word, uint8_t kind,
                      int (*sub)(tmpl_parser_t *, int, expr_t **), expr_t **out)
{
    expr_t *first = NULL;
    int rc = sub(p, depth, &first);
    if (rc != 0 || !tmpl_tok_word(tmpl_cur(p), word)) {
        *out = first;
        return rc;
    }
    expr_t **v = NULL;
    size_t n = 0, cap = 0;
    v = tmpl_grow(v, &cap, n, sizeof(*v));
    v[n++] = first;
    while (tmpl_tok_word(tmpl_cur(p), word)) {
        p->pos++;
        v = tmpl_grow(v, &cap, n, sizeof(*v));
        if ((rc = sub(p, depth, &v[n])) != 0)
            goto out;
        n++;
    }
    expr_t *e = new_expr(p, kind);
    e->u.list.v = arena_memdup(p->arena, v, n * sizeof(*v));
    e->u.list.n = (uint32_t)n;
    *out = e;
out:
    free(v);
    return rc;
}

static int parse_and(tmpl_parser_t *p, int depth, expr_t **out)
{
    return parse_list(p, depth, "and", EXPR_AND, parse_not, out);
}

static int parse_or(tmpl_parser_t *p, int depth, expr_t **out)
{
    return parse_list(p, depth, "or", EXPR_OR, parse_and, out);
}

int tmpl_parse_expr(tmpl_parser_t *p, expr_t **out)
{
    return parse_or(p, 0, out);
}
