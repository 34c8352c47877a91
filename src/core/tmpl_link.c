/* tmpl_link.c - the load-time checks that need every template of a set:
 * include and extends targets exist, no cycle, no path deeper than
 * TMPL_MAX_INCLUDE_DEPTH, every super() has a block to call. Also builds each
 * template's extends chain for the renderer. */
#include "core/tmpl_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/util.h"

enum { MARK_NEW, MARK_ACTIVE, MARK_DONE };

/* Depth-first over include/extends edges: refuse a cycle or a path longer
 * than TMPL_MAX_INCLUDE_DEPTH. height is the longest path below a template;
 * depth the length of the path from where this search started. */
static int visit(tmpl_load_t *lc, tmpl_t *t, uint32_t depth, tmpl_t **stack)
{
    tmpl_set_t *set = lc->set;
    t->mark = MARK_ACTIVE;
    stack[depth] = t;
    uint32_t h = 0;
    for (uint32_t i = 0; i < t->nrefs; i++) {
        const tmpl_ref_t *r = t->refs[i];
        tmpl_t *v = &set->t[r->t - set->t];
        const char *what = r->extends ? "extends" : "include";
        if (v->mark == MARK_ACTIVE) {
            buf_t path = BUF_INIT;
            uint32_t k = depth;
            while (stack[k] != v)
                k--;
            for (; k <= depth; k++)
                buf_printf(&path, "%s -> ", stack[k]->name);
            buf_puts(&path, v->name);
            int rc = tmpl_errorf(lc, SOUK_EINVAL, t->name, r->line, "%s cycle: %s", what,
                                 buf_cstr(&path));
            buf_free(&path);
            return rc;
        }
        if (v->mark == MARK_NEW) {
            if (depth + 1 > TMPL_MAX_INCLUDE_DEPTH)
                goto too_deep;
            int rc = visit(lc, v, depth + 1, stack);
            if (rc != 0)
                return rc;
        }
        if (depth + 1 + v->height > TMPL_MAX_INCLUDE_DEPTH)
            goto too_deep;
        if (v->height + 1 > h)
            h = v->height + 1;
        continue;
    too_deep:
        return tmpl_errorf(lc, SOUK_ELIMIT, t->name, r->line,
                           "%s \"%s\": templates nested deeper than %d", what, r->name,
                           TMPL_MAX_INCLUDE_DEPTH);
    }
    t->mark = MARK_DONE;
    t->height = h;
    return 0;
}

static const block_t *find_block(const tmpl_t *t, int32_t name)
{
    for (uint32_t i = 0; i < t->nblocks; i++)
        if (t->blocks[i].name == name)
            return &t->blocks[i];
    return NULL;
}

int tmpl_link(tmpl_load_t *lc)
{
    tmpl_set_t *set = lc->set;
    for (size_t i = 0; i < set->n; i++) {
        tmpl_t *t = &set->t[i];
        for (uint32_t k = 0; k < t->nrefs; k++) {
            tmpl_ref_t *r = t->refs[k];
            r->t = tmpl_find(set, r->name);
            if (r->t == NULL)
                return tmpl_errorf(lc, SOUK_EINVAL, t->name, r->line, "%s \"%s\": no such template",
                                   r->extends ? "extends" : "include", r->name);
        }
    }
    tmpl_t *stack[TMPL_MAX_INCLUDE_DEPTH + 1];
    for (size_t i = 0; i < set->n; i++) {
        if (set->t[i].mark == MARK_NEW) {
            int rc = visit(lc, &set->t[i], 0, stack);
            if (rc != 0)
                return rc;
        }
    }
    for (size_t i = 0; i < set->n; i++) {
        tmpl_t *t = &set->t[i];
        uint32_t n = 1;
        for (const tmpl_t *x = t; x->ext; x = x->ext->t)
            n++;
        t->chain = arena_alloc(&set->arena, n * sizeof(*t->chain));
        t->nchain = n;
        n = 0;
        for (const tmpl_t *x = t; x; x = x->ext ? x->ext->t : NULL)
            t->chain[n++] = x;
    }
    for (size_t i = 0; i < set->n; i++) {
        const tmpl_t *t = &set->t[i];
        for (uint32_t b = 0; b < t->nblocks; b++) {
            const block_t *bl = &t->blocks[b];
            if (bl->super_line == 0)
                continue;
            bool found = false;
            for (uint32_t k = 1; k < t->nchain && !found; k++)
                found = find_block(t->chain[k], bl->name) != NULL;
            if (!found)
                return tmpl_errorf(lc, SOUK_EINVAL, t->name, bl->super_line,
                                   "super() in block '%s', which no parent template defines",
                                   bl->namestr);
        }
    }
    return 0;
}
