/* libFuzzer target for acdom/rules_parse.c.  The hash check would stop
 * almost every input at the header, so the target hashes the input's body
 * itself: the first byte picks "hash it" (even) or "take it as is" (odd). */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xacm_rules *rules = NULL;
	char err[256], *text;
	size_t len;

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		len = size - 1;
		text = malloc(len ? len : 1);
		if (text == NULL)
			return 0;
		memcpy(text, data + 1, len);
	} else {
		unsigned char md[32];
		unsigned int mdlen;
		int off;

		text = malloc(size + 100);
		if (text == NULL)
			return 0;
		EVP_Digest(data + 1, size - 1, md, &mdlen, EVP_sha256(), NULL);
		off = sprintf(text, "xacm-rules 1\nsha256 ");
		for (unsigned int i = 0; i < 32; i++)
			off += sprintf(text + off, "%02x", md[i]);
		text[off++] = '\n';
		memcpy(text + off, data + 1, size - 1);
		len = (size_t)off + size - 1;
	}
	if (xacm_rules_parse(text, len, &rules, err, sizeof(err)) == 0) {
		/* the invariants of rules.h hold on everything accepted */
		for (uint32_t i = 1; i < rules->ndomains; i++)
			if (strcmp(rules->domains[i - 1].name, rules->domains[i].name) >= 0)
				abort();
		for (uint32_t i = 0; i < rules->ndomains; i++)
			if (rules->domains[i].types >> rules->ntypes && rules->ntypes < 64)
				abort();
		for (uint32_t i = 0; i < rules->nchannels; i++)
			if (rules->channels[i].a >= rules->channels[i].b ||
			    rules->channels[i].b >= rules->ndomains)
				abort();
		xacm_rules_free(rules);
	}
	free(text);
	return 0;
}
