/*
 * symstore.c - store layout, local look-up, atomic writes, cabinets
 * (symstore.h).
 */
#include "symstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mspack.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- keys and names ---------------------------------------------------- */

void sym_key(const uint8_t guid[16], uint32_t age, char out[SYM_KEY_SIZE])
{
    /* Data1..Data3 are little-endian integers printed as numbers; Data4
     * is printed byte by byte (FORMATS.md §4.8) */
    uint32_t d1 = (uint32_t)guid[0] | (uint32_t)guid[1] << 8 |
                  (uint32_t)guid[2] << 16 | (uint32_t)guid[3] << 24;
    unsigned d2 = (unsigned)guid[4] | (unsigned)guid[5] << 8;
    unsigned d3 = (unsigned)guid[6] | (unsigned)guid[7] << 8;
    snprintf(out, SYM_KEY_SIZE,
             "%08X%04X%04X%02X%02X%02X%02X%02X%02X%02X%02X%X", (unsigned)d1,
             d2, d3, guid[8], guid[9], guid[10], guid[11], guid[12], guid[13],
             guid[14], guid[15], (unsigned)age);
}

bool sym_compressed_name(const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    if (n == 0 || n >= size)
        return false;
    memcpy(out, name, n + 1);
    out[n - 1] = '_';
    return true;
}

static bool url_encode(const char *s, char *out, size_t size, size_t *pos)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                     (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                     c == '~' || c == '-';
        if (*pos + (plain ? 1 : 3) >= size)
            return false;
        if (plain) {
            out[(*pos)++] = (char)c;
        } else {
            out[(*pos)++] = '%';
            out[(*pos)++] = hex[c >> 4];
            out[(*pos)++] = hex[c & 15];
        }
    }
    out[*pos] = 0;
    return true;
}

bool sym_url_key_path(const char *name, const char *key, const char *leaf,
                      char *out, size_t size)
{
    size_t pos = 0;
    if (size == 0 || !url_encode(name, out, size, &pos))
        return false;
    int n = snprintf(out + pos, size - pos, "/%s/", key);
    if (n < 0 || (size_t)n >= size - pos)
        return false;
    pos += (size_t)n;
    return url_encode(leaf, out, size, &pos);
}

bool sym_is_cab(int fd)
{
    char m[4];
    return pread(fd, m, 4, 0) == 4 && memcmp(m, "MSCF", 4) == 0;
}

/* ---- file.ptr ---------------------------------------------------------- */

