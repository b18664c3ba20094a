/* libFuzzer target: tag=value lists (RFC 6376 3.2) and DKIM key records. */
#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "dkim.h"
#include "tags.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tags tl;
	struct dkim_key k = { 0 };
	struct diag d;

	if (tags_parse(&tl, "fuzz", (const char *)data, size, &d) == 0) {
		struct buf b = { 0 };

		for (size_t i = 0; i < tl.n; i++)
			tags_value_nows(&tl.t[i], &b);
		buf_free(&b);
	}
	dkim_key_parse(&k, (const char *)data, size, &d);
	dkim_key_clear(&k);
	return 0;
}
