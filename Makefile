# gptwalk — one plain Makefile.
#
#   make            build build/gptwalk (the CLI) and build/libgptwalk.a
#   make test       build and run every doctest suite (any failure: non-zero exit)
#   make debug      the same build with AddressSanitizer + UBSan, in build/debug/
#   make test-asan  run the whole suite under the sanitizers
#   make demo       the shipped model: generate text, walk it (installs deps if missing); FULL=1: every table
#   make serve      the walk explorer in the browser on the shipped model (installs deps if missing)
#   make lessons    build every lesson demo;  make test-lessons  check lesson outputs
#   make check-exercise L=03 E=2   run one exercise's check (PASS or FAIL, and why)
#   make test-exercises  every exercise: its check fails unmodified, passes with its solution (L=03: one lesson's)
#   make handout    build/handout.tar.gz: the repository without the exercises' solutions
#   make lesson-pictures  redraw the pictures the lessons show (lessons/**/*.png)
#   make bench      benchmarks, written as a markdown table to build/bench.md
#   make weights MODEL=gpt2   download a real GPT-2 checkpoint into weights/gpt2/
#   make deps       install the system packages (Debian/Ubuntu) when a header is missing
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (needs clang)
#   make test-portable  the suite and lesson checks as other CPUs would run them (tools/test_portable.sh)
#   make check-fresh    the README's two commands in fresh Debian 12 roots (tools/check_fresh.sh)
#   make check-arm64    cross-build for aarch64 and run the suites under qemu (tools/check_arm64.sh)
#   make test-browser   the walk explorer (gptwalk serve) in headless chromium (tools/test_browser.sh)
#   make test-load      many concurrent clients against gptwalk serve for a few seconds (tools/test_load.sh)
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
# Lines 3 and 4 are cpp-httplib's (the explorer's server): Debian builds it as a library
# whose classes depend on macros we must define as it did (tools/deps.sh says more).
BLAS_FLAGS   = $(BUILD)/openblas.flags
BLAS_CFLAGS ?= $(shell sed -n 1p $(BLAS_FLAGS) 2>/dev/null)
BLAS_LIBS   ?= $(shell sed -n 2p $(BLAS_FLAGS) 2>/dev/null)
HTTP_CFLAGS ?= $(shell sed -n 3p $(BLAS_FLAGS) 2>/dev/null)
HTTP_LIBS   ?= $(shell sed -n 4p $(BLAS_FLAGS) 2>/dev/null)
ALLFLAGS = $(BASEFLAGS) $(BLAS_CFLAGS) $(HTTP_CFLAGS) $(CXXFLAGS)
LDLIBS   = $(BLAS_LIBS) -lstb -lpthread -lm

