# inspect: see README.md. `make` builds, `make check` installs what is missing and
# runs every test, `make demo` shows a dump of a fixture, `make bench` compares
# with Delve.

CC ?= gcc
BUILD ?= build
SAN ?=

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude -Isrc
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

CORE_SRC := $(wildcard src/*.c src/*/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
CORE_LIBS := -ldw -lelf -ldebuginfod -ljson-c -lreadline -ldl -lz

GO_SRC := $(wildcard plugins/go/*.c)
GO_OBJ := $(GO_SRC:%.c=$(BUILD)/obj/%.o)

# Unit tests: tests/unit/<layer>/<file>-test.c, one per source file, cmocka. Those
# under go/ link the Go plugin's objects, the others the core's (all but main.o).
UNIT_SRC := $(wildcard tests/unit/*/*-test.c)
UNIT_TESTS := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%)
CORE_LIB_OBJ := $(filter-out $(BUILD)/obj/src/main.o,$(CORE_OBJ))
CORE_LIB_SRC := $(filter-out src/main.c,$(CORE_SRC))
HELPERS := $(BUILD)/tests/helpers/tracer $(BUILD)/tests/helpers/sigsend
# The generator of plugins/go/tables.c (tools/gen-gotables.sh), also run by test 1010.
GEN_GOTABLES := $(BUILD)/tools/gen-gotables

.PHONY: asan-build asan-integration integration-run all deps fixtures check unit integration asan fuzz fuzz-check demo bench soak style clean
# Keep the unit tests' objects (make would delete them as intermediates, and print
# that after the tests' summary).
.SECONDARY:
all: $(BUILD)/inspect $(BUILD)/inspect-test $(BUILD)/plugins/go.so

deps:
	@tools/deps.sh

$(BUILD)/inspect: $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(CORE_LIBS)

