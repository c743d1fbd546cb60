/*
 * symsrv_http.c - one GET with timeouts, retries and caps (symsrv_http.h).
 */
#include "symsrv_http.h"

#include "symstore.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifndef ETWMAP_VERSION
#define ETWMAP_VERSION "0"
#endif

void sym_http_config_default(sym_http_config *c)
{
    memset(c, 0, sizeof *c);
    c->connect_timeout_s = SYM_HTTP_CONNECT_TIMEOUT_S;
    c->stall_timeout_s = SYM_HTTP_STALL_TIMEOUT_S;
    c->total_timeout_s = SYM_HTTP_TOTAL_TIMEOUT_S;
    c->attempts = SYM_HTTP_ATTEMPTS;
    c->max_size = SYM_MAX_STORED_SIZE;
    c->progress = isatty(2) != 0;
    const char *t = getenv("ETWMAP_HTTP_TIMEOUT");
    if (t && *t) {
        char *end;
        errno = 0;
        long v = strtol(t, &end, 10);
        if (errno == 0 && *end == 0 && v > 0 && v <= SYM_HTTP_TIMEOUT_MAX_S)
            c->connect_timeout_s = c->stall_timeout_s = v;
    }
}

static void global_init(void)
{
    static bool done;
    if (!done) {
        done = true;
        curl_global_init(CURL_GLOBAL_DEFAULT);
        atexit(curl_global_cleanup);
    }
}

/* Where the body goes, and what went wrong on our side. */
typedef struct sink {
    CURL *h;
    int fd;          /* >= 0: write here */
    char *buf;       /* else: into buf[0..cap) */
    size_t cap;
    uint64_t n;      /* bytes taken */
    uint64_t max;
    bool too_big;
    int write_errno; /* non-zero: writing to fd failed */
    /* progress */
    bool progress;
    const char *label;
    bool shown;
    double last;       /* when the line was last drawn */
    curl_off_t last_now; /* bytes it showed */
} sink;

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
    sink *s = ud;
    size_t n = size * nmemb;
    long code = 0;
    curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);
    if (code < 200 || code > 299)
        return n; /* an error page: not the file */
    if (n > s->max || s->n > s->max - n) {
        s->too_big = true;
        return 0;
    }
    if (s->fd >= 0) {
        const char *q = p;
        size_t left = n;
        while (left) {
            ssize_t w = write(s->fd, q, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                s->write_errno = w < 0 ? errno : EIO;
                return 0;
            }
            q += w;
            left -= (size_t)w;
        }
    } else {
        if (s->n + n >= s->cap) {
            s->too_big = true;
            return 0;
        }
        memcpy(s->buf + s->n, p, n);
    }
    s->n += n;
    return n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
    sink *s = ud;
    if (!s->progress || (dltotal < SYM_HTTP_PROGRESS_BYTES &&
                         dlnow < SYM_HTTP_PROGRESS_BYTES))
        return 0;
    double t = now_s();
    if (s->shown && (dlnow == s->last_now ||
                     (t - s->last < 0.25 && dlnow != dltotal)))
        return 0;
    s->last = t;
    s->last_now = dlnow;
    s->shown = true;
    if (dltotal > 0)
        fprintf(stderr, "\retwmap: downloading %s: %.1f of %.1f MB (%d%%) ",
                s->label, (double)dlnow / 1e6, (double)dltotal / 1e6,
                (int)(dlnow * 100 / dltotal));
    else
        fprintf(stderr, "\retwmap: downloading %s: %.1f MB ", s->label,
                (double)dlnow / 1e6);
    return 0;
}

