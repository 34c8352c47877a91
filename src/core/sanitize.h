/* sanitize.h - the HTML sanitizer for product descriptions, and plain text from HTML.
 *
 * Descriptions are sanitized once, on input (back office, API, Shopify import),
 * stored sanitized, and written raw into storefront pages: this module is the
 * only thing between a merchant's HTML and every shopper's browser.
 *
 * How: libxml2's HTML parser (2.9) reads the input as the content of a <body>;
 * we walk its tree and write our own markup from an allowlist. Nothing of the
 * source text is passed through: element and attribute names come from our
 * tables, every attribute value is double-quoted, and & < > " ' are escaped in
 * values and text. No element whose content a browser reads as raw text
 * (script, style, textarea, title, xmp, iframe, noscript, plaintext, svg, math)
 * is ever written, so a browser tokenizes the output exactly as we wrote it.
 *
 * Elements kept (all may carry title="..."):
 *   p br hr h2 h3 h4 h5 h6 strong b em i u s small sub sup mark del ins
 *   blockquote q code pre ul ol li dl dt dd span div figure figcaption
 *   table caption thead tbody tfoot tr th td
 *   a    href (URL), title; rel="nofollow noopener" is added to links that
 *        leave the site (http:, https:, or protocol-relative //host)
 *   img  src (URL, required: an img without a usable src is dropped), alt,
 *        width, height (integers 1..10000)
 *   th td colspan, rowspan (integers 1..100)     ol  start (-1000000..1000000)
 * Renamed: h1 -> h2 (the product page owns the h1); strike -> s; tt -> code;
 *   article aside address center details footer header hgroup main nav section
 *   summary -> div (so that their blocks stay apart).
 * Dropped with everything inside: script style iframe frame frameset object
 *   embed applet param noscript noembed noframes template svg math form input
 *   button textarea select option optgroup datalist keygen link meta base
 *   basefont bgsound title head xmp plaintext.
 * Any other element is unwrapped: its tag goes, its (sanitized) content stays.
 * Attributes not listed above go, in particular style, class, id and every
 * on* handler. Comments, processing instructions and doctypes go. HTML has
 * no CDATA sections: libxml2 reads "<![CDATA[" as text, which is written
 * escaped, and parses what it wraps as markup (so a script inside goes).
 *
 * URLs (a href, img src): ASCII tab and newlines are removed and leading and
 * trailing C0 controls and spaces stripped, as browsers do; libxml2 has
 * already decoded character references. What remains is kept, and written
 * exactly as checked, if it has no scheme (a relative path, ?query, #fragment
 * or //host) or the scheme is http or https, or mailto for href, compared
 * without case. Anything else (javascript:, data:, vbscript:, file:, ...)
 * removes the href (the <a> stays) or the whole img. URLs longer than
 * SANITIZE_MAX_URL bytes count as unusable.
 *
 * Text and attribute values: CR and CRLF become LF; C0 controls other than
 * tab and LF, DEL, C1 controls, U+FEFF (stray byte order marks) and
 * U+FFFE/U+FFFF are removed.
 *
 * Nesting: an element nested deeper than SANITIZE_MAX_DEPTH kept elements is
 * unwrapped (its text stays). So is an element that libxml2 would not keep
 * inside its new parent when reading our output back (a <div> that ends up
 * in a <p> once an unknown element between them is unwrapped), which is what
 * makes sanitize_html(sanitize_html(x)) == sanitize_html(x).
 *
 * Thread-safe. The first call (or sanitize_init) initialises libxml2
 * (xmlInitParser) and learns its nesting rules (some 1,800 tiny parses, about
 * 10 ms), under pthread_once. Nothing here calls xmlCleanupParser(). The parser never touches the
 * network or the file system (HTML_PARSE_NONET; the HTML parser loads no external entities or
 * DTDs). */
#ifndef SOUK_CORE_SANITIZE_H
#define SOUK_CORE_SANITIZE_H

#include <stddef.h>

#include "core/buf.h"

/* Longest input, in bytes, for both functions. */
#define SANITIZE_MAX_INPUT (1024 * 1024)
/* Longest sanitized output. Equal to the input limit, so that every output is
 * itself an acceptable input. */
#define SANITIZE_MAX_OUTPUT SANITIZE_MAX_INPUT
/* Kept elements nested deeper than this are unwrapped. */
#define SANITIZE_MAX_DEPTH 64
/* Longest href or src value kept, in bytes. */
#define SANITIZE_MAX_URL 2048

/* Optional: do the one-time set-up now (main() before starting threads, so
 * that the first request does not pay for it). Also the place that calls
 * xmlInitParser() for a program that uses libxml2 elsewhere too. */
void sanitize_init(void);

/* Sanitize the HTML fragment in[0..len) and append the result to out.
 * Returns 0, or:
 *   SOUK_ELIMIT    len > SANITIZE_MAX_INPUT, the output would pass
 *                  SANITIZE_MAX_OUTPUT, or elements are nested past libxml2's
 *                  own limit (256), after which it would stop reading;
 *   SOUK_ENCODING  the input is not valid UTF-8 or contains a NUL byte (the
 *                  caller can find the offset with utf8_valid_len());
 *   SOUK_EINVAL    libxml2 produced no document (not expected).
 * On error out is left as it was. in may be NULL when len is 0. */
int sanitize_html(const char *in, size_t len, buf_t *out);

/* Plain text of the HTML html[0..len) (normally sanitize_html's output), for
 * search indexing and meta descriptions, appended to out. Character
 * references are decoded; the content of the elements that sanitize_html
 * drops is left out, as are images; runs of whitespace (ASCII and U+00A0)
 * become one space; block elements (p, div, li, headings, table rows, ...)
 * and <br> become one "\n"; table cells are separated by a space; leading and
 * trailing whitespace is trimmed. When max_chars > 0 and the text has more
 * code points than that, it is cut to at most max_chars code points in all,
 * on a word boundary when one lies in the second half, and ends with "…"
 * (U+2026). The result is text, not HTML: escape it before writing it into a
 * page. Errors as for sanitize_html (no output limit); on error out is left
 * as it was. */
int html_to_text(const char *html, size_t len, size_t max_chars, buf_t *out);

#endif
