# toolstack: the administrator's tools run in the toolstack domain (dom0).

sbin_PROGRAMS += toolstack/xacm-label
toolstack_xacm_label_SOURCES = toolstack/xacm-label.c
toolstack_xacm_label_CFLAGS = $(AM_CFLAGS) $(XENSTORE_CFLAGS)
toolstack_xacm_label_LDADD = lib/libxacm.a $(XENSTORE_LIBS)

bin_PROGRAMS += toolstack/xacm-audit
toolstack_xacm_audit_SOURCES = toolstack/xacm-audit.c
toolstack_xacm_audit_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/acdom
toolstack_xacm_audit_LDADD = acdom/libacdom-core.a $(CRYPTO_LIBS)
dist_man_MANS += toolstack/xacm-label.8 toolstack/xacm-audit.1
