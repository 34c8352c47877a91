/* tmpl_int.h - the compiled form of templates, shared by tmpl.c (loading,
 * sets), tmpl_parse.c (source to tree, load-time checks) and tmpl_render.c.
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
enum { V_NULL, V_BOOL, V_INT, V_REAL, V_STR, V_SCR, V_JSON, V_LOOP };
typedef struct {
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

/* tmpl_parse.c */
/* A symbol table whose names live in a (the set's arena); "loop" is TMPL_SYM_LOOP. */
tmpl_symtab_t *tmpl_symtab_new(arena_t *a);
void tmpl_symtab_free(tmpl_symtab_t *st);
/* Parse src into t (t->name set). 0, or SOUK_EINVAL/SOUK_ELIMIT with err filled. */
int tmpl_parse(tmpl_load_t *lc, tmpl_t *t, const char *src, size_t len);
/* Resolve includes and extends, refuse cycles and over-deep chains, build the
 * extends chains and check every super(). 0 or SOUK_EINVAL/SOUK_ELIMIT. */
int tmpl_link(tmpl_load_t *lc);
/* Write "file:line: message" into lc->err; returns rc. */
int tmpl_errorf(tmpl_load_t *lc, int rc, const char *file, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The template called name, or NULL (binary search). */
const tmpl_t *tmpl_find(const tmpl_set_t *set, const char *name);
/* The filter called name: built-in, then the set's application filters. */
const filter_t *tmpl_filter_find(const tmpl_set_t *set, const char *name, size_t len);
/* Whether name is a built-in filter's. */
bool tmpl_filter_builtin(const char *name);

#endif
