/*
 * cmd_info.c - `etwmap info`: what a PE image is, what it imports and
 * exports, which ETW APIs it touches, which ETW metadata it carries, and
 * whether its PDB is at hand and matches.
 */
#include "cli.h"
#include "cli_image.h"

#include "analysis/etw_api.h"
#include "base/ew_file.h"
#include "base/ew_guid.h"
#include "format/pdb.h"
#include "format/pe.h"
#include "format/tlg.h"
#include "output/json.h"
#include "symbols/sym_find.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#define RT_MESSAGETABLE 11 /* PE/COFF resource type id (FORMATS.md §2.8) */

typedef enum { FMT_TEXT, FMT_JSON } info_format;

typedef struct info_opts {
    cli_pdb_opts pdb;     /* --pdb, --symbol-path, ... */
    info_format format;
} info_opts;

/* The image's PDB: where it was found and whether it matches
 * (symbols/sym_find.h). */
typedef sym_found info_pdb;

/* IMAGE_DEBUG_TYPE_* names, PE/COFF specification "Debug Type". */
static const char *debug_type_name(uint32_t type)
{
    static const char *const names[] = {
        "unknown", "coff", "codeview", "fpo", "misc", "exception", "fixup",
        "omap-to-src", "omap-from-src", "borland", "reserved10", "clsid",
        "vc-feature", "pogo", "iltcg", "mpx", "repro", NULL, NULL, NULL,
        "ex-dllcharacteristics",
    };
    if (type < sizeof names / sizeof names[0] && names[type])
        return names[type];
    return "other";
}

static void usage(FILE *out)
{
    fputs("usage: etwmap info [OPTIONS] FILE...\n"
          "\n"
          "Summarise each PE image: machine, subsystem, sections, exports and\n"
          "imports (with the ETW APIs among them), the CodeView record naming\n"
          "its PDB, whether that PDB was found and matches, and which ETW\n"
          "metadata the file carries (WEVT_TEMPLATE manifest, message table,\n"
          "TraceLogging ETW0 block).\n"
          "\n"
          "Options:\n"
          "  --pdb PDB        use this PDB (one FILE only); refused when its GUID\n"
          "                   and age do not match the image's RSDS record\n"
          "  --force-pdb      use the PDB even when it does not match\n"
          "  --no-pdb         do not look for a PDB\n"
          SYM_HELP_OPTIONS
          "  --format FMT     text (default) or json (one object per FILE and\n"
          "                   line, with every export, import, section and\n"
          "                   resource)\n"
          "  -h, --help       this help\n"
          "\n"
          "Without --pdb, the PDB named by the image's RSDS record is looked\n"
          "for beside the image, then along the symbol path (see 'etwmap\n"
          "symbols --help'); one that does not match is ignored with a\n"
          "warning (exit status 1), as are failed downloads.\n"
          "\n"
          "Examples:\n"
          "  etwmap info tests/fixtures/kdriver/kdriver.sys\n"
          "  etwmap info --format json fltMgr.sys | jq '.imports[].name'\n",
          out);
}

/* ---- facts derived for both formats ------------------------------------ */

typedef struct info_facts {
    size_t n_forwarders, n_delay, n_dlls;
    size_t n_etw_imports;
    const pe_resource *wevt;
    size_t n_wevt;
    const pe_resource *msgtab;
    size_t n_msgtab;
    bool has_tlg;
    tlg_header tlg;
} info_facts;

static void gather(const pe_image *img, info_facts *f)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < img->n_exports; i++)
        if (img->exports[i].forwarder)
            f->n_forwarders++;
    const char *last_dll = NULL;
    for (size_t i = 0; i < img->n_imports; i++) {
        const pe_import *im = &img->imports[i];
        if (im->delay)
            f->n_delay++;
        /* imports are grouped by descriptor, so a change of DLL name is a
         * new descriptor */
        if (!last_dll || strcmp(last_dll, im->dll) != 0)
            f->n_dlls++;
        last_dll = im->dll;
        if (im->name && etw_api_find(im->name))
            f->n_etw_imports++;
    }
    f->wevt = pe_find_resource(img, 0, "WEVT_TEMPLATE", &f->n_wevt);
    f->msgtab = pe_find_resource(img, RT_MESSAGETABLE, NULL, &f->n_msgtab);
    f->has_tlg = tlg_find_header(img, &f->tlg);
}

