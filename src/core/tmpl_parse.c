/* tmpl_parse.c - tokens (tmpl_lex.c) to the compiled tree of tmpl_int.h, by
 * recursive descent over the tags; expressions are tmpl_expr.c's. Checks what
 * one file can tell: tag nesting and closing, extends and block rules. What
 * needs every file (include targets, cycles) is tmpl_link.c's. */
#include "core/tmpl_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

typedef struct {
    node_t *v;
    size_t n, cap;
} nvec_t;

/* Generic growth for the parser's temporary vectors. */
static node_t *node_push(nvec_t *nv, uint8_t kind, uint32_t line)
{
    nv->v = tmpl_grow(nv->v, &nv->cap, nv->n, sizeof(*nv->v));
    node_t *n = &nv->v[nv->n++];
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->line = line;
    return n;
}

static int expect_end(tmpl_parser_t *p)
{
    if (tmpl_cur(p)->kind != TK_END)
        return tmpl_expected(p, p->closer == '}' ? "'}}'" : "'%}'");
    p->pos++;
    return 0;
}

static int expect_name(tmpl_parser_t *p, int32_t *sym)
{
    const tmpl_tok_t *t = tmpl_cur(p);
    if (t->kind != TK_IDENT || tmpl_tok_reserved(t))
        return tmpl_expected(p, "a name");
    if (tmpl_tok_word(t, "loop"))
        return tmpl_perr(p, SOUK_EINVAL, t->line, "'loop' is reserved for the for-loop variables");
    *sym = tmpl_intern(p->lc->syms, t->p, t->len, NULL);
    p->pos++;
    return 0;
}

/* The value of a string token, escapes applied, in the arena. */
/* ---- tags ---- */

enum { KW_ELIF = 1, KW_ELSE = 2, KW_ENDIF = 4, KW_ENDFOR = 8, KW_ENDBLOCK = 16 };

static unsigned stop_word(const tmpl_tok_t *t)
{
    static const struct {
        const char *w;
        unsigned kw;
    } words[] = {{"elif", KW_ELIF},
                 {"else", KW_ELSE},
                 {"endif", KW_ENDIF},
                 {"endfor", KW_ENDFOR},
                 {"endblock", KW_ENDBLOCK}};
    for (size_t i = 0; i < ARRAY_LEN(words); i++)
        if (tmpl_tok_word(t, words[i].w))
            return words[i].kw;
    return 0;
}

static int parse_body(tmpl_parser_t *p, unsigned stops, unsigned *stop, body_t *out,
                      const char *opener, uint32_t open_line);

static int enter(tmpl_parser_t *p, uint32_t line)
{
    if (++p->nest > TMPL_MAX_NESTING)
        return tmpl_perr(p, SOUK_ELIMIT, line, "tags nested deeper than %d", TMPL_MAX_NESTING);
    return 0;
}

static body_t nvec_finish(tmpl_parser_t *p, nvec_t *nv)
{
    body_t b = {NULL, (uint32_t)nv->n};
    if (nv->n)
        b.v = arena_memdup(p->arena, nv->v, nv->n * sizeof(*nv->v));
    free(nv->v);
    memset(nv, 0, sizeof(*nv));
    return b;
}

static int parse_if(tmpl_parser_t *p, nvec_t *nv, uint32_t line)
{
    branch_t *br = NULL;
    size_t n = 0, cap = 0;
    body_t els = {NULL, 0};
    int rc = enter(p, line);
    expr_t *cond;
    if (rc != 0 || (rc = tmpl_parse_expr(p, &cond)) != 0 || (rc = expect_end(p)) != 0)
        goto out;
    for (;;) {
        unsigned stop;
        body_t body;
        if ((rc = parse_body(p, KW_ELIF | KW_ELSE | KW_ENDIF, &stop, &body, "if", line)) != 0)
            goto out;
        br = tmpl_grow(br, &cap, n, sizeof(*br));
        br[n].cond = cond;
        br[n++].body = body;
        if (stop == KW_ELIF) {
            if ((rc = tmpl_parse_expr(p, &cond)) != 0 || (rc = expect_end(p)) != 0)
                goto out;
            continue;
        }
        if (stop == KW_ELSE) {
            if ((rc = expect_end(p)) != 0 ||
                (rc = parse_body(p, KW_ENDIF, &stop, &els, "if", line)) != 0)
                goto out;
        }
        if ((rc = expect_end(p)) != 0)
            goto out;
        break;
    }
    node_t *nd = node_push(nv, NODE_IF, line);
    nd->u.cond.br = arena_memdup(p->arena, br, n * sizeof(*br));
    nd->u.cond.n = (uint32_t)n;
    nd->u.cond.els = els;
    p->nest--;
out:
    free(br);
    return rc;
}

