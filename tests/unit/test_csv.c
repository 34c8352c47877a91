/* test_csv.c - the streaming CSV reader and writer, Windows-1252 detection and
 * transcoding. Inputs come from memory through a read function that hands out
 * a few bytes at a time (so records, quotes, CRLFs and UTF-8 sequences straddle
 * reads), or from files under test_tmpdir(). */
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#include "core/buf.h"
#include "core/charset.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/utf8.h"
#include "core/util.h"

#define S(lit) (lit), (sizeof(lit) - 1)
#define MEM(lit)                                                                                   \
    {                                                                                              \
        .p = (lit), .len = sizeof(lit) - 1                                                         \
    }

typedef struct {
    const char *p;
    size_t len, pos, chunk;
    size_t fail_at; /* return -1 once pos reaches this (0: never) */
} mem_src_t;

static ssize_t mem_read(void *ctx, void *buf, size_t len)
{
    mem_src_t *m = ctx;
    if (m->fail_at && m->pos >= m->fail_at)
        return -1;
    size_t n = m->len - m->pos;
    if (n > len)
        n = len;
    if (m->chunk && n > m->chunk)
        n = m->chunk;
    memcpy(buf, m->p + m->pos, n);
    m->pos += n;
    return (ssize_t)n;
}

/* Append field bytes with CR, LF and NUL made visible. */
static void dump_field(buf_t *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\r')
            buf_puts(b, "\\r");
        else if (s[i] == '\n')
            buf_puts(b, "\\n");
        else
            buf_putc(b, s[i]);
    }
}

/* Read everything into "line:f1|f2;" per record and "line:!code;" per error. */
static void dump_reader(csv_reader_t *r, buf_t *out)
{
    csv_record_t *rec;
    int rc;
    while ((rc = csv_next(r, &rec)) != CSV_END) {
        if (rc < 0) {
            CHECK(rec == NULL);
            CHECK(csv_error(r)[0] != '\0');
            buf_printf(out, "%zu:!%d;", csv_error_line(r), rc);
            if (rc == SOUK_EIO)
                break;
            continue;
        }
        CHECK_INT(rc, 0);
        buf_printf(out, "%zu:", csv_record_line(rec));
        for (size_t i = 0; i < csv_field_count(rec); i++) {
            size_t len;
            const char *s = csv_field(rec, i, &len);
            CHECK(s[len] == '\0');
            if (i)
                buf_putc(out, '|');
            dump_field(out, s, len);
        }
        buf_putc(out, ';');
    }
}

static char *dump_mem(const char *data, size_t len, const csv_limits_t *lim, csv_encoding_t enc,
                      size_t chunk)
{
    mem_src_t m = {.p = data, .len = len, .chunk = chunk};
    csv_reader_t *r = csv_open_fn(mem_read, &m, lim, enc);
    buf_t out = BUF_INIT;
    dump_reader(r, &out);
    CHECK_INT(csv_bytes_read(r), len);
    csv_close(r);
    buf_putc(&out, '\0');
    return buf_detach(&out, NULL);
}

/* The dump must be the same however the input is cut into reads and however
 * small the read buffer is. */
static void check_csv(const char *data, size_t len, const csv_limits_t *lim, csv_encoding_t enc,
                      const char *want)
{
    static const size_t chunks[] = {0, 1, 2, 3, 5, 7, 64};
    static const size_t bufs[] = {0, 4, 5, 8, 13};
    for (size_t b = 0; b < ARRAY_LEN(bufs); b++) {
        csv_limits_t l = {0, 0, 0, 0};
        if (lim)
            l = *lim;
        l.buf_size = bufs[b];
        for (size_t c = 0; c < ARRAY_LEN(chunks); c++) {
            char *got = dump_mem(data, len, &l, enc, chunks[c]);
            if (strcmp(got, want) != 0)
                test_fail(__FILE__, __LINE__, "buf %zu chunk %zu: got \"%s\", expected \"%s\"",
                          bufs[b], chunks[c], got, want);
            free(got);
        }
    }
}

static const char *tmpfile_with(const char *name, const char *data, size_t len)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK(fwrite(data, 1, len, f) == len);
        fclose(f);
    }
    return path;
}

/* ---- the grammar ---- */

TEST(csv_quoting_and_escapes)
{
    check_csv(S("a,\"b,c\",\"say \"\"hi\"\"\",\"\",\"\"\"\"\n"), NULL, CSV_UTF8,
              "1:a|b,c|say \"hi\"||\";");
    check_csv(S("Handle,Title\nshirt,\"Shirt, blue\"\n"), NULL, CSV_UTF8,
              "1:Handle|Title;2:shirt|Shirt, blue;");
}

