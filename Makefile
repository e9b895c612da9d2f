# liter-llm — one static binary (C11, musl, BearSSL, jsmn).
# `make` installs missing build packages (as root), fetches and verifies the
# pinned third-party sources into build/, and builds build/liter-llm.
# `make test` runs every test and ends with "N passed, N failed".

VERSION  := 1.18.1
B        := build
include vendor/versions.mk

BEARSSL_SRC := $(B)/vendor/$(BEARSSL_DIR)
JSMN_SRC    := $(B)/vendor/$(JSMN_DIR)

SRC_DIRS := base net json toml tls config http providers gateway proxy mcp
LIB_SRCS := $(sort $(foreach d,$(SRC_DIRS),$(wildcard src/$(d)/*.c)))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wvla -Wimplicit-fallthrough
# The one feature-macro set of the project.
FEATURES := -D_GNU_SOURCE
INCS := -Isrc -I$(BEARSSL_SRC)/inc -I$(JSMN_SRC)
DEFS := -DLITER_LLM_VERSION='"$(VERSION)"'
BASE_CFLAGS := -std=c11 $(FEATURES) $(WARN) $(INCS) $(DEFS) -MMD -MP

# --- flavours -------------------------------------------------------------
# musl: the shipped static binary
MUSL_CC     := musl-gcc
MUSL_CFLAGS := $(BASE_CFLAGS) -O2 -ffunction-sections -fdata-sections -fno-plt
MUSL_LDFLAGS := -static -Wl,--gc-sections -s -pthread
# asan: glibc + AddressSanitizer/UBSan, for tests
ASAN_CC     := gcc
ASAN_CFLAGS := $(BASE_CFLAGS) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
ASAN_LDFLAGS := -fsanitize=address,undefined -pthread
# fuzz: clang + libFuzzer
FUZZ_CC     := clang
FUZZ_CFLAGS := $(filter-out -MMD -MP,$(BASE_CFLAGS)) -O1 -g -fsanitize=fuzzer-no-link,address,undefined -DFUZZING
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined -pthread

MUSL_OBJS := $(patsubst src/%.c,$(B)/musl/obj/%.o,$(LIB_SRCS))
ASAN_OBJS := $(patsubst src/%.c,$(B)/asan/obj/%.o,$(LIB_SRCS))
FUZZ_OBJS := $(patsubst src/%.c,$(B)/fuzz/obj/%.o,$(LIB_SRCS))

MUSL_TESTS := $(patsubst tests/unit/%.c,$(B)/musl/tests/%,$(UNIT_SRCS))
ASAN_TESTS := $(patsubst tests/unit/%.c,$(B)/asan/tests/%,$(UNIT_SRCS))
FUZZERS    := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRCS))

SETUP   := $(B)/.setup-ok
SETUP_TEST := $(B)/.setup-test-ok
VENDOR  := $(BEARSSL_SRC)/.ok $(JSMN_SRC)/.ok

.PHONY: all run test check asan fuzzers fuzz unit regen bench-http bench-allocs clean distclean
all: $(B)/liter-llm

# --- set-up and vendored sources -----------------------------------------
$(SETUP): tools/setup.sh
	@mkdir -p $(B)
	@sh tools/setup.sh
	@touch $@

# the tests also need clang's libFuzzer, the openssl CLI and curl
$(SETUP_TEST): tools/setup.sh | $(SETUP)
	@sh tools/setup.sh clang libclang-rt-14-dev openssl curl python3
	@touch $@

$(BEARSSL_SRC)/.ok: vendor/versions.mk tools/vendor_fetch.sh | $(SETUP)
	@sh tools/vendor_fetch.sh $(B) $(BEARSSL_SRCPKG) $(BEARSSL_DEBVER) $(BEARSSL_ORIG) $(BEARSSL_SHA256) $(BEARSSL_DIR)
	@touch $@

$(JSMN_SRC)/.ok: vendor/versions.mk tools/vendor_fetch.sh | $(SETUP)
	@sh tools/vendor_fetch.sh $(B) $(JSMN_SRCPKG) $(JSMN_DEBVER) $(JSMN_ORIG) $(JSMN_SHA256) $(JSMN_DIR) \
	    $(JSMN_HDR_SHA256) libjsmn-dev usr/include/jsmn.h
	@touch $@

$(B)/musl/bearssl/libbearssl.a: $(BEARSSL_SRC)/.ok vendor/bearssl.mk
	@echo "  BEARSSL musl"
	@$(MAKE) -s -f vendor/bearssl.mk SRC=$(BEARSSL_SRC) OUT=$(B)/musl/bearssl CC=$(MUSL_CC) CFLAGS="-O2 -ffunction-sections -fdata-sections"

$(B)/asan/bearssl/libbearssl.a: $(BEARSSL_SRC)/.ok vendor/bearssl.mk
	@echo "  BEARSSL asan"
	@$(MAKE) -s -f vendor/bearssl.mk SRC=$(BEARSSL_SRC) OUT=$(B)/asan/bearssl CC=$(ASAN_CC) CFLAGS="-O1 -g"

$(B)/fuzz/bearssl/libbearssl.a: $(BEARSSL_SRC)/.ok vendor/bearssl.mk | $(SETUP_TEST)
	@echo "  BEARSSL fuzz"
	@$(MAKE) -s -f vendor/bearssl.mk SRC=$(BEARSSL_SRC) OUT=$(B)/fuzz/bearssl CC=$(FUZZ_CC) CFLAGS="-O1 -g"

# --- our code ----------------------------------------------------------------
$(B)/musl/obj/%.o: src/%.c | $(VENDOR)
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(MUSL_CC) $(MUSL_CFLAGS) -c $< -o $@

$(B)/asan/obj/%.o: src/%.c | $(VENDOR)
	@mkdir -p $(dir $@)
	@$(ASAN_CC) $(ASAN_CFLAGS) -c $< -o $@

$(B)/fuzz/obj/%.o: src/%.c | $(VENDOR) $(SETUP_TEST)
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(B)/musl/libll.a: $(MUSL_OBJS)
	@rm -f $@; ar rcs $@ $^
$(B)/asan/libll.a: $(ASAN_OBJS)
	@rm -f $@; ar rcs $@ $^
$(B)/fuzz/libll.a: $(FUZZ_OBJS)
	@rm -f $@; ar rcs $@ $^

$(B)/liter-llm: $(B)/musl/obj/main.o $(B)/musl/libll.a $(B)/musl/bearssl/libbearssl.a
	@echo "  LD $@"
	@$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $^

$(B)/asan/liter-llm: $(B)/asan/obj/main.o $(B)/asan/libll.a $(B)/asan/bearssl/libbearssl.a
	@$(ASAN_CC) $(ASAN_LDFLAGS) -o $@ $^

# unit tests: one binary per tests/unit/test_<module>.c, in both flavours
$(B)/musl/tests/%: tests/unit/%.c tests/unit/t.h $(B)/musl/libll.a $(B)/musl/bearssl/libbearssl.a
	@mkdir -p $(dir $@)
	@$(MUSL_CC) $(filter-out -MMD -MP,$(MUSL_CFLAGS)) -Itests/unit -o $@ $< $(B)/musl/libll.a $(B)/musl/bearssl/libbearssl.a -static -pthread

$(B)/asan/tests/%: tests/unit/%.c tests/unit/t.h $(B)/asan/libll.a $(B)/asan/bearssl/libbearssl.a
	@mkdir -p $(dir $@)
	@$(ASAN_CC) $(filter-out -MMD -MP,$(ASAN_CFLAGS)) -Itests/unit -o $@ $< $(B)/asan/libll.a $(B)/asan/bearssl/libbearssl.a $(ASAN_LDFLAGS)

$(B)/fuzz/%: tests/fuzz/%.c $(B)/fuzz/libll.a $(B)/fuzz/bearssl/libbearssl.a
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(B)/fuzz/libll.a $(B)/fuzz/bearssl/libbearssl.a $(FUZZ_LDFLAGS)

asan: $(B)/asan/liter-llm $(ASAN_TESTS)
unit: $(MUSL_TESTS) $(ASAN_TESTS)
fuzzers: $(FUZZERS)

# --- entry points ----------------------------------------------------------------
# make run: the main job on its embedded default (no config file, no key).
LITER_LLM_MASTER_KEY ?= sk-liter-llm-dev
run: $(B)/liter-llm
	@echo "liter-llm api on http://127.0.0.1:4000/v1  (master key: $(LITER_LLM_MASTER_KEY))"
	@echo "  try: curl -s http://127.0.0.1:4000/v1/models -H 'Authorization: Bearer $(LITER_LLM_MASTER_KEY)'"
	LITER_LLM_MASTER_KEY='$(LITER_LLM_MASTER_KEY)' $(B)/liter-llm api --host 127.0.0.1 --port 4000

check:
	@sh tools/check_layers.sh

test: $(B)/liter-llm $(B)/asan/liter-llm $(MUSL_TESTS) $(ASAN_TESTS) $(FUZZERS)
	@sh tests/run.sh $(B)

# make fuzz T=json [SECS=600]: run one fuzz target, growing its corpus in build/.
SECS ?= 60
fuzz: $(B)/fuzz/fuzz_$(T)
	@mkdir -p $(B)/fuzz/corpus-$(T)
	$(B)/fuzz/fuzz_$(T) -max_total_time=$(SECS) -print_final_stats=1 $(B)/fuzz/corpus-$(T) tests/fuzz/corpus/$(T)

regen:
	@sh tools/regen.sh

clean:
	rm -rf $(B)/musl/obj $(B)/asan/obj $(B)/fuzz/obj $(B)/musl/tests $(B)/asan/tests $(B)/liter-llm $(B)/*/libll.a
distclean:
	rm -rf $(B)

-include $(MUSL_OBJS:.o=.d) $(ASAN_OBJS:.o=.d) $(B)/musl/obj/main.d $(B)/asan/obj/main.d

# make bench-http: our HTTP server vs nginx `return 200` (wrk, pinned cores),
# idle-connection memory, latency under slowloris (bench/http_bench.sh;
# installs nginx and wrk as root), then our upstream client's throughput
# through its pool against nginx (bench/client_bench.sh).
bench-http:
	@sh bench/http_bench.sh $(B)
	@sh bench/client_bench.sh $(B)

# make bench-allocs: heap allocations and gateway CPU per pass-through chat
# request (non-stream and stream) against an nginx upstream (glibc -O2 build
# with an LD_PRELOAD malloc counter; bench/gateway_allocs.sh).
bench-allocs: all
	@sh bench/gateway_allocs.sh $(B)
