/* libFuzzer target: DMARC record parsing under both discovery modes. */
#include <stdint.h>

#include "dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmarc_record r;

	if (dmarc_record_parse((const char *)data, size, DMARC_TREEWALK, &r) == 1)
		dmarc_record_free(&r);
	if (dmarc_record_parse((const char *)data, size, DMARC_PSL, &r) == 1)
		dmarc_record_free(&r);
	return 0;
}
