/* audit.c - the hash-chained audit log (format in audit.h). */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_LEN 4096u
static const char prefix[] = "{\"prev\":\"";

struct acm_audit {
	int fd;
	bool use_syslog;
	uint64_t seq;
	char prev[ACM_AUDIT_HASH_HEX + 1];
};

static void hash_hex(const char *data, size_t len, char out[static ACM_AUDIT_HASH_HEX + 1])
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The seq of a line, or -1. */
static int64_t line_seq(const char *line, size_t len)
{
	const size_t at = sizeof(prefix) - 1 + ACM_AUDIT_HASH_HEX;
	static const char key[] = "\",\"seq\":";
	int64_t seq = 0;
	size_t i;

	if (len < at + sizeof(key) || memcmp(line, prefix, sizeof(prefix) - 1) ||
	    memcmp(line + at, key, sizeof(key) - 1))
		return -1;
	for (i = at + sizeof(key) - 1; i < len && line[i] >= '0' && line[i] <= '9'; i++) {
		if (seq > (INT64_MAX - 9) / 10)
			return -1;
		seq = seq * 10 + (line[i] - '0');
	}
	return i < len && line[i] == ',' && i > at + sizeof(key) - 1 ? seq : -1;
}

struct acm_audit *acm_audit_open(const char *path, bool use_syslog)
{
	struct acm_audit *a = calloc(1, sizeof(*a));
	struct stat st;
	char *tail = NULL;

	if (a == NULL)
		return NULL;
	a->use_syslog = use_syslog;
	memset(a->prev, '0', ACM_AUDIT_HASH_HEX);
	a->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (a->fd < 0 || fstat(a->fd, &st) != 0)
		goto fail;
	if (st.st_size > 0) {
		/* continue the chain from the last line */
		off_t from =
			st.st_size > (off_t)LINE_MAX_LEN ? st.st_size - (off_t)LINE_MAX_LEN : 0;
		size_t n = (size_t)(st.st_size - from), start = 0, end;
		ssize_t got;

		tail = malloc(n);
		if (tail == NULL)
			goto fail;
		got = pread(a->fd, tail, n, from);
		if (got != (ssize_t)n)
			goto fail;
		end = n;
		if (end && tail[end - 1] == '\n')
			end--;
		for (size_t i = end; i > 0; i--)
			if (tail[i - 1] == '\n') {
				start = i;
				break;
			}
		hash_hex(tail + start, end - start, a->prev);
		int64_t seq = line_seq(tail + start, end - start);
		a->seq = seq >= 0 ? (uint64_t)seq + 1 : 0;
		free(tail);
	}
	return a;
fail:
	free(tail);
	if (a->fd >= 0)
		close(a->fd);
	free(a);
	return NULL;
}

void acm_audit_close(struct acm_audit *a)
{
	if (a == NULL)
		return;
	close(a->fd);
	free(a);
}

int acm_audit_append(struct acm_audit *a, const char *fields)
{
	char line[LINE_MAX_LEN + 1], stamp[32];
	struct timespec ts;
	struct tm tm;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s%s\",\"seq\":%llu,\"time\":\"%s.%03ldZ\",%s}", prefix,
		     a->prev, (unsigned long long)a->seq, stamp, ts.tv_nsec / 1000000, fields);
	if (n < 0 || (size_t)n >= LINE_MAX_LEN || memchr(line, '\n', (size_t)n))
		return -EINVAL;
	line[n] = '\n';
	if (write(a->fd, line, (size_t)n + 1) != n + 1 || fsync(a->fd) != 0)
		return -errno ? -errno : -EIO;
	if (a->use_syslog)
		syslog(LOG_AUTHPRIV | LOG_INFO, "%.*s", n, line);
	hash_hex(line, (size_t)n, a->prev);
	a->seq++;
	return 0;
}

int acm_audit_verify(const char *text, size_t len, uint64_t *records, char *err, size_t errlen)
{
	char expect[ACM_AUDIT_HASH_HEX + 1];
	const char *p = text, *end = text + len;
	uint64_t lineno = 0;

	memset(expect, '0', ACM_AUDIT_HASH_HEX);
	expect[ACM_AUDIT_HASH_HEX] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n;
		int64_t seq;

		lineno++;
		if (nl == NULL) {
			snprintf(err, errlen, "line %llu: no newline (truncated write?)",
				 (unsigned long long)lineno);
			return -EBADMSG;
		}
		n = (size_t)(nl - p);
		seq = line_seq(p, n);
		if (seq < 0 || n < 2 || p[n - 1] != '}' || memchr(p, '\0', n)) {
			snprintf(err, errlen, "line %llu: not an audit record",
				 (unsigned long long)lineno);
			return -EBADMSG;
		}
		if (CRYPTO_memcmp(p + sizeof(prefix) - 1, expect, ACM_AUDIT_HASH_HEX)) {
			snprintf(err, errlen,
				 "line %llu: its prev hash does not match line %llu (a line was "
				 "edited, removed or inserted)",
				 (unsigned long long)lineno, (unsigned long long)lineno - 1);
			return -EBADMSG;
		}
		if ((uint64_t)seq != lineno - 1) {
			snprintf(err, errlen, "line %llu: seq %lld, expected %llu",
				 (unsigned long long)lineno, (long long)seq,
				 (unsigned long long)lineno - 1);
			return -EBADMSG;
		}
		hash_hex(p, n, expect);
		p = nl + 1;
	}
	*records = lineno;
	return 0;
}
