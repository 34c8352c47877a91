/* tmpl_render.c - walking a compiled template against a JSON context.
 *
 * A render only reads the set, so any number run at once. Its own state is
 * on the stack: local variables (a small array, compared by symbol number),
 * and one scratch buffer for the strings filters make, which is emptied after
 * every tag. Values point into the context or the scratch buffer instead of
 * being copied; only `set` and application filters may allocate. */
#include "core/tmpl_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

struct tmpl_loop {
    size_t index0, length;
};

typedef struct {
    int32_t sym;
    val_t v;
} local_t;

typedef struct {
    json_t *root;
    const tmpl_bind_t *binds; /* looked up before root */
    size_t nbinds;
    buf_t *out;
    size_t base, max;  /* out->len on entry; max bytes we may add */
    tmpl_scratch_t sc; /* sc.max == max */
    local_t *locals;
    size_t nlocals, caplocals, scope; /* scope: first local of the innermost scope */
    local_t inline_locals[16];
    int depth;
    size_t iterations; /* for-loop turns so far */
} rstate_t;

/* Where block and super() look for definitions: the extends chain of the
 * template being rendered, and which block of which level we are inside. */
typedef struct {
    const tmpl_t *const *chain;
    uint32_t nchain;
    uint32_t level;
    int32_t block;
} frame_t;

static const val_t null_val = {.kind = V_NULL};

static int limit(const rstate_t *st)
{
    UNUSED(st); /* one place to put a breakpoint on a render over its limits */
    return SOUK_ELIMIT;
}

static bool truthy(const val_t *v)
{
    switch (v->kind) {
    case V_BOOL:
        return v->u.b;
    case V_INT:
        return v->u.i != 0;
    case V_REAL:
        return v->u.d != 0;
    case V_STR:
        return v->u.s.len > 0;
    case V_SCR:
        return v->u.scr.len > 0;
    case V_JSON:
        return json_is_array(v->j) ? json_array_size(v->j) > 0 : json_object_size(v->j) > 0;
    case V_LOOP:
        return true;
    case V_HOST:
        return v->u.host.cls->len ? v->u.host.cls->len(v->u.host.obj) > 0 : true;
    default:
        return false;
    }
}

/* ---- host values ---- */

void tmpl_out_str(tmpl_out_t *out, const char *s, size_t len)
{
    out->kind = V_STR;
    out->u.s.p = s;
    out->u.s.len = len;
}

void tmpl_out_int(tmpl_out_t *out, int64_t i)
{
    tmpl_val_scalar(out, V_INT, i);
}

void tmpl_out_bool(tmpl_out_t *out, bool b)
{
    tmpl_val_scalar(out, V_BOOL, b);
}

void tmpl_out_host(tmpl_out_t *out, const tmpl_host_class_t *cls, const void *obj)
{
    ASSERT(cls && cls->get && cls->to_json && !cls->len == !cls->at);
    out->kind = V_HOST;
    out->u.host.cls = cls;
    out->u.host.obj = obj;
}

/* *v = the field or item of host value h that seg names; null if none. */
static void host_seg(const val_t *h, const seg_t *seg, val_t *v)
{
    const tmpl_host_class_t *cls = h->u.host.cls;
    const void *obj = h->u.host.obj;
    tmpl_val_scalar(v, V_NULL, 0);
    if (seg->kind == SEG_KEY) {
        cls->get(obj, seg->key, seg->keylen, v);
    } else if (cls->len) {
        int64_t idx = seg->index, size = (int64_t)cls->len(obj);
        if (idx < 0)
            idx += size;
        if (idx >= 0 && idx < size) {
            const tmpl_host_class_t *icls = NULL;
            const void *item = cls->at(obj, (size_t)idx, &icls);
            tmpl_out_host(v, icls, item);
        }
    }
}

/* ---- locals ---- */

