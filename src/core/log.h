/* log.h - the application log: one JSON object per line on stderr.
 *
 * Lines are written with a single write(2) so threads never interleave.
 * Messages are for people: lowercase, name the failing value, never a secret. */
#ifndef SOUK_CORE_LOG_H
#define SOUK_CORE_LOG_H

#include <stdio.h>

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level_t;

/* Messages below level are dropped (default LOG_INFO). */
void log_set_level(log_level_t level);
/* Parse "debug", "info", "warn" or "error": 0, or -1 if unknown. */
int log_parse_level(const char *s, log_level_t *out);
/* Write to fd instead of stderr (tests). */
void log_set_fd(int fd);

void log_msg(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* Write an already-formatted line (a JSON object, no newline) to the log. */
void log_write_line(const char *line, size_t len);

/* Format the current UTC time as ISO 8601 with milliseconds into out[32]. */
void log_time_iso(char out[32]);

#endif