# Library: the layers under src/ (docs/layout.md), in the order includes point down,
# everything but the command-line front end, src/cli/.
LAYERS   = core kernels model train walks perf report serve
LIB_SRC  = $(foreach layer,$(LAYERS),$(wildcard src/$(layer)/*.cpp))
CLI_SRC  = $(wildcard src/cli/*.cpp)
# The explorer's page (HTML, CSS, JavaScript) is built into the library as string constants,
# so `gptwalk serve` needs no file at run time, from any folder (include/serve/page.h).
PAGE_SRC = $(sort $(wildcard src/serve/page/*))
PAGE_CPP = $(BUILD)/gen/serve/page_files.cpp
LIB_OBJ  = $(LIB_SRC:src/%.cpp=$(BUILD)/obj/%.o) $(BUILD)/obj/serve/page_files.o
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
        test-portable check-fresh check-arm64 serve test-browser test-load check-exercise test-exercises \
        handout lesson-pictures
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

$(PAGE_CPP): $(PAGE_SRC) tools/embed_files.sh
	@mkdir -p $(dir $@)
	tools/embed_files.sh $@ $(PAGE_SRC)

$(BUILD)/obj/serve/page_files.o: $(PAGE_CPP) | $(BLAS_FLAGS)
	@mkdir -p $(dir $@)
	$(CXX) $(ALLFLAGS) -c $< -o $@

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

# Only the programs that speak HTTP link cpp-httplib: Debian's brings OpenSSL, zlib and Brotli
# with it, ~6 MB more resident in every process that loads them.
HTTP_PROGRAMS = $(BUILD)/gptwalk $(BUILD)/tests/test_serve_http $(BUILD)/tools/serve_load
$(HTTP_PROGRAMS): LDLIBS += $(HTTP_LIBS)

# Suites that run programs need those programs built first.
$(BUILD)/tests/test_cli $(BUILD)/tests/test_output_file $(BUILD)/tests/test_tiny_gpt2 $(BUILD)/tests/test_hostile $(BUILD)/tests/test_hostile_cli $(BUILD)/tests/test_serve $(BUILD)/tests/test_serve_http $(BUILD)/tests/test_hostile_runtime $(BUILD)/tests/test_train_cli: $(BUILD)/gptwalk
$(BUILD)/tests/test_download: $(BUILD)/tools/http_serve

tests: all $(TEST_BIN)

# Runs every suite from the repository root (fixtures are found relative to it).
test: tests
	@tests/check_layers.sh
	@tests/check_merge_markers.sh
	@tests/run_all.sh $(BUILD) $(TEST_BIN)

debug:
	$(MAKE) BUILD=build/debug SAN=1 OPT=-O1 all tests

test-asan:
	$(MAKE) BUILD=build/debug SAN=1 OPT=-O1 test

lessons: all $(LESSON_BIN)

test-lessons: lessons
	@tests/check_lessons.sh $(BUILD)

# Coursework (lessons/README.md, "Exercises"): each lessons/NN-name/exercises/eK.sh checks a
# solution; lessons/NN-name/solutions/eK.patch is the reference one (tools/exercise.sh).
check-exercise:
	@tools/exercise.sh check "$(BUILD)" "$(L)" "$(E)"

test-exercises: tests lessons
	@tools/exercise.sh test "$(BUILD)" $(L)

handout:
	@tools/exercise.sh handout "$(BUILD)"

# An exercise check's own test program: lessons/NN-name/exercises/NAME.cpp, built against
# the library as $(BUILD)/exercises/checks/NN-name/exercises/NAME.
$(BUILD)/exercises/checks/%: lessons/%.cpp $(LIB) | $(BLAS_FLAGS)
	@mkdir -p $(dir $@)
	$(CXX) $(ALLFLAGS) -Ilessons -o $@ $< $(LDSAN) $(LDFLAGS) $(LIB) $(LDLIBS)

# The pictures the lessons show, drawn again (lesson commands themselves write under build/).
lesson-pictures: lessons
	@tools/lesson_pictures.sh $(BUILD)

# make demo: one screen (the text, the decoding walk's path, where the rest went);
# make demo FULL=1: every table of both walks on the screen.
DEMO_TABLES = $(if $(FULL),,> $(BUILD)/demo/encoding_walk.txt)
demo: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(BUILD)/demo
	$(BUILD)/gptwalk generate --prompt "It is a truth universally acknowledged" -n 40 --greedy
	$(BUILD)/gptwalk walk decode --prompt "In the beginning" -n 12 --seed 1 $(if $(FULL),,--summary) \
	    --png $(BUILD)/demo/decoding_walk.png
	$(BUILD)/gptwalk walk encode --prompt "In the beginning God created the" --png $(BUILD)/demo/encoding_walk.png $(DEMO_TABLES)
	@echo "pictures: $(BUILD)/demo/decoding_walk.png $(BUILD)/demo/encoding_walk.png"
	@$(if $(FULL),true,echo "the encoding walk's tables: $(BUILD)/demo/encoding_walk.txt; every table on screen: make demo FULL=1")

# Prints the address to open; Ctrl-C stops it. PORT=0 takes any free port.
PORT ?= 8080
serve: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/gptwalk serve --port $(PORT)

bench: all
	@tools/bench.sh $(BUILD)

# MODEL reaches the script as one argument, through the environment, never through the
# shell's parsing: MODEL="gpt2; rm -rf x" is an unknown model, not two commands.
MODEL ?= gpt2
weights: export MODEL := $(MODEL)
weights:
	@tools/download_gpt2.sh "$$MODEL"

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

# Five targets: 45 s each keeps CI's fuzzing near 4 minutes (.ci/run).
FUZZ_SECONDS ?= 45
fuzz:
	@tools/fuzz.sh $(FUZZ_SECONDS)

test-portable: tests lessons
	@tools/test_portable.sh $(BUILD)

check-fresh:
	@tools/check_fresh.sh

check-arm64:
	@tools/check_arm64.sh

# The explorer in a real browser (Debian's chromium, driven by playwright-core from npm;
# tools/test_browser.sh installs neither: .ci/run does, or see the script's header).
test-browser: all
	@tools/test_browser.sh $(BUILD)

test-load: all
	@tools/test_load.sh $(BUILD)

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj $(BUILD)/exercises/checks -name '*.d' 2>/dev/null)
