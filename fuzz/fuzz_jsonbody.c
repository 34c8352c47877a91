/* fuzz_jsonbody.c - libFuzzer target for jsonbody_parse().
 *
 * Checks the result against jansson itself (parsed without our limits): the
 * depth scan must refuse exactly the documents nested too deep, and what is
 * accepted must be a container within the limits that dumps and reloads to an
 * equal value. Error messages must fit the caller's buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/jsonbody.h"
#include "core/utf8.h"
#include "fuzz_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t depth_of(json_t *j)
{
    size_t max = 0, d;
    const char *key;
    json_t *v;
    size_t i;
    if (json_is_object(j)) {
        json_object_foreach(j, key, v)
        {
            if ((d = depth_of(v)) > max)
                max = d;
        }
        return max + 1;
    }
    if (json_is_array(j)) {
        json_array_foreach(j, i, v)
        {
            if ((d = depth_of(v)) > max)
                max = d;
        }
        return max + 1;
    }
    return 0;
}

static void check(const uint8_t *data, size_t size, const jsonbody_limits_t *lim, size_t errcap)
{
    /* Exactly errcap bytes, so ASan catches a message written past them. */
    char *err = malloc(errcap ? errcap : 1);
    json_t *root = (json_t *)err;
    int rc = jsonbody_parse((const char *)data, size, lim, &root, err, errcap);

    /* What jansson alone says, to the depth it can go. */
    json_error_t jerr;
    json_t *plain = NULL;
    if (size <= lim->max_bytes && utf8_valid((const char *)data, size))
        plain = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);

    if (rc == 0) {
        FUZZ_CHECK(root != NULL && (json_is_object(root) || json_is_array(root)));
        FUZZ_CHECK(size <= lim->max_bytes && utf8_valid((const char *)data, size));
        FUZZ_CHECK(depth_of(root) <= lim->max_depth);
        FUZZ_CHECK(plain != NULL && json_equal(root, plain));
        if (errcap)
            FUZZ_CHECK(err[0] == '\0');

        /* Dump and reload: the same value. */
        char *dump = json_dumps(root, JSON_COMPACT);
        FUZZ_CHECK(dump != NULL);
        jsonbody_limits_t roomy = {SIZE_MAX, lim->max_depth};
        json_t *again = NULL;
        FUZZ_CHECK(jsonbody_parse(dump, strlen(dump), &roomy, &again, NULL, 0) == 0);
        FUZZ_CHECK(json_equal(root, again));
        json_decref(again);
        free(dump);
        json_decref(root);
    } else {
        FUZZ_CHECK(root == NULL);
        FUZZ_CHECK(rc == SOUK_ELIMIT || rc == SOUK_ENCODING || rc == SOUK_EINVAL);
        if (errcap) {
            FUZZ_CHECK(memchr(err, '\0', errcap) != NULL);
            FUZZ_CHECK(errcap == 1 || err[0] != '\0');
        }
        if (rc == SOUK_ENCODING)
            FUZZ_CHECK(!utf8_valid((const char *)data, size));
        /* Refused for depth although jansson reads it: it must be too deep. */
        if (plain && rc == SOUK_ELIMIT)
            FUZZ_CHECK(depth_of(plain) > lim->max_depth);
        /* Refused as invalid although jansson reads it: not a container.
         * (Without JSON_DECODE_ANY jansson refuses those itself.) */
        if (plain && rc == SOUK_EINVAL)
            FUZZ_CHECK(!json_is_object(plain) && !json_is_array(plain));
    }
    /* Accepted by jansson within our limits: accepted by us. */
    if (plain && depth_of(plain) <= lim->max_depth)
        FUZZ_CHECK(rc == 0);
    json_decref(plain);
    free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const jsonbody_limits_t defaults = JSONBODY_DEFAULT_LIMITS;
    const jsonbody_limits_t small = {size % 97 + 16, size % 5 + 1};
    const jsonbody_limits_t cap = {SIZE_MAX, JSONBODY_MAX_DEPTH_CAP};
    check(data, size, &defaults, 256);
    check(data, size, &small, size % 24);
    check(data, size, &cap, 64);
    return 0;
}
