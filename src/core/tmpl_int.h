/* tmpl_int.h - the compiled form of templates, shared by the files of the
 * template engine: tmpl.c (sets: loading, reload, references), tmpl_lex.c
 * (source to tokens), tmpl_expr.c and tmpl_parse.c (tokens to tree),
 * tmpl_link.c (checks across files), tmpl_filter.c (values and built-in
 * filters) and tmpl_render.c.
 *
 * Everything a set holds lives in its arena and is read-only after loading.
 * Names are interned to small integers at load time, so a render compares
 * integers to find a local variable and only hashes for the root context. */
#ifndef SOUK_CORE_TMPL_INT_H
#define SOUK_CORE_TMPL_INT_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "core/arena.h"
#include "core/tmpl.h"

typedef struct tmpl tmpl_t;
typedef struct node node_t;
typedef struct expr expr_t;
typedef struct tmpl_loop tmpl_loop_t;

/* Built-in filters; F_CUSTOM calls the registered function. */
enum { F_CUSTOM, F_RAW, F_UPPER, F_LOWER, F_LENGTH, F_DEFAULT, F_URL, F_JSON, F_TRUNCATE };

typedef struct {
    const char *name;
    uint8_t id; /* F_* */
    uint8_t min_args, max_args;
    tmpl_filter_fn fn;
    void *userdata;
} filter_t;

struct tmpl_filters {
    filter_t *v;
    size_t n, cap;
};

/* A value during a render. Strings are borrowed (a literal, a JSON string) or
 * live in the render's scratch buffer (V_SCR, by offset because the buffer
 * moves as it grows). j is the JSON form when there is one (borrowed); owner
 * is a reference this value holds and must drop (val_release). */
enum { V_NULL, V_BOOL, V_INT, V_REAL, V_STR, V_SCR, V_JSON, V_LOOP, V_HOST };
/* tmpl.h's tmpl_out_t, which host classes write their fields into. */
typedef struct tmpl_out {
    uint8_t kind;
    union {
        bool b;
        int64_t i;
        double d;
        struct {
            const char *p;
            size_t len;
        } s;
        struct {
            size_t off, len;
        } scr;
        const tmpl_loop_t *loop;
        struct {
            const tmpl_host_class_t *cls;
            const void *obj;
        } host;
    } u;
    json_t *j;
    json_t *owner;
} val_t;

typedef struct {
    node_t *v;
    uint32_t n;
} body_t;

/* Attributes of `loop` inside a for, resolved at load. */
enum { LOOP_NONE, LOOP_INDEX, LOOP_INDEX0, LOOP_FIRST, LOOP_LAST, LOOP_LENGTH, LOOP_REVINDEX };

enum { SEG_KEY, SEG_INDEX };
typedef struct {
    uint8_t kind;
    uint8_t loop_attr; /* LOOP_* when the path starts with `loop` */
    int64_t index;     /* SEG_INDEX; negative counts from the end */
    const char *key;   /* SEG_KEY */
    size_t keylen;
} seg_t;

typedef struct {
    const filter_t *f;
    json_t **args; /* literals, owned by the set */
    uint32_t nargs;
} fcall_t;

enum { EXPR_LIT, EXPR_PATH, EXPR_NOT, EXPR_AND, EXPR_OR, EXPR_CMP, EXPR_FILTER };
enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

struct expr {
    uint8_t kind;
    uint8_t op; /* CMP_* */
    union {
        val_t lit; /* V_NULL, V_BOOL, V_INT or V_STR */
        struct {
            int32_t sym;
            const char *name;
            size_t namelen;
            seg_t *seg;
            uint32_t nseg;
        } path;
        struct {
            expr_t **v;
            uint32_t n;
        } list;          /* and, or */
        expr_t *operand; /* not */
        struct {
            expr_t *a, *b;
        } cmp;
        struct {
            expr_t *base;
            fcall_t *calls;
            uint32_t n;
        } filt;
    } u;
};

/* An include or extends target, resolved once every file is parsed. */
typedef struct {
    const char *name;
    uint32_t line;
    bool extends;
    const tmpl_t *t;
} tmpl_ref_t;

typedef struct {
    expr_t *cond;
    body_t body;
} branch_t;

enum { NODE_TEXT, NODE_OUT, NODE_IF, NODE_FOR, NODE_SET, NODE_INCLUDE, NODE_BLOCK, NODE_SUPER };

