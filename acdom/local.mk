# acdom: automake rules (included from the top-level Makefile.am).

# The decision semantics, the rules loader and the audit log: what acdom,
# "xacm-policy explain" and xacm-audit share.  Never the policy parser.
noinst_LIBRARIES += acdom/libacdom-core.a
acdom_libacdom_core_a_SOURCES = acdom/rules.h acdom/rules_parse.c acdom/decide.h acdom/decide.c \
	acdom/audit.h acdom/audit.c
acdom_libacdom_core_a_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
# The daemon's own logic that runs without Xen: deciding order, alert budget
# and the resource lookup over a XenStore view (its unit tests link these).
ACDOM_LOGIC = acdom/vbdset.h acdom/vbdset.c acdom/labels.h acdom/labels.c

check_PROGRAMS += tests/unit/check_rules_parse tests/unit/check_decide tests/unit/check_acdom_eval
tests_unit_check_acdom_eval_SOURCES = tests/unit/check_acdom_eval.c tests/unit/check_rules.h \
	$(ACDOM_LOGIC)
tests_unit_check_acdom_eval_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/acdom -I$(top_srcdir)/policy
tests_unit_check_acdom_eval_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(XENSTORE_CFLAGS)
tests_unit_check_acdom_eval_LDADD = policy/libxacm-policy.a acdom/libacdom-core.a lib/libxacm.a $(XENSTORE_LIBS) \
	$(CHECK_LIBS) $(CRYPTO_LIBS)
tests_unit_check_rules_parse_SOURCES = tests/unit/check_rules_parse.c
tests_unit_check_rules_parse_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/acdom -I$(top_srcdir)/policy
tests_unit_check_rules_parse_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_rules_parse_LDADD = policy/libxacm-policy.a acdom/libacdom-core.a \
	$(CHECK_LIBS) $(CRYPTO_LIBS)
tests_unit_check_decide_SOURCES = tests/unit/check_decide.c tests/unit/ref_decide.c \
	tests/unit/ref_decide.h tests/unit/check_rules.h
tests_unit_check_decide_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/acdom -I$(top_srcdir)/policy
tests_unit_check_decide_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_decide_LDADD = policy/libxacm-policy.a acdom/libacdom-core.a \
	$(CHECK_LIBS) $(CRYPTO_LIBS)

FUZZ_TARGETS += fuzz/fuzz_rules_parse
fuzz/fuzz_rules_parse: $(top_srcdir)/tests/fuzz/fuzz_rules_parse.c $(top_srcdir)/acdom/rules_parse.c
	@mkdir -p fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/acdom -o $@ $(filter %.c,$^) $(CRYPTO_LIBS)

sbin_PROGRAMS += acdom/acdom
dist_man_MANS += acdom/acdom.8

# the systemd unit, with the install paths filled in
systemdsystemunitdir = $(prefix)/lib/systemd/system
systemdsystemunit_DATA = dist/acdom.service
dist/acdom.service: $(top_srcdir)/dist/acdom.service.in
	@mkdir -p dist
	$(AM_V_GEN)sed 's|%SBINDIR%|$(sbindir)|g' $< > $@
CLEANFILES += dist/acdom.service
EXTRA_DIST += dist/acdom.service.in
acdom_acdom_SOURCES = acdom/acdom.c $(ACDOM_LOGIC)
acdom_acdom_CFLAGS = $(AM_CFLAGS) $(XENCTRL_CFLAGS) $(XENSTORE_CFLAGS)
acdom_acdom_LDADD = acdom/libacdom-core.a lib/libxacm.a $(XENCTRL_LIBS) $(XENSTORE_LIBS) \
	$(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/check_audit
tests_unit_check_audit_SOURCES = tests/unit/check_audit.c
tests_unit_check_audit_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/acdom
tests_unit_check_audit_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_audit_LDADD = acdom/libacdom-core.a $(CHECK_LIBS) $(CRYPTO_LIBS)

FUZZ_TARGETS += fuzz/fuzz_audit_verify
fuzz/fuzz_audit_verify: $(top_srcdir)/tests/fuzz/fuzz_audit_verify.c $(top_srcdir)/acdom/audit.c
	@mkdir -p fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/acdom -o $@ $(filter %.c,$^) $(CRYPTO_LIBS)

# ---- benchmark: decision latency (make bench; not part of make check) --------
bench/acdom-bench: $(top_srcdir)/bench/acdom-bench.c $(top_srcdir)/tests/unit/ref_decide.c \
		policy/libxacm-policy.a acdom/libacdom-core.a
	@mkdir -p bench
	$(AM_V_CC)$(CC) -O2 -g $(XACM_CPPFLAGS) -std=gnu11 -I$(top_srcdir)/acdom -I$(top_srcdir)/policy \
		-I$(top_srcdir)/tests/unit -o $@ $(top_srcdir)/bench/acdom-bench.c \
		$(top_srcdir)/tests/unit/ref_decide.c policy/libxacm-policy.a acdom/libacdom-core.a \
		$(CRYPTO_LIBS)
bench-acdom: bench/acdom-bench
	$(top_srcdir)/bench/acdom-run.sh bench/acdom-bench $(top_srcdir)/docs
bench: bench-acdom
CLEANFILES += bench/acdom-bench
.PHONY: bench-acdom
