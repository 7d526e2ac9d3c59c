# gptwalk — one plain Makefile.
#
#   make            build build/gptwalk (the CLI) and build/libgptwalk.a
#   make test       build and run every doctest suite (any failure: non-zero exit)
#   make debug      the same build with AddressSanitizer + UBSan, in build/debug/
#   make test-asan  run the whole suite under the sanitizers
#   make demo       the shipped model: generate text, walk it (installs deps if missing)
#   make lessons    build every lesson demo;  make test-lessons  check lesson outputs
#   make bench      benchmarks, written as a markdown table to build/bench.md
#   make weights MODEL=gpt2   download a real GPT-2 checkpoint into weights/gpt2/
#   make deps       install the system packages (Debian/Ubuntu) when a header is missing
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (needs clang)
#   make test-portable  the suite and lesson checks as other CPUs would run them (tools/test_portable.sh)
#   make check-fresh    the README's two commands in fresh Debian 12 roots (tools/check_fresh.sh)
#   make check-arm64    cross-build for aarch64 and run the suites under qemu (tools/check_arm64.sh)
#
# BUILD=dir puts every output under another folder (several builds side by side).

CXX      ?= g++
BUILD    ?= build
SAN      ?=
OPT      ?= -O2
CXXFLAGS ?=
LDFLAGS  ?=
# No -ffast-math / -Ofast: they break tanh, exp and infinities (docs/conventions.md).
# No -march=native: vector kernels pick their instruction set at run time (src/core/cpu.cpp).
BASEFLAGS = -std=c++17 $(OPT) -g -Wall -Wextra -Iinclude -MMD -MP
ifeq ($(SAN),1)
  BASEFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
  LDSAN      = -fsanitize=address,undefined
endif

# OpenBLAS's own header and library: tools/deps.sh finds them (never another BLAS's
# cblas.h, such as netlib's) and writes the flags to $(BLAS_FLAGS), line 1 for the
# compiler and line 2 for the linker. Give BLAS_CFLAGS= and BLAS_LIBS= to choose by hand.
BLAS_FLAGS   = $(BUILD)/openblas.flags
BLAS_CFLAGS ?= $(shell sed -n 1p $(BLAS_FLAGS) 2>/dev/null)
BLAS_LIBS   ?= $(shell sed -n 2p $(BLAS_FLAGS) 2>/dev/null)
ALLFLAGS = $(BASEFLAGS) $(BLAS_CFLAGS) $(CXXFLAGS)
LDLIBS   = $(BLAS_LIBS) -lstb -lpthread -lm

