/* libFuzzer target: the RFC 5322 header reader and unfolding. */
#include <stdint.h>
#include <stdlib.h>

#include "diag.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg m;
	struct diag d;

	if (msg_parse_header(&m, (const char *)data, size, &d) == 0)
		for (size_t i = 0; i < m.nf; i++)
			free(msg_value_unfold(&m.f[i]));
	msg_free(&m);
	return 0;
}