struct node {
    uint8_t kind;
    bool raw; /* NODE_OUT: a `raw` filter is in the chain */
    uint32_t line;
    union {
        struct {
            const char *p;
            size_t len;
        } text;
        expr_t *expr; /* NODE_OUT */
        struct {
            branch_t *br;
            uint32_t n;
            body_t els;
        } cond;
        struct {
            int32_t var, var2; /* var2 -1 unless `for k, v in` */
            expr_t *iter;
            body_t body, els;
        } loop;
        struct {
            int32_t var;
            expr_t *expr;
        } set;
        const tmpl_ref_t *include;
        int32_t block; /* NODE_BLOCK: name symbol */
    } u;
};

typedef struct {
    int32_t name;
    const char *namestr;
    uint32_t line;
    uint32_t super_line; /* 0, or the line of a super() directly in this block */
    body_t body;
} block_t;

struct tmpl {
    const char *name;
    body_t body; /* for a template that extends another: only its top-level sets */
    block_t *blocks;
    uint32_t nblocks;
    tmpl_ref_t *ext; /* NULL unless {% extends %} */
    tmpl_ref_t **refs;
    uint32_t nrefs;
    const tmpl_t **chain; /* itself, its parent, ..., the base that extends nothing */
    uint32_t nchain;
    /* load-time bookkeeping for the include graph */
    uint8_t mark;
    uint32_t height;
};

/* A file as loaded, to tell later whether the directory changed. */
typedef struct {
    char *name;
    struct timespec mtime;
    off_t size;
} tmpl_stamp_t;

struct tmpl_set {
    atomic_uint refs;
    atomic_ulong warnings;
    arena_t arena;
    tmpl_t *t; /* sorted by name */
    size_t n;
    char *dir; /* NULL for tmpl_load_sources */
    tmpl_stamp_t *stamps;
    size_t nstamps;
    tmpl_filters_t filters; /* the application filters, copied into the arena */
    json_t **json;          /* filter-argument literals to decref */
    size_t njson, capjson;
};

/* The symbol every template gets first, so a render knows it without a look-up. */
#define TMPL_SYM_LOOP 0

/* Load context: what parsing needs besides the file. */
typedef struct tmpl_symtab tmpl_symtab_t;
typedef struct {
    tmpl_set_t *set;
    tmpl_symtab_t *syms;
    char *err;
    size_t errcap;
} tmpl_load_t;

/* Tokens of one file (tmpl_lex.c). */
enum { TK_TEXT, TK_OUT, TK_STMT, TK_END, TK_IDENT, TK_INT, TK_STR, TK_OP, TK_EOF };
/* Two-character operators; the others are their own character. */
enum { OP_EQ = 'E', OP_NE = 'N', OP_LE = 'L', OP_GE = 'G' };

typedef struct {
    uint8_t kind;
    char op; /* TK_OP: the operator; TK_END: '}' or '%' */
    uint32_t line;
    const char *p; /* TK_TEXT, TK_IDENT, TK_STR (between the quotes, escapes as written) */
    size_t len;
    int64_t i; /* TK_INT */
} tmpl_tok_t;

/* tmpl_lex.c */
/* A symbol table whose names live in a (the set's arena); "loop" is TMPL_SYM_LOOP. */
tmpl_symtab_t *tmpl_symtab_new(arena_t *a);
void tmpl_symtab_free(tmpl_symtab_t *st);
/* The number of name s[0..len); *canon (if not NULL) gets its arena copy. */
int32_t tmpl_intern(tmpl_symtab_t *st, const char *s, size_t len, const char **canon);
/* Check src (size, UTF-8, no NUL) and cut it into tokens ending with TK_EOF:
 * 0 and *toks to free(), or SOUK_EINVAL/SOUK_ELIMIT with lc->err filled. */
