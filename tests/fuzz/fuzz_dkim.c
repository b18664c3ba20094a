/* libFuzzer target: a whole DKIM verification of a message whose header
 * block and body come from the input (split at the first "\n\n"). */
#include <stdint.h>
#include <string.h>

#include "diag.h"
#include "dkim.h"
#include "dns.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The body after the first empty line ("\n\n"), or the end. */
static const uint8_t *
body_start(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i + 1 < size; i++)
		if (data[i] == '\n' && data[i + 1] == '\n')
			return data + i + 2;
	return data + size;
}

static const char zone[] =
    "$ORIGIN example.org.\n"
    "ed._domainkey TXT \"v=DKIM1; k=ed25519; "
    "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n"
    "rsa._domainkey TXT \"v=DKIM1; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAK"
    "jNnVs0ByQwZoV41Mkm0wEGzuzxDcJb2BBPdLYvmNXe3fgsEOX/TnCRPm8MMiBjmi+"
    "kS6sf3G3gPUVeu93UWK8CAwEAAQ==\"\n"
    "slow._domainkey TIMEOUT\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns *dns = dns_new();
	struct dkim_opts o = { .now = 1700000000, .explain = true };
	struct dkim_verifier *v;
	struct dkim_msg *dm;
	const uint8_t *body;
	struct msg m;
	struct diag d;

	dns_set_offline(dns, true);
	if (dns_add_zone_text(dns, "fuzz", zone, sizeof(zone) - 1, &d) == -1)
		__builtin_trap();
	v = dkim_verifier_new(dns, &o);
	body = body_start(data, size);
	if (msg_parse_header(&m, (const char *)data, (size_t)(body - data),
	    &d) == 0) {
		dm = dkim_msg_new(v, &m);
		/* the body in two pieces: chunk boundaries must not matter */
		dkim_msg_body(dm, body, (size_t)(data + size - body) / 2);
		dkim_msg_body(dm, body + (data + size - body) / 2,
		    (size_t)(data + size - body) - (size_t)(data + size - body) / 2);
		dkim_msg_final(dm);
		dkim_msg_verdict(dm);
		dkim_msg_free(dm);
	}
	msg_free(&m);
	dkim_verifier_free(v);
	dns_free(dns);
	return 0;
}
