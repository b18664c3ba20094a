/* libFuzzer target: SPF record parsing, macro expansion and evaluation,
 * the input taken as the record published at example.org. */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "dns.h"
#include "spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char zone[] =
    "$ORIGIN example.org.\n"
    "@ TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
    "a TXT \"v=spf1 a mx include:example.org ~all\"\n"
    "a A 192.0.2.1\n"
    "@ MX 10 a.example.org.\n"
    "1.2.0.192.in-addr.arpa. PTR a.example.org.\n"
    "slow TIMEOUT\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns *dns = dns_new();
	struct spf_request req;
	struct spf_result res;
	struct buf rec = { 0 };
	struct diag d;

	dns_set_offline(dns, true);
	if (dns_add_zone_text(dns, "fuzz", zone, sizeof(zone) - 1, &d) == -1)
		__builtin_trap();
	buf_adds(&rec, "v=spf1 ");
	buf_add(&rec, data, size);
	memset(&req, 0, sizeof(req));
	req.ip = size % 2 ? "192.0.2.1" : "2001:db8::1";
	req.mail_from = "user@example.org";
	req.helo = "a.example.org";
	req.record = rec.p;
	req.default_exp = "%{i} is not allowed for %{d}";
	req.now = 1;
	memset(&res, 0, sizeof(res));
	if (spf_check(dns, &req, &res, NULL, NULL, &d) == 0) {
		struct buf b = { 0 };

		spf_result_kv(&req, &res, SPF_KV_EXPLANATION, &b);
		buf_free(&b);
	}
	spf_result_free(&res);
	buf_free(&rec);
	dns_free(dns);
	return 0;
}
