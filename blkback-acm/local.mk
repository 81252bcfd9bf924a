# blkback-acm: automake rules (included from the top-level Makefile.am).

# ---- the pure-logic core: ring consumer and request validation, no Xen I/O --
noinst_LIBRARIES += blkback-acm/libblkback-core.a
blkback_acm_libblkback_core_a_SOURCES = blkback-acm/blkif_ring.c blkback-acm/blkif_ring.h \
	blkback-acm/blkif_request.c blkback-acm/blkif_request.h \
	blkback-acm/ring_shadow.c blkback-acm/ring_shadow.h \
	blkback-acm/pgrant_lru.c blkback-acm/pgrant_lru.h blkback-acm/discard_piece.h

check_PROGRAMS += tests/unit/check_blkback_request tests/unit/check_blkback_ring \
	tests/unit/check_ring_shadow
check_PROGRAMS += tests/unit/check_blkback_pgrant
tests_unit_check_blkback_pgrant_SOURCES = tests/unit/check_blkback_pgrant.c
tests_unit_check_blkback_pgrant_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/blkback-acm
tests_unit_check_blkback_pgrant_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_blkback_pgrant_LDADD = blkback-acm/libblkback-core.a $(CHECK_LIBS)
tests_unit_check_ring_shadow_SOURCES = tests/unit/check_ring_shadow.c
tests_unit_check_ring_shadow_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/blkback-acm
tests_unit_check_ring_shadow_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_ring_shadow_LDADD = blkback-acm/libblkback-core.a $(CHECK_LIBS)
tests_unit_check_blkback_request_SOURCES = tests/unit/check_blkback_request.c
tests_unit_check_blkback_request_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/blkback-acm
tests_unit_check_blkback_request_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_blkback_request_LDADD = blkback-acm/libblkback-core.a $(CHECK_LIBS)
tests_unit_check_blkback_ring_SOURCES = tests/unit/check_blkback_ring.c
tests_unit_check_blkback_ring_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/blkback-acm
tests_unit_check_blkback_ring_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_blkback_ring_LDADD = blkback-acm/libblkback-core.a $(CHECK_LIBS)

FUZZ_TARGETS += fuzz/fuzz_blkif_request fuzz/fuzz_blkif_ring fuzz/fuzz_ring_shadow
fuzz/fuzz_ring_shadow: $(top_srcdir)/tests/fuzz/fuzz_ring_shadow.c \
		$(top_srcdir)/blkback-acm/ring_shadow.c $(top_srcdir)/blkback-acm/blkif_ring.c
	@mkdir -p fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/blkback-acm -o $@ $(filter %.c,$^)
fuzz/fuzz_blkif_request: $(top_srcdir)/tests/fuzz/fuzz_blkif_request.c \
		$(top_srcdir)/blkback-acm/blkif_request.c
	@mkdir -p fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/blkback-acm -o $@ $(filter %.c,$^)
fuzz/fuzz_blkif_ring: $(top_srcdir)/tests/fuzz/fuzz_blkif_ring.c \
		$(top_srcdir)/blkback-acm/blkif_ring.c $(top_srcdir)/blkback-acm/blkif_request.c
	@mkdir -p fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/blkback-acm -o $@ $(filter %.c,$^)

# ---- the xenbus backend: state machine, acdom gate, ring mapping, main loop;
# shared with encdom, which brings its own data path (vbd.h) ----------------------
noinst_LIBRARIES += blkback-acm/libblkback-vbd.a
blkback_acm_libblkback_vbd_a_SOURCES = blkback-acm/vbd.c blkback-acm/vbd.h blkback-acm/vbd_serve.c \
	blkback-acm/vbd_copy.c
blkback_acm_libblkback_vbd_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/blkback-acm
blkback_acm_libblkback_vbd_a_CFLAGS = $(AM_CFLAGS) $(XENSTORE_CFLAGS) $(XENGNTTAB_CFLAGS) \
	$(XENEVTCHN_CFLAGS) $(LIBURING_CFLAGS)
# vbd_io.c (included whole) over fake grant and event-channel calls
check_PROGRAMS += tests/unit/check_blkback_io
tests_unit_check_blkback_io_SOURCES = tests/unit/check_blkback_io.c
tests_unit_check_blkback_io_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/blkback-acm
tests_unit_check_blkback_io_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XENSTORE_CFLAGS) \
	$(XENGNTTAB_CFLAGS) $(XENEVTCHN_CFLAGS) $(LIBURING_CFLAGS)
tests_unit_check_blkback_io_LDADD = blkback-acm/libblkback-core.a lib/libxacm.a $(LIBURING_LIBS) \
	$(CHECK_LIBS)
EXTRA_DIST += blkback-acm/vbd_io.c
# vbd.c over a fake XenStore, grant and event-channel calls (in the test)
check_PROGRAMS += tests/unit/check_blkback_vbd
tests_unit_check_blkback_vbd_SOURCES = tests/unit/check_blkback_vbd.c
tests_unit_check_blkback_vbd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/blkback-acm
tests_unit_check_blkback_vbd_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XENSTORE_CFLAGS) \
	$(XENGNTTAB_CFLAGS) $(XENEVTCHN_CFLAGS) $(LIBURING_CFLAGS)
tests_unit_check_blkback_vbd_LDADD = blkback-acm/libblkback-vbd.a blkback-acm/libblkback-core.a \
	lib/libxacm.a $(CHECK_LIBS)

# ---- the daemon ------------------------------------------------------------------
# Not static: libxenstore's watch thread needs a stack size it can only
# learn through dlsym, which a static binary lacks (watches then fail).
sbin_PROGRAMS += blkback-acm/blkback-acm
dist_man_MANS += blkback-acm/blkback-acm.8
TESTS += tests/blkback-acm/t-options.sh
systemdsystemunit_DATA += dist/blkback-acm.service
dist/blkback-acm.service: $(top_srcdir)/dist/blkback-acm.service.in
	@mkdir -p dist
	$(AM_V_GEN)sed 's|%SBINDIR%|$(sbindir)|g' $< > $@
CLEANFILES += dist/blkback-acm.service
EXTRA_DIST += dist/blkback-acm.service.in
blkback_acm_blkback_acm_SOURCES = blkback-acm/blkback-acm.c blkback-acm/vbd_io.c
blkback_acm_blkback_acm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/blkback-acm
blkback_acm_blkback_acm_CFLAGS = $(AM_CFLAGS) $(XENSTORE_CFLAGS) $(XENGNTTAB_CFLAGS) \
	$(XENEVTCHN_CFLAGS) $(LIBURING_CFLAGS)
blkback_acm_blkback_acm_LDADD = blkback-acm/libblkback-vbd.a blkback-acm/libblkback-core.a lib/libxacm.a $(XENSTORE_LIBS) \
	$(XENGNTTAB_LIBS) $(XENEVTCHN_LIBS) $(LIBURING_LIBS)

# ---- benchmark against Linux's kernel blkback, on the testbed (not in make bench:
# it boots Xen in QEMU for several minutes) ----------------------------------------
# bench/pv-costs: a system call and a process wake-up, measured in dom0 there.
EXTRA_PROGRAMS += bench/pv-costs
bench_pv_costs_SOURCES = bench/pv-costs.c
bench-blkback: systest-programs bench/pv-costs
	$(top_srcdir)/bench/blkback-bench.sh $(abs_builddir) $(top_srcdir)/docs
.PHONY: bench-blkback