static int parse_for(tmpl_parser_t *p, nvec_t *nv, uint32_t line)
{
    int32_t var, var2 = -1;
    expr_t *iter;
    body_t body, els = {NULL, 0};
    unsigned stop;
    int rc = enter(p, line);
    if (rc != 0 || (rc = expect_name(p, &var)) != 0)
        return rc;
    if (tmpl_tok_op(tmpl_cur(p), ',')) {
        p->pos++;
        if ((rc = expect_name(p, &var2)) != 0)
            return rc;
        if (var2 == var)
            return tmpl_perr(p, SOUK_EINVAL, line, "the two loop variables have the same name");
    }
    if (!tmpl_tok_word(tmpl_cur(p), "in"))
        return tmpl_expected(p, "'in'");
    p->pos++;
    if ((rc = tmpl_parse_expr(p, &iter)) != 0 || (rc = expect_end(p)) != 0 ||
        (rc = parse_body(p, KW_ELSE | KW_ENDFOR, &stop, &body, "for", line)) != 0)
        return rc;
    if (stop == KW_ELSE && ((rc = expect_end(p)) != 0 ||
                            (rc = parse_body(p, KW_ENDFOR, &stop, &els, "for", line)) != 0))
        return rc;
    if ((rc = expect_end(p)) != 0)
        return rc;
    node_t *nd = node_push(nv, NODE_FOR, line);
    nd->u.loop.var = var;
    nd->u.loop.var2 = var2;
    nd->u.loop.iter = iter;
    nd->u.loop.body = body;
    nd->u.loop.els = els;
    p->nest--;
    return 0;
}

static int parse_set(tmpl_parser_t *p, nvec_t *nv, uint32_t line)
{
    int32_t var;
    expr_t *e;
    int rc;
    if ((rc = expect_name(p, &var)) != 0 || (rc = tmpl_expect_op(p, '=', "'='")) != 0 ||
        (rc = tmpl_parse_expr(p, &e)) != 0 || (rc = expect_end(p)) != 0)
        return rc;
    node_t *nd = node_push(nv, NODE_SET, line);
    nd->u.set.var = var;
    nd->u.set.expr = e;
    return 0;
}

/* The quoted template name of include/extends, recorded for tmpl_link. */
static int parse_ref(tmpl_parser_t *p, bool extends, uint32_t line, tmpl_ref_t **out)
{
    const tmpl_tok_t *t = tmpl_cur(p);
    if (t->kind != TK_STR)
        return tmpl_expected(p, "a template name in quotes");
    tmpl_ref_t *r = arena_alloc(p->arena, sizeof(*r));
    memset(r, 0, sizeof(*r));
    size_t n;
    int rc = tmpl_unescape(p, t, &r->name, &n);
    if (rc != 0)
        return rc;
    p->pos++;
    if ((rc = expect_end(p)) != 0)
        return rc;
    r->line = line;
    r->extends = extends;
    p->refs = tmpl_grow(p->refs, &p->caprefs, p->nrefs, sizeof(*p->refs));
    p->refs[p->nrefs++] = r;
    *out = r;
    return 0;
}

