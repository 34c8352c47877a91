/* collection_repo.c - the SQL of collections: the tree (parents, sibling
 * order, depth and cycle checks) and each collection's manual product order.
 * Positions, of siblings and of a collection's products, stay 1..n without
 * gaps: every move shifts the rows between the old and the new place. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "shop/catalog.h"
#include "shop/catalog_int.h"

#define COLL_COLS                                                                                  \
    "c.id, c.public_id, c.handle, c.title, c.body_html, pc.public_id, c.position, c.featured, "    \
    "c.published, c.seo_title, c.seo_description, (SELECT count(*) FROM collection_products cp "   \
    "JOIN products p ON p.id = cp.product_id WHERE cp.collection_id = c.id "                       \
    "AND p.status = 'active'), "
#define COLL_FROM                                                                                  \
    ", COALESCE(c.parent_id, 0) FROM collections c LEFT JOIN collections pc ON pc.id = "           \
    "c.parent_id "
#define COLL_SELECT_SQLITE "SELECT " COLL_COLS "c.created_at, c.updated_at" COLL_FROM
#define COLL_SELECT_PG                                                                             \
    "SELECT " COLL_COLS CATALOG_PG_TS("c.created_at") ", " CATALOG_PG_TS("c.updated_at") COLL_FROM
#define COLL_SQL(db, tail)                                                                         \
    (db_dialect(db) == DB_POSTGRES ? COLL_SELECT_PG tail : COLL_SELECT_SQLITE tail)
/* The same without product_count (-1): counting active products costs a
 * lookup per member, too much for the navigation on every page. */
#define COLL_COLS_NOCOUNT                                                                          \
    "c.id, c.public_id, c.handle, c.title, c.body_html, pc.public_id, c.position, c.featured, "    \
    "c.published, c.seo_title, c.seo_description, -1, "
#define COLL_SQL_NOCOUNT(db, tail)                                                                 \
    (db_dialect(db) == DB_POSTGRES                                                                 \
         ? "SELECT " COLL_COLS_NOCOUNT CATALOG_PG_TS("c.created_at") ", " CATALOG_PG_TS(           \
               "c.updated_at") COLL_FROM tail                                                      \
         : "SELECT " COLL_COLS_NOCOUNT "c.created_at, c.updated_at" COLL_FROM tail)

/* Siblings share COALESCE(parent_id, 0): 0 is the top level. */
#define SIBLINGS "COALESCE(parent_id, 0) = $1"

/* Run a collection query; *out, *n and (if given) each row's parent id. */
static int read_collections(db_t *db, arena_t *a, const char *sql, const db_param_t *p, int np,
                            collection_t **out, size_t *n, int64_t **parents)
{
    db_rows_t *r;
    int rc = db_query(db, sql, p, np, &r);
    if (rc < 0)
        return rc;
    size_t cap = 0;
    collection_t *cs = NULL;
    int64_t *par = NULL;
    *n = 0;
    while (db_rows_next(r)) {
        if (*n == cap) {
            size_t ncap = cap ? st_mult(cap, 2) : 16;
            collection_t *bigger = arena_alloc(a, st_mult(ncap, sizeof(*bigger)));
            int64_t *pbigger = arena_alloc(a, st_mult(ncap, sizeof(*pbigger)));
            if (*n) {
                memcpy(bigger, cs, *n * sizeof(*cs));
                memcpy(pbigger, par, *n * sizeof(*par));
            }
            cs = bigger;
            par = pbigger;
            cap = ncap;
        }
        collection_t *c = &cs[*n];
        memset(c, 0, sizeof(*c));
        c->id = db_rows_int(r, 0);
        c->public_id = catalog_col_str(a, r, 1);
        c->handle = catalog_col_str(a, r, 2);
        c->title = catalog_col_str(a, r, 3);
        c->body_html = catalog_col_str(a, r, 4);
        c->parent_public_id = db_rows_isnull(r, 5) ? NULL : catalog_col_str(a, r, 5);
        c->position = (int)db_rows_int(r, 6);
        c->featured = db_rows_int(r, 7) != 0;
        c->published = db_rows_int(r, 8) != 0;
        c->seo_title = catalog_col_str(a, r, 9);
        c->seo_description = catalog_col_str(a, r, 10);
        c->product_count = db_rows_int(r, 11);
        c->created_at = catalog_col_str(a, r, 12);
        c->updated_at = catalog_col_str(a, r, 13);
        par[*n] = db_rows_int(r, 14);
        (*n)++;
    }
    if ((rc = db_rows_end(r)) < 0)
        return rc;
    *out = cs;
    if (parents)
        *parents = par;
    return 0;
}

