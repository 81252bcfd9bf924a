# encdom: automake rules (included from the top-level Makefile.am).

# ---- the core library: no Xen dependency ----------------------------------
noinst_LIBRARIES += encdom/core/libencdom-core.a
ENCDOM_CORE_C = encdom/core/xc_crypto.c \
	encdom/core/vol_header.c encdom/core/vol_record.c \
	encdom/core/vol_journal.c encdom/core/vol_commit.c \
	encdom/core/merkle.c encdom/core/anchor.c encdom/core/keyfile.c \
	encdom/core/volume.c
encdom_core_libencdom_core_a_SOURCES = $(ENCDOM_CORE_C) \
	encdom/core/encdom.h encdom/core/xc_crypto.h encdom/core/vol_format.h \
	encdom/core/merkle.h
encdom_core_libencdom_core_a_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
ENCDOM_CORE_LIBS = encdom/core/libencdom-core.a $(CRYPTO_LIBS)

# ---- check suites -------------------------------------------------------------
ENCDOM_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CRYPTO_CFLAGS)
ENCDOM_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/encdom/core
check_PROGRAMS += tests/unit/check_encdom_volume
tests_unit_check_encdom_volume_SOURCES = tests/unit/check_encdom_volume.c \
	tests/unit/check_encdom_util.h
tests_unit_check_encdom_volume_CFLAGS = $(ENCDOM_TEST_CFLAGS)
tests_unit_check_encdom_volume_CPPFLAGS = $(ENCDOM_TEST_CPPFLAGS)
tests_unit_check_encdom_volume_LDADD = $(ENCDOM_CORE_LIBS) $(CHECK_LIBS)
check_PROGRAMS += tests/unit/check_encdom_tamper
tests_unit_check_encdom_tamper_SOURCES = tests/unit/check_encdom_tamper.c \
	tests/unit/check_encdom_util.h
tests_unit_check_encdom_tamper_CFLAGS = $(ENCDOM_TEST_CFLAGS)
tests_unit_check_encdom_tamper_CPPFLAGS = $(ENCDOM_TEST_CPPFLAGS)
tests_unit_check_encdom_tamper_LDADD = $(ENCDOM_CORE_LIBS) $(CHECK_LIBS)
check_PROGRAMS += tests/unit/check_encdom_crash
tests_unit_check_encdom_crash_SOURCES = tests/unit/check_encdom_crash.c \
	tests/unit/check_encdom_util.h
tests_unit_check_encdom_crash_CFLAGS = $(ENCDOM_TEST_CFLAGS)
tests_unit_check_encdom_crash_CPPFLAGS = $(ENCDOM_TEST_CPPFLAGS)
tests_unit_check_encdom_crash_LDADD = $(ENCDOM_CORE_LIBS) $(CHECK_LIBS)
check_PROGRAMS += tests/unit/check_encdom_mirror
tests_unit_check_encdom_mirror_SOURCES = tests/unit/check_encdom_mirror.c \
	tests/unit/check_encdom_util.h
tests_unit_check_encdom_mirror_CFLAGS = $(ENCDOM_TEST_CFLAGS)
tests_unit_check_encdom_mirror_CPPFLAGS = $(ENCDOM_TEST_CPPFLAGS)
tests_unit_check_encdom_mirror_LDADD = $(ENCDOM_CORE_LIBS) $(CHECK_LIBS)
check_PROGRAMS += tests/unit/check_encdom_parsers
tests_unit_check_encdom_parsers_SOURCES = tests/unit/check_encdom_parsers.c \
	tests/unit/check_encdom_util.h
tests_unit_check_encdom_parsers_CFLAGS = $(ENCDOM_TEST_CFLAGS)
tests_unit_check_encdom_parsers_CPPFLAGS = $(ENCDOM_TEST_CPPFLAGS)
tests_unit_check_encdom_parsers_LDADD = $(ENCDOM_CORE_LIBS) $(CHECK_LIBS)
check_PROGRAMS += tests/unit/check_encdom_crypto
tests_unit_check_encdom_crypto_SOURCES = tests/unit/check_encdom_crypto.c \
	tests/unit/check_encdom_util.h
