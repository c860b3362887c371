# flowforest: build, test, demo, bench.
#   make          build ./flowforest (and the BPF object, skeleton, tests)
#   make test     install missing dependencies, build, run every test (root)
#   make demo     install missing dependencies, build, run the end-to-end demo (root)
#   make bench    benchmarks (root)
#   make docs     regenerate docs/features.md from the feature table

CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= bpftool
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine)

# Debian's python3 for every script and test (lab/lab.sh says why)
export PATH := /usr/bin:$(PATH)
BUILD := build
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	  -Iinclude -Isrc -I$(BUILD) -D_GNU_SOURCE
# -mcpu=v3: 32-bit ALU and jump instructions (kernel 5.1 and later); for v1
# clang widens every 32-bit value with shift pairs: ff_xdp verified 196,795
# instructions against 139,848, the model at every packet ran 5 % slower
# (tests/test_unit.c test_bpf_object_v3)
BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -Wall -Iinclude -I$(ARCH_INC)
LDLIBS := -lbpf -lelf -lz -ljson-c -lpcap -lpthread -lm

SHARED_H := $(wildcard include/flowforest/*.h)
LIB_SRC  := $(wildcard src/*.c)
LIB_OBJ  := $(patsubst src/%.c,$(BUILD)/src/%.o,$(LIB_SRC))
CLI_SRC  := $(wildcard cli/*.c)
CLI_OBJ  := $(patsubst cli/%.c,$(BUILD)/cli/%.o,$(CLI_SRC))
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
TEST_HELPERS := $(filter-out $(TEST_SRC),$(wildcard tests/*.c))
TEST_H := $(wildcard tests/*.h)
# The helpers every test and benchmark links (packets, captures, scratch
# files), compiled once per tree rather than once per binary.
TEST_LIB := $(BUILD)/tests/libfftest.a
# Sub-makes build on every CPU: `make test` spent 4-5 of its 12 minutes
# building serially on 2 cores.
JOBS := -j$(shell nproc 2>/dev/null || echo 2)

BENCH_BIN := $(BUILD)/bench/bench_pipeline $(BUILD)/bench/empty.bpf.o $(BUILD)/fuzz/fuzz_model \
	     $(BUILD)/bench/livegen $(BUILD)/bench/livegen.bpf.o $(BUILD)/bench/mkmodel \
	     $(BUILD)/bench/mkpcap $(BUILD)/bench/bench_extract $(BUILD)/bench/codegen_eval

.PHONY: all deps test demo bench docs clean
all: flowforest $(TEST_BIN) $(BENCH_BIN)

deps:
	@bash scripts/install-deps.sh

$(BUILD)/flowforest.bpf.o: bpf/flowforest.bpf.c $(SHARED_H)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/flowforest.skel.h: $(BUILD)/flowforest.bpf.o
	$(BPFTOOL) gen skeleton $< name flowforest_bpf > $@

$(BUILD)/src/%.o: src/%.c $(wildcard src/*.h) $(SHARED_H) $(BUILD)/flowforest.skel.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/cli/%.o: cli/%.c $(wildcard cli/*.h src/*.h) $(SHARED_H)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libflowforest.a: $(LIB_OBJ)
	ar rcs $@ $^

flowforest: $(CLI_OBJ) $(BUILD)/libflowforest.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/helpers/%.o: tests/%.c $(TEST_H) $(SHARED_H) $(wildcard src/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests -c $< -o $@

$(TEST_LIB): $(patsubst tests/%.c,$(BUILD)/tests/helpers/%.o,$(TEST_HELPERS))
	ar rcs $@ $^

$(BUILD)/tests/%: tests/%.c $(TEST_LIB) $(TEST_H) bench/forest.h $(BUILD)/libflowforest.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(TEST_LIB) $(BUILD)/libflowforest.a $(LDLIBS) -lcmocka

# The BPF tests share a harness (tests/bpfenv/) that only they link.
BPF_TEST_ENV := tests/bpfenv/bpf_env.c
$(BUILD)/tests/test_bpf_%: tests/test_bpf_%.c $(BPF_TEST_ENV) tests/bpfenv/bpf_env.h $(TEST_LIB) \
			   $(TEST_H) $(BUILD)/libflowforest.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests -Itests/bpfenv -o $@ $< $(BPF_TEST_ENV) $(TEST_LIB) \
		$(BUILD)/libflowforest.a $(LDLIBS) -lcmocka

$(BUILD)/bench/%.bpf.o: bench/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/%.skel.h: $(BUILD)/bench/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@

BENCH_SKEL := $(BUILD)/bench/empty.skel.h $(BUILD)/bench/livegen.skel.h $(BUILD)/bench/lookup.skel.h
.SECONDARY: $(BENCH_SKEL)
$(BUILD)/bench/%: bench/%.c $(TEST_LIB) $(TEST_H) $(wildcard bench/*.h) $(BUILD)/libflowforest.a \
		  $(BENCH_SKEL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(TEST_LIB) $(BUILD)/libflowforest.a $(LDLIBS)

test: deps
	$(MAKE) $(JOBS) all asan
	bash tests/run.sh

demo: deps
	$(MAKE) $(JOBS) all
	bash lab/demo.sh

bench: deps
	$(MAKE) $(JOBS) all
	bash bench/run.sh

# The conformance report needs the dataset (../shared/data or
# $FLOWFOREST_DATA); without it, docs/features.md keeps the last report.
docs: flowforest
	@mkdir -p docs $(BUILD)
	@sed -n '/^## Conformance with CIC-IDS2017/,$$p' docs/features.md > $(BUILD)/cic_report.md 2>/dev/null || true
	python3 tests/cic_conformance.py --flowforest ./flowforest --report $(BUILD)/cic_report.md > /dev/null; \
	rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 77 ]
	./flowforest features --markdown > docs/features.md
	@echo >> docs/features.md
	cat $(BUILD)/cic_report.md >> docs/features.md

clean:
	rm -rf $(BUILD) flowforest

# Model-file fuzzing (libFuzzer with ASan and UBSan): a short run over the
# corpus is part of `make test` (tests/test_libfuzzer.c); `make fuzz` runs
# longer, and 10 million packets through the BPF program.
FUZZ_SRC := src/model.c src/features_info.c src/errmsg.c
$(BUILD)/fuzz/fuzz_model: tests/fuzz/fuzz_model.c $(FUZZ_SRC) $(wildcard src/*.h) $(SHARED_H)
	@mkdir -p $(@D)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Iinclude -Isrc -D_GNU_SOURCE -o $@ $< $(FUZZ_SRC) -ljson-c

# The readers of untrusted files under libFuzzer (tests/fuzz/fuzz_*.c, kept
# corpora in tests/fuzz/corpus/NAME; the capture seeds are written by
# tests/fuzz/mkcorpus.py, no capture is kept): the labelled-CSV loader, label rules,
# captures, IPFIX messages (encoder and reader). The library is built once
# more with fuzzer coverage.
FUZZ_TARGETS := csv labels capture ipfix
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	       -fno-sanitize-recover=undefined -Wall -Iinclude -Isrc -I$(BUILD) -Itests/fuzz \
	       -D_GNU_SOURCE
FUZZ_LIB_OBJ := $(patsubst src/%.c,$(BUILD)/fuzz/src/%.o,$(LIB_SRC))

$(BUILD)/fuzz/src/%.o: src/%.c $(wildcard src/*.h) $(SHARED_H) $(BUILD)/flowforest.skel.h
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz/libflowforest.a: $(FUZZ_LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_memfile.h $(BUILD)/fuzz/libflowforest.a
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/fuzz/libflowforest.a $(LDLIBS)

.PHONY: fuzz
fuzz: deps
	$(MAKE) $(JOBS) all asan
	@mkdir -p $(BUILD)/fuzz/new
	$(BUILD)/fuzz/fuzz_model -max_total_time=300 $(BUILD)/fuzz/new tests/fuzz/corpus/model
	python3 tests/fuzz/mkcorpus.py $(BUILD)/fuzz/new-capture	# seeds made up, not kept
	for t in $(FUZZ_TARGETS); do mkdir -p $(BUILD)/fuzz/new-$$t && \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=120 -timeout=10 $(BUILD)/fuzz/new-$$t \
		$$(ls -d tests/fuzz/corpus/$$t 2>/dev/null) || exit 1; done
	FF_FUZZ_PACKETS=10000000 $(BUILD)/tests/test_fuzz

# The user-space tests again, built with ASan and UBSan (build/asan/), so
# that memory errors and undefined behaviour fail `make test`: the library,
# the CLI (test_cli runs it) and the tests that need no BPF. tests/run.sh
# runs every binary under build/asan/tests/ as well.
ASAN_CFLAGS := $(filter-out -O2,$(CFLAGS)) -O1 -fno-omit-frame-pointer \
	       -fsanitize=address,undefined -fno-sanitize-recover=undefined
ASAN_TESTS := test_unit test_cli test_train test_output test_cic
ASAN_LIB_OBJ := $(patsubst src/%.c,$(BUILD)/asan/src/%.o,$(LIB_SRC))
ASAN_CLI_OBJ := $(patsubst cli/%.c,$(BUILD)/asan/cli/%.o,$(CLI_SRC))

.PHONY: asan
asan: $(BUILD)/asan/flowforest $(patsubst %,$(BUILD)/asan/tests/%,$(ASAN_TESTS)) \
      $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))

$(BUILD)/asan/src/%.o: src/%.c $(wildcard src/*.h) $(SHARED_H) $(BUILD)/flowforest.skel.h
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -c $< -o $@

$(BUILD)/asan/cli/%.o: cli/%.c $(wildcard cli/*.h src/*.h) $(SHARED_H)
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -c $< -o $@

$(BUILD)/asan/libflowforest.a: $(ASAN_LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/asan/flowforest: $(ASAN_CLI_OBJ) $(BUILD)/asan/libflowforest.a
	$(CC) $(ASAN_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/asan/tests/helpers/%.o: tests/%.c $(TEST_H) $(SHARED_H) $(wildcard src/*.h)
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -Itests -c $< -o $@

$(BUILD)/asan/tests/libfftest.a: $(patsubst tests/%.c,$(BUILD)/asan/tests/helpers/%.o,$(TEST_HELPERS))
	ar rcs $@ $^

$(BUILD)/asan/tests/%: tests/%.c $(BUILD)/asan/tests/libfftest.a $(TEST_H) $(BUILD)/asan/libflowforest.a
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -Itests -o $@ $< $(BUILD)/asan/tests/libfftest.a $(BUILD)/asan/libflowforest.a $(LDLIBS) -lcmocka

# Debian package: build/flowforest_VERSION_ARCH.deb (packaging/mkdeb.sh).
.PHONY: deb
deb: flowforest
	bash packaging/mkdeb.sh