# The test build: inspect with the test hooks of tests/hooks/X.c in place of
# src/*/X.c (INSPECT_TEST_* variables), for the integration tests; never installed.
TEST_HOOK_SRC := $(wildcard tests/hooks/*.c)
TEST_HOOK_OBJ := $(TEST_HOOK_SRC:%.c=$(BUILD)/obj/%.o)
TEST_HOOKED := $(filter $(addprefix %/,$(notdir $(TEST_HOOK_OBJ))),$(CORE_OBJ))
$(BUILD)/inspect-test: $(filter-out $(TEST_HOOKED),$(CORE_OBJ)) $(TEST_HOOK_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(CORE_LIBS)

$(BUILD)/plugins/go.so: $(GO_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -o $@ $^ -ldw

$(BUILD)/obj/plugins/%.o: plugins/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c -o $@ $<

$(BUILD)/obj/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iplugins/go -MMD -MP -c -o $@ $<

$(BUILD)/tests/unit/go/%: $(BUILD)/obj/tests/unit/go/%.o $(GO_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka -ldw -lelf

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(CORE_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(CORE_LIBS) -lcmocka

# The dump's fault test (tests/unit/model/capture-test.c) runs the core and the Go
# plugin (linked in) with every memory read through the test double of
# tests/lib/faultmem.c.
FAULTMEM_WRAP := -Wl,--wrap=tgt_read,--wrap=tgt_readv
$(BUILD)/tests/unit/model/capture-test: $(BUILD)/obj/tests/unit/model/capture-test.o \
		$(BUILD)/obj/tests/lib/faultmem.o $(CORE_LIB_OBJ) $(GO_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(FAULTMEM_WRAP) -o $@ $^ $(CORE_LIBS) -lcmocka

# Fuzz harnesses (tests/fuzz/<name>.c, libFuzzer): their own build with clang,
# every object instrumented, in FUZZ_BUILD; `make fuzz` runs each FUZZ_SECONDS
# (tools/run-fuzz.sh), `make check` a bounded run of each.
FUZZ_BUILD := build/fuzz
FUZZ_SECONDS ?= 300
FUZZ_CC := clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -O1 -g -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude -Isrc -Iplugins/go \
	-fno-omit-frame-pointer $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_NAMES := $(basename $(notdir $(filter-out tests/fuzz/replay.c,$(wildcard tests/fuzz/*.c))))
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%)
FUZZ_OBJ := $(CORE_LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o) $(GO_SRC:%.c=$(FUZZ_BUILD)/obj/%.o) \
	$(FUZZ_BUILD)/obj/tests/lib/faultmem.o $(FUZZ_BUILD)/obj/tests/fuzz/replay.o

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/%: $(FUZZ_BUILD)/obj/tests/fuzz/%.o $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $(FAULTMEM_WRAP) -o $@ $^ $(CORE_LIBS)

FUZZ_RECORDER := $(BUILD)/tests/unit/model/capture-test
fuzz: deps
	@$(MAKE) --no-print-directory all fixtures $(FUZZ_BINS) $(FUZZ_RECORDER)
	@UNIT_BUILD=$(BUILD) tools/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(BUILD)/fixtures

# Inside make check: every harness on its corpus, then FUZZ_CHECK_SECONDS of
# fuzzing each (a minute in all at most; make fuzz runs them longer).
FUZZ_CHECK_SECONDS ?= 6
fuzz-check: all fixtures $(FUZZ_BINS) $(FUZZ_RECORDER)
	@UNIT_BUILD=$(BUILD) tools/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_CHECK_SECONDS) $(BUILD)/fixtures

$(GEN_GOTABLES): tools/gen-gotables.c $(CORE_LIB_OBJ) $(GO_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iplugins/go $(LDFLAGS) -o $@ $^ $(CORE_LIBS)

$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# The fixtures, built once per Go toolchain found (tools/go-toolchains.sh), and
# the parked and vars fixtures with the Go releases between (tools/build-matrix.sh).
fixtures:
	@tools/build-fixtures.sh $(BUILD)/fixtures
	@tools/build-matrix.sh $(BUILD)/matrix

unit: all $(UNIT_TESTS) fixtures
	@tools/run-unit.sh $(BUILD)

integration: all fixtures $(HELPERS) $(GEN_GOTABLES)
	@$(MAKE) --no-print-directory integration-run

# The scripts alone, on what is built (make check runs it beside asan-integration).
integration-run:
	@INSPECT=$(BUILD)/inspect HELPERS=$(BUILD)/tests/helpers GEN_GOTABLES=$(GEN_GOTABLES) \
		tests/run-integration.sh

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
asan: asan-build
	@INSPECT_TEST_STRIDE=3 tools/run-unit.sh build/asan $(BUILD)/fixtures
	@$(MAKE) --no-print-directory asan-integration

asan-build:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all $(UNIT_TESTS:build/%=build/asan/%)

asan-integration:
	@INSPECT=build/asan/inspect FIXTURES=$(BUILD)/fixtures HELPERS=$(BUILD)/tests/helpers \
		GEN_GOTABLES=$(GEN_GOTABLES) INSPECT_SANITIZED=1 tests/run-integration.sh

# Everything is built first; then the plain and the sanitized integration runs
# go side by side: their scripts mostly wait on fixtures (a third of the wall
# time is CPU), and each run's output is printed whole when it ends
# (--output-sync).
check: deps
	@$(MAKE) --no-print-directory all fixtures $(HELPERS) $(GEN_GOTABLES) asan-build
	@$(MAKE) --no-print-directory unit
	@INSPECT_TEST_STRIDE=3 tools/run-unit.sh build/asan $(BUILD)/fixtures
	@$(MAKE) --no-print-directory -j2 --output-sync=target integration-run asan-integration
	@$(MAKE) --no-print-directory fuzz-check

demo: deps
	@$(MAKE) --no-print-directory all fixtures
	@tools/demo.sh $(BUILD)

# Not part of check (minutes): SOAK_CYCLES (1000) cycles of dump, attach and SIGKILLs
# of inspect on an HTTP service under load (tools/soak.sh; 1320-signals runs 30).
soak: all fixtures
	@BUILD=$(BUILD) tools/soak.sh

bench: deps
	@$(MAKE) --no-print-directory all fixtures
	@bench/run.sh $(BUILD)

style:
	@git clang-format --diff

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