sym_ptr_kind sym_ptr_parse(const char *text, size_t n, char *target,
                           size_t size)
{
    size_t len = 0;
    while (len < n && text[len] != '\n' && text[len] != '\r' && text[len])
        len++;
    while (len && (text[0] == ' ' || text[0] == '\t')) {
        text++;
        len--;
    }
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    sym_ptr_kind kind = SYM_PTR_PATH;
    if (len >= 4 && strncasecmp(text, "MSG:", 4) == 0) {
        kind = SYM_PTR_MSG;
        text += 4;
        len -= 4;
    } else if (len >= 5 && strncasecmp(text, "PATH:", 5) == 0) {
        text += 5;
        len -= 5;
    }
    if (size == 0)
        return SYM_PTR_BAD;
    target[0] = 0;
    if (kind == SYM_PTR_MSG) {
        /* shown to the user: printable ASCII only, cut to fit */
        size_t k = 0;
        for (size_t i = 0; i < len && k + 1 < size; i++) {
            unsigned char c = (unsigned char)text[i];
            target[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
        }
        target[k] = 0;
        return kind;
    }
    if (len == 0 || len >= size)
        return SYM_PTR_BAD;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
            return SYM_PTR_BAD;
    memcpy(target, text, len);
    target[len] = 0;
    return kind;
}

/* ---- local stores ------------------------------------------------------ */

bool sym_local_find(const char *store, const char *name, const char *key,
                    sym_local_kind kind, char *out, size_t size)
{
    char leaf[256];
    if (kind == SYM_LOCAL_PDB)
        snprintf(leaf, sizeof leaf, "%s", name);
    else if (kind == SYM_LOCAL_CAB) {
        if (!sym_compressed_name(name, leaf, sizeof leaf))
            return false;
    } else
        snprintf(leaf, sizeof leaf, "file.ptr");
    int n = snprintf(out, size, "%s/%s/%s/%s", store, name, key, leaf);
    if (n < 0 || (size_t)n >= size)
        return false;
    struct stat st;
    return stat(out, &st) == 0 && S_ISREG(st.st_mode);
}

bool sym_read_small(const char *path, char *buf, size_t size, size_t *n)
{
    *n = 0;
    if (size == 0)
        return false;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              (uint64_t)st.st_size < size;
    while (ok && *n + 1 < size) {
        ssize_t r = read(fd, buf + *n, size - 1 - *n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            ok = false;
        if (r <= 0)
            break;
        *n += (size_t)r;
    }
    close(fd);
    buf[*n] = 0;
    return ok;
}

/* ---- signal-safe clean-up of temporary files ---------------------------- */

#define TMP_SLOTS 4
static char tmp_paths[TMP_SLOTS][4096];
static volatile sig_atomic_t tmp_armed[TMP_SLOTS];
static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define N_CLEANUP_SIGNALS (sizeof cleanup_signals / sizeof cleanup_signals[0])
static struct sigaction old_actions[N_CLEANUP_SIGNALS];
static int n_armed;

static void on_fatal_signal(int sig)
{
    for (int i = 0; i < TMP_SLOTS; i++)
        if (tmp_armed[i])
            unlink(tmp_paths[i]); /* async-signal-safe */
    for (size_t i = 0; i < N_CLEANUP_SIGNALS; i++)
        if (cleanup_signals[i] == sig)
            sigaction(sig, &old_actions[i], NULL);
    raise(sig);
}

static void arm(const char *path)
{
    for (int i = 0; i < TMP_SLOTS; i++) {
        if (tmp_armed[i])
            continue;
        snprintf(tmp_paths[i], sizeof tmp_paths[i], "%s", path);
        tmp_armed[i] = 1;
        if (n_armed++ == 0) {
            for (size_t k = 0; k < N_CLEANUP_SIGNALS; k++) {
                struct sigaction sa;
                memset(&sa, 0, sizeof sa);
                sa.sa_handler = on_fatal_signal;
                sigemptyset(&sa.sa_mask);
                sigaction(cleanup_signals[k], NULL, &old_actions[k]);
                /* an ignored signal (nohup) stays ignored */
                if (old_actions[k].sa_handler != SIG_IGN)
                    sigaction(cleanup_signals[k], &sa, NULL);
            }
        }
        return;
    }
}

static void disarm(const char *path)
{
    for (int i = 0; i < TMP_SLOTS; i++) {
        if (tmp_armed[i] && strcmp(tmp_paths[i], path) == 0) {
            tmp_armed[i] = 0;
            if (--n_armed == 0)
                for (size_t k = 0; k < N_CLEANUP_SIGNALS; k++)
                    if (old_actions[k].sa_handler != SIG_IGN)
                        sigaction(cleanup_signals[k], &old_actions[k], NULL);
            return;
        }
    }
}

/* ---- atomic writes ------------------------------------------------------ */

static void set_why(char *why, size_t wsize, const char *what,
                    const char *path, int err)
{
    snprintf(why, wsize, "%s %s: %s", what, path, strerror(err));
}

/* mkdir -p; *created is set when the last component was made here. */
static int mkdir_p(const char *path, bool *created)
{
    char buf[4096];
    *created = false;
    int n = snprintf(buf, sizeof buf, "%s", path);
    if (n <= 0 || (size_t)n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != 0)
            continue;
        char c = *p;
        *p = 0;
        if (mkdir(buf, 0777) == 0) {
            if (c == 0)
                *created = true;
        } else if (errno != EEXIST) {
            return -1;
        } else {
            struct stat st;
            if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
                errno = ENOTDIR;
                return -1;
            }
        }
        if (c == 0)
            return 0;
        *p = c;
        while (p[1] == '/')
            p++;
    }
}

/* Removes our temporary files in dir older than SYM_STALE_TMP_SECONDS. */
static void remove_stale(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    time_t now = time(NULL);
    size_t plen = strlen(SYM_TMP_PREFIX);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, SYM_TMP_PREFIX, plen) != 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(st.st_mode) && now - st.st_mtime > SYM_STALE_TMP_SECONDS)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