tests_unit_check_encdom_crypto_CFLAGS = $(ENCDOM_TEST_CFLAGS)
tests_unit_check_encdom_crypto_CPPFLAGS = $(ENCDOM_TEST_CPPFLAGS)
tests_unit_check_encdom_crypto_LDADD = $(ENCDOM_CORE_LIBS) $(CHECK_LIBS)

# ---- fuzz targets: one per parser of untrusted bytes --------------------------
ENCDOM_FUZZ_FLAGS = $(FUZZ_FLAGS) -I$(top_srcdir)/encdom/core $(CRYPTO_CFLAGS)
FUZZ_TARGETS += fuzz/fuzz_vol_header fuzz/fuzz_vol_record fuzz/fuzz_vol_journal \
	fuzz/fuzz_vol_commit
fuzz/fuzz_vol_header: $(top_srcdir)/tests/fuzz/fuzz_vol_header.c \
		$(top_srcdir)/encdom/core/vol_header.c $(top_srcdir)/encdom/core/xc_crypto.c
	@mkdir -p fuzz
	$(AM_V_CC)$(FUZZ_CC) $(ENCDOM_FUZZ_FLAGS) -o $@ $(filter %.c,$^) $(CRYPTO_LIBS)
fuzz/fuzz_vol_record: $(top_srcdir)/tests/fuzz/fuzz_vol_record.c \
		$(top_srcdir)/encdom/core/vol_record.c
	@mkdir -p fuzz
	$(AM_V_CC)$(FUZZ_CC) $(ENCDOM_FUZZ_FLAGS) -o $@ $(filter %.c,$^)
fuzz/fuzz_vol_journal: $(top_srcdir)/tests/fuzz/fuzz_vol_journal.c \
		$(top_srcdir)/encdom/core/vol_journal.c
	@mkdir -p fuzz
	$(AM_V_CC)$(FUZZ_CC) $(ENCDOM_FUZZ_FLAGS) -o $@ $(filter %.c,$^)
fuzz/fuzz_vol_commit: $(top_srcdir)/tests/fuzz/fuzz_vol_commit.c \
		$(top_srcdir)/encdom/core/vol_commit.c $(top_srcdir)/encdom/core/xc_crypto.c
	@mkdir -p fuzz
	$(AM_V_CC)$(FUZZ_CC) $(ENCDOM_FUZZ_FLAGS) -o $@ $(filter %.c,$^) $(CRYPTO_LIBS)

# ---- the tool ------------------------------------------------------------------
bin_PROGRAMS += encdom/xacm-volume
encdom_xacm_volume_SOURCES = encdom/xacm-volume.c
encdom_xacm_volume_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/encdom/core
encdom_xacm_volume_LDADD = $(ENCDOM_CORE_LIBS)
dist_man_MANS += man/xacm-volume.1
TESTS += tests/encdom/t-xacm-volume.sh

# ---- benchmark (native, optimised, no sanitizers; not part of make check) -------
BENCH_CFLAGS = -std=gnu11 -O2 -g -D_GNU_SOURCE -I$(top_srcdir)/encdom/core $(CRYPTO_CFLAGS)
bench/encdom-bench: bench/encdom-bench.c $(ENCDOM_CORE_C)
	@mkdir -p bench
	$(AM_V_CC)$(CC) $(BENCH_CFLAGS) -o $@ $(filter %.c,$^) $(CRYPTO_LIBS)
bench: bench/encdom-bench
	$(top_srcdir)/bench/run.sh bench/encdom-bench $(top_srcdir)/docs
CLEANFILES += bench/encdom-bench
.PHONY: bench
# issue 7's end-to-end benchmark on the real-Xen testbed (one boot, ~15 min)
bench-xen: systest-programs
	$(top_srcdir)/bench/xen-bench.sh $(abs_builddir) $(top_srcdir)/docs
.PHONY: bench-xen

# ---- trusted line count (docs/tcb.md): non-blank lines after stripping comments
tcb-count:
	@cd $(top_srcdir) && for f in $$(find encdom -name '*.[ch]' | sort); do \
	  printf '%6d %s\n' "$$(gcc -fpreprocessed -dD -E -P $$f | grep -cv '^[[:space:]]*$$')" $$f; \
	done | awk '{print} $$2 ~ /core/ {c += $$1} {t += $$1} \
	  END {printf "%6d encdom/core (budget 2000)\n%6d encdom (budget 4000)\n", c, t}'
	@cd $(top_srcdir) && for f in $$(find acdom -name '*.[ch]' | sort); do \
	  printf '%6d %s\n' "$$(gcc -fpreprocessed -dD -E -P $$f | grep -cv '^[[:space:]]*$$')" $$f; \
	done | awk '{print} {t += $$1} END {printf "%6d acdom (budget 1500)\n", t}'
