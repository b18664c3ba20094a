#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "buf.h"
#include "crypto.h"
#include "diag.h"

#define ED25519_KEYLEN	32	/* RFC 8032 5.1.5: raw public key bytes */

/* Algorithms fetched once (OpenSSL 3 fetches are costly, each call). */
static struct {
	bool		 done;
	bool		 ok;
	EVP_MD		*md[2];		/* by enum crypto_hash_alg */
} lib;

static const char *const md_names[] = {
	[CRYPTO_SHA256] = "SHA256",
	[CRYPTO_SHA1] = "SHA1",
};

int
crypto_init(struct diag *d)
{
	if (!lib.done) {
		lib.done = true;
		/* no openssl.cnf: nothing of it matters to DKIM, and
		 * reading it is a large part of OpenSSL's start-up */
		OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG |
		    OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
		    OPENSSL_INIT_NO_ADD_ALL_DIGESTS |
		    OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, NULL);
		lib.md[CRYPTO_SHA256] = EVP_MD_fetch(NULL, "SHA256", NULL);
		lib.ok = lib.md[CRYPTO_SHA256] != NULL;
	}
	if (!lib.ok)
		return diag_set(d, "OpenSSL: SHA-256 is not available");
	return 0;
}

static const EVP_MD *
get_md(enum crypto_hash_alg alg)
{
	if (crypto_init(NULL) < 0)
		return NULL;
	if (lib.md[alg] == NULL)
		lib.md[alg] = EVP_MD_fetch(NULL, md_names[alg], NULL);
	return lib.md[alg];
}

size_t
crypto_hash_size(enum crypto_hash_alg alg)
{
	return alg == CRYPTO_SHA1 ? 20 : 32;
}

struct crypto_hash {
	EVP_MD_CTX		*ctx;
	enum crypto_hash_alg	 alg;
};

struct crypto_hash *
crypto_hash_new(enum crypto_hash_alg alg)
{
	struct crypto_hash *h = xcalloc(1, sizeof(*h));

	h->alg = alg;
	if ((h->ctx = EVP_MD_CTX_new()) == NULL)
		abort();
	crypto_hash_reset(h);
	return h;
}

void
crypto_hash_reset(struct crypto_hash *h)
{
	const EVP_MD *md = get_md(h->alg);

	/* no digest is a broken installation: xalloc policy, abort */
	if (md == NULL || !EVP_DigestInit_ex2(h->ctx, md, NULL))
		abort();
}

struct crypto_hash *
crypto_hash_dup(const struct crypto_hash *h)
{
	struct crypto_hash *c = xcalloc(1, sizeof(*c));

	c->alg = h->alg;
	if ((c->ctx = EVP_MD_CTX_new()) == NULL ||
	    !EVP_MD_CTX_copy_ex(c->ctx, h->ctx))
		abort();
	return c;
}

void
crypto_hash_update(struct crypto_hash *h, const void *p, size_t n)
{
	if (n > 0)
		EVP_DigestUpdate(h->ctx, p, n);
}

void
crypto_hash_sink(void *arg, const void *p, size_t n)
{
	crypto_hash_update(arg, p, n);
}

size_t
crypto_hash_final(struct crypto_hash *h, unsigned char out[CRYPTO_HASH_MAX])
{
	unsigned int n = 0;

	if (!EVP_DigestFinal_ex(h->ctx, out, &n))
		abort();
	return n;
}

