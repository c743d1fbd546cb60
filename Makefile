# etwmap - plain Makefile.
#
#   make                 release build: build/etwmap
#   make demo            build, then map the bundled tiny kernel's system
#                        calls to the ETW events they write
#   make check           unit + CLI + corpus tests under ASan/UBSan, then a
#                        short smoke run of every fuzz harness
#   make fuzz            build the libFuzzer harnesses (build/fuzz/)
#   make fuzz-run FUZZ_SECONDS=600   run each harness that long
#   make bench           benchmarks (bench/); engine_bench also times the
#                        synthetic images `make synth` built
#   make synth SYNTH_SCALES="1 4 16"   build the synthetic kernel images
#                        $(B)/synth/xN/tkbig.sys (+ .pdb) for the benchmarks
#                        (needs clang, lld; minutes at N=16; not part of check)
#   make fixtures        rebuild tests/fixtures from source (needs clang, lld)
#   make install PREFIX=/usr/local
#
# Sources are found by pattern: src/**/*.c is the library, src/cli/*.c the
# command line, tests/test_*.c one test program each, fuzz/*_fuzz.c one
# harness each, bench/*_bench.c one benchmark each.

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=

CC ?= cc
FUZZ_CC ?= clang
PKG_CONFIG ?= pkg-config

# Libraries used by the library and CLI, and by the tests.
LIB_PKGS := libcurl libmspack
TEST_PKGS := cmocka

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wno-unused-parameter -Wvla
BASE_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 \
               -DETWMAP_VERSION='"$(VERSION)"' -Isrc $(WARN) \
               $(if $(LIB_PKGS),$(shell $(PKG_CONFIG) --cflags $(LIB_PKGS) 2>/dev/null))
# Zydis: Debian 12's libzydis-dev ships no libzydis.pc, so it is named here
LIB_LIBS = $(if $(LIB_PKGS),$(shell $(PKG_CONFIG) --libs $(LIB_PKGS) 2>/dev/null)) -lZydis

