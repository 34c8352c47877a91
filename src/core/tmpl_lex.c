/* tmpl_lex.c - template source to tokens: text between tags, the tag openers
 * and closers, and the words, literals and symbols inside tags. Whitespace
 * control ({%- -%}) is applied to the text tokens here. Also the load-time
 * symbol table and the "file:line: message" error writer. */
#include "core/tmpl_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"
#include "core/util.h"

int tmpl_errorf(tmpl_load_t *lc, int rc, const char *file, uint32_t line, const char *fmt, ...)
{
    if (lc->err == NULL || lc->errcap == 0)
        return rc;
    int n = line ? snprintf(lc->err, lc->errcap, "%s:%u: ", file, line)
                 : snprintf(lc->err, lc->errcap, "%s: ", file);
    if (n >= 0 && (size_t)n < lc->errcap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(lc->err + n, lc->errcap - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* ---- symbols ---- */

typedef struct {
    const char *name;
    size_t len;
    int32_t id;
} sym_t;

struct tmpl_symtab {
    arena_t *arena;
    sym_t *v; /* open addressing, power-of-two size, name NULL when free */
    size_t cap, n;
};

static uint32_t sym_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

int32_t tmpl_intern(tmpl_symtab_t *st, const char *s, size_t len, const char **canon)
{
    if (st->n * 2 >= st->cap) {
        size_t cap = st->cap * 2;
        sym_t *v = xcalloc(cap, sizeof(*v));
        for (size_t i = 0; i < st->cap; i++) {
            if (st->v[i].name == NULL)
                continue;
            size_t j = sym_hash(st->v[i].name, st->v[i].len) & (cap - 1);
            while (v[j].name)
                j = (j + 1) & (cap - 1);
            v[j] = st->v[i];
        }
        free(st->v);
        st->v = v;
        st->cap = cap;
    }
    size_t j = sym_hash(s, len) & (st->cap - 1);
    while (st->v[j].name) {
        if (st->v[j].len == len && memcmp(st->v[j].name, s, len) == 0)
            goto found;
        j = (j + 1) & (st->cap - 1);
    }
    st->v[j].name = arena_strndup(st->arena, s, len);
    st->v[j].len = len;
    st->v[j].id = (int32_t)st->n++;
found:
    if (canon)
        *canon = st->v[j].name;
    return st->v[j].id;
}

tmpl_symtab_t *tmpl_symtab_new(arena_t *a)
{
    tmpl_symtab_t *st = xcalloc(1, sizeof(*st));
    st->arena = a;
    st->cap = 64;
    st->v = xcalloc(st->cap, sizeof(*st->v));
    int32_t loop = tmpl_intern(st, "loop", 4, NULL);
    ASSERT(loop == TMPL_SYM_LOOP);
    return st;
}

void tmpl_symtab_free(tmpl_symtab_t *st)
{
    if (st) {
        free(st->v);
        free(st);
    }
}

/* ---- tokens ---- */

typedef struct {
    tmpl_load_t *lc;
    const char *file;
    const char *s;
    size_t len, pos;
    uint32_t line;
    tmpl_tok_t *v;
    size_t n, cap;
} lexer_t;

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static uint32_t count_nl(const char *s, size_t n)
{
    uint32_t k = 0;
    const char *end = s + n;
    while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        k++;
        s++;
    }
    return k;
}

static tmpl_tok_t *tok_push(lexer_t *lx, uint8_t kind, uint32_t line)
{
    if (lx->n == lx->cap) {
        lx->cap = lx->cap ? st_mult(lx->cap, 2) : 256;
        lx->v = xrealloc(lx->v, st_mult(lx->cap, sizeof(*lx->v)));
    }
    tmpl_tok_t *t = &lx->v[lx->n++];
    memset(t, 0, sizeof(*t));
    t->kind = kind;
    t->line = line;
    return t;
}

static int lex_error(lexer_t *lx, uint32_t line, const char *what, char c)
{
    if (c >= 0x20 && c < 0x7f)
        return tmpl_errorf(lx->lc, SOUK_EINVAL, lx->file, line, "%s '%c'", what, c);
    return tmpl_errorf(lx->lc, SOUK_EINVAL, lx->file, line, "%s byte 0x%02x", what,
                       (unsigned char)c);
}

/* The inside of a {{ or {% tag, up to and including its closer. */
static int lex_tag(lexer_t *lx, char opener, uint32_t tag_line, bool *trim_next)
{
    const char *s = lx->s;
    size_t len = lx->len;
    char closer = opener == '{' ? '}' : '%';
    for (;;) {
        while (lx->pos < len && is_ws(s[lx->pos])) {
            if (s[lx->pos] == '\n')
                lx->line++;
            lx->pos++;
        }
        if (lx->pos >= len)
            return tmpl_errorf(lx->lc, SOUK_EINVAL, lx->file, tag_line, "unclosed {%c tag", opener);
        size_t p = lx->pos;
        char c = s[p];
        size_t q = c == '-' ? p + 1 : p;
        if (q + 1 < len && (s[q] == '}' || s[q] == '%') && s[q + 1] == '}') {
            if (s[q] != closer)
                return tmpl_errorf(lx->lc, SOUK_EINVAL, lx->file, lx->line,
                                   "'%c}' cannot close the '{%c' opened on line %u", s[q], opener,
                                   tag_line);
            tok_push(lx, TK_END, lx->line)->op = closer;
            *trim_next = c == '-';
            lx->pos = q + 2;
            return 0;
        }
        if (is_alpha(c)) {
            while (p < len && (is_alpha(s[p]) || is_digit(s[p])))
                p++;
            tmpl_tok_t *t = tok_push(lx, TK_IDENT, lx->line);
            t->p = s + lx->pos;
            t->len = p - lx->pos;
        } else if (is_digit(c)) {
            int64_t v = 0;
            for (; p < len && is_digit(s[p]); p++) {
                if (i64_mul(&v, v, 10) != 0 || i64_add(&v, v, s[p] - '0') != 0)
                    return tmpl_errorf(lx->lc, SOUK_EINVAL, lx->file, lx->line, "number too large");
            }
            if (p < len && is_alpha(s[p]))
                return lex_error(lx, lx->line, "unexpected", s[p]);
            tok_push(lx, TK_INT, lx->line)->i = v;
        } else if (c == '"' || c == '\'') {
            uint32_t start_line = lx->line;
            for (p++; p < len && s[p] != c; p++) {
                if (s[p] == '\\' && p + 1 < len)
                    p++;
                if (s[p] == '\n')
                    lx->line++;
            }
            if (p >= len)
                return tmpl_errorf(lx->lc, SOUK_EINVAL, lx->file, start_line,
                                   "unterminated string");
            tmpl_tok_t *t = tok_push(lx, TK_STR, start_line);
            t->p = s + lx->pos + 1;
            t->len = p - lx->pos - 1;
            p++;
        } else {
            char next = p + 1 < len ? s[p + 1] : '\0';
            char op = c;
            if (next == '=' && (c == '=' || c == '!' || c == '<' || c == '>')) {
                op = c == '=' ? OP_EQ : c == '!' ? OP_NE : c == '<' ? OP_LE : OP_GE;
                p++;
            } else if (strchr("<>()[].|,=-", c) == NULL || c == '\0') {
                return lex_error(lx, lx->line, "unexpected", c);
            }
            p++;
            tok_push(lx, TK_OP, lx->line)->op = op;
        }
        lx->pos = p;
    }
}

static int lex(lexer_t *lx)
{
    const char *s = lx->s;
    size_t len = lx->len;
    bool trim_next = false;
    size_t last_text = SIZE_MAX; /* the text token right before the current tag */
    while (lx->pos < len) {
        size_t start = lx->pos, open = start;
        for (;;) {
            const char *q = memchr(s + open, '{', len - open);
            if (q == NULL) {
                open = len;
                break;
            }
            open = (size_t)(q - s);
            if (open + 1 < len && (s[open + 1] == '{' || s[open + 1] == '%' || s[open + 1] == '#'))
                break;
            open++;
        }
        size_t a = start;
        if (trim_next)
            while (a < open && is_ws(s[a]))
                a++;
        trim_next = false;
        last_text = SIZE_MAX;
        if (a < open) {
            tmpl_tok_t *t = tok_push(lx, TK_TEXT, lx->line);
            t->p = s + a;
            t->len = open - a;
            last_text = lx->n - 1;
        }
        lx->line += count_nl(s + start, open - start);
        if (open == len)
            break;

        uint32_t tag_line = lx->line;
        char kind = s[open + 1];
        size_t pos = open + 2;
        if (pos < len && s[pos] == '-') {
            if (last_text != SIZE_MAX) {
                tmpl_tok_t *t = &lx->v[last_text];
                while (t->len > 0 && is_ws(t->p[t->len - 1]))
                    t->len--;
            }
            pos++;
        }
        if (kind == '#') {
            const char *c = memmem(s + pos, len - pos, "#}", 2);
            if (c == NULL)
                return tmpl_errorf(lx->lc, SOUK_EINVAL, lx->file, tag_line, "unclosed {# comment");
            size_t ci = (size_t)(c - s);
            trim_next = ci > pos && s[ci - 1] == '-';
            lx->line += count_nl(s + pos, ci - pos);
            lx->pos = ci + 2;
            continue;
        }
        tok_push(lx, kind == '{' ? TK_OUT : TK_STMT, tag_line);
        lx->pos = pos;
        int rc = lex_tag(lx, kind, tag_line, &trim_next);
        if (rc != 0)
            return rc;
    }
    tok_push(lx, TK_EOF, lx->line);
    return 0;
}

/* ---- token helpers for the parser ---- */

bool tmpl_tok_word(const tmpl_tok_t *t, const char *w)
{
    size_t n = strlen(w);
    return t->kind == TK_IDENT && t->len == n && memcmp(t->p, w, n) == 0;
}

bool tmpl_tok_op(const tmpl_tok_t *t, char op)
{
    return t->kind == TK_OP && t->op == op;
}

bool tmpl_tok_reserved(const tmpl_tok_t *t)
{
    static const char *const words[] = {"and", "or", "not", "in", "true", "false", "null", "none"};
    for (size_t i = 0; i < ARRAY_LEN(words); i++)
        if (tmpl_tok_word(t, words[i]))
            return true;
    return false;
}

void tmpl_tok_desc(const tmpl_tok_t *t, char *buf, size_t cap)
{
    static const char *const ops[] = {"==", "!=", "<=", ">="};
    switch (t->kind) {
    case TK_TEXT:
        snprintf(buf, cap, "text");
        break;
    case TK_OUT:
        snprintf(buf, cap, "'{{'");
        break;
    case TK_STMT:
        snprintf(buf, cap, "'{%%'");
        break;
    case TK_END:
        snprintf(buf, cap, "the end of the tag");
        break;
    case TK_IDENT:
        snprintf(buf, cap, "'%.*s'", t->len > 40 ? 40 : (int)t->len, t->p);
        break;
    case TK_INT:
        snprintf(buf, cap, "a number");
        break;
    case TK_STR:
        snprintf(buf, cap, "a string");
        break;
    case TK_OP:
        if (t->op == OP_EQ || t->op == OP_NE || t->op == OP_LE || t->op == OP_GE)
            snprintf(buf, cap, "'%s'",
                     ops[t->op == OP_EQ   ? 0
                         : t->op == OP_NE ? 1
                         : t->op == OP_LE ? 2
                                          : 3]);
        else
            snprintf(buf, cap, "'%c'", t->op);
        break;
    default:
        snprintf(buf, cap, "the end of the file");
    }
}

int tmpl_lex(tmpl_load_t *lc, const char *file, const char *src, size_t len, tmpl_tok_t **toks)
{
    *toks = NULL;
    if (len > TMPL_MAX_FILE_SIZE)
        return tmpl_errorf(lc, SOUK_ELIMIT, file, 0, "template is %zu bytes, over the limit of %d",
                           len, TMPL_MAX_FILE_SIZE);
    size_t good = utf8_valid_len(src, len);
    const char *nul = memchr(src, '\0', good);
    if (nul != NULL || good < len) {
        size_t at = nul ? (size_t)(nul - src) : good;
        return tmpl_errorf(lc, SOUK_EINVAL, file, count_nl(src, at) + 1,
                           nul ? "NUL byte in template" : "invalid UTF-8");
    }
    lexer_t lx = {.lc = lc, .file = file, .s = src, .len = len, .line = 1};
    int rc = lex(&lx);
    if (rc != 0) {
        free(lx.v);
        return rc;
    }
    *toks = lx.v;
    return 0;
}
