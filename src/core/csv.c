/* csv.c - see csv.h.
 *
 * Our own, because no CSV library worth depending on is in Debian for C:
 * libcsv (libcsv-dev 3.0.3, last released in 2013) is callback-driven and has
 * no line numbers, no per-field or per-record limits to recover from and no
 * encoding handling, and libfccp is C++. RFC 4180 with those is this file.
 *
 * Bytes come through a fixed read buffer and are copied (unescaped, and
 * transcoded from Windows-1252 if asked) into one record buffer, fields
 * separated by NULs, which only ever holds the current record. A state machine
 * carries the quoting across buffer refills; within a buffer, runs of ordinary
 * bytes are found with a table lookup and copied at once. UTF-8 is checked once
 * per finished record, so sequences split across reads need no care. */
#include "core/csv.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/charset.h"
#include "core/err.h"
#include "core/utf8.h"
#include "core/util.h"

struct csv_record {
    const csv_reader_t *r;
};

enum {
    ST_RECORD, /* before a record: skipping empty lines */
    ST_FIELD,  /* at the start of a field */
    ST_PLAIN,  /* in an unquoted field */
    ST_QUOTED, /* in a quoted field */
    ST_QUOTE,  /* just after a '"' in a quoted field: "" or the closing quote */
};

/* Bytes that end a run: in an unquoted field (bit 1), in a quoted one (bit 2). */
#define SP_PLAIN 1
#define SP_QUOTED 2
static const unsigned char special[256] = {
    [0] = SP_PLAIN | SP_QUOTED,
    ['\n'] = SP_PLAIN | SP_QUOTED,
    ['\r'] = SP_PLAIN | SP_QUOTED,
    [','] = SP_PLAIN,
    ['"'] = SP_QUOTED,
};

struct csv_reader {
    csv_read_fn read;
    void *ctx;
    csv_limits_t lim;
    csv_encoding_t enc;
    size_t rb_max; /* the most the record buffer may need (see csv.h) */

    unsigned char *in; /* the read buffer: in[pos..end) is unread */
    size_t cap, pos, end;
    uint64_t base; /* stream offset of in[0] */
    bool started, eof, skip_lf;
    int fatal; /* sticky SOUK_EIO, or CSV_END once the end was returned */

    size_t line;    /* the current physical line */
    bool quoted_cr; /* the last byte in a quoted field was CR (CRLF is one line) */

    /* The record being built: fields NUL-separated in rb[0..rlen). */
    char *rb;
    size_t rlen, rcap;
    size_t *off, *len; /* of each finished field */
    size_t nf, fcap;
    size_t fstart; /* where the current field starts in rb */
    size_t rec_line;
    csv_record_t rec;

    int err;          /* the record's first error, or 0 */
    int enc_err;      /* a deferred SOUK_ENCODING */
    size_t enc_field; /* ... in this field (0-based) */
    unsigned char enc_byte;
    char msg[192];
    size_t err_line;
};

/* ---- input ---- */

static ssize_t read_file(void *ctx, void *buf, size_t len)
{
    FILE *f = ctx;
    size_t n = fread(buf, 1, len, f);
    if (n == 0 && ferror(f))
        return -1;
    return (ssize_t)n;
}

/* Read more into in[end..cap). Returns the bytes read, 0 at the end, -1 on failure. */
static ssize_t fill(csv_reader_t *r)
{
    if (r->eof)
        return 0;
    if (r->pos == r->end) {
        r->base += r->end;
        r->pos = r->end = 0;
    }
    ssize_t n = r->read(r->ctx, r->in + r->end, r->cap - r->end);
    if (n < 0)
        return -1;
    if (n == 0)
        r->eof = true;
    ASSERT((size_t)n <= r->cap - r->end);
    r->end += (size_t)n;
    return n;
}

csv_reader_t *csv_open_fn(csv_read_fn fn, void *ctx, const csv_limits_t *lim, csv_encoding_t enc)
{
    csv_reader_t *r = xcalloc(1, sizeof(*r));
    r->read = fn;
    r->ctx = ctx;
    r->enc = enc;
    if (lim)
        r->lim = *lim;
    if (r->lim.max_field_bytes == 0)
        r->lim.max_field_bytes = CSV_DEFAULT_MAX_FIELD_BYTES;
    if (r->lim.max_fields == 0)
        r->lim.max_fields = CSV_DEFAULT_MAX_FIELDS;
    if (r->lim.max_record_bytes == 0)
        r->lim.max_record_bytes = CSV_DEFAULT_MAX_RECORD_BYTES;
    if (r->lim.buf_size == 0)
        r->lim.buf_size = CSV_DEFAULT_BUF_SIZE;
    if (r->lim.buf_size < CSV_MIN_BUF_SIZE)
        r->lim.buf_size = CSV_MIN_BUF_SIZE;
    r->cap = r->lim.buf_size;
    r->in = xmalloc(r->cap);
    /* Fields and their NULs, plus one transcoded read buffer of slack. */
    r->rb_max = st_add(st_add(r->lim.max_record_bytes, r->lim.max_fields),
                       st_add(st_mult(r->cap, CHARSET_CP1252_MAX_EXPANSION), 1));
    r->line = 1;
    r->rec.r = r;
    return r;
}