static int collection_resolve(db_t *db, const char *handle_or_id, int64_t *id)
{
    if (handle_or_id == NULL || handle_or_id[0] == '\0')
        return SOUK_ENOTFOUND;
    db_param_t p[] = {DB_TEXT(handle_or_id)};
    return db_query_int(db, "SELECT id FROM collections WHERE handle = $1 OR public_id = $1", p, 1,
                        id);
}

static int64_t exec2(db_t *db, const char *sql, int64_t x, int64_t y)
{
    db_param_t p[] = {DB_INT(x), DB_INT(y)};
    return db_exec(db, sql, p, 2);
}

static int64_t exec3(db_t *db, const char *sql, int64_t x, int64_t y, int64_t z)
{
    db_param_t p[] = {DB_INT(x), DB_INT(y), DB_INT(z)};
    return db_exec(db, sql, p, 3);
}

/* 1..n+1 from a requested position (0 or past the end: n+1). */
static int64_t clamp_position(int64_t want, int64_t n)
{
    return want <= 0 || want > n + 1 ? n + 1 : want;
}

/* PostgreSQL runs writers at READ COMMITTED: changes to the tree (sibling
 * positions, depth checks) take one advisory lock until the transaction ends,
 * and changes to a collection's product order lock that collection's row.
 * On SQLite the write transaction holds the database's write lock already. */
static int lock_tree(db_t *db)
{
    if (db_dialect(db) != DB_POSTGRES)
        return 0;
    int64_t ex = db_exec(db, "SELECT pg_advisory_xact_lock(5826140001)", NULL, 0);
    return ex < 0 ? (int)ex : 0;
}

static int lock_collection(db_t *db, int64_t id)
{
    if (db_dialect(db) != DB_POSTGRES)
        return 0;
    db_param_t p[] = {DB_INT(id)};
    return db_query_int(db, "SELECT id FROM collections WHERE id = $1 FOR UPDATE", p, 1, NULL);
}

/* ---- the tree ---- */

typedef struct {
    int64_t id, parent;
} edge_t;

static int cmp_edge(const void *x, const void *y)
{
    const edge_t *a = x, *b = y;
    return (a->id > b->id) - (a->id < b->id);
}

/* Would parent_id as the parent of self (0: new) make a cycle or a tree
 * deeper than CATALOG_MAX_COLLECTION_DEPTH? An error in errs, or 0. */
