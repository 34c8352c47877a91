/* fuzz_csv.c - libFuzzer target for the CSV reader (csv_next), the writer
 * (csv_write_record), the charset sniffer and the Windows-1252 transcoder.
 *
 * The first input byte picks the encoding, the limits (small ones so that the
 * limit paths are hit), the read buffer size and how the input is cut into
 * reads; the rest is the CSV. The reader is compared with a slow whole-input
 * reference parser (same records, fields, lines and error codes), its output
 * is checked (valid UTF-8, no NUL, within the limits, lines increasing), and
 * the records that parsed are written out and read back unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/charset.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/utf8.h"
#include "fuzz_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the reference: the rules of csv.h, one byte at a time ---- */

static const uint16_t ref_c1[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017d, 0,      0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178,
};

static bool ref_undefined(uint8_t c)
{
    return c == 0x81 || c == 0x8d || c == 0x8f || c == 0x90 || c == 0x9d;
}

/* Windows-1252 byte c as UTF-8 into out; returns its length. */
static size_t ref_cp1252(uint8_t c, uint8_t *out)
{
    uint32_t cp = c;
    if (ref_undefined(c))
        cp = 0xfffd;
    else if (c >= 0x80 && c < 0xa0)
        cp = ref_c1[c - 0x80];
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xc0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3f));
        return 2;
    }
    out[0] = (uint8_t)(0xe0 | cp >> 12);
    out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
    out[2] = (uint8_t)(0x80 | (cp & 0x3f));
    return 3;
}

typedef struct {
    const csv_limits_t *lim;
    csv_encoding_t enc;
    int err, enc_err;
    buf_t cur;    /* the field being read */
    buf_t fields; /* finished fields, each as "len:bytes" */
    size_t nf, rec_bytes;
} ref_rec_t;

static void ref_error(ref_rec_t *x, int code)
{
    if (x->err == 0)
        x->err = code;
}

static void ref_put(ref_rec_t *x, uint8_t c)
{
    if (c == 0) {
        if (x->enc_err == 0)
            x->enc_err = SOUK_ENCODING;
        return;
    }
    uint8_t out[3];
    size_t n = 1;
    out[0] = c;
    if (x->enc == CSV_CP1252) {
        if (ref_undefined(c) && x->enc_err == 0)
            x->enc_err = SOUK_ENCODING;
        n = ref_cp1252(c, out);
    }
    if (x->err)
        return;
    if (x->cur.len + n > x->lim->max_field_bytes || x->rec_bytes + n > x->lim->max_record_bytes) {
        ref_error(x, SOUK_ELIMIT);
        return;
    }
    buf_append(&x->cur, out, n);
    x->rec_bytes += n;
}

static void ref_end_field(ref_rec_t *x)
{
    if (x->err)
        return;
    if (x->enc == CSV_UTF8 && !ref_utf8_valid((const uint8_t *)buf_cstr(&x->cur), x->cur.len) &&
        x->enc_err == 0)
        x->enc_err = SOUK_ENCODING;
    buf_printf(&x->fields, "%zu:", x->cur.len);
    buf_append(&x->fields, buf_cstr(&x->cur), x->cur.len);
    buf_reset(&x->cur);
    x->nf++;
}

static bool ref_sep(uint8_t c)
{
    return c == ',' || c == '\r' || c == '\n';
}

/* Parse all of d[0..n) into out: per record "line rc nf|" and, if rc is 0, its
 * fields as "len:bytes". Returns whether any record failed with SOUK_ENCODING. */
static bool ref_parse(const uint8_t *d, size_t n, const csv_limits_t *lim, csv_encoding_t enc,
                      buf_t *out)
{
    bool any_enc = false;
    size_t i = 0, line = 1;
    if (n >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf)
        i = 3;
    for (;;) {
        while (i < n && (d[i] == '\r' || d[i] == '\n')) {
            i += d[i] == '\r' && i + 1 < n && d[i + 1] == '\n' ? 2 : 1;
            line++;
        }
        if (i == n)
            return any_enc;
        ref_rec_t x = {lim, enc, 0, 0, BUF_INIT, BUF_INIT, 0, 0};
        size_t rec_line = line;
        for (;;) {
            if (i < n && d[i] == '"') {
                i++;
                for (;;) {
                    if (i == n) {
                        ref_error(&x, SOUK_EINVAL);
                        break;
                    }
                    uint8_t c = d[i++];
                    if (c == '"') {
                        if (i < n && d[i] == '"') {
                            ref_put(&x, '"');
                            i++;
                            continue;
                        }
                        break;
                    }
                    if (c == '\r' && i < n && d[i] == '\n') {
                        ref_put(&x, '\r');
                        c = d[i++];
                    }
                    if (c == '\r' || c == '\n')
                        line++;
                    ref_put(&x, c);
                }
                if (i < n && !ref_sep(d[i]))
                    ref_error(&x, SOUK_EINVAL); /* and the rest is unquoted */
            }
            while (i < n && !ref_sep(d[i]))
                ref_put(&x, d[i++]);
            ref_end_field(&x);
            if (i < n && d[i] == ',') {
                if (x.err == 0 && x.nf == lim->max_fields)
                    ref_error(&x, SOUK_ELIMIT);
                i++;
                continue;
            }
            if (i < n) {
                i += d[i] == '\r' && i + 1 < n && d[i + 1] == '\n' ? 2 : 1;
                line++;
            }
            break;
        }
        int rc = x.err ? x.err : x.enc_err;
        any_enc |= rc == SOUK_ENCODING;
        buf_printf(out, "%zu %d %zu|", rec_line, rc, rc ? 0 : x.nf);
        if (rc == 0)
            buf_append(out, buf_cstr(&x.fields), x.fields.len);
        buf_free(&x.cur);
        buf_free(&x.fields);
    }
}

