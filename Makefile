# souk - build, run, test.
#   make run     install what is missing, build, migrate var/souk.db, serve :8080
#   make test    install what the tests need, build (-Werror, ASan+UBSan), run every test
#   make bench   wrk figures into bench/results.md     make fuzz   libFuzzer targets
#   make bench-instructions   instructions per request (callgrind), to compare builds
#   make SANITIZE=address,undefined   a sanitizer build in build/san/

CC      ?= cc
PKGS    := libh2o-evloop sqlite3 libpq jansson libsodium openssl zlib libxml-2.0 libxxhash
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation -Wvla -Wimplicit-fallthrough
CFLAGS  ?= -O2 -g
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)
ALL_CFLAGS = -std=c11 -DSOUK_VERSION=\"$(VERSION)\" -D_GNU_SOURCE -DH2O_USE_LIBUV=0 $(WARN) $(CFLAGS) -Isrc -I$(B)/gen \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -MMD -MP
LDLIBS  = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

ifneq ($(SANITIZE),)
B        := build/san
CFLAGS   += -O1 -fno-omit-frame-pointer -fsanitize=$(SANITIZE) -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=$(SANITIZE)
else
B        := build
# mimalloc (Debian's) in place of glibc's malloc: a page is built from many
# small allocations (template context, rows), and it takes about a fifth
# fewer instructions per request (docs/ARCHITECTURE.md). Not under the
# sanitizers, which bring their own. main.c tunes it (SOUK_MIMALLOC).
LDLIBS   += -lmimalloc
CFLAGS   += -DSOUK_MIMALLOC
endif

LIB_SRC  := $(sort $(wildcard src/core/*.c src/db/*.c src/adapters/*.c src/shop/*.c \
                              src/http/*.c src/web/*.c src/api/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(B)/obj/%.o) $(B)/obj/gen/migrations.o
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJ := $(UNIT_SRC:tests/unit/%.c=$(B)/obj/tests/%.o)
MIGRATIONS := $(sort $(wildcard migrations/sqlite/*.sql migrations/postgres/*.sql))

.PHONY: all deps run test unit check-format format bench bench-instructions fuzz clean
all: $(B)/souk

deps:
	@sh scripts/deps.sh build

$(B)/gen/migrations.c: $(MIGRATIONS) scripts/embed-migrations.sh
	@mkdir -p $(@D)
	sh scripts/embed-migrations.sh migrations > $@.tmp && mv $@.tmp $@

$(B)/obj/gen/migrations.o: $(B)/gen/migrations.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	@echo "CC $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/obj/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	@echo "CC $<"
	@$(CC) $(ALL_CFLAGS) -Itests/unit -c -o $@ $<

$(B)/libsouk.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/souk: $(B)/obj/main.o $(B)/libsouk.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/unit: $(UNIT_OBJ) $(B)/libsouk.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

unit: $(B)/unit

run: deps
	@$(MAKE) --no-print-directory $(B)/souk
	./$(B)/souk migrate
	sh demo/load.sh "$${SOUK_DATA_DIR:-var}" ./$(B)/souk
	SOUK_STORE_NAME="$${SOUK_STORE_NAME:-Souk Demo Store}" ./$(B)/souk serve

test:
	@sh scripts/deps.sh test
	@$(MAKE) --no-print-directory check-format
	@$(MAKE) --no-print-directory build/souk build/unit
	@$(MAKE) --no-print-directory SANITIZE=address,undefined build/san/souk build/san/unit
	@sh tests/run.sh build/san

check-format:
	@if command -v clang-format >/dev/null; then \
	  out=$$(clang-format --dry-run $(LIB_SRC) src/main.c $(UNIT_SRC) $(wildcard src/*/*.h tests/unit/*.h fuzz/*.c) 2>&1); \
	  if [ -n "$$out" ]; then echo "$$out" | head -20; echo "clang-format: tree not formatted (make format)"; exit 1; fi; \
	fi

format:
	clang-format -i $(LIB_SRC) src/main.c $(UNIT_SRC) $(wildcard src/*/*.h tests/unit/*.h fuzz/*.c)

bench:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory build/souk
	@sh bench/run.sh

bench-instructions:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory build/souk
	@sh bench/instructions.sh

fuzz:
	@sh scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory -f fuzz/fuzz.mk

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(B)/obj/main.d
