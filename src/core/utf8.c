/* utf8.c - see utf8.h. The byte ranges are those of Unicode's table 3-7
 * ("well-formed UTF-8 byte sequences"), which excludes overlongs and
 * surrogates by narrowing the range of the second byte. */
#include "core/utf8.h"

size_t utf8_valid_len(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;                           /* continuation bytes that follow */
        unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
        } else if (c == 0xe0) {
            n = 2;
            lo = 0xa0; /* below is an overlong 2-byte form */
        } else if (c == 0xed) {
            n = 2;
            hi = 0x9f; /* above are the surrogates U+D800..DFFF */
        } else if (c >= 0xe1 && c <= 0xef) {
            n = 2;
        } else if (c == 0xf0) {
            n = 3;
            lo = 0x90; /* below is an overlong 3-byte form */
        } else if (c >= 0xf1 && c <= 0xf3) {
            n = 3;
        } else if (c == 0xf4) {
            n = 3;
            hi = 0x8f; /* above is past U+10FFFF */
        } else {
            return i; /* continuation byte, C0/C1 overlong lead, or F5..FF */
        }
        if (len - i <= n)
            return i;
        if (p[i + 1] < lo || p[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return i;
        }
        i += n + 1;
    }
    return len;
}

bool utf8_valid(const char *s, size_t len)
{
    return utf8_valid_len(s, len) == len;
}