ew_status sym_tmp_create(sym_tmp *t, const char *store, const char *name,
                         const char *key, char *why, size_t wsize)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
    int n0 = snprintf(t->dirs[0], sizeof t->dirs[0], "%s", store);
    int n1 = snprintf(t->dirs[1], sizeof t->dirs[1], "%s/%s", store, name);
    int n2 = snprintf(t->dirs[2], sizeof t->dirs[2], "%s/%s/%s", store, name,
                      key);
    int n3 = snprintf(t->final, sizeof t->final, "%s/%s/%s/%s", store, name,
                      key, name);
    int n4 = snprintf(t->path, sizeof t->path, "%s/%s/%s/%sXXXXXX", store,
                      name, key, SYM_TMP_PREFIX);
    if (n0 < 0 || n1 < 0 || n2 < 0 || n3 < 0 || n4 < 0 ||
        (size_t)n3 >= sizeof t->final || (size_t)n4 >= sizeof t->path) {
        snprintf(why, wsize, "path in %s too long", store);
        t->path[0] = 0;
        return EW_E_IO;
    }
    char tmpl[4096];
    memcpy(tmpl, t->path, sizeof tmpl);
    t->path[0] = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        bool created;
        if (mkdir_p(store, &created) != 0) {
            set_why(why, wsize, "cannot create", store, errno);
            sym_tmp_abort(t);
            return EW_E_IO;
        }
        t->new_dir[0] |= created;
        for (int i = 1; i < 3; i++) {
            if (mkdir(t->dirs[i], 0777) == 0) {
                t->new_dir[i] = true;
            } else if (errno != EEXIST) {
                set_why(why, wsize, "cannot create", t->dirs[i], errno);
                sym_tmp_abort(t);
                return EW_E_IO;
            }
        }
        if (attempt == 0)
            remove_stale(t->dirs[2]);
        memcpy(t->path, tmpl, sizeof tmpl);
        t->fd = mkstemp(t->path);
        /* ENOENT: another etwmap removed the empty directories meanwhile */
        if (t->fd >= 0 || errno != ENOENT)
            break;
    }
    if (t->fd < 0) {
        set_why(why, wsize, "cannot create a file in", t->dirs[2], errno);
        t->path[0] = 0;
        sym_tmp_abort(t);
        return EW_E_IO;
    }
    arm(t->path);
    /* mkstemp makes 0600; a cache file is as readable as any other file */
    mode_t um = umask(0);
    umask(um);
    fchmod(t->fd, 0666 & ~um);
    return EW_OK;
}

ew_status sym_tmp_write(sym_tmp *t, const void *data, size_t size, char *why,
                        size_t wsize)
{
    const char *p = data;
    while (size) {
        ssize_t w = write(t->fd, p, size > (1u << 30) ? (1u << 30) : size);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            set_why(why, wsize, "cannot write", t->path, w < 0 ? errno : EIO);
            return EW_E_IO;
        }
        p += w;
        size -= (size_t)w;
    }
    return EW_OK;
}

