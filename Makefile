# seqstep — see README.md. `make run` and `make test` are all a newcomer needs.

PKGS      := ncursesw readline jansson openblas cairo pangocairo fontconfig libxml-2.0
# cairo + pango draw the exported figures (the fonts: DejaVu, and WenQuanYi
# Micro Hei for Chinese labels), libxml2 adds an SVG's text; the tests read
# the PDFs with poppler-utils and the SVGs with xmllint.
DEB_PKGS  := build-essential pkg-config libncurses-dev libreadline-dev libopenblas-dev \
             libcmocka-dev libjansson-dev tmux \
             libcairo2-dev libpango1.0-dev libxml2-dev fonts-dejavu-core fonts-wqy-microhei \
             poppler-utils libxml2-utils
BUILD     ?= build
CC        ?= cc
OPT       ?= -O2
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# snprintf truncation is how bounded buffers are meant to work here, so that
# one -Wall warning is off; everything else is an error.
CFLAGS    += -std=c11 -g $(OPT) -Wall -Wextra -Werror -Wno-format-truncation -D_DEFAULT_SOURCE -Isrc $(PKG_CFLAGS) $(SAN)
LDLIBS    += $(PKG_LIBS) -lm
LDFLAGS   += $(SAN)

V ?= 0
ifeq ($(V),0)
Q := @
say = @printf '  %-6s %s\n' $(1) $(2);
else
Q :=
say =
endif

# One folder per layer (src/README.md); app/main.c is the program.
LAYERS    := base trace io text engine teach app tui
SRC       := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
LIB_SRC   := $(filter-out src/app/main.c,$(SRC))
OBJ       := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
MAIN_OBJ  := $(BUILD)/obj/app/main.o
BIN       := $(BUILD)/seqstep
LIB       := $(BUILD)/libseqstep.a
TEST_SRC  := $(wildcard tests/test_*.c)
TEST_BIN  := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TOOL_SRC  := $(wildcard tests/tools/*.c)
TOOL_BIN  := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

.PHONY: all run test check asan debug bench deps models clean
all: $(BIN)

$(BUILD)/obj/%.o: src/%.c
	$(call say,CC,$<)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(OBJ)
	$(call say,AR,$@)rm -f $@
	$(Q)ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIB)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%.o: tests/%.c
	$(call say,CC,$<)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(shell pkg-config --cflags cmocka 2>/dev/null) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs cmocka 2>/dev/null) $(LDLIBS)

# Test helpers (tests/tools): plain C, no project library.
$(BUILD)/tools/%: tests/tools/%.c
	$(call say,CC,$<)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< -lm

$(BUILD)/bench/%.o: tests/bench/%.c
	$(call say,CC,$<)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Installs the Debian packages when root and something is missing; otherwise
# says exactly what to run.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing packages; run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

run: deps
	$(Q)$(MAKE) --no-print-directory all
	./$(BIN)

# Every test: cmocka unit tests, then the shell end-to-end tests.
test: deps
	$(Q)$(MAKE) --no-print-directory $(BIN) $(TEST_BIN) $(TOOL_BIN)
	$(Q)BUILD=$(BUILD) sh tests/run.sh $(TEST_BIN)

check: test

asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan OPT="-O1 -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" test-nodeps

test-nodeps: $(BIN) $(TEST_BIN) $(TOOL_BIN)
	$(Q)BUILD=$(BUILD) sh tests/run.sh $(TEST_BIN)

debug:
	$(Q)$(MAKE) --no-print-directory BUILD=build/debug OPT="-O0" all

bench: deps
	$(Q)$(MAKE) --no-print-directory $(BIN) $(BENCH_BIN)
	$(Q)BUILD=$(BUILD) sh tests/bench/run.sh

models: deps
	$(Q)$(MAKE) --no-print-directory $(BIN)
	$(Q)sh models/train-all.sh

clean:
	rm -rf build

# libFuzzer harnesses (tests/fuzz/README.md): builds build/fuzz/fuzz_* with
# clang + ASan + UBSan, then runs each for FUZZ_SECONDS; fails on any finding.
FUZZ_SECONDS ?= 10
.PHONY: fuzz
fuzz:
	$(Q)$(MAKE) --no-print-directory -f tests/fuzz/fuzz.mk build
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/tests/*.d $(BUILD)/tools/*.d $(BUILD)/bench/*.d)
