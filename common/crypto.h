/*
 * crypto: the only module that talks to OpenSSL (STYLE.md).  Streaming
 * hashes (SHA-256, SHA-1), base64, DKIM public keys and signature
 * verification (rsa-sha256, rsa-sha1, ed25519-sha256: RFC 6376 3.3,
 * RFC 8463 3).  Private keys and signing live in crypto_sign.c.
 *
 * Start-up: crypto_init() sets OpenSSL up without reading openssl.cnf and
 * fetches each algorithm once; every function here calls it, so callers
 * need not, but a tool may call it first to keep that cost in one place.
 */
#ifndef MAUTH_CRYPTO_H
#define MAUTH_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct diag;

enum crypto_hash_alg {
	CRYPTO_SHA256,
	CRYPTO_SHA1,
};

#define CRYPTO_HASH_MAX	32	/* bytes of the largest digest (SHA-256) */

/*
 * DER, just enough for keys (crypto and crypto_sign): the TLV at *p must
 * have the tag; its contents go to *c, *clen and *p moves past it.  False
 * if malformed or another tag.
 */
#define CRYPTO_DER_INTEGER	0x02
#define CRYPTO_DER_BITSTRING	0x03
#define CRYPTO_DER_OCTETSTRING	0x04
#define CRYPTO_DER_NULL		0x05
#define CRYPTO_DER_OID		0x06
#define CRYPTO_DER_SEQUENCE	0x30
bool		 crypto_der_next(const unsigned char **p,
		    const unsigned char *end, int tag, const unsigned char **c,
		    size_t *clen);

#define CRYPTO_RSA_OID_LEN	9
extern const unsigned char crypto_rsa_oid[CRYPTO_RSA_OID_LEN];

/* Initialize OpenSSL (no config file) once; idempotent.  Returns 0, or -1
 * with d filled if the library cannot provide SHA-256. */
int		 crypto_init(struct diag *d);

/* Digest size in bytes: 32 for SHA-256, 20 for SHA-1. */
size_t		 crypto_hash_size(enum crypto_hash_alg alg);

/*
 * A streaming hash.  crypto_hash_new aborts on allocation failure (xalloc
 * policy) and cannot otherwise fail once crypto_init succeeded.
 * crypto_hash_final writes crypto_hash_size() bytes to out and returns
 * that size; the context may then be reset with crypto_hash_reset and
 * reused.  crypto_hash_free(NULL) is a no-op.
 */
struct crypto_hash;
struct crypto_hash *crypto_hash_new(enum crypto_hash_alg alg);
void		 crypto_hash_update(struct crypto_hash *h, const void *p,
		    size_t n);
size_t		 crypto_hash_final(struct crypto_hash *h,
		    unsigned char out[CRYPTO_HASH_MAX]);
void		 crypto_hash_reset(struct crypto_hash *h);
/* A copy of h in its current state (to finish a prefix, --explain). */
struct crypto_hash *crypto_hash_dup(const struct crypto_hash *h);
void		 crypto_hash_free(struct crypto_hash *h);

/* A canon_sink (canon.h) that feeds arg, a struct crypto_hash. */
void		 crypto_hash_sink(void *arg, const void *p, size_t n);

/* Append the base64 (RFC 4648 4, padded, no line breaks) of p[0..n). */
void		 crypto_base64_encode(struct buf *out, const void *p, size_t n);

/*
 * Decode base64 s[0..n) and append the bytes to out.  White space (SP,
 * HTAB, CR, LF) anywhere is skipped (RFC 6376 3.5 b=, 3.6.1 p= allow FWS).
 * Padding is optional at the end, never inside.  Returns 0, or -1 on a
 * character outside the alphabet or a bad length (out then undefined).
 */
int		 crypto_base64_decode(const char *s, size_t n, struct buf *out);

enum crypto_key_type {
	CRYPTO_KEY_RSA,		/* k=rsa, RFC 6376 3.6.1 */
	CRYPTO_KEY_ED25519,	/* k=ed25519, RFC 8463 4 */
};

/*
 * A public key from the decoded p= of a key record.  RSA: DER
 * SubjectPublicKeyInfo (RFC 6376 3.6.1) or a bare PKCS#1 RSAPublicKey
 * (seen in the wild; RFC 8017 A.1.1).  Ed25519: the raw 32 bytes
 * (RFC 8463 4); an SPKI-wrapped one is refused.  Returns NULL with d
 * filled ("not an RSA public key") if the bytes are not such a key.
 * Free with crypto_pubkey_free (NULL is a no-op).
 */
struct crypto_pubkey;
struct crypto_pubkey *crypto_pubkey_parse(enum crypto_key_type type,
		    const unsigned char *der, size_t n, struct diag *d);
void		 crypto_pubkey_free(struct crypto_pubkey *k);

/* The key's size in bits (RSA modulus; 256 for ed25519). */
unsigned	 crypto_pubkey_bits(const struct crypto_pubkey *k);
enum crypto_key_type crypto_pubkey_type(const struct crypto_pubkey *k);

/*
 * Verify sig over a message digest (RFC 6376 3.7: the hash of the
 * canonical header data).  RSA: RSASSA-PKCS1-v1_5 with the DigestInfo
 * of alg (RFC 8017 8.2).  Ed25519: PureEdDSA over the digest bytes
 * themselves (RFC 8463 3).  Returns true when the signature is valid;
 * false for a bad signature or a digest/key mismatch.
 */
bool		 crypto_verify(const struct crypto_pubkey *k,
		    enum crypto_hash_alg alg, const unsigned char *digest,
		    size_t digestlen, const unsigned char *sig, size_t siglen);

#endif
