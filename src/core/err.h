/* err.h - the one error convention: 0 is success, a negative SOUK_E* is a failure. */
#ifndef SOUK_CORE_ERR_H
#define SOUK_CORE_ERR_H

enum {
    SOUK_OK = 0,
    SOUK_EINVAL = -1,    /* malformed input */
    SOUK_ERANGE = -2,    /* a number out of its allowed range */
    SOUK_ELIMIT = -3,    /* input over a size or count limit */
    SOUK_ENOTFOUND = -4, /* no such thing */
    SOUK_ECONFLICT = -5, /* unique key or concurrent change */
    SOUK_EIO = -6,       /* file or socket failure */
    SOUK_EDB = -7,       /* database failure */
    SOUK_EBUSY = -8,     /* temporarily unavailable, retry */
    SOUK_ECONFIG = -9,   /* invalid configuration */
    SOUK_ENCODING = -10, /* bad percent-encoding or UTF-8 */
};

/* A short lowercase description of a SOUK_E* code (static storage). */
const char *souk_strerror(int err);

#endif
