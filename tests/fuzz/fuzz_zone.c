/* libFuzzer target: the zone-file reader (mauth-zone(5)) and lookups. */
#include <stdint.h>
#include <stdlib.h>

#include "diag.h"
#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns *dns = dns_new();
	struct diag d;

	dns_set_offline(dns, true);
	if (dns_add_zone_text(dns, "fuzz", (const char *)data, size, &d) == 0) {
		dns_query(dns, "example.org", DNS_T_TXT);
		dns_query(dns, "a.example.org", DNS_T_A);
		dns_query(dns, "example.org", DNS_T_MX);
	}
	dns_free(dns);
	return 0;
}
