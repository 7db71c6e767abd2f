# ferry — one Makefile for the hub, its tests, fuzzers and benchmarks.
#
#   make            build ./ferry (static, -O2, warnings are errors)
#   make run        install missing build dependencies, build, start the hub
#   make test       install missing build and test tools, run every test
#   make fuzz       run each fuzz harness for FUZZ_SECONDS (default 300)
#   make bench      wrk against ferry and nginx in one run, printed as ratios
#   make size       binary size
#
# Sources are found by wildcard: a new .c file in net/ http/ ws/ json/ core/
# is part of the hub, a new tests/unit/test_*.c is a unit test, a new
# tests/fuzz/fuzz_*.c is a fuzz harness. core/main.c is the only file that
# is not linked into tests.

CC      ?= cc
CLANG   ?= clang
SRC_DIRS := net http ws json core
SRCS     := $(sort $(wildcard $(addsuffix /*.c,$(SRC_DIRS))))
LIB_SRCS := $(filter-out core/main.c,$(SRCS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
UNIT_NAMES := $(patsubst tests/unit/%.c,%,$(UNIT_SRCS))
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRCS))
WEB_FILES := $(sort $(wildcard web/*))

WARN    := -Wall -Wextra -Wshadow -Wmissing-prototypes -Werror
CPPFLAGS := -I. -Ibuild/gen -D_GNU_SOURCE
BASE_CFLAGS := -std=c11 $(WARN) -MMD -MP
LIBS    := -lbearssl -lutf8proc

# Release: static, small, dead code dropped.
REL_CFLAGS  := $(BASE_CFLAGS) -O2 -g0 -ffunction-sections -fdata-sections
REL_LDFLAGS := -static -s -Wl,--gc-sections
# Sanitizers: ASan + UBSan, every UB report fatal.
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_CFLAGS := $(BASE_CFLAGS) -O1 -g $(SAN_FLAGS)
# Valgrind: dynamic, unoptimised enough to read the reports.
DBG_CFLAGS  := $(BASE_CFLAGS) -O1 -g
# libFuzzer (clang only).
FUZZ_CFLAGS := -std=c11 -Wall -Wextra -Werror -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -MMD -MP

# The project's shared material (SPEC, conformance data) lives beside the
# repository in ../shared; tests read it from there, never from a copy.
FERRY_SHARED ?= $(firstword $(wildcard $(abspath ../shared) /work/shared))
export FERRY_SHARED

FUZZ_SECONDS ?= 300
FUZZ_QUICK_SECONDS ?= 15

.PHONY: all run test test-unit test-asan test-integration test-valgrind test-fuzz fuzz bench size deps test-deps clean format

all: ferry

# ---- generated: embedded web assets ---------------------------------------
build/gen/web_assets.c: tools/embed.sh $(WEB_FILES)
	@mkdir -p $(@D)
	sh tools/embed.sh $@ $(WEB_FILES)

GEN_SRCS := build/gen/web_assets.c

# ---- object files per flavour ---------------------------------------------
build/rel/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -c $< -o $@
build/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ASAN_CFLAGS) -c $< -o $@
build/dbg/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DBG_CFLAGS) -c $< -o $@
build/fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@

objs = $(patsubst %.c,build/$(1)/%.o,$(2))

ferry: $(call objs,rel,$(SRCS) $(GEN_SRCS))
	$(CC) $(REL_LDFLAGS) -o $@ $^ $(LIBS)

build/asan/ferry: $(call objs,asan,$(SRCS) $(GEN_SRCS))
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS)

build/dbg/ferry: $(call objs,dbg,$(SRCS) $(GEN_SRCS))
	$(CC) -o $@ $^ $(LIBS)

build/rel/tests/%: build/rel/tests/unit/%.o $(call objs,rel,$(LIB_SRCS) $(GEN_SRCS))
	$(CC) -o $@ $^ $(LIBS)
build/asan/tests/%: build/asan/tests/unit/%.o $(call objs,asan,$(LIB_SRCS) $(GEN_SRCS))
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS)
build/fuzz/bin/%: build/fuzz/tests/fuzz/%.o $(call objs,fuzz,$(LIB_SRCS) $(GEN_SRCS))
	@mkdir -p $(@D)
	$(CLANG) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

.PRECIOUS: build/rel/%.o build/asan/%.o build/dbg/%.o build/fuzz/%.o

# ---- running ----------------------------------------------------------------
deps:
	@sh tools/deps.sh build

test-deps:
	@sh tools/deps.sh test

run: deps
	$(MAKE) ferry
	./ferry

test: test-deps
	$(MAKE) test-unit test-asan test-fuzz test-integration test-valgrind
	@echo "make test: all passed"

test-unit: $(addprefix build/rel/tests/,$(UNIT_NAMES))
	@set -e; for t in $^; do echo "== $$t"; $$t; done

test-asan: $(addprefix build/asan/tests/,$(UNIT_NAMES)) build/asan/ferry
	@set -e; for t in $(addprefix build/asan/tests/,$(UNIT_NAMES)); do echo "== $$t"; $$t; done
	FERRY_BIN=build/asan/ferry sh tests/integration/run.sh

test-integration: ferry
	FERRY_BIN=./ferry FERRY_RSS=1 sh tests/integration/run.sh

test-valgrind: build/dbg/ferry $(addprefix build/rel/tests/,$(UNIT_NAMES))
	@set -e; for t in $(addprefix build/rel/tests/,$(UNIT_NAMES)); do echo "== valgrind $$t"; \
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite $$t >/dev/null; done
	FERRY_BIN=build/dbg/ferry FERRY_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
		FERRY_SLOW=1 sh tests/integration/run.sh

test-fuzz: $(addprefix build/fuzz/bin/,$(FUZZ_NAMES))
	@set -e; for f in $(FUZZ_NAMES); do sh tests/fuzz/run.sh $$f $(FUZZ_QUICK_SECONDS); done

fuzz: $(addprefix build/fuzz/bin/,$(FUZZ_NAMES))
	@set -e; for f in $(FUZZ_NAMES); do sh tests/fuzz/run.sh $$f $(FUZZ_SECONDS); done

bench: test-deps ferry
	sh tools/bench.sh

size: ferry
	@size ferry; ls -l ferry

format:
	clang-format -i $(SRCS) $(wildcard $(addsuffix /*.h,$(SRC_DIRS))) $(UNIT_SRCS) $(FUZZ_SRCS)

clean:
	rm -rf build ferry

-include $(shell find build -name '*.d' 2>/dev/null)