TEST(csv_line_breaks_inside_quotes)
{
    check_csv(S("\"x\r\ny\",1\n\"p\nq\rr\",2\nlast,3\n"), NULL, CSV_UTF8,
              "1:x\\r\\ny|1;3:p\\nq\\rr|2;6:last|3;");
    /* CR at the end of one read and LF at the start of the next is one line. */
    check_csv(S("\"a\r\n\r\n\",b\r\nc\n"), NULL, CSV_UTF8, "1:a\\r\\n\\r\\n|b;4:c;");
}

TEST(csv_record_ends_mixed)
{
    check_csv(S("a\r\nb\nc\rd\r\n\ne"), NULL, CSV_UTF8, "1:a;2:b;3:c;4:d;6:e;");
    check_csv(S("a,b\r\n1,2\r\n"), NULL, CSV_UTF8, "1:a|b;2:1|2;");
    check_csv(S("x\r\r\ny\n\r\n\nz\r"), NULL, CSV_UTF8, "1:x;3:y;6:z;");
}

TEST(csv_final_record_without_newline)
{
    check_csv(S("a,b\nc,d"), NULL, CSV_UTF8, "1:a|b;2:c|d;");
    check_csv(S("a,b\n\"c\",\"d\""), NULL, CSV_UTF8, "1:a|b;2:c|d;");
    check_csv(S("a,"), NULL, CSV_UTF8, "1:a|;");
    check_csv(S(""), NULL, CSV_UTF8, "");
    check_csv(S("\n\r\n\r"), NULL, CSV_UTF8, "");
}

TEST(csv_bom_is_skipped_at_the_start_only)
{
    check_csv(S("\xef\xbb\xbfHandle,Title\nh,t\n"), NULL, CSV_UTF8, "1:Handle|Title;2:h|t;");
    check_csv(S("\xef\xbb\xbf"), NULL, CSV_UTF8, "");
    check_csv(S("\xef\xbb\xbf\"q\"\n"), NULL, CSV_UTF8, "1:q;");
    check_csv(S("a\n\xef\xbb\xbf"
                "b\n"),
              NULL, CSV_UTF8,
              "1:a;2:\xef\xbb\xbf"
              "b;");
    check_csv(S("\xef\xbb"), NULL, CSV_UTF8, "1:!-10;");
}

TEST(csv_ragged_rows_and_empty_fields)
{
    check_csv(S("a,b,c\n1\n,,\n\"\"\n,\"\",\n"), NULL, CSV_UTF8, "1:a|b|c;2:1;3:||;4:;5:||;");
}

TEST(csv_quote_inside_unquoted_field_is_literal)
{
    check_csv(S("a\"b,c\"\"d, \"x\",5\"\n"), NULL, CSV_UTF8, "1:a\"b|c\"\"d| \"x\"|5\";");
}

TEST(csv_garbage_after_closing_quote_is_an_error)
{
    const char in[] = "h1,h2\n\"abc\"x,2\n\"a\"\"\" ,1\nnext,1\n";
    check_csv(in, sizeof(in) - 1, NULL, CSV_UTF8, "1:h1|h2;2:!-1;3:!-1;4:next|1;");

    mem_src_t m = MEM(in);
    csv_reader_t *r = csv_open_fn(mem_read, &m, NULL, CSV_UTF8);
    csv_record_t *rec;
    CHECK_INT(csv_next(r, &rec), 0);
    CHECK_INT(csv_next(r, &rec), SOUK_EINVAL);
    CHECK_STR(csv_error(r), "line 2: field 1: unexpected 'x' after a closing quote");
    CHECK_INT(csv_error_line(r), 2);
    CHECK_INT(csv_next(r, &rec), SOUK_EINVAL);
    CHECK_STR(csv_error(r), "line 3: field 1: unexpected byte 0x20 after a closing quote");
    CHECK_INT(csv_next(r, &rec), 0);
    CHECK_STR(csv_error(r), "");
    CHECK_INT(csv_next(r, &rec), CSV_END);
    csv_close(r);

    /* The rest of the bad field is unquoted: its quotes do not open anything. */
    check_csv(S("\"a\"b\"c,\nd\"\nok\n"), NULL, CSV_UTF8, "1:!-1;2:d\";3:ok;");
    /* A garbage error on a later line of a multi-line record. */
    check_csv(S("\"a\nb\"c\nok\n"), NULL, CSV_UTF8, "1:!-1;3:ok;");
    mem_src_t m2 = MEM("x,\"a\nb\"c\n");
    r = csv_open_fn(mem_read, &m2, NULL, CSV_UTF8);
    CHECK_INT(csv_next(r, &rec), SOUK_EINVAL);
    CHECK_STR(csv_error(r), "line 1: field 2: unexpected 'c' after a closing quote on line 2");
    csv_close(r);
}

