# Build recipe for BearSSL's static library from the fetched source.
# Invoked by the top Makefile: make -f vendor/bearssl.mk SRC=<bearssl dir> OUT=<dir> CC=<cc> CFLAGS=<flags>
SRC ?= build/vendor/bearssl-0.6
OUT ?= build/musl/bearssl
CC ?= cc
CFLAGS ?= -O2
AR ?= ar
SRCS := $(shell find $(SRC)/src -name '*.c' | LC_ALL=C sort)
OBJS := $(patsubst $(SRC)/src/%.c,$(OUT)/%.o,$(SRCS))

$(OUT)/libbearssl.a: $(OBJS)
	@rm -f $@
	$(AR) rcs $@ $(OBJS)

$(OUT)/%.o: $(SRC)/src/%.c
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS) -I$(SRC)/inc -I$(SRC)/src -c $< -o $@
