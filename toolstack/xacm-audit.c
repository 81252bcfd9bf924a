/* xacm-audit - check acdom's hash-chained audit log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

int main(int argc, char **argv)
{
	char err[256];
	uint64_t records;
	size_t cap = 1 << 20, len = 0;
	char *text;
	FILE *f;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: xacm-audit verify FILE\n"
		     "Checks that every line of acdom's audit log carries the hash of the line\n"
		     "before it.  Exit 0 if the chain is intact, 1 if it is broken.");
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "verify")) {
		fputs("usage: xacm-audit verify FILE\n", stderr);
		return 2;
	}
	f = fopen(argv[2], "rb");
	if (f == NULL) {
		fprintf(stderr, "xacm-audit: cannot open %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	text = malloc(cap);
	for (size_t got; text && (got = fread(text + len, 1, cap - len, f)) > 0;) {
		len += got;
		if (len == cap) {
			char *t = realloc(text, cap *= 2);

			if (t == NULL) {
				free(text);
				text = NULL;
			} else {
				text = t;
			}
		}
	}
	fclose(f);
	if (text == NULL) {
		fprintf(stderr, "xacm-audit: out of memory\n");
		return 2;
	}
	if (acm_audit_verify(text, len, &records, err, sizeof(err)) != 0) {
		printf("%s: BROKEN: %s\n", argv[2], err);
		free(text);
		return 1;
	}
	printf("%s: %llu records, chain intact\n", argv[2], (unsigned long long)records);
	free(text);
	return 0;
}