TEST(csv_unclosed_quote_at_the_end)
{
    check_csv(S("a,b\nc,\"open\nmore\n"), NULL, CSV_UTF8, "1:a|b;2:!-1;");
    mem_src_t m = MEM("x,\"open");
    csv_reader_t *r = csv_open_fn(mem_read, &m, NULL, CSV_UTF8);
    csv_record_t *rec;
    CHECK_INT(csv_next(r, &rec), SOUK_EINVAL);
    CHECK_STR(csv_error(r), "line 1: field 2: quoted field not closed at the end of the input");
    CHECK_INT(csv_next(r, &rec), CSV_END);
    CHECK_INT(csv_next(r, &rec), CSV_END);
    csv_close(r);
}

TEST(csv_line_numbers_count_embedded_newlines)
{
    const char in[] = "Handle,Body\n"
                      "a,\"<p>one</p>\n<p>two</p>\r\n<p>three</p>\"\n"
                      "\n"
                      "b,\"x\ny\"z\n"
                      "c,\"\n\n\n\"\n"
                      "d,1";
    check_csv(
        in, sizeof(in) - 1, NULL, CSV_UTF8,
        "1:Handle|Body;2:a|<p>one</p>\\n<p>two</p>\\r\\n<p>three</p>;6:!-1;8:c|\\n\\n\\n;12:d|1;");
}

TEST(csv_nul_byte_is_an_error_for_its_record)
{
    check_csv(S("a,b\0c\nok\n\"q\0\",1\nok2\n"), NULL, CSV_UTF8, "1:!-10;2:ok;3:!-10;4:ok2;");
    mem_src_t m = MEM("a,b\0c\n");
    csv_reader_t *r = csv_open_fn(mem_read, &m, NULL, CSV_UTF8);
    csv_record_t *rec;
    CHECK_INT(csv_next(r, &rec), SOUK_ENCODING);
    CHECK_STR(csv_error(r), "line 1: field 2: NUL byte");
    csv_close(r);
}

/* ---- limits ---- */

/* Append a field that reads as n bytes of HTML: quoted with commas, doubled
 * quotes and line breaks, or plain. Returns the line breaks in it. */
static size_t fill_body(buf_t *b, size_t n, int quoted)
{
    const char *u = quoted ? "<p>Soft, \"warm\"\nwool</p>\r\n" : "<p>Soft; warm wool</p>";
    size_t ul = strlen(u), breaks = 0;
    for (size_t i = 0; i < n; i++) {
        char c = u[i % ul];
        if (c == '"')
            buf_putc(b, '"');
        buf_putc(b, c);
        breaks += c == '\r' || (c == '\n' && (i == 0 || u[(i - 1) % ul] != '\r'));
    }
    return breaks;
}