void
crypto_hash_free(struct crypto_hash *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

/* Base64 by hand: RFC 4648 4; EVP_Encode* wraps lines and its decoder
 * is lax about padding. */
static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
crypto_base64_encode(struct buf *out, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	buf_reserve(out, (n + 2) / 3 * 4 + 1);
	for (i = 0; i + 3 <= n; i += 3) {
		unsigned long v = (unsigned long)s[i] << 16 | s[i + 1] << 8 |
		    s[i + 2];

		buf_addc(out, b64[v >> 18]);
		buf_addc(out, b64[(v >> 12) & 63]);
		buf_addc(out, b64[(v >> 6) & 63]);
		buf_addc(out, b64[v & 63]);
	}
	if (i < n) {
		unsigned long v = (unsigned long)s[i] << 16 |
		    (i + 1 < n ? s[i + 1] << 8 : 0);

		buf_addc(out, b64[v >> 18]);
		buf_addc(out, b64[(v >> 12) & 63]);
		buf_addc(out, i + 1 < n ? b64[(v >> 6) & 63] : '=');
		buf_addc(out, '=');
	}
}

/* Base64 alphabet values (RFC 4648 4); B64_BAD for anything else. */
#define B64_BAD	0xff

static unsigned char b64_rev[256];
static bool b64_built;

static void
b64_table(void)
{
	if (b64_built)
		return;
	b64_built = true;
	memset(b64_rev, B64_BAD, sizeof(b64_rev));
	for (int i = 0; i < 64; i++)
		b64_rev[(unsigned char)b64[i]] = (unsigned char)i;
}

static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int
crypto_base64_decode(const char *s, size_t n, struct buf *out)
{
	unsigned long v = 0;
	size_t bits = 0, pad = 0, nchars = 0;
	unsigned char *o;

	b64_table();
	buf_reserve(out, n / 4 * 3 + 3);
	o = (unsigned char *)out->p + out->len;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i], x = b64_rev[c];

		if (x == B64_BAD) {
			if (is_space(c))
				continue;
			if (c != '=')
				return -1;	/* not base64 */
			pad++;
			continue;
		}
		if (pad > 0)
			return -1;	/* data after padding */
		nchars++;
		v = (v << 6 | x) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			*o++ = (unsigned char)(v >> bits);
		}
	}
	out->len = (size_t)((char *)o - out->p);
	out->p[out->len] = '\0';
	if (nchars % 4 == 1 || pad > 2 || (pad > 0 && (nchars + pad) % 4 != 0))
		return -1;
	return 0;
}

struct crypto_pubkey {
	EVP_PKEY		*pkey;
	enum crypto_key_type	 type;
	unsigned		 bits;
	EVP_PKEY_CTX		*vctx[2];	/* RSA, set up per hash alg */
};

/*
 * DER: one TLV at *p (tag, definite length) -> its contents; false if
 * malformed.  Done here because OpenSSL 3's d2i_PUBKEY and friends start
 * the whole decoder machinery, several million instructions per process.
 */
bool
crypto_der_next(const unsigned char **p, const unsigned char *end, int tag,
    const unsigned char **c, size_t *clen)
{
	const unsigned char *q = *p;
	size_t len, k;

	if (end - q < 2 || *q++ != tag)
		return false;
	len = *q++;
	if (len & 0x80) {
		k = len & 0x7f;
		if (k == 0 || k > 3 || (size_t)(end - q) < k)
			return false;
		for (len = 0; k > 0; k--)
			len = len << 8 | *q++;
	}
	if ((size_t)(end - q) < len)
		return false;
	*c = q;
	*clen = len;
	*p = q + len;
	return true;
}

/* rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017 A.1) */
const unsigned char crypto_rsa_oid[CRYPTO_RSA_OID_LEN] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
};

/* The RSAPublicKey inside an RSA SubjectPublicKeyInfo, or false. */
static bool
spki_rsa(const unsigned char *der, size_t n, const unsigned char **key,
    size_t *keylen)
{
	const unsigned char *p = der, *end = der + n, *spki, *alg, *oid, *bits;
	size_t spkilen, alglen, oidlen, bitslen;

	if (!crypto_der_next(&p, end, CRYPTO_DER_SEQUENCE, &spki, &spkilen) ||
	    p != end)
		return false;
	p = spki;
	end = spki + spkilen;
	if (!crypto_der_next(&p, end, CRYPTO_DER_SEQUENCE, &alg, &alglen) ||
	    !crypto_der_next(&p, end, CRYPTO_DER_BITSTRING, &bits, &bitslen) ||
	    p != end)
		return false;
	p = alg;
	if (!crypto_der_next(&p, alg + alglen, CRYPTO_DER_OID, &oid, &oidlen) ||
	    oidlen != CRYPTO_RSA_OID_LEN ||
	    memcmp(oid, crypto_rsa_oid, oidlen) != 0)
		return false;
	if (p != alg + alglen && !(alg + alglen - p == 2 &&
	    p[0] == CRYPTO_DER_NULL && p[1] == 0))
		return false;
	if (bitslen < 1 || bits[0] != 0)	/* no unused bits */
		return false;
	*key = bits + 1;
	*keylen = bitslen - 1;
	return true;
}

