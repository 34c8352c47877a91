/* charset.c - see charset.h. The Windows-1252 table is the Unicode Consortium's
 * MAPPINGS/VENDORS/MICSFT/WINDOWS/CP1252.TXT, which leaves five bytes undefined
 * (so does glibc's iconv); the UTF-8 ranges are those of utf8.c (table 3-7). */
#include "core/charset.h"

#include <string.h>

#include "core/err.h"

#define NONE UINT64_MAX

/* Code points of 0x80..0x9F; 0 marks the five undefined bytes. 0xA0..0xFF are
 * U+00A0..U+00FF. */
static const uint16_t cp1252_c1[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, /* 80-87 */
    0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017d, 0,      /* 88-8F */
    0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, /* 90-97 */
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178, /* 98-9F */
};

bool charset_cp1252_defined(unsigned char c)
{
    return c < 0x80 || c >= 0xa0 || cp1252_c1[c - 0x80] != 0;
}

int charset_cp1252_to_utf8(const char *in, size_t len, char *out, size_t *outlen)
{
    const unsigned char *p = (const unsigned char *)in;
    unsigned char *o = (unsigned char *)out;
    int rc = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned c = p[i];
        if (c < 0x80) {
            *o++ = (unsigned char)c;
            continue;
        }
        if (c < 0xa0) {
            c = cp1252_c1[c - 0x80];
            if (c == 0) {
                c = 0xfffd;
                rc = SOUK_ENCODING;
            }
        }
        if (c < 0x800) {
            *o++ = (unsigned char)(0xc0 | c >> 6);
            *o++ = (unsigned char)(0x80 | (c & 0x3f));
        } else {
            *o++ = (unsigned char)(0xe0 | c >> 12);
            *o++ = (unsigned char)(0x80 | (c >> 6 & 0x3f));
            *o++ = (unsigned char)(0x80 | (c & 0x3f));
        }
    }
    *outlen = (size_t)(o - (unsigned char *)out);
    return rc;
}

/* ---- sniffing ---- */

void charset_sniff_init(charset_sniff_t *s)
{
    memset(s, 0, sizeof(*s));
    s->first_nul = s->first_invalid = s->first_undefined = s->first_multibyte = NONE;
}

/* The sequence at p[0..avail), p[0] >= 0x80: its length if well-formed, 0 if
 * ill-formed, -1 if the available bytes are a proper prefix of a well-formed one. */
static int seq_check(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xbf;
    int n;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0; /* overlong below */
        else if (c == 0xed)
            hi = 0x9f; /* surrogates above */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90; /* overlong below */
        else if (c == 0xf4)
            hi = 0x8f; /* past U+10FFFF above */
    } else {
        return 0;
    }
    if (avail < 2)
        return -1;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (int k = 2; k < n; k++) {
        if ((size_t)k >= avail)
            return -1;
        if ((p[k] & 0xc0) != 0x80)
            return 0;
    }
    return n;
}

static void note(uint64_t *first, uint64_t at)
{
    if (*first == NONE)
        *first = at;
}

/* Scan p[0..n), whose first byte is at stream offset base. Returns how many
 * bytes it consumed: all, except (unless final) an incomplete sequence at the
 * end that the next chunk may complete. */
static size_t sniff_scan(charset_sniff_t *s, const unsigned char *p, size_t n, uint64_t base,
                         bool final)
{
    const uint64_t high = 0x8080808080808080ull, ones = 0x0101010101010101ull;
    size_t i = 0;
    while (i < n) {
        /* ASCII without NUL, eight bytes at a time. */
        while (n - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (((w | ((w - ones) & ~w)) & high) != 0)
                break;
            i += 8;
        }
        if (i == n)
            break;
        unsigned char c = p[i];
        if (c < 0x80) {
            if (c == 0)
                note(&s->first_nul, base + i);
            i++;
            continue;
        }
        int len = seq_check(p + i, n - i);
        if (len < 0 && !final)
            return i;
        if (len > 0) {
            note(&s->first_multibyte, base + i);
            i += (size_t)len;
            continue;
        }
        /* Ill-formed (or truncated at the end): under the Windows-1252
         * reading this byte is one character; resume at the next byte. */
        note(&s->first_invalid, base + i);
        if (!charset_cp1252_defined(c))
            note(&s->first_undefined, base + i);
        i++;
    }
    return n;
}

void charset_sniff_feed(charset_sniff_t *s, const void *data, size_t len)
{
    const unsigned char *p = data;
    if (s->ncarry > 0 && len > 0) {
        /* The carry is at most 3 bytes and a sequence at most 4, so with 4 more
         * bytes every sequence that starts in the carry is decided. */
        unsigned char tmp[7];
        size_t take = len < 4 ? len : 4, nc = s->ncarry;
        memcpy(tmp, s->carry, nc);
        memcpy(tmp + nc, p, take);
        size_t used = sniff_scan(s, tmp, nc + take, s->offset - nc, false);
        if (used < nc) {
            /* Still incomplete: then all of data was taken (take == len). */
            s->ncarry = nc + take - used;
            memmove(s->carry, tmp + used, s->ncarry);
            s->offset += len;
            return;
        }
        s->ncarry = 0;
        p += used - nc;
        len -= used - nc;
        s->offset += used - nc;
    }
    size_t used = sniff_scan(s, p, len, s->offset, false);
    s->ncarry = len - used;
    memcpy(s->carry, p + used, s->ncarry);
    s->offset += len;
}

int charset_sniff_finish(charset_sniff_t *s, charset_t *cs, uint64_t *bad_offset, const char **why)
{
    if (s->ncarry > 0) {
        sniff_scan(s, s->carry, s->ncarry, s->offset - s->ncarry, true);
        s->ncarry = 0;
    }
    uint64_t at = NONE;
    const char *reason = NULL;
    if (s->first_nul != NONE) {
        at = s->first_nul;
        reason = "a NUL byte (is the file UTF-16, or not text?)";
    }
    if (s->first_undefined < at) {
        at = s->first_undefined;
        reason = "a byte that is neither UTF-8 nor Windows-1252";
    }
    if (s->first_invalid != NONE && s->first_multibyte != NONE && s->first_invalid < at) {
        at = s->first_invalid;
        reason = "invalid UTF-8 in a file that also holds valid UTF-8 (mixed encodings)";
    }
    if (reason != NULL) {
        if (bad_offset)
            *bad_offset = at;
        if (why)
            *why = reason;
        return SOUK_ENCODING;
    }
    *cs = s->first_invalid == NONE ? CHARSET_UTF8 : CHARSET_CP1252;
    return 0;
}
