/* server.h - the HTTP server: event-loop threads on libh2o, the database
 * worker pool, static files and the access log.
 *
 * server_run() blocks until SIGTERM or SIGINT, then stops accepting, lets the
 * requests in flight finish (up to server.shutdown_timeout seconds) and
 * returns. */
#ifndef SOUK_HTTP_SERVER_H
#define SOUK_HTTP_SERVER_H

#include <stddef.h>

#include "core/config.h"
#include "http/http.h"
#include "http/static.h"

/* Serve routes[0..n) and the static files with cfg until a shutdown signal.
 * 0 after a clean shutdown; SOUK_EIO if the listener or a database
 * connection could not be set up (logged). cfg, routes and statics are
 * borrowed for the call, and so is app: what every handler reaches with
 * http_app() (the caller's shared services; the server never looks inside).
 * Every request has finished when it returns. */
int server_run(const config_t *cfg, const http_route_t *routes, size_t nroutes,
               const static_files_t *statics, void *app);

#endif