int tmpl_lex(tmpl_load_t *lc, const char *file, const char *src, size_t len, tmpl_tok_t **toks);
/* Write "file:line: message" (line 0: "file: message") into lc->err; returns rc. */
int tmpl_errorf(tmpl_load_t *lc, int rc, const char *file, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Token helpers (tmpl_lex.c). */
bool tmpl_tok_word(const tmpl_tok_t *t, const char *w);
bool tmpl_tok_op(const tmpl_tok_t *t, char op);
/* A word that cannot name a variable: and, or, not, in, true, false, null, none. */
bool tmpl_tok_reserved(const tmpl_tok_t *t);
/* "'word'", "a number", "the end of the tag"... for messages. */
void tmpl_tok_desc(const tmpl_tok_t *t, char *buf, size_t cap);

/* The parser's state over one file's tokens (tmpl_parse.c, tmpl_expr.c). */
typedef struct {
    tmpl_load_t *lc;
    tmpl_t *t;
    arena_t *arena;
    const tmpl_tok_t *tk;
    size_t pos;
    int nest;          /* if/for/block tags open around the current position */
    int32_t cur_block; /* index in blocks of the innermost open block, or -1 */
    bool top_content;  /* the top level had something that must not precede extends */
    char closer;       /* '}' inside {{ }}, '%' inside {% %} */
    block_t *blocks;   /* growing; copied into the arena at the end */
    size_t nblocks, capblocks;
    tmpl_ref_t **refs;
    size_t nrefs, caprefs;
} tmpl_parser_t;

static inline const tmpl_tok_t *tmpl_cur(const tmpl_parser_t *p)
{
    return &p->tk[p->pos];
}

/* tmpl_expr.c */
/* Grow a temporary vector of elem-sized items so it has room for item n. */
void *tmpl_grow(void *v, size_t *cap, size_t n, size_t elem);
/* Report "file:line: message" for the file being parsed; returns rc. */
int tmpl_perr(tmpl_parser_t *p, int rc, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "expected <what>, found <the current token>" (SOUK_EINVAL). */
int tmpl_expected(tmpl_parser_t *p, const char *what);
/* Consume operator op or report that `what` was expected. */
int tmpl_expect_op(tmpl_parser_t *p, char op, const char *what);
/* The value of a string token with its escapes applied, in the arena. */
int tmpl_unescape(tmpl_parser_t *p, const tmpl_tok_t *t, const char **out, size_t *outlen);
/* Parse one expression at the current token into *out. */
int tmpl_parse_expr(tmpl_parser_t *p, expr_t **out);

/* tmpl_parse.c */
/* Parse src into t (t->name set). 0, or SOUK_EINVAL/SOUK_ELIMIT with err filled. */
int tmpl_parse(tmpl_load_t *lc, tmpl_t *t, const char *src, size_t len);
/* tmpl_link.c: resolve includes and extends, refuse cycles and over-deep chains, build the
 * extends chains and check every super(). 0 or SOUK_EINVAL/SOUK_ELIMIT. */
int tmpl_link(tmpl_load_t *lc);
/* tmpl_filter.c: a render's scratch space for the strings filters make. */
typedef struct {
    buf_t buf;
    size_t max; /* no intermediate result may make buf longer (SOUK_ELIMIT) */
    unsigned long warnings;
} tmpl_scratch_t;

/* Values are written field by field through pointers, never built in a
 * temporary and copied: a struct copy right after narrow stores into it
 * stalls on store forwarding, which once cost a third of a render's time.
 * These run for nearly every expression, hence inline. */

/* *v = a borrowed view of j: scalars as their C kinds, arrays and objects V_JSON. */
static inline void tmpl_from_json(json_t *j, val_t *v)
{
    v->j = j;
    v->owner = NULL;
    switch (j ? json_typeof(j) : JSON_NULL) {
    case JSON_STRING:
        v->kind = V_STR;
        v->u.s.p = json_string_value(j);
        v->u.s.len = json_string_length(j);
        break;
    case JSON_INTEGER:
        v->kind = V_INT;
        v->u.i = json_integer_value(j);
        break;
    case JSON_REAL:
        v->kind = V_REAL;
        v->u.d = json_real_value(j);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        v->kind = V_BOOL;
        v->u.b = json_is_true(j);
        break;
    case JSON_ARRAY:
    case JSON_OBJECT:
        v->kind = V_JSON;
        break;
    default:
        v->kind = V_NULL;
        v->j = NULL;
    }
}

/* *v = a V_NULL, V_BOOL (i != 0) or V_INT value. */
static inline void tmpl_val_scalar(val_t *v, uint8_t kind, int64_t i)
{
    v->kind = kind;
    if (kind == V_BOOL)
        v->u.b = i != 0;
    else
        v->u.i = i;
    v->j = NULL;
    v->owner = NULL;
}

/* Drop the reference v holds, if any. */
static inline void tmpl_val_release(val_t *v)
{
    if (v->owner) {
        json_decref(v->owner);
        v->owner = NULL;
    }
}
/* The bytes of a V_STR or V_SCR value; valid until the scratch buffer grows. */
const char *tmpl_str(const tmpl_scratch_t *sc, const val_t *v, size_t *len);
/* The shortest %g text that reads back as d, "" if not finite; its length. */
size_t tmpl_fmt_real(double d, char *buf, size_t cap);
/* Replace *v by fc applied to it: 0, or SOUK_ELIMIT past sc->max. */
int tmpl_filter_apply(tmpl_scratch_t *sc, val_t *v, const fcall_t *fc);

/* tmpl.c: the template called name, or NULL (binary search). */
const tmpl_t *tmpl_find(const tmpl_set_t *set, const char *name);
/* The filter called name: built-in, then the set's application filters. */
const filter_t *tmpl_filter_find(const tmpl_set_t *set, const char *name, size_t len);
/* Whether name is a built-in filter's. */
bool tmpl_filter_builtin(const char *name);

#endif
