#include "xacm_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

static const char *log_progname = "xacm";
static enum xacm_log_level log_max_level = XACM_LOG_INFO;
static bool log_syslog;

void xacm_log_open(const char *progname, enum xacm_log_level max_level, bool use_syslog)
{
	log_progname = progname;
	log_max_level = max_level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(progname, LOG_PID, LOG_DAEMON);
}

static void log_va(enum xacm_log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	static const int priorities[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	va_list copy;

	if (level > log_max_level)
		return;
	if (log_syslog) {
		va_copy(copy, ap);
		vsyslog(priorities[level], fmt, copy);
		va_end(copy);
	}
	fprintf(stderr, "%s: %s: ", log_progname, names[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void xacm_log(enum xacm_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(level, fmt, ap);
	va_end(ap);
}

void xacm_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(XACM_LOG_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
