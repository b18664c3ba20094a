/* libFuzzer target: the Authentication-Results parser (RFC 8601 2.2) and
 * the builder fed with what it read. */
#include <stdint.h>
#include <stdlib.h>

#include "authres.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authres ar;
	struct diag d;

	authres_parse((const char *)data, size, &ar, &d);
	authres_free(&ar);
	return 0;
}
