# blkback-acm: automake rules (included from the top-level Makefile.am).

# ---- the pure-logic core: ring consumer and request validation, no Xen I/O --
noinst_LIBRARIES += blkback-acm/libblkback-core.a
blkback_acm_libblkback_core_a_SOURCES = blkback-acm/blkif_ring.c blkback-acm/blkif_ring.h \
	blkback-acm/blkif_request.c blkback-acm/blkif_request.h

check_PROGRAMS += tests/unit/check_blkback_request tests/unit/check_blkback_ring
tests_unit_check_blkback_request_SOURCES = tests/unit/check_blkback_request.c
tests_unit_check_blkback_request_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/blkback-acm
tests_unit_check_blkback_request_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_blkback_request_LDADD = blkback-acm/libblkback-core.a $(CHECK_LIBS)
tests_unit_check_blkback_ring_SOURCES = tests/unit/check_blkback_ring.c
tests_unit_check_blkback_ring_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/blkback-acm
tests_unit_check_blkback_ring_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_blkback_ring_LDADD = blkback-acm/libblkback-core.a $(CHECK_LIBS)

FUZZ_TARGETS += fuzz/fuzz_blkif_request fuzz/fuzz_blkif_ring
fuzz/fuzz_blkif_request: $(top_srcdir)/tests/fuzz/fuzz_blkif_request.c \
		$(top_srcdir)/blkback-acm/blkif_request.c
	@mkdir -p fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/blkback-acm -o $@ $^
fuzz/fuzz_blkif_ring: $(top_srcdir)/tests/fuzz/fuzz_blkif_ring.c \
		$(top_srcdir)/blkback-acm/blkif_ring.c $(top_srcdir)/blkback-acm/blkif_request.c
	@mkdir -p fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/blkback-acm -o $@ $^