csv_reader_t *csv_open(FILE *f, const csv_limits_t *lim, csv_encoding_t enc)
{
    return csv_open_fn(read_file, f, lim, enc);
}

void csv_close(csv_reader_t *r)
{
    if (r == NULL)
        return;
    free(r->in);
    free(r->rb);
    free(r->off);
    free(r->len);
    free(r);
}

/* ---- building a record ---- */

static void set_error(csv_reader_t *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_error(csv_reader_t *r, int code, const char *fmt, ...)
{
    if (r->err)
        return;
    r->err = code;
    int n = snprintf(r->msg, sizeof(r->msg), "line %zu: ", r->rec_line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg + n, sizeof(r->msg) - (size_t)n, fmt, ap);
    va_end(ap);
}

static void rb_grow(csv_reader_t *r, size_t need)
{
    ASSERT(need <= r->rb_max);
    size_t cap = r->rcap ? r->rcap : 4096;
    while (cap < need)
        cap = st_mult(cap, 2);
    if (cap > r->rb_max)
        cap = r->rb_max;
    r->rb = xrealloc(r->rb, cap);
    r->rcap = cap;
}

/* Room for extra more bytes and a NUL. The sum cannot overflow: rlen and extra
 * are both below rb_max, which was computed with checked arithmetic. */
static inline void rb_reserve(csv_reader_t *r, size_t extra)
{
    if (r->rlen + extra + 1 > r->rcap)
        rb_grow(r, r->rlen + extra + 1);
}

/* Whether n more bytes fit the current field and record; sets the error if not. */
static bool room_for(csv_reader_t *r, size_t n)
{
    size_t field = r->rlen - r->fstart, record = r->rlen - r->nf; /* minus the NULs */
    if (n > r->lim.max_field_bytes - field) {
        set_error(r, SOUK_ELIMIT, "field %zu is longer than %zu bytes", r->nf + 1,
                  r->lim.max_field_bytes);
        return false;
    }
    if (n > r->lim.max_record_bytes - record) {
        set_error(r, SOUK_ELIMIT, "record is longer than %zu bytes", r->lim.max_record_bytes);
        return false;
    }
    return true;
}

/* Append raw input bytes s[0..n) (no NUL among them) to the current field. */
static void append(csv_reader_t *r, const unsigned char *s, size_t n)
{
    if (r->err || n == 0)
        return;
    if (r->enc == CSV_UTF8) {
        if (!room_for(r, n))
            return;
        rb_reserve(r, n);
        memcpy(r->rb + r->rlen, s, n);
        r->rlen += n;
        return;
    }
    size_t out;
    rb_reserve(r, n * CHARSET_CP1252_MAX_EXPANSION); /* n <= cap: checked in csv_open_fn */
    if (charset_cp1252_to_utf8((const char *)s, n, r->rb + r->rlen, &out) != 0 && r->enc_err == 0) {
        size_t i = 0;
        while (charset_cp1252_defined(s[i]))
            i++;
        r->enc_err = SOUK_ENCODING;
        r->enc_field = r->nf;
        r->enc_byte = s[i];
    }
    if (room_for(r, out))
        r->rlen += out;
}

static void append_byte(csv_reader_t *r, unsigned char c)
{
    append(r, &c, 1);
}

static void note_nul(csv_reader_t *r)
{
    if (r->enc_err == 0) {
        r->enc_err = SOUK_ENCODING;
        r->enc_field = r->nf;
        r->enc_byte = 0;
    }
}

static void end_field(csv_reader_t *r)
{
    if (r->err)
        return;
    if (r->nf == r->fcap) {
        size_t cap = r->fcap ? st_mult(r->fcap, 2) : 64;
        if (cap > r->lim.max_fields)
            cap = r->lim.max_fields;
        r->off = xrealloc(r->off, st_mult(cap, sizeof(*r->off)));
        r->len = xrealloc(r->len, st_mult(cap, sizeof(*r->len)));
        r->fcap = cap;
    }
    rb_reserve(r, 0);
    r->off[r->nf] = r->fstart;
    r->len[r->nf] = r->rlen - r->fstart;
    r->rb[r->rlen++] = '\0';
    r->nf++;
}

/* After a ',': the next field starts, if the record may have another. */
static void next_field(csv_reader_t *r)
{
    end_field(r);
    if (!r->err && r->nf == r->lim.max_fields)
        set_error(r, SOUK_ELIMIT, "more than %zu fields", r->lim.max_fields);
    r->fstart = r->rlen;
}

/* The length of the longest valid UTF-8 prefix of s[0..n): ASCII is skipped a
 * word at a time, the rest checked by utf8_valid_len() one non-ASCII run at a
 * time (an ASCII byte always ends a run on a sequence boundary). */
static size_t utf8_prefix(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        while (n - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        while (i < n && p[i] < 0x80)
            i++;
        size_t j = i;
        while (j < n && p[j] >= 0x80)
            j++;
        size_t ok = utf8_valid_len(s + i, j - i);
        if (ok < j - i)
            return i + ok;
        i = j;
    }
    return n;
}

/* Byte c follows a closing quote. The record's line is in every message; the
 * physical line is added when the record started earlier. */
static void garbage_error(csv_reader_t *r, unsigned char c)
{
    char what[16], where[40] = "";
    if (c >= 0x21 && c <= 0x7e)
        snprintf(what, sizeof(what), "'%c'", c);
    else
        snprintf(what, sizeof(what), "byte 0x%02X", c);
    if (r->line != r->rec_line)
        snprintf(where, sizeof(where), " on line %zu", r->line);
    set_error(r, SOUK_EINVAL, "field %zu: unexpected %s after a closing quote%s", r->nf + 1, what,
              where);
}

/* The record is complete: 0 with the record, or its error. */
static int finish_record(csv_reader_t *r)
{
    if (!r->err && r->enc_err) {
        if (r->enc_byte == 0)
            set_error(r, SOUK_ENCODING, "field %zu: NUL byte", r->enc_field + 1);
        else
            set_error(r, SOUK_ENCODING, "field %zu: byte 0x%02X is not defined in Windows-1252",
                      r->enc_field + 1, r->enc_byte);
    }
    if (!r->err && r->enc == CSV_UTF8) {
        size_t ok = utf8_prefix(r->rb, r->rlen);
        if (ok < r->rlen) {
            size_t f = 0;
            while (r->off[f] + r->len[f] <= ok)
                f++;
            set_error(r, SOUK_ENCODING, "field %zu: invalid UTF-8 at byte %zu of the field", f + 1,
                      ok - r->off[f] + 1);
        }
    }
    if (r->err) {
        r->err_line = r->rec_line;
        return r->err;
    }
    return 0;
}

static bool is_bom(const unsigned char *p)
{
    return p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf;
}

/* ---- the state machine ---- */

int csv_next(csv_reader_t *r, csv_record_t **rec)
{
    *rec = NULL;
    if (r->fatal)
        return r->fatal;
    r->msg[0] = '\0';
    r->err = r->enc_err = 0;
    r->err_line = 0;
    r->rlen = r->nf = r->fstart = 0;

    if (!r->started) {
        r->started = true;
        while (r->end < 3) {
            ssize_t n = fill(r);
            if (n < 0)
                goto io_error;
            if (n == 0)
                break;
        }
        if (r->end >= 3 && is_bom(r->in))
            r->pos = 3;
    }

    int st = ST_RECORD, rc;
    const unsigned char *p = r->in + r->pos, *end = r->in + r->end;
    for (;;) {
        if (p == end) {
            r->pos = r->end;
            ssize_t n = fill(r);
            if (n < 0)
                goto io_error;
            p = r->in + r->pos;
            end = r->in + r->end;
            if (n == 0)
                break;
        }
        switch (st) {
        case ST_RECORD:
            if (r->skip_lf) {
                r->skip_lf = false;
                if (*p == '\n') {
                    p++;
                    continue;
                }
            }
            if (*p == '\n' || *p == '\r') {
                r->skip_lf = *p == '\r';
                r->line++;
                p++;
                continue;
            }
            r->rec_line = r->line;
            st = ST_FIELD;
            continue;
        case ST_FIELD:
            if (*p == '"') {
                p++;
                r->quoted_cr = false;
                st = ST_QUOTED;
            } else {
                st = ST_PLAIN;
            }
            continue;
        case ST_PLAIN: {
            const unsigned char *s = p;
            while (p < end && !(special[*p] & SP_PLAIN))
                p++;
            append(r, s, (size_t)(p - s));
            if (p == end)
                continue;
            unsigned char c = *p++;
            if (c == ',') {
                next_field(r);
                st = ST_FIELD;
            } else if (c == '\0') {
                note_nul(r);
            } else {
                r->skip_lf = c == '\r';
                r->line++;
                goto done;
            }
            continue;
        }
        case ST_QUOTED: {
            const unsigned char *s = p;
            while (p < end && !(special[*p] & SP_QUOTED))
                p++;
            if (p > s) {
                append(r, s, (size_t)(p - s));
                r->quoted_cr = false;
            }
            if (p == end)
                continue;
            unsigned char c = *p++;
            if (c == '"') {
                st = ST_QUOTE;
                continue;
            }
            if (c == '\0') {
                note_nul(r);
            } else {
                if (c == '\r' || !r->quoted_cr)
                    r->line++;
                append_byte(r, c);
            }
            r->quoted_cr = c == '\r';
            continue;
        }
        case ST_QUOTE: {
            unsigned char c = *p;
            if (c == '"') {
                append_byte(r, '"');
                p++;
                r->quoted_cr = false;
                st = ST_QUOTED;
            } else if (c == ',' || c == '\r' || c == '\n') {
                st = ST_PLAIN; /* which ends the field at once */
            } else {
                garbage_error(r, c);
                st = ST_PLAIN;
            }
            continue;
        }
        default:
            BUG("csv: state %d", st);
        }
    }

    /* The end of the input. */
    r->pos = r->end;
    switch (st) {
    case ST_RECORD:
        r->fatal = CSV_END;
        return CSV_END;
    case ST_QUOTED:
        set_error(r, SOUK_EINVAL, "field %zu: quoted field not closed at the end of the input",
                  r->nf + 1);
        break;
    default: /* a last record without a line end */
        break;
    }
    end_field(r);
    rc = finish_record(r);
    goto out;
done:
    r->pos = (size_t)(p - r->in);
    end_field(r);
    rc = finish_record(r);
out:
    if (rc == 0)
        *rec = &r->rec;
    return rc;
io_error:
    r->fatal = SOUK_EIO;
    r->err_line = 0;
    snprintf(r->msg, sizeof(r->msg), "read failed after byte %llu",
             (unsigned long long)csv_bytes_read(r));
    return SOUK_EIO;
}

const char *csv_error(const csv_reader_t *r)
{
    return r->msg;
}

size_t csv_error_line(const csv_reader_t *r)
{
    return r->err_line;
}

uint64_t csv_bytes_read(const csv_reader_t *r)
{
    return r->base + r->pos;
}

/* ---- records ---- */

size_t csv_field_count(const csv_record_t *rec)
{
    return rec->r->nf;
}

const char *csv_field(const csv_record_t *rec, size_t i, size_t *len)
{
    const csv_reader_t *r = rec->r;
    ASSERT(i < r->nf);
    if (len)
        *len = r->len[i];
    return r->rb + r->off[i];
}

size_t csv_record_line(const csv_record_t *rec)
{
    return rec->r->rec_line;
}

/* ---- writing ---- */

static bool needs_quotes(const char *s, size_t len, size_t n)
{
    if (len == 0)
        return n == 1;
    if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t')
        return true;
    if (len >= 3 && is_bom((const unsigned char *)s))
        return true;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\r' || c == '\n')
            return true;
    }
    return false;
}