static bool transient_curl(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

/* One line for a libcurl failure: the kind in plain words, then libcurl's
 * detail. */
static void curl_why(CURLcode rc, const char *err, const sink *s, char *why,
                     size_t wsize)
{
    const char *detail = err[0] ? err : curl_easy_strerror(rc);
    switch (rc) {
    case CURLE_PARTIAL_FILE:
        snprintf(why, wsize, "body truncated (%s)", detail);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        snprintf(why, wsize, "timed out (%s)", detail);
        break;
    case CURLE_FILESIZE_EXCEEDED:
        snprintf(why, wsize, "file larger than etwmap's limit of %llu bytes",
                 (unsigned long long)s->max);
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
        snprintf(why, wsize, "TLS failure, certificate verification stays "
                             "on (%s)", detail);
        break;
    default:
        snprintf(why, wsize, "%s", detail);
        break;
    }
}

static sym_http_result get(const sym_http_config *c, const char *url,
                           sink *s, char *why, size_t wsize)
{
    global_init();
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(why, wsize, "cannot start libcurl");
        return SYM_HTTP_FAILED;
    }
    s->h = h;
    s->max = c->max_size;
    char err[CURL_ERROR_SIZE];
    bool https = strncasecmp(url, "https://", 8) == 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "etwmap/" ETWMAP_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85: the _STR forms */
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR,
                     https ? "https" : "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS,
                     https ? CURLPROTO_HTTPS : CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, SYM_HTTP_MAX_REDIRECTS);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->connect_timeout_s);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, SYM_HTTP_STALL_BYTES);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->stall_timeout_s);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->total_timeout_s);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_size);
    /* certificate and host name checks are libcurl's defaults; say so */
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, s);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, s->progress ? 0L : 1L);

    sym_http_result res = SYM_HTTP_FAILED;
    for (int attempt = 1;; attempt++) {
        err[0] = 0;
        s->n = 0;
        s->too_big = false;
        s->write_errno = 0;
        if (s->fd >= 0 && (ftruncate(s->fd, 0) != 0 ||
                           lseek(s->fd, 0, SEEK_SET) != 0)) {
            snprintf(why, wsize, "cannot reset the temporary file: %s",
                     strerror(errno));
            break;
        }
        CURLcode rc = curl_easy_perform(h);
        if (s->shown) {
            fputc('\n', stderr);
            s->shown = false;
        }
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        bool transient;
        if (rc == CURLE_OK && code >= 200 && code <= 299) {
            res = SYM_HTTP_OK;
            break;
        } else if (rc == CURLE_OK && (code == 404 || code == 410)) {
            snprintf(why, wsize, "HTTP %ld (not on the server)", code);
            res = SYM_HTTP_ABSENT;
            break;
        } else if (rc == CURLE_OK) {
            snprintf(why, wsize, "HTTP %ld", code);
            transient = code == 408 || code == 429 || code >= 500;
        } else if (s->too_big) {
            snprintf(why, wsize, "file larger than %s",
                     s->fd >= 0 ? "etwmap's limit" : "expected");
            transient = false;
        } else if (s->write_errno) {
            snprintf(why, wsize, "cannot write the download: %s",
                     strerror(s->write_errno));
            transient = false;
        } else {
            curl_why(rc, err, s, why, wsize);
            transient = transient_curl(rc);
        }
        if (!transient || attempt >= c->attempts) {
            if (attempt > 1) {
                size_t k = strlen(why);
                snprintf(why + k, wsize - k, ", after %d attempts", attempt);
            }
            break;
        }
        /* back off: 1 s, 2 s, 4 s, ... (at most 8 s) */
        unsigned wait = 1u << (attempt - 1 < 3 ? attempt - 1 : 3);
        while (wait)
            wait = sleep(wait);
    }
    curl_easy_cleanup(h);
    return res;
}

sym_http_result sym_http_get_fd(const sym_http_config *c, const char *url,
                                int fd, const char *label, char *why,
                                size_t wsize)
{
    sink s = {.fd = fd, .progress = c->progress, .label = label};
    return get(c, url, &s, why, wsize);
}

sym_http_result sym_http_get_mem(const sym_http_config *c, const char *url,
                                 char *buf, size_t size, size_t *n, char *why,
                                 size_t wsize)
{
    sink s = {.fd = -1, .buf = buf, .cap = size};
    *n = 0;
    if (size == 0)
        return SYM_HTTP_FAILED;
    sym_http_result r = get(c, url, &s, why, wsize);
    *n = (size_t)s.n;
    buf[*n] = 0;
    return r;
}

/* ---- origins ------------------------------------------------------------- */

static bool origin_of(const char *url, char *scheme, char *host, char *port,
                      size_t size)
{
    CURLU *u = curl_url();
    if (!u)
        return false;
    char *sc = NULL, *ho = NULL, *po = NULL;
    bool ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_SCHEME, &sc, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_HOST, &ho, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_PORT, &po, CURLU_DEFAULT_PORT) ==
                  CURLUE_OK;
    if (ok)
        ok = snprintf(scheme, size, "%s", sc) < (int)size &&
             snprintf(host, size, "%s", ho) < (int)size &&
             snprintf(port, size, "%s", po) < (int)size;
    curl_free(sc);
    curl_free(ho);
    curl_free(po);
    curl_url_cleanup(u);
    return ok;
}

bool sym_http_same_origin(const char *a, const char *b)
{
    char sa[256], ha[256], pa[256], sb[256], hb[256], pb[256];
    if (!origin_of(a, sa, ha, pa, sizeof sa) ||
        !origin_of(b, sb, hb, pb, sizeof sb))
        return false;
    bool http = strcasecmp(sa, "http") == 0 || strcasecmp(sa, "https") == 0;
    return http && strcasecmp(sa, sb) == 0 && strcasecmp(ha, hb) == 0 &&
           strcmp(pa, pb) == 0;
}
