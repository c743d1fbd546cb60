/*
 * wevtxml.c - test tool: the reconstructed manifest of an image, or of a
 * raw WEVT_TEMPLATE blob.
 *
 *   tool_wevtxml IMAGE
 *   tool_wevtxml --crim CRIM.bin [--msgtable MESSAGES.bin] [--name NAME]
 *
 * Maps IMAGE, opens it (pe_open), finds its WEVT_TEMPLATE and first
 * RT_MESSAGETABLE (type 11) resources, parses them (wevt_parse,
 * msgtab_parse) and writes manifest_xml_write's document to stdout, with
 * the image's file name as resourceFileName. Parse warnings go to stderr.
 * Exit status: 0 written; 1 no WEVT_TEMPLATE resource; 2 any failure
 * (unreadable input, unusable CRIM header or message table, write error).
 * Used by tests/manifest_xml_test.sh.
 */
#include "base/ew.h"
#include "base/ew_arena.h"
#include "base/ew_file.h"
#include "base/ew_rd.h"
#include "format/msgtab.h"
#include "format/pe.h"
#include "format/wevt.h"
#include "output/manifest_xml.h"

#include <stdio.h>
#include <string.h>

static int fail(const ew_diag *d)
{
    char buf[512];
    fprintf(stderr, "tool_wevtxml: %s\n", ew_diag_format(d, buf, sizeof buf));
    return 2;
}

static void warnings(const wevt_manifest *m, const char *path)
{
    for (size_t i = 0; i < m->n_warnings; i++)
        fprintf(stderr, "tool_wevtxml: %s: warning: %s at 0x%llx: %s\n", path,
                m->warnings[i].what, (unsigned long long)m->warnings[i].off,
                m->warnings[i].detail);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int write_xml(const wevt_manifest *m, const msgtab *t,
                     const char *name)
{
    if (manifest_xml_write(stdout, m, t, name) != 0) {
        fprintf(stderr, "tool_wevtxml: write error\n");
        return 2;
    }
    return 0;
}

/* --crim CRIM [--msgtable MSG] [--name NAME] */
static int raw(int argc, char **argv)
{
    const char *crim = NULL, *msg = NULL, *name = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--crim"))
            crim = argv[i + 1];
        else if (!strcmp(argv[i], "--msgtable"))
            msg = argv[i + 1];
        else if (!strcmp(argv[i], "--name"))
            name = argv[i + 1];
    }
    if (!crim || argc % 2 == 0) {
        fprintf(stderr, "usage: tool_wevtxml --crim CRIM [--msgtable MSG] "
                        "[--name NAME]\n");
        return 2;
    }
    ew_diag d;
    ew_file cf = {0}, mf = {0};
    ew_arena a;
    wevt_manifest m;
    msgtab t;
    int rc = 2;
    ew_diag_init(&d, crim);
    ew_arena_init(&a, 0);
    if (ew_file_map(&cf, crim, &d) != EW_OK ||
        wevt_parse(&m, cf.data, cf.size, 0, &a, &d) != EW_OK) {
        rc = fail(&d);
        goto out;
    }
    warnings(&m, crim);
    if (msg) {
        ew_diag_init(&d, msg);
        if (ew_file_map(&mf, msg, &d) != EW_OK ||
            msgtab_parse(&t, mf.data, mf.size, 0, &a, &d) != EW_OK) {
            rc = fail(&d);
            goto out;
        }
    }
    rc = write_xml(&m, msg ? &t : NULL, name);
out:
    ew_arena_free(&a);
    ew_file_unmap(&mf);
    ew_file_unmap(&cf);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--crim"))
        return raw(argc, argv);
    if (argc != 2) {
        fprintf(stderr, "usage: tool_wevtxml IMAGE\n"
                        "       tool_wevtxml --crim CRIM [--msgtable MSG] "
                        "[--name NAME]\n");
        return 2;
    }
    const char *path = argv[1];
    ew_diag d;
    ew_file f = {0};
    pe_image img;
    ew_arena a;
    wevt_manifest m;
    msgtab t;
    const msgtab *tp = NULL;
    int rc = 2;
    memset(&img, 0, sizeof img);
    ew_diag_init(&d, path);
    ew_arena_init(&a, 0);
    if (ew_file_map(&f, path, &d) != EW_OK ||
        pe_open(&img, f.data, f.size, path, &d) != EW_OK) {
        rc = fail(&d);
        goto out;
    }
    size_t n;
    const pe_resource *r = pe_find_resource(&img, 0, "WEVT_TEMPLATE", &n);
    if (!r) {
        fprintf(stderr, "tool_wevtxml: %s: no WEVT_TEMPLATE resource\n",
                path);
        rc = 1;
        goto out;
    }
    ew_rd rd;
    if (pe_rva_reader(&img, r->data_rva, r->size, "WEVT_TEMPLATE", &rd) !=
            EW_OK ||
        wevt_parse(&m, rd.base, rd.size, rd.base_off, &a, &d) != EW_OK) {
        rc = fail(&d);
        goto out;
    }
    warnings(&m, path);
    r = pe_find_resource(&img, PE_RT_MESSAGETABLE, NULL, &n);
    if (r) {
        if (pe_rva_reader(&img, r->data_rva, r->size, "RT_MESSAGETABLE",
                          &rd) != EW_OK ||
            msgtab_parse(&t, rd.base, rd.size, rd.base_off, &a, &d) !=
                EW_OK) {
            rc = fail(&d);
            goto out;
        }
        tp = &t;
    }
    rc = write_xml(&m, tp, base_name(path));
out:
    ew_arena_free(&a);
    pe_close(&img);
    ew_file_unmap(&f);
    return rc;
}