TEST(csv_field_at_the_limit_and_one_past)
{
    const size_t lim = 1 << 20;
    csv_limits_t l = {lim, 0, 0, 0};
    buf_t in = BUF_INIT;
    buf_puts(&in, "Handle,Body (HTML)\nat,\"");
    size_t breaks_at = fill_body(&in, lim, 1);
    buf_puts(&in, "\"\npast,\"");
    size_t breaks_past = fill_body(&in, lim + 1, 1);
    CHECK(breaks_at > 50000 && breaks_past >= breaks_at);
    buf_puts(&in, "\"\nplain-at,");
    fill_body(&in, lim, 0);
    buf_puts(&in, "\nplain-past,");
    fill_body(&in, lim + 1, 0);
    buf_puts(&in, "\nnext,1\n");

    static const size_t bufs[] = {0, 7};
    for (size_t b = 0; b < ARRAY_LEN(bufs); b++) {
        l.buf_size = bufs[b];
        mem_src_t m = {.p = in.data, .len = in.len};
        csv_reader_t *r = csv_open_fn(mem_read, &m, &l, CSV_UTF8);
        csv_record_t *rec;
        size_t len, line;
        CHECK_INT(csv_next(r, &rec), 0);
        CHECK_INT(csv_next(r, &rec), 0);
        CHECK_STR(csv_field(rec, 0, NULL), "at");
        csv_field(rec, 1, &len);
        CHECK_INT(len, lim);
        line = csv_record_line(rec);
        CHECK_INT(line, 2);
        CHECK_INT(csv_next(r, &rec), SOUK_ELIMIT);
        /* The failed record is skipped to its end, quoting and all. */
        CHECK_INT(csv_error_line(r), 2 + breaks_at + 1);
        char want[128];
        snprintf(want, sizeof(want), "line %zu: field 2 is longer than %zu bytes",
                 csv_error_line(r), lim);
        CHECK_STR(csv_error(r), want);
        CHECK_INT(csv_next(r, &rec), 0);
        CHECK_STR(csv_field(rec, 0, NULL), "plain-at");
        csv_field(rec, 1, &len);
        CHECK_INT(len, lim);
        line = csv_record_line(rec);
        CHECK_INT(line, 2 + breaks_at + 1 + breaks_past + 1);
        CHECK_INT(csv_next(r, &rec), SOUK_ELIMIT);
        CHECK_INT(csv_error_line(r), line + 1);
        CHECK_INT(csv_next(r, &rec), 0);
        CHECK_STR(csv_field(rec, 0, NULL), "next");
        CHECK_INT(csv_record_line(rec), line + 2);
        CHECK_INT(csv_next(r, &rec), CSV_END);
        csv_close(r);
    }
    buf_free(&in);
}

TEST(csv_field_count_at_the_limit_and_one_past)
{
    csv_limits_t l = {0, 4, 0, 0};
    check_csv(S("a,b,c,d\na,b,c,d,e\n1,2,3,\n1,2,3,4,\n\"x\ny\",2,3,4,\"5\n\"\nok\n"), &l, CSV_UTF8,
              "1:a|b|c|d;2:!-3;3:1|2|3|;4:!-3;5:!-3;8:ok;");
    mem_src_t m = MEM("a,b,c,d,e\n");
    csv_reader_t *r = csv_open_fn(mem_read, &m, &l, CSV_UTF8);
    csv_record_t *rec;
    CHECK_INT(csv_next(r, &rec), SOUK_ELIMIT);
    CHECK_STR(csv_error(r), "line 1: more than 4 fields");
    csv_close(r);
}

TEST(csv_record_bytes_at_the_limit_and_one_past)
{
    csv_limits_t l = {8, 0, 10, 0};
    check_csv(S("12345,67890\n12345,678901\n\"1\"\"\",\"2\n3\"\n123456789,\"\",1\n,ok\n"), &l,
              CSV_UTF8, "1:12345|67890;2:!-3;3:1\"|2\\n3;5:!-3;6:|ok;");
    mem_src_t m = MEM("12345,678901\n");
    csv_reader_t *r = csv_open_fn(mem_read, &m, &l, CSV_UTF8);
    csv_record_t *rec;
    CHECK_INT(csv_next(r, &rec), SOUK_ELIMIT);
    CHECK_STR(csv_error(r), "line 1: record is longer than 10 bytes");
    csv_close(r);
}

/* ---- encodings ---- */

TEST(csv_utf8_is_delivered_untouched)
{
    const char in[] = "Title,Price\n"
                      "Caf\xc3\xa9 cr\xc3\xa8me,\xe2\x82\xac 5\n"
                      "\"\xf0\x9f\x98\x80\xe6\x97\xa5\xe6\x9c\xac\",\xc2\xa9\n";
    check_csv(in, sizeof(in) - 1, NULL, CSV_UTF8,
              "1:Title|Price;2:Caf\xc3\xa9 cr\xc3\xa8me|\xe2\x82\xac 5;"
              "3:\xf0\x9f\x98\x80\xe6\x97\xa5\xe6\x9c\xac|\xc2\xa9;");
    csv_encoding_t enc = CSV_CP1252;
    uint64_t bad = 0;
    CHECK_INT(csv_detect_encoding(tmpfile_with("utf8.csv", in, sizeof(in) - 1), &enc, &bad), 0);
    CHECK_INT(enc, CSV_UTF8);
}