# Library: the layers under src/ (docs/layout.md), in the order includes point down,
# everything but the command-line front end, src/cli/.
LAYERS   = core kernels model train walks perf report serve
LIB_SRC  = $(foreach layer,$(LAYERS),$(wildcard src/$(layer)/*.cpp))
CLI_SRC  = $(wildcard src/cli/*.cpp)
LIB_OBJ  = $(LIB_SRC:src/%.cpp=$(BUILD)/obj/%.o)
CLI_OBJ  = $(CLI_SRC:src/%.cpp=$(BUILD)/obj/%.o)
LIB      = $(BUILD)/libgptwalk.a

# Tests: one doctest binary per tests/test_*.cpp, sharing tests/main.cpp and tests/testing.cpp.
TEST_SRC  = $(wildcard tests/test_*.cpp)
TEST_BIN  = $(TEST_SRC:tests/%.cpp=$(BUILD)/tests/%)
TEST_BASE = $(BUILD)/obj/tests/main.o $(BUILD)/obj/tests/testing.o

# Lessons: lessons/NN-name/demo.cpp -> build/lessons/NN-name
LESSON_SRC = $(wildcard lessons/*/demo.cpp)
LESSON_BIN = $(LESSON_SRC:lessons/%/demo.cpp=$(BUILD)/lessons/%)

# Tools: tools/*.cpp -> build/tools/*
TOOL_SRC = $(wildcard tools/*.cpp)
TOOL_BIN = $(TOOL_SRC:tools/%.cpp=$(BUILD)/tools/%)

.SECONDARY:
.PHONY: all test tests debug test-asan demo lessons test-lessons bench weights deps check-deps fuzz clean \
        test-portable check-fresh check-arm64
all: $(BUILD)/gptwalk $(LIB) $(TOOL_BIN)

$(BUILD)/obj/%.o: src/%.cpp | $(BLAS_FLAGS)
	@mkdir -p $(dir $@)
	$(CXX) $(ALLFLAGS) -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/%.cpp | $(BLAS_FLAGS)
	@mkdir -p $(dir $@)
	$(CXX) $(ALLFLAGS) -Itests -c $< -o $@

$(BUILD)/obj/lessons/%.o: lessons/%/demo.cpp | $(BLAS_FLAGS)
	@mkdir -p $(dir $@)
	$(CXX) $(ALLFLAGS) -Ilessons -c $< -o $@

$(BUILD)/obj/tools/%.o: tools/%.cpp | $(BLAS_FLAGS)
	@mkdir -p $(dir $@)
	$(CXX) $(ALLFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/gptwalk: $(CLI_OBJ) $(LIB)
	$(CXX) $(LDSAN) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TEST_BASE) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDSAN) $(LDFLAGS) -o $@ $< $(TEST_BASE) $(LIB) $(LDLIBS)

$(BUILD)/lessons/%: $(BUILD)/obj/lessons/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDSAN) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tools/%: $(BUILD)/obj/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDSAN) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Suites that run programs need those programs built first.
$(BUILD)/tests/test_cli $(BUILD)/tests/test_output_file $(BUILD)/tests/test_tiny_gpt2 $(BUILD)/tests/test_hostile $(BUILD)/tests/test_hostile_cli $(BUILD)/tests/test_train_cli: $(BUILD)/gptwalk
$(BUILD)/tests/test_download: $(BUILD)/tools/http_serve

tests: all $(TEST_BIN)

# Runs every suite from the repository root (fixtures are found relative to it).
test: tests
	@tests/check_layers.sh
	@tests/run_all.sh $(BUILD) $(TEST_BIN)

debug:
	$(MAKE) BUILD=build/debug SAN=1 OPT=-O1 all tests

test-asan:
	$(MAKE) BUILD=build/debug SAN=1 OPT=-O1 test

lessons: all $(LESSON_BIN)

test-lessons: lessons
	@tests/check_lessons.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/gptwalk generate --prompt "It is a truth universally acknowledged" -n 40 --greedy
	$(BUILD)/gptwalk walk decode --prompt "In the beginning" -n 12 --seed 1 --png $(BUILD)/decoding_walk.png
	$(BUILD)/gptwalk walk encode --prompt "In the beginning God created the" --png $(BUILD)/encoding_walk.png
	@echo "pictures: $(BUILD)/decoding_walk.png $(BUILD)/encoding_walk.png"

bench: all
	@tools/bench.sh $(BUILD)

MODEL ?= gpt2
weights:
	@tools/download_gpt2.sh $(MODEL)

# The system packages we need: tools/deps.sh says which are missing and how to get them,
# and writes OpenBLAS's flags. Made again when deps.sh changes or after `make deps`.
$(BLAS_FLAGS): tools/deps.sh
	@tools/deps.sh check $@

check-deps:
	@rm -f $(BLAS_FLAGS)
	@$(MAKE) --no-print-directory $(BLAS_FLAGS)

deps:
	@tools/deps.sh install
	@rm -f $(BLAS_FLAGS)

FUZZ_SECONDS ?= 60
fuzz:
	@tools/fuzz.sh $(FUZZ_SECONDS)

test-portable: tests lessons
	@tools/test_portable.sh $(BUILD)

check-fresh:
	@tools/check_fresh.sh

check-arm64:
	@tools/check_arm64.sh

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