static int parse_block(tmpl_parser_t *p, nvec_t *nv, uint32_t line, bool top)
{
    const tmpl_tok_t *t = tmpl_cur(p);
    if (t->kind != TK_IDENT || tmpl_tok_reserved(t))
        return tmpl_expected(p, "a block name");
    int32_t name = tmpl_intern(p->lc->syms, t->p, t->len, NULL);
    for (size_t i = 0; i < p->nblocks; i++)
        if (p->blocks[i].name == name)
            return tmpl_perr(p, SOUK_EINVAL, line, "block '%s' is defined twice (first on line %u)",
                             p->blocks[i].namestr, p->blocks[i].line);
    p->blocks = tmpl_grow(p->blocks, &p->capblocks, p->nblocks, sizeof(*p->blocks));
    size_t bi = p->nblocks++;
    memset(&p->blocks[bi], 0, sizeof(p->blocks[bi]));
    p->blocks[bi].name = name;
    p->blocks[bi].namestr = arena_strndup(p->arena, t->p, t->len);
    p->blocks[bi].line = line;
    p->pos++;

    int32_t outer = p->cur_block;
    unsigned stop;
    body_t body;
    int rc = enter(p, line);
    if (rc != 0 || (rc = expect_end(p)) != 0)
        return rc;
    p->cur_block = (int32_t)bi;
    if ((rc = parse_body(p, KW_ENDBLOCK, &stop, &body, "block", line)) != 0)
        return rc;
    p->cur_block = outer;
    t = tmpl_cur(p);
    if (t->kind == TK_IDENT) {
        if (tmpl_intern(p->lc->syms, t->p, t->len, NULL) != name)
            return tmpl_perr(p, SOUK_EINVAL, t->line, "endblock '%.*s' closes block '%s'",
                             t->len > 40 ? 40 : (int)t->len, t->p, p->blocks[bi].namestr);
        p->pos++;
    }
    if ((rc = expect_end(p)) != 0)
        return rc;
    p->blocks[bi].body = body;
    p->nest--;
    /* In a template that extends another, a top-level block only overrides:
     * the parent's body decides where it goes. */
    if (!top || p->t->ext == NULL)
        node_push(nv, NODE_BLOCK, line)->u.block = name;
    return 0;
}

static int parse_output(tmpl_parser_t *p, nvec_t *nv)
{
    const tmpl_tok_t *t = tmpl_cur(p);
    uint32_t line = t->line;
    if (tmpl_tok_word(t, "super") && tmpl_tok_op(&t[1], '(') && tmpl_tok_op(&t[2], ')') &&
        t[3].kind == TK_END) {
        if (p->cur_block < 0)
            return tmpl_perr(p, SOUK_EINVAL, line, "super() outside a {%% block %%}");
        if (p->blocks[p->cur_block].super_line == 0)
            p->blocks[p->cur_block].super_line = line;
        p->pos += 4;
        node_push(nv, NODE_SUPER, line);
        return 0;
    }
    expr_t *e;
    int rc = tmpl_parse_expr(p, &e);
    if (rc != 0 || (rc = expect_end(p)) != 0)
        return rc;
    node_t *nd = node_push(nv, NODE_OUT, line);
    nd->u.expr = e;
    if (e->kind == EXPR_FILTER)
        for (uint32_t i = 0; i < e->u.filt.n; i++)
            if (e->u.filt.calls[i].f->id == F_RAW)
                nd->raw = true;
    return 0;
}

static bool all_ws(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_ws(s[i]))
            return false;
    return true;
}

/* Parse nodes until a {% word %} in stops (returned in *stop, with p->pos just
 * after the word) or the end of the file (an error unless stops is 0). */
