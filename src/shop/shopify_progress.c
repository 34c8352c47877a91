/* shopify_progress.c - what `souk import shopify` shows while it works: a
 * one-line bar redrawn in place on a terminal, or a plain line every few
 * seconds in a log, and the import's messages in between. */
#include "shop/shopify_csv.h"

#include <inttypes.h>
#include <time.h>

#define TTY_EVERY_MS 100   /* at most 10 redraws a second */
#define LOG_EVERY_MS 10000 /* a line every 10 s when not on a terminal */
#define BAR_WIDTH 24

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void shopify_progress_init(shopify_progress_t *p, FILE *out, bool tty, uint64_t total_bytes)
{
    p->out = out;
    p->tty = tty;
    p->drawn = false;
    p->total_bytes = total_bytes;
    p->start_ms = p->last_ms = now_ms();
}

static uint64_t products(const shopify_stats_t *st)
{
    return st->created + st->updated + st->unchanged + st->rejected;
}

/* Products per second since the start (0 in the first instant). */
static uint64_t rate(const shopify_progress_t *p, const shopify_stats_t *st, int64_t now)
{
    int64_t ms = now - p->start_ms;
    return ms > 0 ? products(st) * 1000 / (uint64_t)ms : 0;
}

static unsigned percent(const shopify_progress_t *p, const shopify_stats_t *st)
{
    if (p->total_bytes == 0)
        return 0;
    uint64_t r = st->bytes_read > p->total_bytes ? p->total_bytes : st->bytes_read;
    return (unsigned)(r * 100 / p->total_bytes);
}

static void draw(shopify_progress_t *p, const shopify_stats_t *st, int64_t now)
{
    unsigned pc = percent(p, st);
    if (p->tty) {
        char bar[BAR_WIDTH + 1];
        unsigned fill = pc * BAR_WIDTH / 100;
        for (unsigned i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        fprintf(p->out,
                "\r[%s] %3u%%  %" PRIu64 " products, %" PRIu64 "/s  created %" PRIu64
                ", updated %" PRIu64 ", unchanged %" PRIu64 ", rejected %" PRIu64 "\033[K",
                bar, pc, products(st), rate(p, st, now), st->created, st->updated, st->unchanged,
                st->rejected);
        p->drawn = true;
    } else {
        fprintf(p->out,
                "import: %u%% read, %" PRIu64 " products (%" PRIu64 "/s): created %" PRIu64
                ", updated %" PRIu64 ", unchanged %" PRIu64 ", rejected %" PRIu64 "\n",
                pc, products(st), rate(p, st, now), st->created, st->updated, st->unchanged,
                st->rejected);
    }
    fflush(p->out);
}

void shopify_progress_update(void *ud, const shopify_stats_t *st)
{
    shopify_progress_t *p = ud;
    int64_t now = now_ms();
    if (now - p->last_ms < (p->tty ? TTY_EVERY_MS : LOG_EVERY_MS))
        return;
    p->last_ms = now;
    draw(p, st, now);
}

void shopify_progress_report(void *ud, bool error, size_t line, const char *msg)
{
    shopify_progress_t *p = ud;
    if (p->drawn) {
        fputs("\r\033[K", p->out);
        p->drawn = false;
    }
    const char *kind = error ? "" : "warning: ";
    if (line)
        fprintf(p->out, "line %zu: %s%s\n", line, kind, msg);
    else
        fprintf(p->out, "%s%s\n", kind, msg);
}

void shopify_progress_end(shopify_progress_t *p, const shopify_stats_t *st)
{
    int64_t now = now_ms();
    if (p->drawn) {
        fputs("\r\033[K", p->out);
        p->drawn = false;
    }
    int64_t ms = now - p->start_ms;
    fprintf(p->out,
            "import: %" PRIu64 " products in %" PRId64 ".%01" PRId64 " s (%" PRIu64
            " products/s), %" PRIu64 " rows, %" PRIu64 " warnings\n",
            products(st), ms / 1000, (ms % 1000) / 100, rate(p, st, now), st->rows, st->warnings);
    fflush(p->out);
}