ew_status sym_tmp_commit(sym_tmp *t, char *why, size_t wsize)
{
    if (fsync(t->fd) != 0) {
        set_why(why, wsize, "cannot flush", t->path, errno);
        sym_tmp_abort(t);
        return EW_E_IO;
    }
    close(t->fd);
    t->fd = -1;
    if (rename(t->path, t->final) != 0) {
        set_why(why, wsize, "cannot rename to", t->final, errno);
        sym_tmp_abort(t);
        return EW_E_IO;
    }
    disarm(t->path);
    t->path[0] = 0;
    /* make the rename itself durable */
    int dfd = open(t->dirs[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    memset(t->new_dir, 0, sizeof t->new_dir); /* they hold the file now */
    return EW_OK;
}

void sym_tmp_abort(sym_tmp *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    if (t->path[0]) {
        unlink(t->path);
        disarm(t->path);
        t->path[0] = 0;
    }
    for (int i = 2; i >= 0; i--)
        if (t->new_dir[i])
            rmdir(t->dirs[i]); /* fails, harmlessly, when not empty */
    memset(t->new_dir, 0, sizeof t->new_dir);
}

/* ---- cabinets ------------------------------------------------------------ */

static const char *mspack_error(int e)
{
    switch (e) {
    case MSPACK_ERR_OPEN: return "cannot open";
    case MSPACK_ERR_READ: return "truncated or unreadable";
    case MSPACK_ERR_WRITE: return "write error";
    case MSPACK_ERR_SEEK: return "seek error";
    case MSPACK_ERR_NOMEMORY: return "out of memory";
    case MSPACK_ERR_SIGNATURE: return "not a cabinet (bad signature)";
    case MSPACK_ERR_DATAFORMAT: return "malformed cabinet";
    case MSPACK_ERR_CHECKSUM: return "cabinet checksum error";
    case MSPACK_ERR_DECRUNCH: return "decompression error";
    default: return "cabinet error";
    }
}

/* libmspack's file access through stdio, without its default habit of
 * printing warnings about damaged cabinets on stderr (etwmap reports the
 * failure in its own words). struct mspack_file is opaque to libmspack:
 * ours is a FILE. */
static struct mspack_file *ms_open(struct mspack_system *self,
                                   const char *name, int mode)
{
    const char *m = mode == MSPACK_SYS_OPEN_READ    ? "rb"
                    : mode == MSPACK_SYS_OPEN_WRITE ? "wb"
                    : mode == MSPACK_SYS_OPEN_UPDATE ? "r+b"
                                                     : "ab";
    return (struct mspack_file *)fopen(name, m);
}
static void ms_close(struct mspack_file *f) { fclose((FILE *)f); }
static int ms_read(struct mspack_file *f, void *buf, int n)
{
    if (n < 0)
        return -1;
    size_t r = fread(buf, 1, (size_t)n, (FILE *)f);
    return r == 0 && ferror((FILE *)f) ? -1 : (int)r;
}
static int ms_write(struct mspack_file *f, void *buf, int n)
{
    if (n < 0)
        return -1;
    size_t w = fwrite(buf, 1, (size_t)n, (FILE *)f);
    return w == (size_t)n ? n : -1;
}
static int ms_seek(struct mspack_file *f, off_t off, int mode)
{
    int whence = mode == MSPACK_SYS_SEEK_START ? SEEK_SET
                 : mode == MSPACK_SYS_SEEK_CUR ? SEEK_CUR
                                               : SEEK_END;
    return fseeko((FILE *)f, off, whence) == 0 ? 0 : -1;
}
static off_t ms_tell(struct mspack_file *f) { return ftello((FILE *)f); }
static void ms_message(struct mspack_file *f, const char *fmt, ...) {}
static void *ms_alloc(struct mspack_system *self, size_t n) { return malloc(n); }
static void ms_free(void *p) { free(p); }
static void ms_copy(void *src, void *dst, size_t n) { memmove(dst, src, n); }

static struct mspack_system quiet_system = {
    ms_open, ms_close, ms_read,  ms_write, ms_seek, ms_tell,
    ms_message, ms_alloc, ms_free, ms_copy, NULL,
};

ew_status sym_cab_extract(const char *cab_path, const char *out_path,
                          char *why, size_t wsize)
{
    int self_test;
    MSPACK_SYS_SELFTEST(self_test);
    if (self_test != MSPACK_ERR_OK) {
        snprintf(why, wsize, "libmspack self-test failed (%d)", self_test);
        return EW_E_UNSUPPORTED;
    }
    struct mscab_decompressor *dec = mspack_create_cab_decompressor(&quiet_system);
    if (!dec) {
        snprintf(why, wsize, "cannot create a cabinet decompressor");
        return EW_E_NOMEM;
    }
    /* strict: no salvaging of damaged data */
    dec->set_param(dec, MSCABD_PARAM_SALVAGE, 0);
    dec->set_param(dec, MSCABD_PARAM_FIXMSZIP, 0);
    ew_status s = EW_OK;
    struct mscabd_cabinet *cab = dec->open(dec, cab_path);
    if (!cab) {
        snprintf(why, wsize, "%s", mspack_error(dec->last_error(dec)));
        s = EW_E_BAD_VALUE;
    } else if (cab->flags & (MSCAB_HDR_PREVCAB | MSCAB_HDR_NEXTCAB)) {
        snprintf(why, wsize, "part of a cabinet set (unsupported)");
        s = EW_E_UNSUPPORTED;
    } else if (!cab->files || cab->files->next) {
        snprintf(why, wsize, "cabinet holds %s files, expected one",
                 cab->files ? "several" : "no");
        s = EW_E_BAD_VALUE;
    } else {
        /* a CAB file length is a u32, below SYM_MAX_STORED_SIZE (4 GiB):
         * the cap holds by construction */
        int e = dec->extract(dec, cab->files, out_path);
        if (e != MSPACK_ERR_OK) {
            snprintf(why, wsize, "%s", mspack_error(e));
            s = EW_E_BAD_VALUE;
        }
    }
    if (cab)
        dec->close(dec, cab);
    mspack_destroy_cab_decompressor(dec);
    return s;
}
