/* libFuzzer target: ARC chain validation (RFC 8617 5.2) of a message
 * whose header block and body come from the input (split at the first
 * "\n\n"), then sealing it (5.1): set collection, seal parsing, AMS
 * verification, the AAR built from Authentication-Results. */
#include <stdint.h>
#include <string.h>

#include "arc.h"
#include "buf.h"
#include "crypto.h"
#include "crypto_sign.h"
#include "diag.h"
#include "dkim.h"
#include "dns.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *
body_start(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i + 1 < size; i++)
		if (data[i] == '\n' && data[i + 1] == '\n')
			return data + i + 2;
	return data + size;
}

/* tests/demo's Ed25519 key (ed) and the ARC suite's 1024-bit "dummy". */
static const char zone[] =
    "$ORIGIN example.org.\n"
    "ed._domainkey TXT \"v=DKIM1; k=ed25519; "
    "p=PdM80Y4Sq+u66p083bmhi5RZZxAAVkqUud3IR/mb28Y=\"\n"
    "dummy._domainkey TXT \"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4"
    "GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16"
    "JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4h"
    "stT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\"\n"
    "slow._domainkey TIMEOUT\n";

static const char key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIIXtiyLlrkfkYLECl5mXbe4ezE8sWyDex5KOjugKZ+PX\n"
    "-----END PRIVATE KEY-----\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct crypto_key *k;
	struct dns *dns = dns_new();
	struct dkim_opts o = { .now = 1700000000 };
	struct arc_seal_opts so = { 0 };
	struct dkim_verifier *v;
	struct arc_msg *am;
	struct buf out = { 0 };
	const uint8_t *body;
	enum arc_cv cv;
	struct msg m;
	struct diag d;
	size_t blen;

	if (k == NULL && (crypto_init(&d) < 0 ||
	    (k = crypto_key_parse("fuzz", key, sizeof(key) - 1, &d)) == NULL))
		__builtin_trap();
	dns_set_offline(dns, true);
	if (dns_add_zone_text(dns, "fuzz", zone, sizeof(zone) - 1, &d) == -1)
		__builtin_trap();
	v = dkim_verifier_new(dns, &o);
	body = body_start(data, size);
	blen = (size_t)(data + size - body);
	if (msg_parse_header(&m, (const char *)data, (size_t)(body - data),
	    &d) == 0) {
		am = arc_msg_new(v, &m, "mx.example.org", NULL);
		/* the body in two pieces: chunk boundaries must not matter */
		arc_msg_body(am, body, blen / 2);
		arc_msg_body(am, body + blen / 2, blen - blen / 2);
		arc_msg_final(am);
		so.key = k;
		so.domain = "example.org";
		so.selector = "ed";
		so.authserv_id = "mx.example.org";
		so.sign = arc_default_sign;
		for (so.nsign = 0; arc_default_sign[so.nsign] != NULL;
		    so.nsign++)
			;
		so.present_only = true;
		so.time = 1700000000;
		(void)arc_seal(am, &m, &so, &out, &cv, &d);
		buf_free(&out);
		arc_msg_free(am);
	}
	msg_free(&m);
	dkim_verifier_free(v);
	dns_free(dns);
	return 0;
}