/* ---- text -------------------------------------------------------------- */

static void print_text(const pe_image *img, const info_facts *f,
                       const info_pdb *p)
{
    printf("file           %s\n", img->path);
    printf("machine        %s (0x%04x), %s\n", pe_machine_name(img->machine),
           img->machine, img->pe32plus ? "PE32+" : "PE32");
    printf("subsystem      %s\n", pe_subsystem_name(img->subsystem));
    printf("image base     0x%" PRIx64 "\n", img->image_base);
    printf("size of image  0x%x\n", img->size_of_image);
    printf("entry point    0x%x\n", img->entry_rva);
    printf("sections       %zu:", img->n_sections);
    for (size_t i = 0; i < img->n_sections; i++)
        printf(" %s", img->sections[i].name);
    putchar('\n');
    printf("exports        %zu", img->n_exports);
    if (f->n_forwarders)
        printf(" (%zu forwarded)", f->n_forwarders);
    if (img->export_dll_name)
        printf(", as %s", img->export_dll_name);
    putchar('\n');
    printf("imports        %zu from %zu DLL%s", img->n_imports, f->n_dlls,
           f->n_dlls == 1 ? "" : "s");
    if (f->n_delay)
        printf(" (%zu delay-loaded)", f->n_delay);
    putchar('\n');
    printf("ETW imports    %zu", f->n_etw_imports);
    for (size_t i = 0; i < img->n_imports; i++) {
        const pe_import *im = &img->imports[i];
        const etw_api *a = im->name ? etw_api_find(im->name) : NULL;
        if (a)
            printf("\n  %-28s %-14s %s%s", im->name, etw_api_kind_name(a->kind),
                   im->dll, im->delay ? " (delay)" : "");
    }
    putchar('\n');
    size_t n_etw_exports = 0;
    for (size_t i = 0; i < img->n_exports; i++)
        if (img->exports[i].name && etw_api_find(img->exports[i].name))
            n_etw_exports++;
    if (n_etw_exports)
        printf("ETW exports    %zu (this image implements ETW APIs)\n",
               n_etw_exports);
    printf("functions      %zu (exception directory)\n", img->n_functions);
    printf("relocations    %zu\n", img->n_relocs);
    if (img->load_config.present) {
        const pe_load_config *lc = &img->load_config;
        printf("load config    %u bytes; CFG %s, %zu functions, guard flags 0x%x\n",
               lc->size, lc->guard_cf_function_table_va ? "table" : "no table",
               lc->n_guard_functions, lc->guard_flags);
    } else {
        printf("load config    none\n");
    }
    printf("debug          %zu entries:", img->n_debug);
    for (size_t i = 0; i < img->n_debug; i++)
        printf(" %s", debug_type_name(img->debug[i].type));
    putchar('\n');
    if (img->codeview.present) {
        char g[37];
        ew_guid_format(img->codeview.guid, g);
        printf("codeview       RSDS %s age %u %s\n", g, img->codeview.age,
               img->codeview.pdb_path ? img->codeview.pdb_path : "");
    } else {
        printf("codeview       none\n");
    }
    printf("pdb            %s", sym_state_name(p->state));
    if (p->path[0])
        printf(" %s", p->path);
    if (p->open && (p->state == SYM_MATCHED || p->state == SYM_FORCED))
        printf(" (%zu publics, %zu globals)", p->pdb.n_publics, p->pdb.n_globals);
    if (p->state == SYM_MATCHED && p->how == SYM_HOW_DOWNLOADED)
        printf("\n               downloaded from %s", p->source);
    else if (p->state == SYM_MATCHED &&
             (p->how == SYM_HOW_STORE || p->how == SYM_HOW_DIR))
        printf("\n               found in %s", p->source);
    if (p->note[0] && p->state != SYM_MATCHED)
        printf("\n               %s", p->note);
    putchar('\n');
    printf("ETW metadata\n");
    if (f->wevt)
        printf("  WEVT_TEMPLATE  %zu resource(s), %u bytes at 0x%x\n", f->n_wevt,
               f->wevt->size, f->wevt->data_rva);
    else
        printf("  WEVT_TEMPLATE  none\n");
    if (f->msgtab)
        printf("  message table  %zu resource(s), %u bytes at 0x%x\n",
               f->n_msgtab, f->msgtab->size, f->msgtab->data_rva);
    else
        printf("  message table  none\n");
    if (f->has_tlg)
        printf("  TraceLogging   ETW0 header at 0x%x\n", f->tlg.rva);
    else
        printf("  TraceLogging   none\n");
}

