/* err.c - descriptions of the error codes in err.h. */
#include "core/err.h"

const char *souk_strerror(int err)
{
    switch (err) {
    case SOUK_OK:
        return "ok";
    case SOUK_EINVAL:
        return "invalid input";
    case SOUK_ERANGE:
        return "value out of range";
    case SOUK_ELIMIT:
        return "over a limit";
    case SOUK_ENOTFOUND:
        return "not found";
    case SOUK_ECONFLICT:
        return "conflict";
    case SOUK_EIO:
        return "i/o error";
    case SOUK_EDB:
        return "database error";
    case SOUK_EBUSY:
        return "busy";
    case SOUK_ECONFIG:
        return "invalid configuration";
    case SOUK_ENCODING:
        return "invalid encoding";
    }
    return "unknown error";
}
