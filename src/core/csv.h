/* csv.h - a streaming CSV reader and a CSV writer (RFC 4180, as spreadsheets
 * and Shopify's product export write it).
 *
 * `souk import shopify FILE` reads catalogs of up to ~1 GB with it in constant
 * memory: csv_detect_encoding() once, then csv_open() and csv_next() per
 * record. The export writes records with csv_write_record().
 *
 *   csv_encoding_t enc; uint64_t bad;
 *   if (csv_detect_encoding(path, &enc, &bad) != 0) ...refuse: "byte %llu"
 *   csv_reader_t *r = csv_open(f, NULL, enc);
 *   csv_record_t *rec;
 *   while ((rc = csv_next(r, &rec)) != CSV_END) {
 *       if (rc < 0) { if (rc == SOUK_EIO) break; log csv_error(r); continue; }
 *       size_t len; const char *s = csv_field(rec, 0, &len); ...
 *   }
 *   csv_close(r); fclose(f);
 *
 * What the reader accepts:
 * - Fields separated by ','; a field that starts with '"' is quoted and may
 *   hold ',', '""' (one quote), CR, LF and CRLF, which are kept as they are.
 * - Records end with LF, CRLF or a lone CR (old Mac spreadsheets), or at the
 *   end of the input without a line end. Empty lines are skipped (they carry
 *   nothing in a product CSV): a record always has at least one field, and a
 *   line holding just "" is a record of one empty field.
 * - A UTF-8 byte order mark at the very start is skipped (in either encoding).
 * - Rows may have different field counts; they are returned as they are.
 * - A '"' inside an unquoted field is kept literally (a"b is a"b), and so is
 *   one after leading space ( "x" is a field of four bytes).
 * Errors are per record: csv_next() returns a negative code for a record that
 * breaks a rule or a limit, and the next call reads the next record. The
 * quoting is followed to the end of the bad record even while its bytes are
 * dropped, so a quoted field with line breaks that runs past a limit does not
 * put the reader out of step. Continuing rather than stopping lets an import
 * report every bad line in one run; the caller decides whether one bad record
 * aborts the import. Errors, the first one in the record being reported:
 *   SOUK_ELIMIT    a field, the record or its field count over a limit;
 *   SOUK_EINVAL    a character other than ',' or a line end after a closing
 *                  quote ("a"b): the rest of the field up to the next ',' or
 *                  line end is taken as unquoted; a quoted field still open
 *                  at the end of the input;
 *   SOUK_ENCODING  a NUL byte, invalid UTF-8 (CSV_UTF8), or a byte undefined
 *                  in Windows-1252 (CSV_CP1252); these are reported only if
 *                  the record has no other error;
 *   SOUK_EIO       the read failed; the reader is done and keeps returning it.
 * Line numbers are physical lines, 1-based: CR, LF and CRLF each end one,
 * inside quotes too. */
#ifndef SOUK_CORE_CSV_H
#define SOUK_CORE_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/buf.h"

/* The positive code csv_next() returns at the end of the input. */
#define CSV_END 1

typedef enum {
    CSV_UTF8,   /* fields must be valid UTF-8 */
    CSV_CP1252, /* Windows-1252, transcoded to UTF-8 as it is read */
} csv_encoding_t;

#define CSV_DEFAULT_MAX_FIELD_BYTES (4u << 20) /* a long product description */
#define CSV_DEFAULT_MAX_FIELDS 1024
#define CSV_DEFAULT_MAX_RECORD_BYTES (8u << 20)
#define CSV_DEFAULT_BUF_SIZE (128u << 10)
#define CSV_MIN_BUF_SIZE 4

/* Limits count the bytes delivered (UTF-8, quotes unescaped, no separators),
 * so with CSV_CP1252 a field may read fewer bytes than it delivers. A member
 * that is 0 takes its default. The reader holds at most one record, so its
 * memory stays below max_record_bytes + max_fields * 17 + 4 * buf_size. */
typedef struct {
    size_t max_field_bytes;  /* one field */
    size_t max_fields;       /* fields in one record */
    size_t max_record_bytes; /* all fields of one record together */
    size_t buf_size;         /* the read buffer; raised to CSV_MIN_BUF_SIZE (tests) */
} csv_limits_t;

/* Where the reader gets bytes: up to len into buf, returning how many, 0 at the
 * end of the input, or -1 on failure. */
typedef ssize_t (*csv_read_fn)(void *ctx, void *buf, size_t len);

typedef struct csv_reader csv_reader_t;
/* One record: owned by the reader, valid until the next csv_next() or csv_close(). */
typedef struct csv_record csv_record_t;

/* A reader over f, which stays the caller's: csv_close() does not close it.
 * lim NULL means the defaults. Reads happen in csv_next() only. */
csv_reader_t *csv_open(FILE *f, const csv_limits_t *lim, csv_encoding_t enc);
/* The same over a read function (tests, pipes, memory). */
csv_reader_t *csv_open_fn(csv_read_fn fn, void *ctx, const csv_limits_t *lim, csv_encoding_t enc);
/* Frees the reader and its record. NULL is fine. */
void csv_close(csv_reader_t *r);

/* Read the next record. Returns 0 with *rec set, CSV_END at the end of the
 * input (again on every later call), or a negative SOUK_E* (above) with *rec
 * NULL and csv_error() describing it. */
int csv_next(csv_reader_t *r, csv_record_t **rec);
/* After an error: "line 12: field 3 is longer than 4194304 bytes", lowercase,
 * 1-based field numbers, valid until the next csv_next(). "" if none. */
const char *csv_error(const csv_reader_t *r);
/* The line the failed record started on (0 if none). */
size_t csv_error_line(const csv_reader_t *r);
/* Bytes of the input consumed so far, the BOM included (for a progress bar). */
uint64_t csv_bytes_read(const csv_reader_t *r);

/* The number of fields (at least 1). */
size_t csv_field_count(const csv_record_t *rec);
/* Field i < csv_field_count(rec): UTF-8 without NUL, NUL-terminated; its
 * length in *len if len is not NULL. */
const char *csv_field(const csv_record_t *rec, size_t i, size_t *len);
/* The physical line (1-based) the record starts on. */
size_t csv_record_line(const csv_record_t *rec);

/* Append one record of n >= 1 fields to out, ending with LF (as Unix tools do;
 * the reader and spreadsheets accept LF and CRLF alike). lens NULL means the
 * fields are C strings. A field is quoted, its quotes doubled, when it holds
 * ',', '"', CR or LF, starts or ends with a space or tab, starts with a BOM, or
 * is the only field and empty (an empty line would be skipped). Reading the
 * output gives back the same fields. Values are written as they are: guarding
 * spreadsheets against formulas (a leading = + - @) is the exporter's call. */
void csv_write_record(buf_t *out, const char *const *fields, const size_t *lens, size_t n);

/* Scan the file at path once and tell which encoding to open it with (see
 * charset.h for the rules). Returns 0 with *enc set; SOUK_ENCODING if it is
 * neither UTF-8 nor Windows-1252 or mixes them, with *bad_offset the 0-based
 * offset of the byte to blame; SOUK_EIO if it cannot be read. Constant memory. */
int csv_detect_encoding(const char *path, csv_encoding_t *enc, uint64_t *bad_offset);

#endif