/* ---- json ------------------------------------------------------------- */

static void json_resource_id(json_w *w, const char *key, uint32_t id,
                             const char *name)
{
    json_key(w, key);
    if (name)
        json_str(w, name);
    else
        json_u64(w, id);
}

static void print_json(const pe_image *img, const info_facts *f,
                       const info_pdb *p)
{
    json_w w;
    json_init(&w, stdout);
    json_obj_begin(&w);
    json_kv_str(&w, "file", img->path);
    json_kv_str(&w, "machine", pe_machine_name(img->machine));
    json_kv_hex(&w, "machine_id", img->machine);
    json_kv_str(&w, "format", img->pe32plus ? "PE32+" : "PE32");
    json_kv_str(&w, "subsystem", pe_subsystem_name(img->subsystem));
    json_kv_hex(&w, "image_base", img->image_base);
    json_kv_hex(&w, "size_of_image", img->size_of_image);
    json_kv_hex(&w, "entry_rva", img->entry_rva);
    json_kv_hex(&w, "timestamp", img->timestamp);
    json_kv_hex(&w, "characteristics", img->characteristics);
    json_kv_hex(&w, "dll_characteristics", img->dll_characteristics);

    json_key(&w, "sections");
    json_arr_begin(&w);
    for (size_t i = 0; i < img->n_sections; i++) {
        const pe_section *s = &img->sections[i];
        json_obj_begin(&w);
        json_kv_str(&w, "name", s->name);
        json_kv_hex(&w, "rva", s->rva);
        json_kv_hex(&w, "virtual_size", s->vsize);
        json_kv_hex(&w, "raw_offset", s->raw_off);
        json_kv_hex(&w, "raw_size", s->raw_size);
        json_kv_hex(&w, "characteristics", s->characteristics);
        json_obj_end(&w);
    }
    json_arr_end(&w);

    json_kv_str(&w, "export_dll_name", img->export_dll_name);
    json_key(&w, "exports");
    json_arr_begin(&w);
    for (size_t i = 0; i < img->n_exports; i++) {
        const pe_export *e = &img->exports[i];
        json_obj_begin(&w);
        json_kv_u64(&w, "ordinal", e->ordinal);
        json_kv_str(&w, "name", e->name);
        json_key(&w, "rva");
        if (e->forwarder)
            json_null(&w);
        else
            json_hex(&w, e->rva);
        json_kv_str(&w, "forwarder", e->forwarder);
        json_obj_end(&w);
    }
    json_arr_end(&w);

    json_key(&w, "imports");
    json_arr_begin(&w);
    for (size_t i = 0; i < img->n_imports; i++) {
        const pe_import *im = &img->imports[i];
        const etw_api *a = im->name ? etw_api_find(im->name) : NULL;
        json_obj_begin(&w);
        json_kv_str(&w, "dll", im->dll);
        json_kv_str(&w, "name", im->name);
        json_key(&w, "ordinal");
        if (im->name)
            json_null(&w);
        else
            json_u64(&w, im->ordinal);
        json_kv_u64(&w, "hint", im->hint);
        json_kv_hex(&w, "iat_rva", im->iat_rva);
        json_kv_bool(&w, "delay", im->delay);
        json_kv_str(&w, "etw_api", a ? etw_api_kind_name(a->kind) : NULL);
        json_obj_end(&w);
    }
    json_arr_end(&w);

    json_key(&w, "etw_imports");
    json_arr_begin(&w);
    for (size_t i = 0; i < img->n_imports; i++)
        if (img->imports[i].name && etw_api_find(img->imports[i].name))
            json_str(&w, img->imports[i].name);
    json_arr_end(&w);
    json_key(&w, "etw_exports");
    json_arr_begin(&w);
    for (size_t i = 0; i < img->n_exports; i++)
        if (img->exports[i].name && etw_api_find(img->exports[i].name))
            json_str(&w, img->exports[i].name);
    json_arr_end(&w);

    json_kv_u64(&w, "runtime_functions", img->n_functions);
    json_kv_u64(&w, "relocations", img->n_relocs);

    json_key(&w, "load_config");
    if (img->load_config.present) {
        const pe_load_config *lc = &img->load_config;
        json_obj_begin(&w);
        json_kv_u64(&w, "size", lc->size);
        json_kv_hex(&w, "guard_flags", lc->guard_flags);
        json_kv_hex(&w, "guard_check_icall_va", lc->guard_check_icall_va);
        json_kv_hex(&w, "guard_dispatch_icall_va", lc->guard_dispatch_icall_va);
        json_kv_hex(&w, "guard_cf_function_table_va", lc->guard_cf_function_table_va);
        json_kv_u64(&w, "guard_cf_function_count", lc->guard_cf_function_count);
        json_kv_u64(&w, "guard_functions", lc->n_guard_functions);
        json_obj_end(&w);
    } else {
        json_null(&w);
    }

    json_key(&w, "debug");
    json_arr_begin(&w);
    for (size_t i = 0; i < img->n_debug; i++) {
        json_obj_begin(&w);
        json_kv_u64(&w, "type", img->debug[i].type);
        json_kv_str(&w, "type_name", debug_type_name(img->debug[i].type));
        json_kv_hex(&w, "rva", img->debug[i].rva);
        json_kv_u64(&w, "size", img->debug[i].size);
        json_obj_end(&w);
    }
    json_arr_end(&w);

    json_key(&w, "codeview");
    if (img->codeview.present) {
        json_obj_begin(&w);
        json_key(&w, "guid");
        json_guid(&w, img->codeview.guid);
        json_kv_u64(&w, "age", img->codeview.age);
        json_kv_str(&w, "pdb_path", img->codeview.pdb_path);
        json_obj_end(&w);
    } else {
        json_null(&w);
    }

    json_key(&w, "pogo");
    json_arr_begin(&w);
    for (size_t i = 0; i < img->n_pogo; i++) {
        json_obj_begin(&w);
        json_kv_str(&w, "name", img->pogo[i].name);
        json_kv_hex(&w, "rva", img->pogo[i].rva);
        json_kv_hex(&w, "size", img->pogo[i].size);
        json_obj_end(&w);
    }
    json_arr_end(&w);

    json_key(&w, "resources");
    json_arr_begin(&w);
    for (size_t i = 0; i < img->n_resources; i++) {
        const pe_resource *r = &img->resources[i];
        json_obj_begin(&w);
        json_resource_id(&w, "type", r->type_id, r->type_name);
        json_resource_id(&w, "name", r->name_id, r->name_name);
        json_kv_u64(&w, "lang", r->lang);
        json_kv_hex(&w, "rva", r->data_rva);
        json_kv_u64(&w, "size", r->size);
        json_obj_end(&w);
    }
    json_arr_end(&w);

    json_key(&w, "pdb");
    json_obj_begin(&w);
    json_kv_str(&w, "status", sym_state_name(p->state));
    json_kv_str(&w, "path", p->path[0] ? p->path : NULL);
    json_kv_str(&w, "found", p->how != SYM_HOW_NONE ? sym_how_name(p->how) : NULL);
    json_kv_str(&w, "source", p->source[0] ? p->source : NULL);
    json_kv_str(&w, "key", p->key[0] ? p->key : NULL);
    json_kv_str(&w, "note", p->note[0] ? p->note : NULL);
    if (p->open) {
        json_key(&w, "guid");
        json_guid(&w, p->pdb.guid);
        json_kv_u64(&w, "age", p->pdb.age);
        json_kv_u64(&w, "dbi_age", p->pdb.dbi_age);
        json_kv_u64(&w, "publics", p->pdb.n_publics);
        json_kv_u64(&w, "globals", p->pdb.n_globals);
        json_kv_u64(&w, "modules", p->pdb.n_modules);
    }
    json_obj_end(&w);

    json_key(&w, "etw_metadata");
    json_obj_begin(&w);
    json_kv_bool(&w, "wevt_template", f->wevt != NULL);
    json_kv_bool(&w, "message_table", f->msgtab != NULL);
    json_key(&w, "tracelogging_rva");
    if (f->has_tlg)
        json_hex(&w, f->tlg.rva);
    else
        json_null(&w);
    json_obj_end(&w);

    json_obj_end(&w);
    json_line_end(&w);
}