static int check_tree(db_t *db, arena_t *a, int64_t self, int64_t parent_id, catalog_errors_t *errs)
{
    db_rows_t *r;
    int rc = db_query(db, "SELECT id, COALESCE(parent_id, 0) FROM collections", NULL, 0, &r);
    if (rc < 0)
        return rc;
    edge_t *e = NULL;
    size_t n = 0, cap = 0;
    while (db_rows_next(r)) {
        if (n == cap) {
            size_t ncap = cap ? st_mult(cap, 2) : 64;
            edge_t *bigger = arena_alloc(a, st_mult(ncap, sizeof(*bigger)));
            if (n)
                memcpy(bigger, e, n * sizeof(*e));
            e = bigger;
            cap = ncap;
        }
        e[n++] = (edge_t){db_rows_int(r, 0), db_rows_int(r, 1)};
    }
    if ((rc = db_rows_end(r)) < 0)
        return rc;
    /* Levels from the new parent up to the top, itself included. */
    size_t depth = 0;
    for (int64_t at = parent_id; at != 0 && depth <= n; depth++) {
        if (at == self) {
            catalog_err(errs, "parent_public_id", "would make a cycle");
            return SOUK_EINVAL;
        }
        int64_t up = 0;
        for (size_t i = 0; i < n; i++) {
            if (e[i].id == at)
                up = e[i].parent;
        }
        at = up;
    }
    /* Levels of self's own subtree, which moves with it: one pass per level,
     * each row looking its parent up among the rows sorted by id. */
    size_t height = 1;
    if (self) {
        qsort(e, n, sizeof(*e), cmp_edge);
        bool *in = arena_alloc(a, (n + 1) * sizeof(*in));
        bool *next = arena_alloc(a, (n + 1) * sizeof(*next));
        for (size_t i = 0; i < n; i++)
            in[i] = e[i].id == self;
        for (bool more = true; more && height <= n;) {
            more = false;
            for (size_t i = 0; i < n; i++) {
                edge_t key = {e[i].parent, 0};
                const edge_t *up = e[i].parent ? bsearch(&key, e, n, sizeof(*e), cmp_edge) : NULL;
                next[i] = up && in[up - e];
                more |= next[i];
            }
            if (more)
                height++;
            bool *t = in;
            in = next;
            next = t;
        }
    }
    if (depth + height > CATALOG_MAX_COLLECTION_DEPTH) {
        catalog_err(
            errs, "parent_public_id",
            catalog_fieldf(a, "would nest deeper than %d levels", CATALOG_MAX_COLLECTION_DEPTH));
        return SOUK_EINVAL;
    }
    return 0;
}

/* ---- save ---- */

typedef struct {
    int64_t parent, position;
    const char *handle;
} current_t;

static int lock_current(db_t *db, arena_t *a, collection_t *n, const char *now, current_t *cur)
{
    db_param_t p[] = {DB_INT(n->id), DB_TEXT(now)};
    int64_t ch = db_exec(db, "UPDATE collections SET updated_at = $2 WHERE id = $1", p, 2);
    if (ch < 0)
        return (int)ch;
    if (ch == 0)
        return SOUK_ENOTFOUND;
    db_rows_t *r;
    int rc = db_query(db,
                      "SELECT public_id, handle, COALESCE(parent_id, 0), position "
                      "FROM collections WHERE id = $1",
                      p, 1, &r);
    if (rc < 0)
        return rc;
    if (db_rows_next(r)) {
        n->public_id = catalog_col_str(a, r, 0);
        cur->handle = catalog_col_str(a, r, 1);
        cur->parent = db_rows_int(r, 2);
        cur->position = db_rows_int(r, 3);
    }
    return db_rows_end(r);
}

/* Where the collection goes among its (new) siblings; shifts them to make room. */
static int place(db_t *db, const collection_t *n, const current_t *cur, int64_t parent,
                 int64_t *pos)
{
    int64_t count = 0, ex;
    db_param_t p[] = {DB_INT(parent), DB_INT(n->id)};
    int rc = db_query_int(db, "SELECT count(*) FROM collections WHERE " SIBLINGS " AND id <> $2", p,
                          2, &count);
    if (rc < 0)
        return rc;
    if (n->id && cur->parent == parent) {
        int64_t old = cur->position;
        *pos = n->position == 0 ? old : clamp_position(n->position, count);
        if (*pos < old)
            ex = exec3(db,
                       "UPDATE collections SET position = position + 1 WHERE " SIBLINGS
                       " AND position >= $2 AND position < $3",
                       parent, *pos, old);
        else
            ex = exec3(db,
                       "UPDATE collections SET position = position - 1 WHERE " SIBLINGS
                       " AND position > $2 AND position <= $3",
                       parent, old, *pos);
        return ex < 0 ? (int)ex : 0;
    }
    if (n->id) { /* leaves its old siblings */
        ex = exec2(db,
                   "UPDATE collections SET position = position - 1 WHERE " SIBLINGS
                   " AND position > $2",
                   cur->parent, cur->position);
        if (ex < 0)
            return (int)ex;
    }
    *pos = clamp_position(n->position, count);
    ex = exec2(
        db, "UPDATE collections SET position = position + 1 WHERE " SIBLINGS " AND position >= $2",
        parent, *pos);
    return ex < 0 ? (int)ex : 0;
}