static void push_local(rstate_t *st, int32_t sym, val_t v)
{
    if (st->nlocals == st->caplocals) {
        size_t cap = st_mult(st->caplocals, 2);
        if (st->locals == st->inline_locals) {
            st->locals = xmalloc(st_mult(cap, sizeof(local_t)));
            memcpy(st->locals, st->inline_locals, sizeof(st->inline_locals));
        } else {
            st->locals = xrealloc(st->locals, st_mult(cap, sizeof(local_t)));
        }
        st->caplocals = cap;
    }
    st->locals[st->nlocals].sym = sym;
    st->locals[st->nlocals].v = v;
    st->nlocals++;
}

static void pop_locals(rstate_t *st, size_t to)
{
    while (st->nlocals > to)
        tmpl_val_release(&st->locals[--st->nlocals].v);
}

static size_t scope_push(rstate_t *st)
{
    size_t saved = st->scope;
    st->scope = st->nlocals;
    return saved;
}

static void scope_pop(rstate_t *st, size_t saved)
{
    pop_locals(st, st->scope);
    st->scope = saved;
}

static const local_t *find_local(const rstate_t *st, int32_t sym)
{
    for (size_t i = st->nlocals; i-- > 0;)
        if (st->locals[i].sym == sym)
            return &st->locals[i];
    return NULL;
}

/* ---- expressions ---- */

static int eval(rstate_t *st, const expr_t *e, val_t *out);

static void loop_attr(const tmpl_loop_t *l, uint8_t attr, val_t *v)
{
    switch (attr) {
    case LOOP_INDEX:
        tmpl_val_scalar(v, V_INT, (int64_t)l->index0 + 1);
        break;
    case LOOP_INDEX0:
        tmpl_val_scalar(v, V_INT, (int64_t)l->index0);
        break;
    case LOOP_LENGTH:
        tmpl_val_scalar(v, V_INT, (int64_t)l->length);
        break;
    case LOOP_REVINDEX:
        tmpl_val_scalar(v, V_INT, (int64_t)(l->length - l->index0));
        break;
    case LOOP_FIRST:
        tmpl_val_scalar(v, V_BOOL, l->index0 == 0);
        break;
    case LOOP_LAST:
        tmpl_val_scalar(v, V_BOOL, l->index0 + 1 == l->length);
        break;
    default:
        tmpl_val_scalar(v, V_NULL, 0);
    }
}

/* Whether name is bound to a host value; if so *v is it. */
static bool bound(const rstate_t *st, const char *name, size_t len, val_t *v)
{
    for (size_t i = 0; i < st->nbinds; i++) {
        const tmpl_bind_t *b = &st->binds[i];
        if (strncmp(b->name, name, len) == 0 && b->name[len] == '\0') {
            v->j = v->owner = NULL;
            tmpl_out_host(v, b->cls, b->obj);
            return true;
        }
    }
    return false;
}

static void eval_path(const rstate_t *st, const expr_t *e, val_t *v)
{
    const local_t *l = find_local(st, e->u.path.sym);
    const seg_t *seg = e->u.path.seg;
    uint32_t n = e->u.path.nseg, i = 0;
    if (l && l->v.kind == V_LOOP) {
        if (n == 0)
            *v = l->v;
        else if (n == 1)
            loop_attr(l->v.u.loop, seg[0].loop_attr, v);
        else
            tmpl_val_scalar(v, V_NULL, 0);
        return;
    } else if (l) {
        *v = l->v;
        v->owner = NULL; /* the local keeps its reference */
    } else if (bound(st, e->u.path.name, e->u.path.namelen, v)) {
        ;
    } else if (st->root) {
        tmpl_from_json(json_object_getn(st->root, e->u.path.name, e->u.path.namelen), v);
    } else {
        tmpl_val_scalar(v, V_NULL, 0);
        return;
    }
    for (; i < n; i++) {
        if (v->kind == V_HOST) {
            val_t h = *v;
            host_seg(&h, &seg[i], v);
            continue;
        }
        if (v->kind != V_JSON) {
            tmpl_val_scalar(v, V_NULL, 0);
            return;
        }
        json_t *j = v->j, *child = NULL;
        if (seg[i].kind == SEG_KEY) {
            if (json_is_object(j))
                child = json_object_getn(j, seg[i].key, seg[i].keylen);
        } else if (json_is_array(j)) {
            int64_t idx = seg[i].index, size = (int64_t)json_array_size(j);
            if (idx < 0)
                idx += size;
            if (idx >= 0 && idx < size)
                child = json_array_get(j, (size_t)idx);
        }
        tmpl_from_json(child, v);
    }
}

