/* util.h - allocation that cannot fail, checked size arithmetic, invariants.
 *
 * Internal allocations abort on out-of-memory (one place, like Redis' zmalloc);
 * sizes that a client controls must be checked against a limit before they get
 * here. ASSERT and BUG stay on in release builds. */
#ifndef SOUK_CORE_UTIL_H
#define SOUK_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED(x) ((void)(x))

/* Report a programming error with its location and abort. Never compiled out. */
#define BUG(...) souk_bug(__FILE__, __LINE__, __VA_ARGS__)
#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (__builtin_expect(!(cond), 0))                                                          \
            souk_bug(__FILE__, __LINE__, "assertion failed: %s", #cond);                           \
    } while (0)

_Noreturn void souk_bug(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Allocate or abort. Returned memory belongs to the caller; free() it. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Checked size arithmetic for values derived from outside input: 0 on success,
 * -1 (and *out untouched) if the result would not fit in size_t. */
static inline int size_add(size_t *out, size_t a, size_t b)
{
    size_t r;
    if (__builtin_add_overflow(a, b, &r))
        return -1;
    *out = r;
    return 0;
}
static inline int size_mul(size_t *out, size_t a, size_t b)
{
    size_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return -1;
    *out = r;
    return 0;
}
/* Checked 64-bit signed arithmetic (money, quantities): 0 or -1 on overflow. */
static inline int i64_add(int64_t *out, int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return -1;
    *out = r;
    return 0;
}
static inline int i64_sub(int64_t *out, int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return -1;
    *out = r;
    return 0;
}
static inline int i64_mul(int64_t *out, int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return -1;
    *out = r;
    return 0;
}
/* For internal sizes only: overflow is a bug, so it aborts. */
size_t st_add(size_t a, size_t b);
size_t st_mult(size_t a, size_t b);

/* FNV-1a over s[0..len): a quick hash for in-memory tables of short
 * strings, never for anything an attacker could aim at a table's worst
 * case through (those are bounded in size instead). */
uint32_t hash_fnv1a(const char *s, size_t len);

/* i in decimal into buf (at least 21 bytes), NUL-terminated: its length.
 * What printf("%" PRId64) writes, at a tenth of the cost. */
size_t fmt_i64(int64_t i, char *buf);

#endif
