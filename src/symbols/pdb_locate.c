#include "pdb_locate.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

bool sym_pdb_file_name(const char *rsds_path, char *out, size_t size)
{
    if (!rsds_path)
        return false;
    const char *base = rsds_path;
    for (const char *p = rsds_path; *p; p++)
        if (*p == '/' || *p == '\\' || *p == ':')
            base = p + 1;
    size_t n = strlen(base);
    if (n == 0 || n >= size || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)base[i] < 0x20 || base[i] == 0x7f)
            return false;
    memcpy(out, base, n + 1);
    return true;
}

bool sym_pdb_beside_image(const char *image_path, const char *rsds_path,
                          char *out, size_t size)
{
    char name[256];
    if (!sym_pdb_file_name(rsds_path, name, sizeof name))
        return false;
    const char *slash = strrchr(image_path, '/');
    int n = slash ? snprintf(out, size, "%.*s/%s", (int)(slash - image_path),
                             image_path, name)
                  : snprintf(out, size, "%s", name);
    if (n < 0 || (size_t)n >= size)
        return false;
    struct stat st;
    return stat(out, &st) == 0 && S_ISREG(st.st_mode);
}