static int parse_body(tmpl_parser_t *p, unsigned stops, unsigned *stop, body_t *out,
                      const char *opener, uint32_t open_line)
{
    nvec_t nv = {0};
    int rc = 0;
    bool top = p->nest == 0;
    for (;;) {
        const tmpl_tok_t *t = tmpl_cur(p);
        if (t->kind == TK_EOF) {
            if (stops) {
                rc = tmpl_perr(p, SOUK_EINVAL, open_line, "unclosed {%% %s %%}", opener);
                goto out;
            }
            *stop = 0;
            break;
        }
        if (t->kind == TK_TEXT) {
            p->pos++;
            bool ws = all_ws(t->p, t->len);
            if (top && p->t->ext) {
                if (ws)
                    continue; /* around the blocks and sets of a child */
                uint32_t line = t->line;
                for (size_t i = 0; i < t->len && is_ws(t->p[i]); i++)
                    line += t->p[i] == '\n';
                rc = tmpl_perr(p, SOUK_EINVAL, line,
                               "text outside {%% block %%} in a template that extends another");
                goto out;
            }
            if (t->len > 0) {
                node_t *nd = node_push(&nv, NODE_TEXT, t->line);
                nd->u.text.p = t->p;
                nd->u.text.len = t->len;
            }
            p->top_content |= top && !ws;
            continue;
        }
        if (t->kind == TK_OUT) {
            if (top && p->t->ext) {
                rc = tmpl_perr(p, SOUK_EINVAL, t->line,
                               "output outside {%% block %%} in a template that extends another");
                goto out;
            }
            p->pos++;
            p->closer = '}';
            if ((rc = parse_output(p, &nv)) != 0)
                goto out;
            p->top_content |= top;
            continue;
        }
        ASSERT(t->kind == TK_STMT);
        const tmpl_tok_t *kw = &t[1];
        uint32_t line = t->line;
        if (kw->kind != TK_IDENT) {
            p->pos++;
            rc = tmpl_expected(p, "a tag name after {%");
            goto out;
        }
        unsigned word = stop_word(kw);
        if (word) {
            if (!(stops & word)) {
                if (stops)
                    rc = tmpl_perr(p, SOUK_EINVAL, line,
                                   "unexpected {%% %.*s %%} inside the {%% %s %%} of line %u",
                                   (int)kw->len, kw->p, opener, open_line);
                else
                    rc = tmpl_perr(p, SOUK_EINVAL, line, "unexpected {%% %.*s %%}", (int)kw->len,
                                   kw->p);
                goto out;
            }
            p->pos += 2;
            *stop = word;
            break;
        }
        p->pos += 2;
        p->closer = '%';
        bool is_extends = tmpl_tok_word(kw, "extends");
        if (top && p->t->ext && !tmpl_tok_word(kw, "block") && !tmpl_tok_word(kw, "set")) {
            rc = tmpl_perr(p, SOUK_EINVAL, line,
                           "only {%% block %%} and {%% set %%} may follow {%% extends %%}");
            goto out;
        }
        if (tmpl_tok_word(kw, "if")) {
            rc = parse_if(p, &nv, line);
        } else if (tmpl_tok_word(kw, "for")) {
            rc = parse_for(p, &nv, line);
        } else if (tmpl_tok_word(kw, "set")) {
            rc = parse_set(p, &nv, line);
        } else if (tmpl_tok_word(kw, "block")) {
            rc = parse_block(p, &nv, line, top);
        } else if (tmpl_tok_word(kw, "include")) {
            tmpl_ref_t *r;
            if ((rc = parse_ref(p, false, line, &r)) == 0)
                node_push(&nv, NODE_INCLUDE, line)->u.include = r;
        } else if (is_extends) {
            if (!top)
                rc = tmpl_perr(p, SOUK_EINVAL, line, "{%% extends %%} must be at the top level");
            else if (p->t->ext)
                rc = tmpl_perr(p, SOUK_EINVAL, line, "a second {%% extends %%}");
            else if (p->top_content)
                rc = tmpl_perr(p, SOUK_EINVAL, line,
                               "{%% extends %%} must come before any other content");
            else
                rc = parse_ref(p, true, line, &p->t->ext);
        } else {
            rc = tmpl_perr(p, SOUK_EINVAL, line, "unknown tag '%.*s'",
                           kw->len > 40 ? 40 : (int)kw->len, kw->p);
        }
        if (rc != 0)
            goto out;
        p->top_content |= top && !is_extends;
    }
out:
    if (rc == 0)
        *out = nvec_finish(p, &nv);
    else
        free(nv.v);
    return rc;
}

int tmpl_parse(tmpl_load_t *lc, tmpl_t *t, const char *src, size_t len)
{
    tmpl_tok_t *toks;
    int rc = tmpl_lex(lc, t->name, src, len, &toks);
    if (rc != 0)
        return rc;
    tmpl_parser_t p = {.lc = lc, .t = t, .arena = &lc->set->arena, .tk = toks, .cur_block = -1};
    unsigned stop;
    rc = parse_body(&p, 0, &stop, &t->body, NULL, 0);
    if (rc == 0 && t->ext) {
        /* A child renders through its parent; of its own top level only the
         * sets run (before the parent's body). */
        uint32_t k = 0;
        for (uint32_t i = 0; i < t->body.n; i++)
            if (t->body.v[i].kind == NODE_SET)
                t->body.v[k++] = t->body.v[i];
        t->body.n = k;
    }
    if (rc == 0) {
        t->blocks =
            p.nblocks ? arena_memdup(p.arena, p.blocks, p.nblocks * sizeof(*p.blocks)) : NULL;
        t->nblocks = (uint32_t)p.nblocks;
        t->refs = p.nrefs ? arena_memdup(p.arena, p.refs, p.nrefs * sizeof(*p.refs)) : NULL;
        t->nrefs = (uint32_t)p.nrefs;
    }
    free(p.blocks);
    free(p.refs);
    free(toks);
    return rc;
}