/* ---- driver ----------------------------------------------------------- */

static int info_one(const info_opts *o, const char *path)
{
    ew_file file;
    pe_image img;
    if (cli_open_image(path, &file, &img) != EXIT_OK)
        return EXIT_BAD_INPUT;
    info_pdb *p = calloc(1, sizeof *p);
    int rc = p ? cli_find_pdb(&o->pdb, 0, &img, p) : EXIT_BAD_INPUT;
    if (rc == EXIT_OK) {
        info_facts f;
        gather(&img, &f);
        if (o->format == FMT_JSON)
            print_json(&img, &f, p);
        else
            print_text(&img, &f, p);
        rc = cli_report_pdb(p, path);
        sym_found_close(p);
    }
    free(p);
    cli_close_image(&file, &img);
    return rc;
}

int cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_PDB_LONG_OPTIONS,
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    info_opts o = {0};
    int c;
    while ((c = getopt_long(argc, argv, "hp:f:", opts, NULL)) != -1) {
        if (cli_pdb_option(&o.pdb, c, optarg))
            continue;
        switch (c) {
        case 'f':
            if (strcmp(optarg, "text") == 0)
                o.format = FMT_TEXT;
            else if (strcmp(optarg, "json") == 0)
                o.format = FMT_JSON;
            else {
                cli_error("info: unknown format '%s' (text or json)", optarg);
                return EXIT_BAD_INPUT;
            }
            break;
        case 'h': usage(stdout); return EXIT_OK;
        default: usage(stderr); return EXIT_BAD_INPUT;
        }
    }
    int n_files = argc - optind;
    if (n_files < 1) {
        cli_error("info: no FILE given (try 'etwmap info --help')");
        return EXIT_BAD_INPUT;
    }
    if (cli_pdb_opts_check("info", &o.pdb, n_files) != EXIT_OK)
        return EXIT_BAD_INPUT;
    int worst = EXIT_OK;
    for (int i = optind; i < argc; i++) {
        if (o.format == FMT_TEXT && i > optind)
            putchar('\n');
        int rc = info_one(&o, argv[i]);
        if (rc > worst)
            worst = rc;
    }
    if (fflush(stdout) != 0) {
        cli_error("info: cannot write output");
        return EXIT_BAD_INPUT;
    }
    return worst;
}
