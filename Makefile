# mauth: one static library from common/, one binary per cmd/*.c.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=

CC      ?= cc
CSTD     = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wno-format-nonliteral
HARDEN   = -D_FORTIFY_SOURCE=2 -fstack-protector-strong
OPT     ?= -O2 -g
CFLAGS  ?=
CFLAGS  += $(CSTD) $(WARN) $(OPT) $(HARDEN) $(EXTRA_CFLAGS)
LDFLAGS += -Wl,--as-needed $(EXTRA_LDFLAGS)
# libssl/libcrypto are linked statically: the dynamic linker's relocations
# of libcrypto were half of a one-message dkimverify or dmarceval run
# (callgrind; tests/bench).  libc and the rest stay shared.
SSL_LIBS = -Wl,-Bstatic -lssl -lcrypto -Wl,-Bdynamic
LDLIBS  += $(SSL_LIBS) -lresolv -lpsl
# libidn2 (Debian libidn2-dev) for U-label -> A-label (RFC 9989 5.3.1), when
# installed; without it addr.c refuses internationalized domains.
ifneq ($(wildcard /usr/include/idn2.h),)
CFLAGS  += -DHAVE_IDN2
LDLIBS  += -lidn2
endif

ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif
ifeq ($(SANITIZE),1)
OPT      = -O1 -g -fno-omit-frame-pointer
EXTRA_CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=undefined
EXTRA_LDFLAGS += -fsanitize=address,undefined
HARDEN   =
endif

# B: the build directory (objects in B/obj, binaries in B/bin); the
# sanitizer build uses its own so the two never mix.
B       ?= .
LIB_SRC  = $(sort $(wildcard common/*.c))
LIB_OBJ  = $(patsubst common/%.c,$(B)/obj/%.o,$(LIB_SRC))
LIB      = $(B)/obj/libmauth.a
CMD_SRC  = $(sort $(wildcard cmd/*.c))
BINS     = $(patsubst cmd/%.c,$(B)/bin/%,$(CMD_SRC))
UNIT_SRC = $(sort $(wildcard tests/unit/*.c))
UNITS    = $(patsubst tests/unit/%.c,$(B)/bin/test-%,$(UNIT_SRC))
MANS     = $(sort $(wildcard man/*.[1-9]))
HDRS     = $(wildcard common/*.h)

all: $(BINS)

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

$(B)/obj/%.o: common/%.c $(HDRS)
	@mkdir -p $(B)/obj
	$(CC) $(CFLAGS) -Icommon -c -o $@ $<

$(B)/bin/%: cmd/%.c $(LIB) $(HDRS)
	@mkdir -p $(B)/bin
	$(CC) $(CFLAGS) -Icommon -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

# spfcheck and the DKIM tools are linked statically (not under the
# sanitizers, which cannot be): ld.so relocating libc is two thirds of a
# one-query spfcheck run's instructions (tests/bench/spf.sh), and
# relocating libcrypto's tables took dkimsign's start-up from 1.0 to
# 2.4 ms (perf stat, --version).  These tools run once per message.
# (dmarceval and authres stay dynamic: a static libpsl needs libunistring.)
STATIC_BINS = $(B)/bin/spfcheck $(B)/bin/dkimsign $(B)/bin/dkimverify \
	      $(B)/bin/arcsign $(B)/bin/arcverify \
	      $(B)/bin/dkimkey
ifneq ($(SANITIZE),1)
# (--no-warnings: glibc marks getaddrinfo and dlopen, which libcrypto's
# BIO and DSO code can call and these tools never do, "requires the
# shared libraries at run time" in static links)
$(STATIC_BINS): LDFLAGS += -static -Wl,--no-warnings
$(STATIC_BINS): SSL_LIBS = -lssl -lcrypto
endif

$(B)/bin/test-%: tests/unit/%.c $(LIB) $(HDRS)
	@mkdir -p $(B)/bin
	$(CC) $(CFLAGS) -Icommon -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

units: $(UNITS)

# Every test: C unit tests, then the bats suites (conformance, interop, CLI).
# MAUTH_BIN tells the bats suites where the binaries are.
check: all units
	@set -e; for t in $(UNITS); do echo "== $$t"; $$t; done
	MAUTH_BIN=$(abspath $(B)/bin) bats --print-output-on-failure tests/

# Fuzzing (libFuzzer, clang): every tests/fuzz/X.c against the library
# built with the fuzzer's coverage and ASan/UBSan, in its own build dir.
FUZZ_B  ?= build-fuzz
FUZZ_SRC = $(sort $(wildcard tests/fuzz/*.c))
FUZZERS  = $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))

fuzz:
	$(MAKE) B=$(FUZZ_B) CC=clang OPT="-O1 -g" HARDEN= WERROR=0 \
	    EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined" fuzzers

fuzzers: $(FUZZERS)

$(B)/fuzz/%: tests/fuzz/%.c $(LIB) $(HDRS)
	@mkdir -p $(B)/fuzz
	$(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined -Icommon -o $@ $< \
	    $(LIB) $(LDLIBS)

lint-man:
	mandoc -Tlint -Wwarning $(MANS)

demo: all
	@MAUTH_BIN=$(abspath $(B)/bin) sh tests/demo.sh

bench: all
	@MAUTH_BIN=$(abspath $(B)/bin) sh tests/bench/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	for m in $(MANS); do \
	    s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s; done

clean:
	rm -rf $(B)/bin $(B)/obj

.PHONY: all units check fuzz fuzzers lint-man demo bench install clean
.SECONDARY: $(LIB_OBJ)
