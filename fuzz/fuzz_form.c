/* fuzz_form.c - libFuzzer target for utf8_valid(), pct_decode() and form_parse().
 *
 * Each is compared with a slow reference (fuzz_ref.h and below): same result
 * code, same bytes. form_parse() runs twice, with the default limits and with
 * small ones taken from the input's size, so the limit paths are hit too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/form.h"
#include "core/utf8.h"
#include "fuzz_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int hexval(unsigned char c)
{
    static const char digits[] = "0123456789abcdef";
    if (c >= 'A' && c <= 'F')
        c = (unsigned char)(c - 'A' + 'a');
    const char *p = c ? strchr(digits, c) : NULL;
    return p ? (int)(p - digits) : -1;
}

static int ref_decode(const uint8_t *in, size_t len, bool plus, uint8_t *out, size_t *outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = in[i];
        if (c == '%') {
            if (i + 2 >= len || hexval(in[i + 1]) < 0 || hexval(in[i + 2]) < 0)
                return SOUK_ENCODING;
            c = (uint8_t)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        if (c == 0)
            return SOUK_ENCODING;
        out[o++] = c;
    }
    if (!ref_utf8_valid(out, o))
        return SOUK_ENCODING;
    *outlen = o;
    return 0;
}

typedef struct {
    uint8_t *k, *v;
    size_t kl, vl;
} ref_pair_t;

/* The reference form parser, in the order of checks form.h documents. */
static int ref_form(const uint8_t *in, size_t len, const form_limits_t *lim, ref_pair_t *pairs,
                    size_t *npairs, uint8_t *pool)
{
    size_t n = 0;
    for (size_t i = 0; i <= len;) {
        size_t j = i;
        while (j < len && in[j] != '&')
            j++;
        if (j > i)
            n++;
        i = j + 1;
    }
    if (n > lim->max_fields)
        return SOUK_ELIMIT;
    n = 0;
    for (size_t i = 0; i <= len;) {
        size_t j = i, eq = (size_t)-1;
        while (j < len && in[j] != '&') {
            if (in[j] == '=' && eq == (size_t)-1)
                eq = j;
            j++;
        }
        if (j > i) {
            ref_pair_t *p = &pairs[n++];
            size_t kend = eq == (size_t)-1 ? j : eq;
            p->k = pool;
            if (ref_decode(in + i, kend - i, true, p->k, &p->kl) != 0)
                return SOUK_ENCODING;
            if (p->kl > lim->max_key_len)
                return SOUK_ELIMIT;
            pool += p->kl;
            p->v = pool;
            p->vl = 0;
            if (eq != (size_t)-1 && ref_decode(in + eq + 1, j - eq - 1, true, p->v, &p->vl) != 0)
                return SOUK_ENCODING;
            if (p->vl > lim->max_value_len)
                return SOUK_ELIMIT;
            pool += p->vl;
        }
        i = j + 1;
    }
    *npairs = n;
    return 0;
}

static void check_form(const uint8_t *data, size_t size, const form_limits_t *lim)
{
    ref_pair_t *pairs = malloc((size + 1) * sizeof(*pairs));
    uint8_t *pool = malloc(size + 1);
    size_t n = 0;
    int want = ref_form(data, size, lim, pairs, &n, pool);

    form_t *f = (form_t *)pairs; /* must be overwritten */
    int rc = form_parse((const char *)data, size, lim, &f);
    FUZZ_CHECK(rc == want);
    if (rc != 0) {
        FUZZ_CHECK(f == NULL);
        goto out;
    }
    FUZZ_CHECK(form_count(f) == n && n <= lim->max_fields);
    for (size_t i = 0; i < n; i++) {
        size_t kl, vl;
        const char *k = form_key(f, i, &kl), *v = form_value(f, i, &vl);
        FUZZ_CHECK(kl == pairs[i].kl && memcmp(k, pairs[i].k, kl) == 0 && k[kl] == '\0');
        FUZZ_CHECK(vl == pairs[i].vl && memcmp(v, pairs[i].v, vl) == 0 && v[vl] == '\0');
        FUZZ_CHECK(strlen(k) == kl && strlen(v) == vl);
        FUZZ_CHECK(kl <= lim->max_key_len && vl <= lim->max_value_len);
        FUZZ_CHECK(utf8_valid(k, kl) && utf8_valid(v, vl));

        /* form_get finds the first pair with this key; form_get_all all of them. */
        size_t first = 0, same = 0;
        while (strcmp(form_key(f, first, NULL), k) != 0)
            first++;
        for (size_t j = 0; j < n; j++)
            same += strcmp(form_key(f, j, NULL), k) == 0;
        FUZZ_CHECK(form_get(f, k) == form_value(f, first, NULL));
        const char **vals = malloc(n * sizeof(*vals));
        FUZZ_CHECK(form_get_all(f, k, vals, n) == same);
        FUZZ_CHECK(vals[0] == form_value(f, first, NULL));
        FUZZ_CHECK(form_get_all(f, k, vals, same - 1) == same - 1);
        free(vals);
    }
out:
    form_free(f);
    free(pairs);
    free(pool);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;

    /* utf8_valid against the reference, and where utf8_valid_len stops. */
    size_t good = utf8_valid_len(s, size);
    FUZZ_CHECK(utf8_valid(s, size) == ref_utf8_valid(data, size));
    FUZZ_CHECK(good <= size && ref_utf8_valid(data, good));
    FUZZ_CHECK((good == size) == utf8_valid(s, size));
    for (size_t k = 1; good < size && k <= 4 && good + k <= size; k++)
        FUZZ_CHECK(!ref_utf8_valid(data + good, k));

    /* pct_decode against the reference, into a buffer of exactly len bytes
     * (so ASan sees any write past it), and in place. */
    bool plus = size & 1;
    char *out = malloc(size ? size : 1);
    uint8_t *ref = malloc(size + 1);
    size_t outlen = (size_t)-1, reflen = 0;
    int rc = pct_decode(s, size, plus, out, &outlen);
    int want = ref_decode(data, size, plus, ref, &reflen);
    FUZZ_CHECK(rc == want);
    if (rc == 0) {
        FUZZ_CHECK(outlen == reflen && memcmp(out, ref, outlen) == 0);
        memcpy(out, data, size);
        size_t inplace = 0;
        FUZZ_CHECK(pct_decode(out, size, plus, out, &inplace) == 0);
        FUZZ_CHECK(inplace == reflen && memcmp(out, ref, inplace) == 0);
    } else {
        FUZZ_CHECK(rc == SOUK_ENCODING && outlen == (size_t)-1);
    }
    free(out);
    free(ref);

    const form_limits_t defaults = FORM_DEFAULT_LIMITS;
    const form_limits_t small = {size % 5, size % 7, size % 11};
    check_form(data, size, &defaults);
    check_form(data, size, &small);
    return 0;
}