TEST(csv_utf8_sequence_split_across_the_read_buffer)
{
    /* Every offset of the multi-byte sequences against every buffer size from
     * the minimum up, so each sequence is cut at each of its bytes. */
    const char body[] = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"\"x\xc3\xa9";
    for (size_t pad = 0; pad < 8; pad++) {
        buf_t in = BUF_INIT, want = BUF_INIT;
        for (size_t i = 0; i < pad; i++)
            buf_putc(&in, 'p');
        buf_printf(&in, ",\"%s\",%s\n", body, "\xe2\x82\xac");
        buf_printf(&want, "1:%.*s|\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"x\xc3\xa9|\xe2\x82\xac;",
                   (int)pad, "pppppppp");
        for (size_t bs = CSV_MIN_BUF_SIZE; bs <= 12; bs++) {
            csv_limits_t l = {0, 0, 0, bs};
            char *got = dump_mem(in.data, in.len, &l, CSV_UTF8, 0);
            CHECK_STR(got, want.data);
            free(got);
        }
        buf_free(&in);
        buf_free(&want);
    }
}

TEST(csv_invalid_utf8_is_an_error_for_its_record)
{
    check_csv(S("ok,1\nx,caf\xe9\n\"a\xc3\",\"\xa9\"\nok,2\n"), NULL, CSV_UTF8,
              "1:ok|1;2:!-10;3:!-10;4:ok|2;");
    mem_src_t m = MEM("x,caf\xe9\n\"ab\",\"\xe2\x82\"\n");
    csv_reader_t *r = csv_open_fn(mem_read, &m, NULL, CSV_UTF8);
    csv_record_t *rec;
    CHECK_INT(csv_next(r, &rec), SOUK_ENCODING);
    CHECK_STR(csv_error(r), "line 1: field 2: invalid UTF-8 at byte 4 of the field");
    CHECK_INT(csv_next(r, &rec), SOUK_ENCODING);
    CHECK_STR(csv_error(r), "line 2: field 2: invalid UTF-8 at byte 1 of the field");
    csv_close(r);
}

TEST(csv_windows_1252_detected_and_transcoded)
{
    const char in[] = "Title,Price\n"
                      "Caf\xe9 \x93quoted\x94 \x80 5,5\n"
                      "\"\x8a\x9a\xff\x85\",\xa0\n";
    const char *path = tmpfile_with("cp1252.csv", in, sizeof(in) - 1);
    csv_encoding_t enc = CSV_UTF8;
    uint64_t bad = 0;
    CHECK_INT(csv_detect_encoding(path, &enc, &bad), 0);
    CHECK_INT(enc, CSV_CP1252);

    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    csv_reader_t *r = csv_open(f, NULL, enc);
    csv_record_t *rec;
    CHECK_INT(csv_next(r, &rec), 0);
    CHECK_INT(csv_next(r, &rec), 0);
    CHECK_STR(csv_field(rec, 0, NULL),
              "Caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x82\xac 5"); /* Café “quoted” € 5 */
    CHECK_INT(csv_next(r, &rec), 0);
    CHECK_STR(csv_field(rec, 0, NULL), "\xc5\xa0\xc5\xa1\xc3\xbf\xe2\x80\xa6"); /* Ššÿ… */
    CHECK_STR(csv_field(rec, 1, NULL), "\xc2\xa0");
    CHECK_INT(csv_next(r, &rec), CSV_END);
    CHECK_INT(csv_bytes_read(r), sizeof(in) - 1);
    csv_close(r);
    fclose(f);

    check_csv(in, sizeof(in) - 1, NULL, CSV_CP1252,
              "1:Title|Price;2:Caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x82\xac 5|5;"
              "3:\xc5\xa0\xc5\xa1\xc3\xbf\xe2\x80\xa6|\xc2\xa0;");
}

TEST(csv_cp1252_limits_count_utf8_bytes)
{
    csv_limits_t l = {3, 0, 0, 0};
    check_csv(S("\x80\n\x80"
                "a\n\xe9\xe9\nabc\n"),
              &l, CSV_CP1252, "1:\xe2\x82\xac;2:!-3;3:!-3;4:abc;");
}

TEST(csv_cp1252_undefined_byte_is_an_error_for_its_record)
{
    check_csv(S("a,\xe9\nb,x\x81y\nc,\x9d\n\"\x8d\"\nd\n"), NULL, CSV_CP1252,
              "1:a|\xc3\xa9;2:!-10;3:!-10;4:!-10;5:d;");
    mem_src_t m = MEM("b,x\x81y\n");
    csv_reader_t *r = csv_open_fn(mem_read, &m, NULL, CSV_CP1252);
    csv_record_t *rec;
    CHECK_INT(csv_next(r, &rec), SOUK_ENCODING);
    CHECK_STR(csv_error(r), "line 1: field 2: byte 0x81 is not defined in Windows-1252");
    csv_close(r);
}

