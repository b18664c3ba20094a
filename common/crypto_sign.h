/*
 * crypto_sign: private keys and signing (the signing half of crypto.h;
 * with crypto.c the only code that includes OpenSSL headers).
 *
 * Keys: PEM PKCS#8 ("PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY"), DER
 * or base64 DER, and the raw base64 Ed25519 seed of RFC 8463 A.1 (also
 * the 64-byte seed+public form).  Algorithms: rsa-sha256 (RFC 6376 3.3.1)
 * and ed25519-sha256 (RFC 8463 3); RFC 8301 3.1 forbids signing with
 * rsa-sha1, so there is none.  Every buffer that held key material is
 * wiped (OPENSSL_cleanse) before it is released, and no function puts
 * key bytes in a diagnostic.
 */
#ifndef MAUTH_CRYPTO_SIGN_H
#define MAUTH_CRYPTO_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto.h"

struct buf;
struct diag;

/* Limits, listed in dkimsign(1) and dkimkey(1). */
#define CRYPTO_KEY_FILE_MAX	(64 * 1024)	/* bytes in a key file */
#define CRYPTO_RSA_MIN_BITS	1024	/* RFC 8301 3.2: smaller is refused */
#define CRYPTO_RSA_WEAK_BITS	2048	/* RFC 8301 3.2: SHOULD be at least */
#define CRYPTO_RSA_MAX_BITS	8192	/* largest key dkimkey gen makes */
#define CRYPTO_RSA_DEFAULT_BITS	2048

struct crypto_key;

/*
 * Read a private key from the file at path (at most CRYPTO_KEY_FILE_MAX
 * bytes).  Returns the key, or NULL with d filled: "cannot open" (errno
 * text), "not a private key", "encrypted keys are not supported", "RSA
 * key of 512 bits: RFC 8301 3.2 requires at least 1024", "unsupported key
 * type".  *mode_warn, if not NULL, is set when the file is readable by
 * group or others.  *open_err, if not NULL, is set when the file could not
 * be read at all (as opposed to read but refused).
 */
struct crypto_key *crypto_key_load(const char *path, bool *mode_warn,
		    bool *open_err, struct diag *d);

/* The same from key text in memory (PEM, base64 or DER); what names it
 * in messages. */
struct crypto_key *crypto_key_parse(const char *what, const void *p,
		    size_t n, struct diag *d);

/* Free (and wipe) a key; NULL is a no-op. */
void		 crypto_key_free(struct crypto_key *k);

enum crypto_key_type crypto_key_type(const struct crypto_key *k);
unsigned	 crypto_key_bits(const struct crypto_key *k);

/* "rsa-sha256" or "ed25519-sha256": the a= value this key signs with. */
const char	*crypto_key_alg_name(const struct crypto_key *k);
/* "rsa" or "ed25519": the k= value of its key record. */
const char	*crypto_key_type_name(enum crypto_key_type t);

/*
 * Sign the SHA-256 digest[0..n) of the header hash input (RFC 6376 3.7)
 * and append the base64 signature to b64.  RSA: RSASSA-PKCS1-v1_5 with
 * the SHA-256 DigestInfo (RFC 8017 8.2).  Ed25519: PureEdDSA over the
 * 32 digest bytes themselves (RFC 8463 3).  Returns 0, or -1 with d
 * filled.
 */
int		 crypto_key_sign(struct crypto_key *k,
		    const unsigned char *digest, size_t n, struct buf *b64,
		    struct diag *d);

/*
 * Make a new key: RSA of bits bits (CRYPTO_RSA_MIN_BITS to
 * CRYPTO_RSA_MAX_BITS), or Ed25519 (bits ignored).  Returns NULL with d
 * filled on failure.
 */
struct crypto_key *crypto_key_generate(enum crypto_key_type t, unsigned bits,
		    struct diag *d);

/*
 * Write the private key as PEM PKCS#8 to the open descriptor fd.  The
 * in-memory copy is wiped.  Returns 0, or -1 with d filled (write error).
 */
int		 crypto_key_write_private(const struct crypto_key *k, int fd,
		    struct diag *d);

/*
 * Append the base64 p= value of the key record (RFC 6376 3.6.1): RSA as
 * DER SubjectPublicKeyInfo, Ed25519 as the raw 32 bytes (RFC 8463 4.2).
 */
void		 crypto_key_public_b64(const struct crypto_key *k,
		    struct buf *out);

/*
 * Whether the decoded p= bytes der[0..n) are this key's public half: the
 * SubjectPublicKeyInfo or bare PKCS#1 RSAPublicKey of an RSA key, the raw
 * 32 bytes of an Ed25519 key.
 */
bool		 crypto_key_public_matches(const struct crypto_key *k,
		    const unsigned char *der, size_t n);

#endif
