# Builds the libFuzzer harnesses into build/fuzz/ (used by `make fuzz`; see
# tests/fuzz/README.md). Every src/LAYER/*.c but app/main.c is compiled with clang,
# coverage instrumentation, ASan and UBSan (clang has no
# -Wformat-truncation, so the -Wno- of the main Makefile is not needed); each tests/fuzz/fuzz_NAME.c
# becomes build/fuzz/fuzz_NAME.
FUZZ_CC    ?= clang
FUZZ_BUILD ?= build/fuzz
FUZZ_PKGS  := ncursesw readline jansson openblas cairo pangocairo fontconfig libxml-2.0
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=c11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror \
	-D_DEFAULT_SOURCE -Isrc -Itests/fuzz \
	$(shell pkg-config --cflags $(FUZZ_PKGS) 2>/dev/null) $(FUZZ_SAN)
FUZZ_LIBS  := $(shell pkg-config --libs $(FUZZ_PKGS) 2>/dev/null) -lm

FUZZ_LIB_SRC := $(filter-out src/app/main.c,$(wildcard src/*/*.c))
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:src/%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_HARNESS := $(filter-out tests/fuzz/fuzz_common.c,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_HARNESS:tests/fuzz/%.c=$(FUZZ_BUILD)/%)

.PHONY: build
.SECONDARY:
build: $(FUZZ_BINS)

$(FUZZ_BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@printf '  %-6s %s\n' FUZZCC $<
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/common/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	@printf '  %-6s %s\n' FUZZCC $<
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/libseqstep-fuzz.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/common/fuzz_%.o $(FUZZ_BUILD)/common/fuzz_common.o $(FUZZ_BUILD)/libseqstep-fuzz.a
	@printf '  %-6s %s\n' FUZZLD $@
	@$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

-include $(wildcard $(FUZZ_BUILD)/obj/*.d $(FUZZ_BUILD)/obj/*/*.d $(FUZZ_BUILD)/common/*.d)
