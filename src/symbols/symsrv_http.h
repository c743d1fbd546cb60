/*
 * symsrv_http.h - fetching one file from an HTTP(S) symbol server, with
 * libcurl.
 *
 * Policy (README "Symbols"):
 *   - connect timeout and stall timeout (less than SYM_HTTP_STALL_BYTES
 *     bytes/s for that long, waiting for the first byte included):
 *     SYM_HTTP_CONNECT_TIMEOUT_S and SYM_HTTP_STALL_TIMEOUT_S, both set by
 *     $ETWMAP_HTTP_TIMEOUT (seconds); a whole transfer ends after
 *     SYM_HTTP_TOTAL_TIMEOUT_S whatever happens;
 *   - SYM_HTTP_ATTEMPTS attempts for transient failures (connection
 *     refused or reset, timeouts, a body shorter than announced, HTTP 408,
 *     429 and 5xx), waiting 1 s, then 2 s, ... between them; never for
 *     404, other 4xx, TLS or size errors;
 *   - redirects followed (Microsoft's server redirects to a CDN), at most
 *     SYM_HTTP_MAX_REDIRECTS, http/https only, never from https to http;
 *   - TLS certificates and host names always verified (libcurl's
 *     default, never switched off); proxies from http_proxy, https_proxy,
 *     no_proxy as libcurl reads them;
 *   - bodies larger than SYM_MAX_STORED_SIZE refused (the Content-Length
 *     is checked first, the bytes received too);
 *   - a progress line on stderr when stderr is a terminal and the file is
 *     larger than SYM_HTTP_PROGRESS_BYTES.
 */
#ifndef SYMSRV_HTTP_H
#define SYMSRV_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYM_HTTP_CONNECT_TIMEOUT_S 20L
#define SYM_HTTP_STALL_TIMEOUT_S 30L
#define SYM_HTTP_STALL_BYTES 100L
/* ntkrnlmp.pdb (~50 MB) at 1 Mbit/s takes ~7 min; the largest public PDBs
 * (~2 GB) need a fast link anyway. */
#define SYM_HTTP_TOTAL_TIMEOUT_S 3600L
#define SYM_HTTP_ATTEMPTS 3
#define SYM_HTTP_MAX_REDIRECTS 5L
#define SYM_HTTP_PROGRESS_BYTES ((int64_t)4 << 20)
/* $ETWMAP_HTTP_TIMEOUT is taken when it is a whole number in this range */
#define SYM_HTTP_TIMEOUT_MAX_S 3600L

typedef struct sym_http_config {
    long connect_timeout_s; /* > 0 */
    long stall_timeout_s;   /* > 0 */
    long total_timeout_s;   /* > 0 */
    int attempts;           /* >= 1 */
    uint64_t max_size;      /* bytes */
    bool progress;          /* may show a progress line on stderr */
} sym_http_config;

/* The defaults above, $ETWMAP_HTTP_TIMEOUT applied, progress when stderr
 * is a terminal. */
void sym_http_config_default(sym_http_config *c);

typedef enum sym_http_result {
    SYM_HTTP_OK,     /* 2xx: the body was written */
    SYM_HTTP_ABSENT, /* 404 or 410: the server does not have it */
    SYM_HTTP_FAILED, /* anything else; why says what */
} sym_http_result;

/* GETs url and writes the body to fd (from offset 0; the file is
 * truncated before each attempt). On SYM_HTTP_FAILED or _ABSENT the
 * contents of fd are undefined. label names the file on the progress
 * line. why receives a one-line reason (failures and absence). */
sym_http_result sym_http_get_fd(const sym_http_config *c, const char *url,
                                int fd, const char *label, char *why,
                                size_t wsize);

/* The same into buf (at most size - 1 bytes, then NUL); a larger body is
 * a failure. For file.ptr. */
sym_http_result sym_http_get_mem(const sym_http_config *c, const char *url,
                                 char *buf, size_t size, size_t *n, char *why,
                                 size_t wsize);

/* Do two http(s) URLs have the same scheme, host and port? */
bool sym_http_same_origin(const char *a, const char *b);

#endif
