/* audit.h - acdom's audit log: one JSON object per line, hash-chained.
 *
 * Each line is {"prev":"<sha256 hex of the previous line>","seq":N,...}:
 * prev is computed over the previous line's bytes without its newline (64
 * zeros for the first line), and seq counts up by one.  Removing, inserting,
 * reordering or editing any line breaks the chain at the next line.  The
 * chain continues across restarts: acm_audit_open() reads the last line. */
#ifndef XACM_ACDOM_AUDIT_H
#define XACM_ACDOM_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACM_AUDIT_HASH_HEX 64u

struct acm_audit;

/* Open (create) the log at path for appending.  NULL with errno on error.
 * use_syslog also sends every line to syslog (LOG_AUTHPRIV). */
struct acm_audit *acm_audit_open(const char *path, bool use_syslog);
void acm_audit_close(struct acm_audit *a);

/* Append one record.  fields is the rest of the JSON object after seq and
 * time, e.g. "\"event\":\"decision\",\"fe\":5" (the caller's values are
 * validated identifiers and numbers; no escaping is done).  The line is
 * flushed and fsync()ed before return.  0 or -errno. */
int acm_audit_append(struct acm_audit *a, const char *fields) __attribute__((warn_unused_result));

/* Verify a whole log held in text[0..len).  0 if the chain holds, with
 * *records set; otherwise -EBADMSG and a message naming the line in err. */
int acm_audit_verify(const char *text, size_t len, uint64_t *records, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
