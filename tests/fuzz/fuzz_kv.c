/* libFuzzer target: the key=value line parser, and writer round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "kv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct kv_pair *p;
	struct diag d;
	int n = kv_parse(s, &p, &d);

	if (n > 0) {
		struct buf b = { 0 };

		for (int i = 0; i < n; i++)
			kv_add(&b, p[i].key, p[i].value);
		buf_free(&b);
		kv_pairs_free(p, n);
	}
	free(s);
	return 0;
}
