/* xacm_log.h - one logging path for every xacm program.
 *
 * Messages go to stderr, prefixed with the program name, and to syslog when
 * xacm_log_open() was asked for it.  xacm_die() logs and exits(1): for
 * configuration errors at start-up only, never for a peer's bad input. */
#ifndef XACM_LOG_H
#define XACM_LOG_H

#include <stdbool.h>

enum xacm_log_level { XACM_LOG_ERR, XACM_LOG_WARN, XACM_LOG_INFO, XACM_LOG_DEBUG };

void xacm_log_open(const char *progname, enum xacm_log_level max_level, bool use_syslog);
void xacm_log(enum xacm_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void xacm_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define xacm_err(...) xacm_log(XACM_LOG_ERR, __VA_ARGS__)
#define xacm_warn(...) xacm_log(XACM_LOG_WARN, __VA_ARGS__)
#define xacm_info(...) xacm_log(XACM_LOG_INFO, __VA_ARGS__)
#define xacm_debug(...) xacm_log(XACM_LOG_DEBUG, __VA_ARGS__)

#endif
