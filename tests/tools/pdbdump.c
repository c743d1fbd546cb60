/*
 * pdbdump.c - test-only: prints what pdb_open read, for
 * tests/pdb_publics_test.py to compare with llvm-pdbutil.
 *
 *   pdbdump FILE.pdb            header line, then one line per public
 *   pdbdump -g FILE.pdb         ... per global
 *   pdbdump -a FILE.pdb         ... per annotation (loads annotations)
 *
 * Header: "guid <guid> age <info age> dbi_age <n|-> sections <n> omap <0|1>"
 * Public: "<seg 4 hex>:<off 8 hex> <rva 8 hex|-> <flags hex> <name>".
 * Global: "<seg>:<off> <rva|-> <kind hex> <type hex> <module> <sym_off>
 * <name>". Annotation: "<seg>:<off> <rva|-> <module> <n> <s1>TAB<s2>TAB...".
 * Exit 2 with the diagnostic on stderr when the PDB does not parse.
 */
#include "base/ew.h"
#include "base/ew_file.h"
#include "base/ew_guid.h"
#include "format/pdb.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void print_symbol(const pdb_symbol *s, bool global)
{
    char rva[16] = "-";
    if (s->has_rva)
        snprintf(rva, sizeof rva, "%08x", s->rva);
    if (global)
        printf("%04x:%08x %s %x %x %u %u %s\n", s->seg, s->off, rva, s->kind,
               s->type_index, s->module, s->sym_off, s->name);
    else
        printf("%04x:%08x %s %x %s\n", s->seg, s->off, rva, s->flags,
               s->name);
}

int main(int argc, char **argv)
{
    int mode = 'p';
    int i = 1;
    if (argc == 3 && argv[1][0] == '-') {
        mode = argv[1][1];
        i = 2;
    }
    if (argc != i + 1) {
        fprintf(stderr, "usage: pdbdump [-g|-a] FILE.pdb\n");
        return 2;
    }
    ew_diag d;
    ew_diag_init(&d, argv[i]);
    ew_file f;
    pdb_file pdb;
    char buf[512];
    if (ew_file_map(&f, argv[i], &d) != EW_OK ||
        pdb_open(&pdb, f.data, f.size, argv[i],
                 mode == 'a' ? PDB_LOAD_ANNOTATIONS : 0, &d) != EW_OK) {
        fprintf(stderr, "pdbdump: %s\n", ew_diag_format(&d, buf, sizeof buf));
        ew_file_unmap(&f);
        return 2;
    }
    char guid[37];
    ew_guid_format(pdb.guid, guid);
    char dbi_age[16] = "-";
    if (pdb.has_dbi)
        snprintf(dbi_age, sizeof dbi_age, "%u", pdb.dbi_age);
    printf("guid %s age %u dbi_age %s sections %zu omap %d\n", guid, pdb.age,
           dbi_age, pdb.n_sections, pdb.has_omap);
    if (mode == 'p')
        for (size_t k = 0; k < pdb.n_publics; k++)
            print_symbol(&pdb.publics[k], false);
    else if (mode == 'g')
        for (size_t k = 0; k < pdb.n_globals; k++)
            print_symbol(&pdb.globals[k], true);
    else
        for (size_t k = 0; k < pdb.n_annotations; k++) {
            const pdb_annotation *a = &pdb.annotations[k];
            char rva[16] = "-";
            if (a->has_rva)
                snprintf(rva, sizeof rva, "%08x", a->rva);
            printf("%04x:%08x %s %u %u ", a->seg, a->off, rva, a->module,
                   a->n_strings);
            for (uint16_t j = 0; j < a->n_strings; j++)
                printf("%s%s", j ? "\t" : "", a->strings[j]);
            printf("\n");
        }
    pdb_close(&pdb);
    ew_file_unmap(&f);
    return 0;
}