TEST(csv_detect_refuses_an_undefined_byte_at_its_offset)
{
    csv_encoding_t enc = CSV_UTF8;
    uint64_t bad = 0;
    const char in[] = "Title,Price\nx\x81y,1\n";
    CHECK_INT(csv_detect_encoding(tmpfile_with("x81.csv", S(in)), &enc, &bad), SOUK_ENCODING);
    CHECK_INT(bad, 13);
    /* Windows-1252 bytes before it do not hide it. */
    const char in2[] = "Caf\xe9,\x93q\x94\nab\x8f\n";
    CHECK_INT(csv_detect_encoding(tmpfile_with("x8f.csv", S(in2)), &enc, &bad), SOUK_ENCODING);
    CHECK_INT(bad, 11);
    /* Inside well-formed UTF-8 the same byte is a continuation byte and fine. */
    const char in3[] = "\xc3\x81,\xe2\x80\x9d\n";
    CHECK_INT(csv_detect_encoding(tmpfile_with("ok81.csv", S(in3)), &enc, &bad), 0);
    CHECK_INT(enc, CSV_UTF8);
}

TEST(csv_detect_refuses_mixed_encodings_and_nul)
{
    csv_encoding_t enc = CSV_UTF8;
    uint64_t bad = 0;
    const char mixed[] = "caf\xc3\xa9\ncaf\xe9\n";
    CHECK_INT(csv_detect_encoding(tmpfile_with("mixed.csv", S(mixed)), &enc, &bad), SOUK_ENCODING);
    CHECK_INT(bad, 9);
    const char bom_cp[] = "\xef\xbb\xbf"
                          "caf\xe9\n";
    CHECK_INT(csv_detect_encoding(tmpfile_with("bomcp.csv", S(bom_cp)), &enc, &bad), SOUK_ENCODING);
    CHECK_INT(bad, 6);
    const char utf16[] = "\xff\xfe"
                         "a\0,\0b\0";
    CHECK_INT(csv_detect_encoding(tmpfile_with("utf16.csv", S(utf16)), &enc, &bad), SOUK_ENCODING);
    CHECK_INT(bad, 3);
    CHECK_INT(csv_detect_encoding(tmpfile_with("empty.csv", "", 0), &enc, &bad), 0);
    CHECK_INT(enc, CSV_UTF8);
    char missing[256];
    snprintf(missing, sizeof(missing), "%s/no-such.csv", test_tmpdir());
    CHECK_INT(csv_detect_encoding(missing, &enc, &bad), SOUK_EIO);
}

/* The sniffer's verdict does not depend on how the stream is cut into chunks. */
TEST(charset_sniff_any_split)
{
    static const struct {
        const char *s;
        size_t len;
        int rc;
        charset_t cs;
        uint64_t at;
    } cases[] = {
        {S("plain ascii text, long enough for a word or two"), 0, CHARSET_UTF8, 0},
        {S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"), 0, CHARSET_UTF8, 0},
        {S("caf\xe9 \x80 \x93\x94 \xff"), 0, CHARSET_CP1252, 0},
        {S("\xe2\x82"), 0, CHARSET_CP1252, 0},        /* truncated at the end */
        {S("ab\xf0\x9f\x98"), 0, CHARSET_CP1252, 0},  /* truncated: three cp1252 chars */
        {S("\xed\xa0\x80"), 0, CHARSET_CP1252, 0},    /* a surrogate is not UTF-8 */
        {S("abcdefgh\x81"), SOUK_ENCODING, 0, 8},     /* undefined in both */
        {S("\xe2\x82\xac\xe9"), SOUK_ENCODING, 0, 3}, /* mixed */
        {S("\xe9\xe2\x82\xac"), SOUK_ENCODING, 0, 0}, /* mixed, invalid first */
        {S("\xe2\x82\x81"), 0, CHARSET_UTF8, 0},      /* well-formed: U+2081 */
        {S("x\xe2\x82y\x9d"), SOUK_ENCODING, 0, 4},
        {S("abcdefghijklmnop\0q"), SOUK_ENCODING, 0, 16},
    };
    for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
        const char *s = cases[c].s;
        size_t len = cases[c].len;
        for (size_t step = 1; step <= len + 1; step++) {
            for (size_t first = 0; first <= len; first++) {
                charset_sniff_t sn;
                charset_t cs = (charset_t)-1;
                uint64_t at = 12345;
                const char *why = NULL;
                charset_sniff_init(&sn);
                charset_sniff_feed(&sn, s, first);
                for (size_t i = first; i < len; i += step)
                    charset_sniff_feed(&sn, s + i, len - i < step ? len - i : step);
                int rc = charset_sniff_finish(&sn, &cs, &at, &why);
                if (rc != cases[c].rc || (rc == 0 && cs != cases[c].cs) ||
                    (rc != 0 && (at != cases[c].at || why == NULL)))
                    test_fail(__FILE__, __LINE__,
                              "case %zu first %zu step %zu: rc %d cs %d at %llu", c, first, step,
                              rc, (int)cs, (unsigned long long)at);
            }
        }
    }
}