RELEASE_CFLAGS = $(BASE_CFLAGS) -O2 -g
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_CFLAGS = $(BASE_CFLAGS) -O1 -g $(SAN)
FUZZ_CFLAGS = $(BASE_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=all

LIB_SRC := $(sort $(shell find src -name '*.c' ! -path 'src/cli/*'))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/*_fuzz.c))
BENCH_SRC := $(sort $(wildcard bench/*_bench.c))
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
HDRS := $(shell find src -name '*.h') $(wildcard data/*.inc)

B := build
REL_OBJ := $(LIB_SRC:%.c=$(B)/rel/%.o)
REL_CLI_OBJ := $(CLI_SRC:%.c=$(B)/rel/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=$(B)/asan/%.o)
ASAN_CLI_OBJ := $(CLI_SRC:%.c=$(B)/asan/%.o)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(B)/fuzzobj/%.o)
TESTS := $(TEST_SRC:tests/%.c=$(B)/asan/tests/%)
FUZZERS := $(FUZZ_SRC:fuzz/%.c=$(B)/fuzz/%)
BENCHES := $(BENCH_SRC:bench/%.c=$(B)/bench/%)
# test-only programs (e.g. pdbdump: the PDB reader's view, for oracles)
TOOLS := $(TOOL_SRC:tests/tools/%.c=$(B)/asan/tests/tool_%)

# keep objects and test programs between runs (no "rm" after the last line)
.SECONDARY:

# V=1 shows the full commands
Q := $(if $(V),,@)

.PHONY: all deps demo check test unit fuzz fuzz-run fuzz-smoke bench synth \
        fixtures install uninstall clean format

all: $(B)/etwmap

# Installs missing Debian packages once (scripts/deps.sh is a no-op when
# everything is there); the stamp keeps later runs instant.
deps: $(B)/.deps
$(B)/.deps: scripts/deps.sh
	@mkdir -p $(B)
	@scripts/deps.sh
	@touch $@

$(B)/rel/%.o: %.c $(HDRS) | $(B)/.deps
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(RELEASE_CFLAGS) -c $< -o $@

$(B)/asan/%.o: %.c $(HDRS) | $(B)/.deps
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC-SAN  $<")
	$(Q)$(FUZZ_CC) $(ASAN_CFLAGS) -c $< -o $@

$(B)/fuzzobj/%.o: %.c $(HDRS) | $(B)/.deps
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC-FUZZ $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(B)/etwmap: $(REL_OBJ) $(REL_CLI_OBJ)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(RELEASE_CFLAGS) -o $@ $^ $(LIB_LIBS)

$(B)/asan/etwmap: $(ASAN_OBJ) $(ASAN_CLI_OBJ)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(FUZZ_CC) $(ASAN_CFLAGS) -o $@ $^ $(LIB_LIBS)

$(B)/asan/tests/test_%: tests/test_%.c $(ASAN_OBJ) tests/testutil.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(FUZZ_CC) $(ASAN_CFLAGS) -Itests $$($(PKG_CONFIG) --cflags $(TEST_PKGS)) \
	    -o $@ $< $(ASAN_OBJ) $(LIB_LIBS) $$($(PKG_CONFIG) --libs $(TEST_PKGS))

$(B)/asan/tests/tool_%: tests/tools/%.c $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TOOL    $@")
	$(Q)$(FUZZ_CC) $(ASAN_CFLAGS) -o $@ $< $(ASAN_OBJ) $(LIB_LIBS)

$(B)/fuzz/%: fuzz/%.c $(FUZZ_LIB_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZER  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_OBJ) $(LIB_LIBS)

$(B)/bench/%: bench/%.c bench/bench.h $(REL_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BENCH   $@")
	$(Q)$(CC) $(RELEASE_CFLAGS) -o $@ $< $(REL_OBJ) $(LIB_LIBS)

# The README's first command: the API -> ETW event map of the tiny-kernel
# fixture (system calls from its KiServiceTable, with its PDB), as a table.
demo: $(B)/etwmap
	@$(B)/etwmap map --format tsv tests/fixtures/tkernel/tkernel.exe \
	    --pdb tests/fixtures/tkernel/tkernel.pdb \
	    | awk -F '\t' '{ printf "%-24s %-15s %-22s %-27s %s %s\n", $$1, $$20, $$5, $$6, $$15, $$17 }'

# The README's test command. Everything runs under ASan/UBSan; the last
# line is "N passed, N failed, N skipped".
FUZZ_SMOKE_SECONDS ?= 15
check: $(TESTS) $(TOOLS) $(B)/asan/etwmap $(B)/etwmap $(FUZZERS)
	@tests/run.sh $(B)/asan $(FUZZ_SMOKE_SECONDS)
test: check

unit: $(TESTS)

fuzz: $(FUZZERS)

FUZZ_SECONDS ?= 600
fuzz-run: $(FUZZERS)
	@for f in $(FUZZERS); do \
	    n=$$(basename $$f); mkdir -p $(B)/fuzz/corpus-$$n; \
	    echo "== $$n for $(FUZZ_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	        -print_final_stats=1 $(B)/fuzz/corpus-$$n fuzz/corpus/$${n%_fuzz} \
	        || exit 1; \
	done

# Synthetic kernel-sized images (bench/synth/): N components of ~2,050
# functions each; 16 is the size of ntoskrnl's code. Rebuilt when the
# generator or the fixture headers it includes change.
SYNTH_SCALES ?= 1 4 16
SYNTH_DEPS := $(wildcard bench/synth/*.py bench/synth/*.sh) \
              $(addprefix tests/fixtures/common/,etwtypes.h km.h tlg.h guardcf.S ntoskrnl.def)
SYNTH_BUILT = $(foreach s,$(SYNTH_SCALES),$(wildcard $(B)/synth/x$(s)/tkbig.sys))

synth: $(SYNTH_SCALES:%=$(B)/synth/x%/tkbig.sys)

$(B)/synth/x%/tkbig.sys: $(SYNTH_DEPS) | $(B)/.deps
	@echo "  SYNTH   $@ (scale $*)"
	$(Q)bench/synth/build.sh $* $(B)/synth/x$*

# engine_bench runs on the corpus files (skipped when absent) and on the
# synthetic images that were built, in one run for the scaling table.
ENGINE_BENCH_FILES = ../shared/corpus/win10-19041.508_win32kbase.sys \
                     ../shared/corpus/coreclr-2.0.0_coreclr.dll $(SYNTH_BUILT)

bench: $(BENCHES)
	@for b in $(filter-out %/engine_bench,$(BENCHES)); do $$b || exit 1; done
	@$(if $(SYNTH_BUILT),,echo "engine_bench: no synthetic images in $(B)/synth (make synth): skipped")
	@$(B)/bench/engine_bench $(ENGINE_BENCH_FILES)
	@for f in $(SYNTH_BUILT); do $(B)/bench/map_bench $$f 5 || exit 1; done

fixtures:
	tests/fixtures/build.sh

install: $(B)/etwmap
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(B)/etwmap $(DESTDIR)$(PREFIX)/bin/etwmap
	install -m 644 docs/etwmap.1 $(DESTDIR)$(PREFIX)/share/man/man1/etwmap.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/etwmap $(DESTDIR)$(PREFIX)/share/man/man1/etwmap.1

format:
	clang-format -i $$(find src tests fuzz bench -name '*.[ch]')

clean:
	rm -rf $(B)