static int cmp3(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

/* Compare two values: true/false for op. Values of different kinds are
 * unequal and unordered, except int and real which compare as numbers. */
static bool compare(const rstate_t *st, const val_t *a, const val_t *b, uint8_t op)
{
    int c;
    bool num_a = a->kind == V_INT || a->kind == V_REAL,
         num_b = b->kind == V_INT || b->kind == V_REAL;
    bool str_a = a->kind == V_STR || a->kind == V_SCR, str_b = b->kind == V_STR || b->kind == V_SCR;
    if (num_a && num_b) {
        if (a->kind == V_INT && b->kind == V_INT) {
            c = cmp3(a->u.i, b->u.i);
        } else {
            double x = a->kind == V_INT ? (double)a->u.i : a->u.d;
            double y = b->kind == V_INT ? (double)b->u.i : b->u.d;
            if (x != x || y != y) /* NaN: only != holds */
                return op == CMP_NE;
            c = (x > y) - (x < y);
        }
    } else if (str_a && str_b) {
        size_t la, lb;
        const char *pa = tmpl_str(&st->sc, a, &la), *pb = tmpl_str(&st->sc, b, &lb);
        size_t m = la < lb ? la : lb;
        c = m ? memcmp(pa, pb, m) : 0;
        c = c ? (c > 0) - (c < 0) : cmp3((int64_t)la, (int64_t)lb);
    } else if (a->kind != b->kind) {
        return op == CMP_NE;
    } else if (a->kind == V_BOOL) {
        c = a->u.b == b->u.b ? 0 : 2;
    } else if (a->kind == V_NULL) {
        c = 0;
    } else if (a->kind == V_JSON) {
        c = json_equal(a->j, b->j) ? 0 : 2;
    } else if (a->kind == V_HOST) {
        c = a->u.host.cls == b->u.host.cls && a->u.host.obj == b->u.host.obj ? 0 : 2;
    } else {
        c = a->u.loop == b->u.loop ? 0 : 2;
    }
    switch (op) {
    case CMP_EQ:
        return c == 0;
    case CMP_NE:
        return c != 0;
    case CMP_LT:
        return c == -1;
    case CMP_LE:
        return c == -1 || c == 0;
    case CMP_GT:
        return c == 1;
    default:
        return c == 1 || c == 0;
    }
}

static int eval(rstate_t *st, const expr_t *e, val_t *out)
{
    int rc = 0;
    switch (e->kind) {
    case EXPR_LIT:
        *out = e->u.lit;
        return 0;
    case EXPR_PATH:
        eval_path(st, e, out);
        return 0;
    case EXPR_NOT: {
        val_t v;
        if ((rc = eval(st, e->u.operand, &v)) != 0)
            return rc;
        bool b = !truthy(&v);
        tmpl_val_release(&v);
        tmpl_val_scalar(out, V_BOOL, b);
        return 0;
    }
    case EXPR_AND:
    case EXPR_OR: {
        /* Like Python: the first operand that decides, as itself. */
        bool want = e->kind == EXPR_OR;
        for (uint32_t i = 0; i < e->u.list.n; i++) {
            if ((rc = eval(st, e->u.list.v[i], out)) != 0)
                return rc;
            if (truthy(out) == want || i + 1 == e->u.list.n)
                return 0;
            tmpl_val_release(out);
        }
        return 0;
    }
    case EXPR_CMP: {
        val_t a, b;
        if ((rc = eval(st, e->u.cmp.a, &a)) != 0)
            return rc;
        if ((rc = eval(st, e->u.cmp.b, &b)) != 0) {
            tmpl_val_release(&a);
            return rc;
        }
        bool r = compare(st, &a, &b, e->op);
        tmpl_val_release(&a);
        tmpl_val_release(&b);
        tmpl_val_scalar(out, V_BOOL, r);
        return 0;
    }
    default: /* EXPR_FILTER */
        if ((rc = eval(st, e->u.filt.base, out)) != 0)
            return rc;
        for (uint32_t i = 0; i < e->u.filt.n; i++) {
            if ((rc = tmpl_filter_apply(&st->sc, out, &e->u.filt.calls[i])) != 0) {
                tmpl_val_release(out);
                return rc;
            }
        }
        return 0;
    }
}

/* ---- output ---- */

static int emit_raw(rstate_t *st, const char *p, size_t n)
{
    buf_t *o = st->out;
    if (n > st->max - (o->len - st->base))
        return limit(st);
    if (o->cap - o->len > n) { /* the usual case, without buf_append's calls */
        memcpy(o->data + o->len, p, n);
        o->len += n;
        o->data[o->len] = '\0';
        return 0;
    }
    buf_append(o, p, n);
    return 0;
}

static int emit_html(rstate_t *st, const char *p, size_t n)
{
    /* Most values (names, SKUs, URLs, numbers as text) need no escaping: find
     * out cheaply and copy them; buf_html does the escaping otherwise. */
    static const bool special[256] = {['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1};
    size_t i = 0;
    while (i < n && !special[(unsigned char)p[i]])
        i++;
    if (i == n)
        return emit_raw(st, p, n);
    if (n > st->max - (st->out->len - st->base))
        return limit(st);
    buf_html(st->out, p, n);
    if (st->out->len - st->base > st->max)
        return limit(st);
    return 0;
}

static int emit_val(rstate_t *st, const val_t *v, bool raw)
{
    char num[40];
    size_t len;
    const char *s;
    switch (v->kind) {
    case V_NULL:
        return 0;
    case V_BOOL:
        return v->u.b ? emit_raw(st, "true", 4) : emit_raw(st, "false", 5);
    case V_INT:
        return emit_raw(st, num, fmt_i64(v->u.i, num));
    case V_REAL:
        return emit_raw(st, num, tmpl_fmt_real(v->u.d, num, sizeof(num)));
    case V_STR:
    case V_SCR:
        s = tmpl_str(&st->sc, v, &len);
        return raw ? emit_raw(st, s, len) : emit_html(st, s, len);
    default: /* an object, an array or `loop`: nothing sensible to print */
        st->sc.warnings++;
        return 0;
    }
}

/* ---- statements ---- */

static int render_body(rstate_t *st, const body_t *b, const frame_t *fr);

static int render_for(rstate_t *st, const node_t *nd, const frame_t *fr)
{
    size_t mark = st->sc.buf.len;
    val_t it;
    int rc = eval(st, nd->u.loop.iter, &it);
    if (rc != 0)
        return rc;
    json_t *j = NULL; /* held for the whole loop */
    const tmpl_host_class_t *hcls = NULL;
    const void *hobj = NULL;
    if (it.kind == V_JSON) {
        j = json_incref(it.j);
    } else if (it.kind == V_HOST && it.u.host.cls->len) {
        hcls = it.u.host.cls;
        hobj = it.u.host.obj;
    } else if (it.kind == V_HOST) { /* for key, value in a host object */
        j = it.u.host.cls->to_json(it.u.host.obj);
        if (j == NULL)
            BUG("out of memory in jansson");
    }
    tmpl_val_release(&it);
    st->sc.buf.len = mark;
    size_t n = hcls ? hcls->len(hobj)
               : j  ? (json_is_array(j) ? json_array_size(j) : json_object_size(j))
                    : 0;
    if (n == 0) {
        json_decref(j);
        return render_body(st, &nd->u.loop.els, fr);
    }
    tmpl_loop_t lp = {0, n};
    size_t saved = scope_push(st);
    int32_t var = nd->u.loop.var, var2 = nd->u.loop.var2;
    size_t first = st->nlocals, bound = var2 >= 0 ? 3 : 2;
    push_local(st, var, null_val);
    if (var2 >= 0)
        push_local(st, var2, null_val);
    push_local(st, TMPL_SYM_LOOP, (val_t){.kind = V_LOOP, .u.loop = &lp});
    void *iter = json_is_object(j) ? json_object_iter(j) : NULL;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (++st->iterations > TMPL_MAX_LOOP_ITERATIONS) {
            rc = limit(st);
            break;
        }
        lp.index0 = i;
        /* A set inside the body may have rebound a loop variable: release it. */
        tmpl_val_release(&st->locals[first].v);
        if (var2 >= 0)
            tmpl_val_release(&st->locals[first + 1].v);
        val_t *a = &st->locals[first].v, *b = var2 >= 0 ? &st->locals[first + 1].v : NULL;
        if (iter) { /* for key in obj / for key, value in obj */
            a->kind = V_STR;
            a->u.s.p = json_object_iter_key(iter);
            a->u.s.len = json_object_iter_key_len(iter);
            a->j = a->owner = NULL;
            if (b)
                tmpl_from_json(json_object_iter_value(iter), b);
            iter = json_object_iter_next(j, iter);
        } else {
            val_t *x = a;
            if (b) { /* for i, x in array: i counts from 0 */
                tmpl_val_scalar(a, V_INT, (int64_t)i);
                x = b;
            }
            if (hcls) {
                const tmpl_host_class_t *icls = NULL;
                const void *item = hcls->at(hobj, i, &icls);
                tmpl_val_scalar(x, V_NULL, 0);
                tmpl_out_host(x, icls, item);
            } else {
                tmpl_from_json(json_array_get(j, i), x);
            }
        }
        rc = render_body(st, &nd->u.loop.body, fr);
        pop_locals(st, first + bound);
    }
    scope_pop(st, saved);
    json_decref(j);
    return rc;
}

static int render_set(rstate_t *st, const node_t *nd)
{
    size_t mark = st->sc.buf.len;
    val_t v;
    int rc = eval(st, nd->u.set.expr, &v);
    if (rc != 0)
        return rc;
    /* The local owns what it holds: it may outlive the scratch buffer's
     * contents and the value it was computed from (set x = x | f). */
    if (v.kind == V_SCR) {
        size_t len;
        const char *s = tmpl_str(&st->sc, &v, &len);
        json_t *j = json_stringn_nocheck(s, len);
        if (j == NULL)
            BUG("out of memory in jansson");
        tmpl_from_json(j, &v);
        v.owner = j;
    } else if (v.owner == NULL && v.j != NULL) {
        v.owner = json_incref(v.j);
    }
    st->sc.buf.len = mark;
    for (size_t i = st->nlocals; i-- > st->scope;) {
        if (st->locals[i].sym == nd->u.set.var) {
            tmpl_val_release(&st->locals[i].v);
            st->locals[i].v = v;
            return 0;
        }
    }
    push_local(st, nd->u.set.var, v);
    return 0;
}

static const block_t *find_block(const tmpl_t *t, int32_t name)
{
    for (uint32_t i = 0; i < t->nblocks; i++)
        if (t->blocks[i].name == name)
            return &t->blocks[i];
    return NULL;
}

/* Render the first definition of block `name` at or above level `from` of
 * the chain: the most derived override, or for super() the next one up. */
static int render_block(rstate_t *st, const frame_t *fr, int32_t name, uint32_t from)
{
    for (uint32_t i = from; i < fr->nchain; i++) {
        const block_t *b = find_block(fr->chain[i], name);
        if (b == NULL)
            continue;
        if (++st->depth > TMPL_MAX_RENDER_DEPTH)
            return limit(st);
        frame_t inner = {fr->chain, fr->nchain, i, name};
        size_t saved = scope_push(st);
        int rc = render_body(st, &b->body, &inner);
        scope_pop(st, saved);
        st->depth--;
        return rc;
    }
    return 0;
}

/* A template from the top: the sets of each child in its extends chain, then
 * the body of the base, whose blocks pick the most derived definitions. */
static int render_tmpl(rstate_t *st, const tmpl_t *t)
{
    frame_t fr = {t->chain, t->nchain, 0, -1};
    size_t saved = scope_push(st);
    int rc = 0;
    for (uint32_t i = 0; i < t->nchain && rc == 0; i++)
        rc = render_body(st, &t->chain[i]->body, &fr);
    scope_pop(st, saved);
    return rc;
}

static int render_body(rstate_t *st, const body_t *b, const frame_t *fr)
{
    int rc = 0;
    for (uint32_t k = 0; k < b->n && rc == 0; k++) {
        const node_t *nd = &b->v[k];
        size_t mark = st->sc.buf.len;
        switch (nd->kind) {
        case NODE_TEXT:
            rc = emit_raw(st, nd->u.text.p, nd->u.text.len);
            break;
        case NODE_OUT: {
            val_t v;
            if ((rc = eval(st, nd->u.expr, &v)) != 0)
                break;
            rc = emit_val(st, &v, nd->raw);
            tmpl_val_release(&v);
            break;
        }
        case NODE_IF: {
            const body_t *take = &nd->u.cond.els;
            for (uint32_t i = 0; i < nd->u.cond.n; i++) {
                val_t v;
                if ((rc = eval(st, nd->u.cond.br[i].cond, &v)) != 0)
                    break;
                bool t = truthy(&v);
                tmpl_val_release(&v);
                st->sc.buf.len = mark;
                if (t) {
                    take = &nd->u.cond.br[i].body;
                    break;
                }
            }
            if (rc == 0)
                rc = render_body(st, take, fr);
            break;
        }
        case NODE_FOR:
            rc = render_for(st, nd, fr);
            break;
        case NODE_SET:
            rc = render_set(st, nd);
            break;
        case NODE_INCLUDE:
            if (++st->depth > TMPL_MAX_RENDER_DEPTH)
                return limit(st);
            rc = render_tmpl(st, nd->u.include->t);
            st->depth--;
            break;
        case NODE_BLOCK:
            rc = render_block(st, fr, nd->u.block, 0);
            break;
        case NODE_SUPER:
            rc = render_block(st, fr, fr->block, fr->level + 1);
            break;
        }
        st->sc.buf.len = mark;
    }
    return rc;
}

int tmpl_render(const tmpl_set_t *set, const char *name, json_t *ctx, buf_t *out, size_t max_out)
{
    return tmpl_render_with(set, name, ctx, NULL, 0, out, max_out);
}

int tmpl_render_with(const tmpl_set_t *set, const char *name, json_t *ctx, const tmpl_bind_t *binds,
                     size_t nbinds, buf_t *out, size_t max_out)
{
    const tmpl_t *t = tmpl_find(set, name);
    if (t == NULL)
        return SOUK_ENOTFOUND;
    rstate_t st;
    memset(&st, 0, sizeof(st));
    st.root = json_is_object(ctx) ? ctx : NULL;
    st.binds = binds;
    st.nbinds = nbinds;
    st.out = out;
    st.base = out->len;
    st.max = max_out;
    st.sc.max = max_out;
    st.locals = st.inline_locals;
    st.caplocals = ARRAY_LEN(st.inline_locals);
    int rc = render_tmpl(&st, t);
    pop_locals(&st, 0);
    if (st.locals != st.inline_locals)
        free(st.locals);
    buf_free(&st.sc.buf);
    if (st.sc.warnings)
        atomic_fetch_add_explicit(&((tmpl_set_t *)set)->warnings, st.sc.warnings,
                                  memory_order_relaxed);
    if (rc != 0) {
        out->len = st.base;
        if (out->data)
            out->data[out->len] = '\0';
    }
    return rc;
}