void csv_write_record(buf_t *out, const char *const *fields, const size_t *lens, size_t n)
{
    ASSERT(n > 0);
    for (size_t i = 0; i < n; i++) {
        const char *s = fields[i];
        size_t len = lens ? lens[i] : strlen(s);
        if (i > 0)
            buf_putc(out, ',');
        if (!needs_quotes(s, len, n)) {
            buf_append(out, s, len);
            continue;
        }
        buf_putc(out, '"');
        const char *q;
        while ((q = memchr(s, '"', len)) != NULL) {
            size_t k = (size_t)(q - s) + 1; /* through the quote, then one more */
            buf_append(out, s, k);
            buf_putc(out, '"');
            s += k;
            len -= k;
        }
        buf_append(out, s, len);
        buf_putc(out, '"');
    }
    buf_putc(out, '\n');
}

/* ---- encoding detection ---- */

int csv_detect_encoding(const char *path, csv_encoding_t *enc, uint64_t *bad_offset)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return SOUK_EIO;
    int rc = 0;
    charset_sniff_t s;
    charset_sniff_init(&s);
    size_t cap = 256 << 10;
    char *chunk = xmalloc(cap);
    size_t n;
    while ((n = fread(chunk, 1, cap, f)) > 0)
        charset_sniff_feed(&s, chunk, n);
    if (ferror(f)) {
        rc = SOUK_EIO;
        goto out;
    }
    charset_t cs;
    rc = charset_sniff_finish(&s, &cs, bad_offset, NULL);
    if (rc == 0)
        *enc = cs == CHARSET_UTF8 ? CSV_UTF8 : CSV_CP1252;
out:
    free(chunk);
    fclose(f);
    return rc;
}