TEST(charset_cp1252_table_matches_iconv)
{
    iconv_t cd = iconv_open("UTF-8", "WINDOWS-1252");
    CHECK(cd != (iconv_t)-1);
    if (cd == (iconv_t)-1)
        return;
    int undefined = 0;
    for (unsigned c = 0; c < 256; c++) {
        char in = (char)c, out[4], want[8];
        size_t outlen = 0;
        int rc = charset_cp1252_to_utf8(&in, 1, out, &outlen);
        CHECK(utf8_valid(out, outlen));
        char *ip = &in, *op = want;
        size_t il = 1, ol = sizeof(want);
        iconv(cd, NULL, NULL, NULL, NULL);
        size_t ir = iconv(cd, &ip, &il, &op, &ol);
        if (ir == (size_t)-1) {
            undefined++;
            CHECK_INT(rc, SOUK_ENCODING);
            CHECK(!charset_cp1252_defined((unsigned char)c));
            CHECK(outlen == 3 && memcmp(out, "\xef\xbf\xbd", 3) == 0);
        } else {
            CHECK_INT(rc, 0);
            CHECK(charset_cp1252_defined((unsigned char)c));
            if (outlen != sizeof(want) - ol || memcmp(out, want, outlen) != 0)
                test_fail(__FILE__, __LINE__, "byte 0x%02X differs from iconv", c);
        }
    }
    CHECK_INT(undefined, 5);
    iconv_close(cd);

    char out[64];
    size_t outlen = 0;
    CHECK_INT(charset_cp1252_to_utf8(S("Caf\xe9 \x93quoted\x94 \x80 5"), out, &outlen), 0);
    CHECK_INT(outlen, strlen("Café “quoted” € 5"));
    CHECK(memcmp(out, "Café “quoted” € 5", outlen) == 0);
    CHECK_INT(charset_cp1252_to_utf8(NULL, 0, out, &outlen), 0);
    CHECK_INT(outlen, 0);
}

/* ---- reading: the rest ---- */

TEST(csv_bytes_read_tracks_progress)
{
    const char in[] = "\xef\xbb\xbf"
                      "a,b\n\"c\nd\",e\r\nf";
    mem_src_t m = {.p = in, .len = sizeof(in) - 1, .chunk = 3};
    csv_limits_t l = {0, 0, 0, 4};
    csv_reader_t *r = csv_open_fn(mem_read, &m, &l, CSV_UTF8);
    csv_record_t *rec;
    CHECK_INT(csv_bytes_read(r), 0);
    CHECK_INT(csv_next(r, &rec), 0);
    CHECK_INT(csv_bytes_read(r), 7);
    CHECK_INT(csv_next(r, &rec), 0);
    CHECK_INT(csv_bytes_read(r), 15); /* the LF of a CRLF goes with the next record */
    CHECK_INT(csv_next(r, &rec), 0);
    CHECK_INT(csv_bytes_read(r), sizeof(in) - 1);
    CHECK_INT(csv_next(r, &rec), CSV_END);
    CHECK_INT(csv_bytes_read(r), sizeof(in) - 1);
    csv_close(r);
}

TEST(csv_read_failure_is_sticky)
{
    mem_src_t m = {.p = "a,b\nc,d\n", .len = 8, .chunk = 4, .fail_at = 4};
    csv_limits_t l = {0, 0, 0, 4};
    csv_reader_t *r = csv_open_fn(mem_read, &m, &l, CSV_UTF8);
    csv_record_t *rec;
    CHECK_INT(csv_next(r, &rec), 0);
    CHECK_INT(csv_next(r, &rec), SOUK_EIO);
    CHECK(rec == NULL);
    CHECK(strstr(csv_error(r), "read failed") != NULL);
    CHECK_INT(csv_next(r, &rec), SOUK_EIO);
    csv_close(r);
    csv_close(NULL);
}

