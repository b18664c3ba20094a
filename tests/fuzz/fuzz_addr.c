/* libFuzzer target: the RFC 5322 address-list parser behind dmarceval's
 * author domain, and the DNS form of each domain. */
#include <stdint.h>
#include <stdlib.h>

#include "addr.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_list l;
	struct diag d;

	if (addr_parse((const char *)data, size, &l, &d) == 0)
		for (size_t i = 0; i < l.n; i++)
			free(addr_domain(&l.mb[i], &d));
	addr_list_free(&l);
	return 0;
}
