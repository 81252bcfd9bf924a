# policy: automake rules (included from the top-level Makefile.am).

# The policy language: parser/checker and the two emitters.
noinst_LIBRARIES += policy/libxacm-policy.a
policy_libxacm_policy_a_SOURCES = policy/policy.h policy/parse.c policy/emit.c
policy_libxacm_policy_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/acdom
policy_libxacm_policy_a_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)

bin_PROGRAMS += policy/xacm-policy
policy_xacm_policy_SOURCES = policy/xacm-policy.c
policy_xacm_policy_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/acdom \
	-DXACM_FLASK_BASE_DEFAULT='"$(pkgdatadir)/flask"'
policy_xacm_policy_LDADD = policy/libxacm-policy.a acdom/libacdom-core.a $(CRYPTO_LIBS)
dist_man_MANS += policy/xacm-policy.8

check_PROGRAMS += tests/unit/check_policy_parse
tests_unit_check_policy_parse_SOURCES = tests/unit/check_policy_parse.c
tests_unit_check_policy_parse_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/acdom -I$(top_srcdir)/policy
tests_unit_check_policy_parse_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_policy_parse_LDADD = policy/libxacm-policy.a acdom/libacdom-core.a \
	$(CHECK_LIBS) $(CRYPTO_LIBS)

FUZZ_TARGETS += fuzz/fuzz_policy_parse
fuzz/fuzz_policy_parse: $(top_srcdir)/tests/fuzz/fuzz_policy_parse.c $(top_srcdir)/policy/parse.c \
		$(top_srcdir)/policy/emit.c $(top_srcdir)/acdom/rules_parse.c
	@mkdir -p fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/acdom -I$(top_srcdir)/policy \
		-o $@ $(filter %.c,$^) $(CRYPTO_LIBS)