static int save_tx(db_t *db, arena_t *a, collection_t *n, const char *now, catalog_errors_t *errs)
{
    int rc;
    current_t cur = {0, 0, NULL};
    if ((rc = lock_tree(db)) < 0)
        return rc;
    if (n->id && (rc = lock_current(db, a, n, now, &cur)) < 0)
        return rc;
    int64_t parent = 0;
    if (n->parent_public_id) {
        rc = collection_resolve(db, n->parent_public_id, &parent);
        if (rc == SOUK_ENOTFOUND) {
            catalog_err(errs, "parent_public_id", "names no collection");
            return SOUK_EINVAL;
        }
        if (rc < 0)
            return rc;
        if ((rc = check_tree(db, a, n->id, parent, errs)) < 0)
            return rc;
    }
    if ((rc = catalog_pick_handle(db, a, true, n->id, n->handle, cur.handle, n->title, &n->handle,
                                  errs)) < 0)
        return rc;
    int64_t pos = 0;
    if ((rc = place(db, n, &cur, parent, &pos)) < 0)
        return rc;
    if (n->id == 0)
        n->public_id = catalog_new_public_id(a, "coll_");
    db_param_t p[] = {
        DB_INT(n->id),
        DB_TEXT(n->handle),
        DB_TEXT(n->title),
        DB_TEXT(n->body_html),
        parent ? DB_INT(parent) : DB_NULL,
        DB_INT(pos),
        DB_INT(n->featured ? 1 : 0),
        DB_INT(n->published ? 1 : 0),
        DB_TEXT(n->seo_title),
        DB_TEXT(n->seo_description),
        DB_TEXT(now),
        DB_TEXT(n->public_id),
    };
    if (n->id) {
        int64_t ex = db_exec(db,
                             "UPDATE collections SET handle = $2, title = $3, body_html = $4, "
                             "parent_id = $5, position = $6, featured = $7, published = $8, "
                             "seo_title = $9, seo_description = $10, updated_at = $11 "
                             "WHERE id = $1",
                             p, 11);
        rc = ex < 0 ? (int)ex : 0;
    } else {
        rc = db_query_int(db,
                          "INSERT INTO collections (handle, title, body_html, parent_id, "
                          "position, featured, published, seo_title, seo_description, "
                          "created_at, updated_at, public_id) VALUES ($1, $2, $3, $4, $5, $6, "
                          "$7, $8, $9, $10, $10, $11) RETURNING id",
                          p + 1, 11, &n->id);
    }
    if (rc == SOUK_ECONFLICT) /* a concurrent save took the handle */
        catalog_err(errs, "handle", "is already taken");
    return rc;
}

int catalog_collection_save(db_t *db, arena_t *a, collection_t *c, catalog_errors_t *errs)
{
    catalog_errors_t scratch;
    if (errs == NULL)
        errs = &scratch;
    errs->n = 0;
    collection_t n;
    int rc = catalog_collection_prepare(a, c, &n, errs);
    if (rc < 0)
        return rc;
    if (n.id < 0)
        return SOUK_ENOTFOUND;
    char now[32];
    catalog_now(now);
    bool nested;
    if ((rc = catalog_tx_begin(db, &nested)) < 0)
        return rc;
    rc = catalog_tx_end(db, nested, save_tx(db, a, &n, now, errs));
    if (rc < 0)
        return rc;
    collection_t *saved;
    if ((rc = catalog_collection_get(db, a, n.public_id, &saved)) < 0)
        return rc;
    *c = *saved;
    return 0;
}

/* ---- reads ---- */