/* A bare RSAPublicKey (RFC 8017 A.1.1), all n bytes of it. */
static EVP_PKEY *
pkcs1_rsa(const unsigned char *der, size_t n)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)n);

	if (pkey != NULL && p != der + n) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	return pkey;
}

/* RFC 6376 3.6.1: SubjectPublicKeyInfo; also a bare RSAPublicKey, as
 * some publish. */
static EVP_PKEY *
parse_rsa(const unsigned char *der, size_t n)
{
	const unsigned char *key;
	size_t keylen;

	if (spki_rsa(der, n, &key, &keylen))
		return pkcs1_rsa(key, keylen);
	return pkcs1_rsa(der, n);
}

struct crypto_pubkey *
crypto_pubkey_parse(enum crypto_key_type type, const unsigned char *der,
    size_t n, struct diag *d)
{
	struct crypto_pubkey *k;
	EVP_PKEY *pkey = NULL;

	if (crypto_init(d) < 0)
		return NULL;
	if (type == CRYPTO_KEY_RSA)
		pkey = parse_rsa(der, n);
	else if (n == ED25519_KEYLEN)
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
		    der, n);
	if (pkey == NULL) {
		diag_set(d, type == CRYPTO_KEY_RSA ? "not an RSA public key" :
		    "not a 32-byte Ed25519 public key (RFC 8463 4)");
		return NULL;
	}
	k = xcalloc(1, sizeof(*k));
	k->pkey = pkey;
	k->type = type;
	k->bits = (unsigned)EVP_PKEY_get_bits(pkey);
	return k;
}

void
crypto_pubkey_free(struct crypto_pubkey *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_CTX_free(k->vctx[CRYPTO_SHA256]);
	EVP_PKEY_CTX_free(k->vctx[CRYPTO_SHA1]);
	EVP_PKEY_free(k->pkey);
	free(k);
}

unsigned
crypto_pubkey_bits(const struct crypto_pubkey *k)
{
	return k->bits;
}

enum crypto_key_type
crypto_pubkey_type(const struct crypto_pubkey *k)
{
	return k->type;
}

static bool
verify_ed25519(EVP_PKEY *pkey, const unsigned char *msg, size_t n,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = false;

	if (ctx != NULL && EVP_DigestVerifyInit_ex(ctx, NULL, NULL, NULL, NULL,
	    pkey, NULL) == 1)
		ok = EVP_DigestVerify(ctx, sig, siglen, msg, n) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/*
 * An RSA verification context for k and alg, made once and kept with the
 * key: OpenSSL 3 looks the algorithm up again for every new context, and
 * EVP_PKEY_verify may be called repeatedly on one that is set up.
 */
static EVP_PKEY_CTX *
rsa_ctx(struct crypto_pubkey *k, enum crypto_hash_alg alg, const EVP_MD *md)
{
	EVP_PKEY_CTX *ctx = k->vctx[alg];

	if (ctx != NULL)
		return ctx;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL)) == NULL)
		return NULL;
	if (EVP_PKEY_verify_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, md) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return k->vctx[alg] = ctx;
}

static bool
verify_rsa(struct crypto_pubkey *k, enum crypto_hash_alg alg,
    const EVP_MD *md, const unsigned char *digest, size_t n,
    const unsigned char *sig, size_t siglen)
{
	EVP_PKEY_CTX *ctx = rsa_ctx(k, alg, md);

	return ctx != NULL && EVP_PKEY_verify(ctx, sig, siglen, digest, n) == 1;
}

bool
crypto_verify(const struct crypto_pubkey *k, enum crypto_hash_alg alg,
    const unsigned char *digest, size_t digestlen, const unsigned char *sig,
    size_t siglen)
{
	const EVP_MD *md = get_md(alg);
	bool ok;

	if (md == NULL || digestlen != crypto_hash_size(alg))
		return false;
	if (k->type == CRYPTO_KEY_ED25519)
		ok = verify_ed25519(k->pkey, digest, digestlen, sig, siglen);
	else
		/* the key's cached contexts are not part of its value */
		ok = verify_rsa((struct crypto_pubkey *)k, alg, md, digest,
		    digestlen, sig, siglen);
	/* a bad signature leaves errors queued; they are not ours to show */
	ERR_clear_error();
	return ok;
}