.PHONY: tcb-count

# ---- toward the driver domain: the userspace blkfront (issue 7) ----------------
noinst_LIBRARIES += encdom/xen/libencdom-xen.a
encdom_xen_libencdom_xen_a_SOURCES = encdom/xen/blkfront.c encdom/xen/blkfront.h \
	encdom/xen/blkfront_ring.c encdom/xen/blkfront_ring.h
encdom_xen_libencdom_xen_a_CFLAGS = $(AM_CFLAGS) $(XENSTORE_CFLAGS) $(XENGNTTAB_CFLAGS) \
	$(XENEVTCHN_CFLAGS)
ENCDOM_XEN_LIBS = encdom/xen/libencdom-xen.a lib/libxacm.a $(XENSTORE_LIBS) $(XENGNTTAB_LIBS) \
	$(XENEVTCHN_LIBS)
check_PROGRAMS += tests/unit/check_blkfront_ring
tests_unit_check_blkfront_ring_SOURCES = tests/unit/check_blkfront_ring.c
tests_unit_check_blkfront_ring_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/encdom/xen
tests_unit_check_blkfront_ring_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_blkfront_ring_LDADD = encdom/xen/libencdom-xen.a $(CHECK_LIBS)
FUZZ_TARGETS += fuzz/fuzz_blkfront_ring
fuzz/fuzz_blkfront_ring: $(top_srcdir)/tests/fuzz/fuzz_blkfront_ring.c \
		$(top_srcdir)/encdom/xen/blkfront_ring.c
	@mkdir -p fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/encdom/xen -o $@ $(filter %.c,$^)
# a dom0 test program on the testbed (tests/system/t-encdom-front.sh)
EXTRA_PROGRAMS += tests/system/xacm-front-io
tests_system_xacm_front_io_SOURCES = tests/system/xacm-front-io.c
tests_system_xacm_front_io_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/encdom/xen
tests_system_xacm_front_io_LDADD = $(ENCDOM_XEN_LIBS)

# ---- the daemon (issue 7): backend toward guests, blkfronts toward driver domains
sbin_PROGRAMS += encdom/encdom
dist_man_MANS += encdom/encdom.8
encdom_encdom_SOURCES = encdom/xen/encdom.c encdom/xen/encdom_io.c encdom/xen/served.h \
	encdom/xen/store_blkfront.c encdom/xen/store_blkfront.h \
	encdom/xen/vol_config.c encdom/xen/vol_config.h
encdom_encdom_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/encdom/core -I$(top_srcdir)/encdom/xen \
	-I$(top_srcdir)/blkback-acm
encdom_encdom_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(XENSTORE_CFLAGS) $(XENGNTTAB_CFLAGS) \
	$(XENEVTCHN_CFLAGS) $(LIBURING_CFLAGS)
encdom_encdom_LDADD = blkback-acm/libblkback-vbd.a blkback-acm/libblkback-core.a \
	$(ENCDOM_XEN_LIBS) $(ENCDOM_CORE_LIBS)
check_PROGRAMS += tests/unit/check_encdom_config
tests_unit_check_encdom_config_SOURCES = tests/unit/check_encdom_config.c \
	encdom/xen/vol_config.c
tests_unit_check_encdom_config_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/encdom/core \
	-I$(top_srcdir)/encdom/xen
tests_unit_check_encdom_config_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_encdom_config_LDADD = $(CHECK_LIBS)
# the system tests copy it into dom0 (tests/system/make-payload.sh)
system_test_programs += encdom/encdom
check_PROGRAMS += tests/unit/check_store_blkfront
tests_unit_check_store_blkfront_SOURCES = tests/unit/check_store_blkfront.c \
	encdom/xen/store_blkfront.c
tests_unit_check_store_blkfront_CPPFLAGS = $(tests_unit_check_encdom_config_CPPFLAGS)
tests_unit_check_store_blkfront_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_store_blkfront_LDADD = lib/libxacm.a $(CHECK_LIBS)