/* The sniffer's rules, written the other way round: decode, then judge. */
static int ref_sniff(const uint8_t *d, size_t n, charset_t *cs, uint64_t *at)
{
    uint64_t nul = UINT64_MAX, undef = UINT64_MAX, invalid = UINT64_MAX, multi = UINT64_MAX;
    for (size_t i = 0; i < n;) {
        uint8_t c = d[i];
        size_t k = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (c < 0x80) {
            if (c == 0 && nul == UINT64_MAX)
                nul = i;
            i++;
        } else if (k && i + k <= n && ref_utf8_valid(d + i, k)) {
            if (multi == UINT64_MAX)
                multi = i;
            i += k;
        } else {
            if (invalid == UINT64_MAX)
                invalid = i;
            if (ref_undefined(c) && undef == UINT64_MAX)
                undef = i;
            i++;
        }
    }
    uint64_t bad = nul < undef ? nul : undef;
    if (multi != UINT64_MAX && invalid < bad)
        bad = invalid;
    if (bad != UINT64_MAX) {
        *at = bad;
        return SOUK_ENCODING;
    }
    *cs = invalid == UINT64_MAX ? CHARSET_UTF8 : CHARSET_CP1252;
    return 0;
}

/* ---- the real thing ---- */

typedef struct {
    const uint8_t *p;
    size_t len, pos;
    uint32_t seed;
} src_t;

static size_t next_chunk(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return 1 + (*seed >> 16) % 16;
}

