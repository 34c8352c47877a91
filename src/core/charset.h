/* charset.h - Windows-1252 to UTF-8, and telling the two apart.
 *
 * Spreadsheets on Windows still save "CSV" in Windows-1252. The CSV importer
 * sniffs a file once (charset_sniff_*), then reads it with the encoding found,
 * transcoding with charset_cp1252_to_utf8() so that everything past the reader
 * is UTF-8. Pure: no allocation, no I/O. */
#ifndef SOUK_CORE_CHARSET_H
#define SOUK_CORE_CHARSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { CHARSET_UTF8, CHARSET_CP1252 } charset_t;

/* The most UTF-8 bytes one Windows-1252 byte becomes (U+20AC is E2 82 AC). */
#define CHARSET_CP1252_MAX_EXPANSION 3

/* Whether Windows-1252 assigns a character to byte c: all but 0x81, 0x8D,
 * 0x8F, 0x90 and 0x9D. (0x00-0x7F is ASCII, 0xA0-0xFF is ISO-8859-1, and
 * 0x80-0x9F are the typographic characters: euro sign, curly quotes, dashes...) */
bool charset_cp1252_defined(unsigned char c);

/* Transcode in[0..len) from Windows-1252 to UTF-8 into out, which has room for
 * CHARSET_CP1252_MAX_EXPANSION * len bytes (not NUL-terminated). Sets *outlen
 * and returns 0; returns SOUK_ENCODING if in holds a byte that Windows-1252
 * leaves undefined. Either way every byte is written, undefined ones as U+FFFD,
 * so out always holds valid UTF-8. in may be NULL if len is 0. */
int charset_cp1252_to_utf8(const char *in, size_t len, char *out, size_t *outlen);

/* Sniffing: decide whether a byte stream is UTF-8, Windows-1252, or neither.
 *   charset_sniff_t s; charset_sniff_init(&s);
 *   while (more) charset_sniff_feed(&s, chunk, n);
 *   rc = charset_sniff_finish(&s, &cs, &offset, &why);
 * Chunks may split a UTF-8 sequence anywhere. Constant memory, about 1 GB/s on
 * ASCII. The verdict:
 *   - no NUL byte and valid UTF-8 throughout (a BOM included): CHARSET_UTF8;
 *   - else, if every ill-formed UTF-8 sequence starts with a byte Windows-1252
 *     defines and the stream holds no well-formed multi-byte UTF-8 sequence at
 *     all: CHARSET_CP1252;
 *   - else refused: a NUL byte (UTF-16 or not text), a byte undefined in both,
 *     or a mix of well-formed UTF-8 and ill-formed bytes, which no single
 *     encoding reads without mojibake (e.g. rows pasted from a Windows-1252 file
 *     into a UTF-8 one). A Windows-1252 file in which a capital accented letter
 *     is directly followed by a character of 0x80-0xBF ("É”") looks like such a
 *     mix and is refused too: saving it as UTF-8 is the remedy. */
typedef struct {
    uint64_t offset;          /* bytes consumed so far */
    uint64_t first_nul;       /* offsets of the first of each, or UINT64_MAX */
    uint64_t first_invalid;   /* first byte of an ill-formed UTF-8 sequence */
    uint64_t first_undefined; /* ... of such a sequence that is undefined in cp1252 */
    uint64_t first_multibyte; /* first well-formed multi-byte UTF-8 sequence */
    unsigned char carry[3];   /* an incomplete sequence at the end of the last chunk */
    size_t ncarry;
} charset_sniff_t;

void charset_sniff_init(charset_sniff_t *s);
void charset_sniff_feed(charset_sniff_t *s, const void *data, size_t len);
/* After the last chunk: sets *cs and returns 0, or returns SOUK_ENCODING with
 * *bad_offset at the byte to blame (the earliest of the reasons that apply) and
 * *why a lowercase phrase for people (static storage) such as "a NUL byte".
 * bad_offset and why may be NULL. The sniffer must not be fed afterwards. */
int charset_sniff_finish(charset_sniff_t *s, charset_t *cs, uint64_t *bad_offset, const char **why);

#endif
