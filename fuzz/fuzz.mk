# fuzz.mk - build and run souk's libFuzzer targets.  From the repository root:
#   make -f fuzz/fuzz.mk                    build, then run each target FUZZ_SECONDS (60)
#   make -f fuzz/fuzz.mk FUZZ_SECONDS=10    a shorter run
#   make -f fuzz/fuzz.mk build              only build build/fuzz/fuzz_*
#   make -f fuzz/fuzz.mk run-form           one target
# Each target links only the src/core files it needs (not libsouk.a, which pulls
# in libh2o and the databases). A run works on a copy of the seed corpus in
# build/fuzz/corpus-NAME, so fuzz/corpus/ stays as checked in; crash inputs
# land in build/fuzz/crash-NAME/ and make fails.
# Reproduce a crash with: build/fuzz/fuzz_NAME build/fuzz/crash-NAME/crash-...

FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                -std=c11 -D_GNU_SOURCE -Wall -Wextra -Isrc
FUZZ_ARGS    ?=
FB           := build/fuzz

TARGETS := form cookie jsonbody money csv sanitize tmpl shopify

# The src/core modules each target is built from.
CORE_form     := util buf err utf8 form
CORE_cookie   := util buf err cookie
CORE_jsonbody := util buf err utf8 jsonbody
CORE_money    := util buf err money
CORE_csv      := util buf err utf8 charset csv
CORE_sanitize := util buf err utf8 parse sanitize
LIBS_sanitize := $(shell pkg-config --cflags --libs libxml-2.0)
CORE_tmpl     := util buf err arena utf8 tmpl tmpl_lex tmpl_expr tmpl_parse tmpl_link tmpl_filter tmpl_render
LIBS_tmpl     := $(shell pkg-config --cflags --libs jansson) -lm -lpthread
LIBS_jsonbody := $(shell pkg-config --cflags --libs jansson)
CORE_shopify  := util buf err utf8 charset csv arena money parse log sanitize ../shop/shopify_csv ../shop/catalog
LIBS_shopify  := $(shell pkg-config --cflags --libs libxml-2.0 libsodium) -lpthread

.PHONY: all build run $(TARGETS:%=run-%)
all: run
build: $(TARGETS:%=$(FB)/fuzz_%)
run: $(TARGETS:%=run-%)

define fuzz_target
$(FB)/fuzz_$(1): fuzz/fuzz_$(1).c fuzz/fuzz_ref.h $(CORE_$(1):%=src/core/%.c) \
                 $(wildcard src/core/*.h) fuzz/fuzz.mk
	@mkdir -p $(FB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $$@ fuzz/fuzz_$(1).c $(CORE_$(1):%=src/core/%.c) $(LIBS_$(1))

run-$(1): $(FB)/fuzz_$(1)
	@mkdir -p $(FB)/corpus-$(1) $(FB)/crash-$(1)
	cp fuzz/corpus/$(1)/* $(FB)/corpus-$(1)/
	$(FB)/fuzz_$(1) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -dict=fuzz/$(1).dict \
	    -artifact_prefix=$(FB)/crash-$(1)/ -print_final_stats=1 $(FUZZ_ARGS) $(FB)/corpus-$(1)
endef
$(foreach t,$(TARGETS),$(eval $(call fuzz_target,$(t))))