static ssize_t src_read(void *ctx, void *buf, size_t len)
{
    src_t *s = ctx;
    size_t n = s->len - s->pos, want = next_chunk(&s->seed);
    if (n > want)
        n = want;
    if (n > len)
        n = len;
    memcpy(buf, s->p + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
}

/* Read d[0..n) with the real reader into out (as ref_parse does), checking
 * its output as it goes. The records that parsed also go to ok (their fields
 * only) and, through the writer, to rt. Returns the number of failed records. */
static size_t real_parse(const uint8_t *d, size_t n, const csv_limits_t *lim, csv_encoding_t enc,
                         uint32_t seed, buf_t *out, buf_t *ok, buf_t *rt)
{
    src_t src = {d, n, 0, seed};
    csv_reader_t *r = csv_open_fn(src_read, &src, lim, enc);
    csv_record_t *rec = NULL;
    size_t last_line = 0, failed = 0;
    uint64_t last_bytes = 0;
    const char **fields = malloc(lim->max_fields * sizeof(*fields));
    size_t *lens = malloc(lim->max_fields * sizeof(*lens));
    int rc;
    while ((rc = csv_next(r, &rec)) != CSV_END) {
        FUZZ_CHECK(rc <= 0 && rc != SOUK_EIO);
        FUZZ_CHECK(csv_bytes_read(r) >= last_bytes);
        last_bytes = csv_bytes_read(r);
        if (rc < 0) {
            FUZZ_CHECK(rec == NULL && csv_error(r)[0] != '\0');
            FUZZ_CHECK(csv_error_line(r) > last_line);
            last_line = csv_error_line(r);
            buf_printf(out, "%zu %d 0|", last_line, rc);
            failed++;
            continue;
        }
        FUZZ_CHECK(csv_record_line(rec) > last_line);
        FUZZ_CHECK(csv_error(r)[0] == '\0');
        last_line = csv_record_line(rec);
        size_t nf = csv_field_count(rec), total = 0;
        FUZZ_CHECK(nf >= 1 && nf <= lim->max_fields);
        buf_printf(out, "%zu 0 %zu|", last_line, nf);
        for (size_t i = 0; i < nf; i++) {
            size_t len;
            const char *s = csv_field(rec, i, &len);
            FUZZ_CHECK(s[len] == '\0' && strlen(s) == len);
            FUZZ_CHECK(utf8_valid(s, len));
            FUZZ_CHECK(len <= lim->max_field_bytes);
            total += len;
            buf_printf(out, "%zu:", len);
            buf_append(out, s, len);
            buf_printf(ok, "%zu:", len);
            buf_append(ok, s, len);
            fields[i] = s;
            lens[i] = len;
        }
        buf_putc(ok, '|');
        FUZZ_CHECK(total <= lim->max_record_bytes);
        csv_write_record(rt, fields, lens, nf);
    }
    FUZZ_CHECK(csv_next(r, &rec) == CSV_END && rec == NULL);
    FUZZ_CHECK(csv_bytes_read(r) == n);
    free(fields);
    free(lens);
    csv_close(r);
    return failed;
}

static void check_transcoder(const uint8_t *d, size_t n)
{
    char *out = malloc(n * CHARSET_CP1252_MAX_EXPANSION + 1);
    size_t outlen = (size_t)-1, want = 0;
    bool undef = false;
    int rc = charset_cp1252_to_utf8((const char *)d, n, out, &outlen);
    for (size_t i = 0; i < n; i++) {
        uint8_t tmp[3];
        size_t k = ref_cp1252(d[i], tmp);
        FUZZ_CHECK(want + k <= outlen && memcmp(out + want, tmp, k) == 0);
        want += k;
        undef |= ref_undefined(d[i]);
    }
    FUZZ_CHECK(outlen == want && rc == (undef ? SOUK_ENCODING : 0));
    FUZZ_CHECK(utf8_valid(out, outlen));
    free(out);
}

static void check_sniffer(const uint8_t *d, size_t n, uint32_t seed, const csv_limits_t *lim)
{
    charset_t want_cs = CHARSET_UTF8, cs = (charset_t)-1;
    uint64_t want_at = 0, at = 0;
    const char *why = NULL;
    int want = ref_sniff(d, n, &want_cs, &want_at);

    charset_sniff_t s;
    charset_sniff_init(&s);
    for (size_t i = 0; i < n;) {
        size_t k = next_chunk(&seed);
        if (k > n - i)
            k = n - i;
        charset_sniff_feed(&s, d + i, k);
        i += k;
    }
    int rc = charset_sniff_finish(&s, &cs, &at, &why);
    FUZZ_CHECK(rc == want);
    if (rc == 0) {
        FUZZ_CHECK(cs == want_cs);
        /* What the sniffer accepts reads without an encoding error. */
        buf_t out = BUF_INIT;
        csv_encoding_t enc = cs == CHARSET_UTF8 ? CSV_UTF8 : CSV_CP1252;
        FUZZ_CHECK(!ref_parse(d, n, lim, enc, &out));
        buf_free(&out);
    } else {
        FUZZ_CHECK(at == want_at && at < n && why != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 16)
        return 0;
    uint8_t cfg = data[0];
    const uint8_t *d = data + 1;
    size_t n = size - 1;
    csv_encoding_t enc = cfg & 1 ? CSV_CP1252 : CSV_UTF8;
    csv_limits_t lim = {CSV_DEFAULT_MAX_FIELD_BYTES, 64, CSV_DEFAULT_MAX_RECORD_BYTES,
                        4 + (cfg >> 2 & 31)};
    if (cfg & 2) {
        lim.max_field_bytes = 1 + (cfg >> 2 & 15);
        lim.max_fields = 1 + (cfg >> 6);
        lim.max_record_bytes = 1 + (cfg >> 3 & 31);
        lim.buf_size = 4 + (cfg >> 5);
    }
    uint32_t seed = cfg * 2654435761u;

    buf_t want = BUF_INIT, got = BUF_INIT, ok = BUF_INIT, rt = BUF_INIT;
    ref_parse(d, n, &lim, enc, &want);
    real_parse(d, n, &lim, enc, seed, &got, &ok, &rt);
    FUZZ_CHECK(got.len == want.len && memcmp(buf_cstr(&got), buf_cstr(&want), got.len) == 0);

    /* writer(reader(x)) reads back as reader(x): every record parses, the
     * fields are the same, and writing them again gives the same bytes. */
    buf_t got2 = BUF_INIT, ok2 = BUF_INIT, rt2 = BUF_INIT;
    csv_limits_t rlim = lim;
    rlim.buf_size = 4 + (cfg & 7);
    size_t failed = real_parse((const uint8_t *)buf_cstr(&rt), rt.len, &rlim, CSV_UTF8, seed + 1,
                               &got2, &ok2, &rt2);
    FUZZ_CHECK(failed == 0);
    FUZZ_CHECK(ok2.len == ok.len && memcmp(buf_cstr(&ok2), buf_cstr(&ok), ok.len) == 0);
    FUZZ_CHECK(rt2.len == rt.len && memcmp(buf_cstr(&rt2), buf_cstr(&rt), rt.len) == 0);

    check_transcoder(d, n);
    check_sniffer(d, n, seed, &lim);

    buf_free(&want);
    buf_free(&got);
    buf_free(&ok);
    buf_free(&rt);
    buf_free(&got2);
    buf_free(&ok2);
    buf_free(&rt2);
    return 0;
}