static int get_one(db_t *db, arena_t *a, const char *handle_or_id, bool count, collection_t **out)
{
    if (handle_or_id == NULL || handle_or_id[0] == '\0')
        return SOUK_ENOTFOUND;
    db_param_t p[] = {DB_TEXT(handle_or_id)};
    collection_t *cs;
    size_t n;
    int rc =
        read_collections(db, a,
                         count ? COLL_SQL(db, "WHERE c.handle = $1 OR c.public_id = $1")
                               : COLL_SQL_NOCOUNT(db, "WHERE c.handle = $1 OR c.public_id = $1"),
                         p, 1, &cs, &n, NULL);
    if (rc < 0)
        return rc;
    if (n == 0)
        return SOUK_ENOTFOUND;
    *out = &cs[0];
    return 0;
}

int catalog_collection_get(db_t *db, arena_t *a, const char *handle_or_id, collection_t **out)
{
    return get_one(db, a, handle_or_id, true, out);
}

int catalog_collection_find(db_t *db, arena_t *a, const char *handle_or_id, collection_t **out)
{
    return get_one(db, a, handle_or_id, false, out);
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static int list_tree(db_t *db, arena_t *a, bool count, collection_t **out, size_t *n)
{
    collection_t *cs;
    int64_t *par;
    size_t cnt;
#define TREE_ORDER "ORDER BY COALESCE(c.parent_id, 0), c.position, c.id"
    int rc =
        read_collections(db, a, count ? COLL_SQL(db, TREE_ORDER) : COLL_SQL_NOCOUNT(db, TREE_ORDER),
                         NULL, 0, &cs, &cnt, &par);
#undef TREE_ORDER
    if (rc < 0)
        return rc;
    *out = cs;
    *n = cnt;
    if (cnt == 0)
        return 0;
    /* Rows come grouped by parent: each group is one collection's children.
     * Walk the tree depth first, so a parent comes right before its subtree. */
    int64_t(*byid)[2] = arena_alloc(a, cnt * sizeof(*byid)); /* id, row */
    size_t *first = arena_alloc(a, (cnt + 1) * sizeof(*first));
    size_t *nkids = arena_alloc(a, (cnt + 1) * sizeof(*nkids));
    for (size_t i = 0; i < cnt; i++) {
        byid[i][0] = cs[i].id;
        byid[i][1] = (int64_t)i;
        nkids[i] = 0;
    }
    qsort(byid, cnt, sizeof(*byid), cmp_i64);
    size_t roots = 0, nroots = 0;
    for (size_t i = 0; i < cnt;) {
        size_t j = i;
        while (j < cnt && par[j] == par[i])
            j++;
        if (par[i] == 0) {
            roots = i;
            nroots = j - i;
        } else {
            int64_t key[2] = {par[i], 0};
            int64_t(*hit)[2] = bsearch(key, byid, cnt, sizeof(*byid), cmp_i64);
            if (hit) {
                first[(*hit)[1]] = i;
                nkids[(*hit)[1]] = j - i;
            }
        }
        i = j;
    }
    collection_t *sorted = arena_alloc(a, cnt * sizeof(*sorted));
    bool *done = arena_alloc(a, cnt * sizeof(*done));
    size_t *stack = arena_alloc(a, (cnt + 1) * sizeof(*stack));
    size_t sp = 0, m = 0;
    memset(done, 0, cnt * sizeof(*done));
    for (size_t k = nroots; k > 0; k--)
        stack[sp++] = roots + k - 1;
    while (sp > 0) {
        size_t at = stack[--sp];
        if (done[at])
            continue;
        done[at] = true;
        sorted[m++] = cs[at];
        for (size_t k = nkids[at]; k > 0 && sp < cnt; k--)
            stack[sp++] = first[at] + k - 1;
    }
    for (size_t i = 0; i < cnt; i++) { /* unreachable rows (a cycle made by hand) */
        if (!done[i])
            sorted[m++] = cs[i];
    }
    *out = sorted;
    return 0;
}

int catalog_collections_list(db_t *db, arena_t *a, collection_t **out, size_t *n)
{
    return list_tree(db, a, true, out, n);
}

int catalog_collections_list_uncounted(db_t *db, arena_t *a, collection_t **out, size_t *n)
{
    return list_tree(db, a, false, out, n);
}

int catalog_collection_children(db_t *db, arena_t *a, const char *parent_public_id,
                                collection_t **out, size_t *n)
{
    int64_t parent = 0;
    if (parent_public_id && parent_public_id[0]) {
        int rc = collection_resolve(db, parent_public_id, &parent);
        if (rc < 0)
            return rc;
    }
    db_param_t p[] = {DB_INT(parent)};
    return read_collections(
        db, a,
        COLL_SQL_NOCOUNT(db, "WHERE COALESCE(c.parent_id, 0) = $1 ORDER BY c.position, c.id"), p, 1,
        out, n, NULL);
}

/* Links from a query of id, handle and title. */
static int read_links(db_t *db, arena_t *a, const char *sql, const db_param_t *p, int np,
                      collection_link_t **out, size_t *n)
{
    db_rows_t *r;
    int rc = db_query(db, sql, p, np, &r);
    if (rc < 0)
        return rc;
    size_t cap = 0;
    collection_link_t *ls = NULL;
    *n = 0;
    while (db_rows_next(r)) {
        if (*n == cap) {
            size_t ncap = cap ? st_mult(cap, 2) : 16;
            collection_link_t *bigger = arena_alloc(a, st_mult(ncap, sizeof(*bigger)));
            if (*n)
                memcpy(bigger, ls, *n * sizeof(*ls));
            ls = bigger;
            cap = ncap;
        }
        ls[*n].id = db_rows_int(r, 0);
        ls[*n].handle = catalog_col_str(a, r, 1);
        ls[*n].title = catalog_col_str(a, r, 2);
        (*n)++;
    }
    *out = ls;
    return db_rows_end(r);
}

int catalog_collection_links(db_t *db, arena_t *a, int64_t parent_id, collection_link_t **out,
                             size_t *n)
{
    /* Two statements rather than COALESCE(parent_id, 0), so that both use
     * collections_parent. */
    db_param_t p[] = {DB_INT(parent_id)};
    return parent_id ? read_links(db, a,
                                  "SELECT id, handle, title FROM collections WHERE parent_id = $1 "
                                  "AND published ORDER BY position, id",
                                  p, 1, out, n)
                     : read_links(db, a,
                                  "SELECT id, handle, title FROM collections WHERE parent_id IS "
                                  "NULL AND published ORDER BY position, id",
                                  NULL, 0, out, n);
}

static int title_cmp(const void *x, const void *y)
{
    const collection_link_t *a = x, *b = y;
    int d = catalog_text_cmp(a->title, b->title);
    return d ? d : (a->id > b->id) - (a->id < b->id);
}

int catalog_product_collections(db_t *db, arena_t *a, int64_t product_id, collection_link_t **out,
                                size_t *n)
{
    db_param_t p[] = {DB_INT(product_id)};
    int rc = read_links(db, a,
                        "SELECT c.id, c.handle, c.title FROM collection_products x JOIN "
                        "collections c ON c.id = x.collection_id WHERE x.product_id = $1 "
                        "AND c.published",
                        p, 1, out, n);
    if (rc == 0 && *n > 1)
        qsort(*out, *n, sizeof(**out), title_cmp);
    return rc;
}

/* ---- delete ---- */

int catalog_collection_delete(db_t *db, const char *handle_or_id)
{
    bool nested;
    int rc = catalog_tx_begin(db, &nested);
    if (rc < 0)
        return rc;
    int64_t id = 0, parent = 0, pos = 0, top = 0, ex = 0;
    if ((rc = lock_tree(db)) < 0 || (rc = collection_resolve(db, handle_or_id, &id)) < 0)
        goto out;
    db_param_t p[] = {DB_INT(id)};
    if ((rc = db_query_int(db, "SELECT COALESCE(parent_id, 0) FROM collections WHERE id = $1", p, 1,
                           &parent)) < 0 ||
        (rc = db_query_int(db, "SELECT position FROM collections WHERE id = $1", p, 1, &pos)) < 0)
        goto out;
    /* Close its gap, then its children move to the end of the top level
     * (the schema would only null their parent). */
    ex = exec2(
        db, "UPDATE collections SET position = position - 1 WHERE " SIBLINGS " AND position > $2",
        parent, pos);
    if (ex >= 0)
        ex = db_query_int(db,
                          "SELECT count(*) FROM collections WHERE parent_id IS NULL AND id <> $1",
                          p, 1, &top);
    if (ex >= 0)
        ex = exec2(db,
                   "UPDATE collections SET parent_id = NULL, position = position + $2 "
                   "WHERE parent_id = $1",
                   id, top);
    if (ex >= 0)
        ex = db_exec(db, "DELETE FROM collections WHERE id = $1", p, 1);
    if (ex < 0)
        rc = (int)ex;
out:
    return catalog_tx_end(db, nested, rc);
}

/* ---- a collection's products ---- */

/* Take product out of collection's order if it is there: 1 if it was, 0, or < 0. */
static int unlink_product(db_t *db, int64_t coll, int64_t product)
{
    db_param_t p[] = {DB_INT(coll), DB_INT(product)};
    int64_t pos = 0;
    int rc = db_query_int(db,
                          "SELECT position FROM collection_products "
                          "WHERE collection_id = $1 AND product_id = $2",
                          p, 2, &pos);
    if (rc == SOUK_ENOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    int64_t ex = db_exec(db,
                         "DELETE FROM collection_products WHERE collection_id = $1 "
                         "AND product_id = $2",
                         p, 2);
    if (ex >= 0)
        ex = exec2(db,
                   "UPDATE collection_products SET position = position - 1 "
                   "WHERE collection_id = $1 AND position > $2",
                   coll, pos);
    return ex < 0 ? (int)ex : 1;
}

static int resolve_pair(db_t *db, const char *collection, const char *product, int64_t *coll,
                        int64_t *prod)
{
    int rc = collection_resolve(db, collection, coll);
    if (rc == 0)
        rc = lock_collection(db, *coll);
    if (rc == 0)
        rc = catalog_product_resolve(db, product, prod);
    return rc;
}

int catalog_collection_add(db_t *db, const char *collection, const char *product, int position)
{
    if (position < 0)
        return SOUK_EINVAL;
    bool nested;
    int rc = catalog_tx_begin(db, &nested);
    if (rc < 0)
        return rc;
    int64_t coll = 0, prod = 0, count = 0;
    if ((rc = resolve_pair(db, collection, product, &coll, &prod)) < 0 ||
        (rc = unlink_product(db, coll, prod)) < 0)
        goto out;
    db_param_t p[] = {DB_INT(coll)};
    if ((rc = db_query_int(db, "SELECT count(*) FROM collection_products WHERE collection_id = $1",
                           p, 1, &count)) < 0)
        goto out;
    int64_t pos = clamp_position(position, count);
    int64_t ex = exec2(db,
                       "UPDATE collection_products SET position = position + 1 "
                       "WHERE collection_id = $1 AND position >= $2",
                       coll, pos);
    if (ex >= 0)
        ex = exec3(db,
                   "INSERT INTO collection_products (collection_id, product_id, position) "
                   "VALUES ($1, $2, $3)",
                   coll, prod, pos);
    rc = ex < 0 ? (int)ex : 0;
out:
    return catalog_tx_end(db, nested, rc);
}

int catalog_collection_remove(db_t *db, const char *collection, const char *product)
{
    bool nested;
    int rc = catalog_tx_begin(db, &nested);
    if (rc < 0)
        return rc;
    int64_t coll = 0, prod = 0;
    if ((rc = resolve_pair(db, collection, product, &coll, &prod)) < 0)
        goto out;
    rc = unlink_product(db, coll, prod);
    if (rc == 0)
        rc = SOUK_ENOTFOUND;
    else if (rc == 1)
        rc = 0;
out:
    return catalog_tx_end(db, nested, rc);
}
