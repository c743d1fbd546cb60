#include "ew_file.h"

#include "ew_limits.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

ew_status ew_file_map(ew_file *f, const char *path, ew_diag *d)
{
    f->data = NULL;
    f->size = 0;
    f->path = path;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ew_fail(d, EW_E_IO, NULL, -1, "%s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return ew_fail(d, EW_E_IO, NULL, -1, "%s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return ew_fail(d, EW_E_IO, NULL, -1, "not a regular file");
    }
    if ((unsigned long long)st.st_size > EW_MAX_FILE_SIZE) {
        close(fd);
        return ew_fail(d, EW_E_LIMIT, "file", -1,
                       "%lld bytes, limit %llu", (long long)st.st_size,
                       EW_MAX_FILE_SIZE);
    }
    if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            close(fd);
            return ew_fail(d, EW_E_IO, NULL, -1, "mmap: %s", strerror(e));
        }
        f->data = p;
        f->size = (size_t)st.st_size;
    }
    close(fd);
    return EW_OK;
}

void ew_file_unmap(ew_file *f)
{
    if (f->data)
        munmap((void *)f->data, f->size);
    f->data = NULL;
    f->size = 0;
}