/* ---- writing ---- */

static char *write1(const char *const *fields, size_t n)
{
    buf_t b = BUF_INIT;
    csv_write_record(&b, fields, NULL, n);
    return buf_detach(&b, NULL);
}

TEST(csv_writer_quotes_only_when_needed)
{
    struct {
        const char *fields[4];
        size_t n;
        const char *want;
    } cases[] = {
        {{"a", "b c", "1.00"}, 3, "a,b c,1.00\n"},
        {{"x,y", "say \"hi\"", "\""}, 3, "\"x,y\",\"say \"\"hi\"\"\",\"\"\"\"\n"},
        {{"l1\nl2", "cr\r", "crlf\r\n"}, 3, "\"l1\nl2\",\"cr\r\",\"crlf\r\n\"\n"},
        {{" lead", "trail ", "\ttab", "in side"}, 4, "\" lead\",\"trail \",\"\ttab\",in side\n"},
        {{""}, 1, "\"\"\n"},
        {{"", ""}, 2, ",\n"},
        {{"\xef\xbb\xbfx", "caf\xc3\xa9"}, 2, "\"\xef\xbb\xbfx\",caf\xc3\xa9\n"},
        {{"a\"b"}, 1, "\"a\"\"b\"\n"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *got = write1(cases[i].fields, cases[i].n);
        CHECK_STR(got, cases[i].want);
        free(got);
    }
    /* Explicit lengths: bytes past len are not written. */
    const char *f[] = {"abcdef", "x,y"};
    size_t lens[] = {3, 1};
    buf_t b = BUF_INIT;
    csv_write_record(&b, f, lens, 2);
    CHECK_STR(buf_cstr(&b), "abc,x\n");
    buf_free(&b);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

TEST(csv_writer_round_trip_random_fields)
{
    static const char *const atoms[] = {
        "a",
        "Z",
        "0",
        " ",
        ",",
        "\"",
        "\"\"",
        "\r",
        "\n",
        "\r\n",
        "\t",
        "\xc3\xa9",
        "\xe2\x82\xac",
        "\xf0\x9f\x98\x80",
        "\xef\xbb\xbf",
        "<p>",
        "'",
        "=1+1",
        ";",
    };
    enum { NREC = 3000, MAXF = 8 };
    static char *fields[NREC][MAXF];
    size_t nf[NREC];
    buf_t out = BUF_INIT;
    for (size_t i = 0; i < NREC; i++) {
        nf[i] = 1 + rnd(MAXF);
        for (size_t j = 0; j < nf[i]; j++) {
            buf_t f = BUF_INIT;
            size_t natoms = rnd(4) == 0 ? 0 : rnd(12);
            for (size_t k = 0; k < natoms; k++)
                buf_puts(&f, atoms[rnd(ARRAY_LEN(atoms))]);
            fields[i][j] = xstrdup(buf_cstr(&f));
            buf_free(&f);
        }
        csv_write_record(&out, (const char *const *)fields[i], NULL, nf[i]);
    }

    static const size_t bufs[] = {0, 4, 9};
    for (size_t b = 0; b < ARRAY_LEN(bufs); b++) {
        csv_limits_t l = {0, 0, 0, bufs[b]};
        mem_src_t m = {out.data, out.len, 0, b == 2 ? 5 : 0, 0};
        csv_reader_t *r = csv_open_fn(mem_read, &m, &l, CSV_UTF8);
        csv_record_t *rec;
        size_t i = 0, bad = 0;
        int rc;
        while ((rc = csv_next(r, &rec)) == 0 && i < NREC) {
            if (csv_field_count(rec) != nf[i]) {
                bad++;
            } else {
                for (size_t j = 0; j < nf[i]; j++) {
                    size_t len;
                    const char *s = csv_field(rec, j, &len);
                    if (len != strlen(fields[i][j]) || memcmp(s, fields[i][j], len) != 0)
                        bad++;
                }
            }
            i++;
        }
        CHECK_INT(rc, CSV_END);
        CHECK_INT(i, NREC);
        CHECK_INT(bad, 0);
        csv_close(r);
    }
    for (size_t i = 0; i < NREC; i++)
        for (size_t j = 0; j < nf[i]; j++)
            free(fields[i][j]);
    buf_free(&out);
}
