#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "buf.h"
#include "crypto.h"
#include "crypto_sign.h"
#include "diag.h"

#define ED25519_SEEDLEN	32	/* RFC 8032 5.1.5: the secret key */
#define ED25519_PUBLEN	32

struct crypto_key {
	EVP_PKEY		*pkey;
	enum crypto_key_type	 type;
	unsigned		 bits;
	EVP_PKEY_CTX		*sctx;	/* RSA signing context, made once */
	EVP_MD_CTX		*edinit; /* Ed25519: initialized once... */
	EVP_MD_CTX		*ed;	/* ...and copied for each signature */
};

/* Release a buffer that may have held key material. */
static void
buf_wipe(struct buf *b)
{
	if (b->p != NULL)
		OPENSSL_cleanse(b->p, b->cap);
	buf_free(b);
}

/* Refuse pass phrases: a signer runs unattended. */
static int
no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static struct crypto_key *
key_wrap(const char *what, EVP_PKEY *pkey, struct diag *d)
{
	struct crypto_key *k;
	int id = EVP_PKEY_get_base_id(pkey);

	if (id != EVP_PKEY_RSA && id != EVP_PKEY_ED25519) {
		EVP_PKEY_free(pkey);
		diag_set(d, "%s: unsupported key type (DKIM signs with RSA "
		    "or Ed25519: RFC 6376 3.3, RFC 8463 3)", what);
		return NULL;
	}
	k = xcalloc(1, sizeof(*k));
	k->pkey = pkey;
	k->type = id == EVP_PKEY_RSA ? CRYPTO_KEY_RSA : CRYPTO_KEY_ED25519;
	k->bits = (unsigned)EVP_PKEY_get_bits(pkey);
	if (k->type == CRYPTO_KEY_RSA && k->bits < CRYPTO_RSA_MIN_BITS) {
		diag_set(d, "%s: RSA key of %u bits: RFC 8301 3.2 requires "
		    "at least %d", what, k->bits, CRYPTO_RSA_MIN_BITS);
		crypto_key_free(k);
		return NULL;
	}
	return k;
}

static EVP_PKEY *
parse_pem(const char *p, size_t n)
{
	BIO *bio = BIO_new_mem_buf(p, (int)n);
	EVP_PKEY *pkey;

	if (bio == NULL)
		abort();
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
	BIO_free(bio);
	return pkey;
}

static EVP_PKEY *
parse_der(const unsigned char *p, size_t n)
{
	const unsigned char *q = p;

	if (n > (size_t)LONG_MAX)
		return NULL;
	return d2i_AutoPrivateKey(NULL, &q, (long)n);
}

/*
 * Raw Ed25519 secret keys: the 32-byte seed (RFC 8463 A.1, RFC 8032
 * 5.1.5), or seed followed by the public key (the 64-byte form of
 * libsodium and others), whose public half must then agree.
 */
static EVP_PKEY *
parse_raw_ed25519(const unsigned char *p, size_t n)
{
	EVP_PKEY *pkey;
	unsigned char pub[ED25519_PUBLEN];
	size_t publen = sizeof(pub);

	if (n != ED25519_SEEDLEN && n != ED25519_SEEDLEN + ED25519_PUBLEN)
		return NULL;
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, p,
	    ED25519_SEEDLEN);
	if (pkey == NULL || n == ED25519_SEEDLEN)
		return pkey;
	if (EVP_PKEY_get_raw_public_key(pkey, pub, &publen) != 1 ||
	    publen != ED25519_PUBLEN ||
	    memcmp(pub, p + ED25519_SEEDLEN, ED25519_PUBLEN) != 0) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return pkey;
}

/* Where the string w starts in s[0..n), or n (memmem is a GNU
 * extension). */
static size_t
find(const char *s, size_t n, const char *w)
{
	size_t wn = strlen(w);

	for (size_t i = 0; i + wn <= n; i++)
		if (memcmp(s + i, w, wn) == 0)
			return i;
	return n;
}

static bool
contains(const char *s, size_t n, const char *w)
{
	return find(s, n, w) < n;
}

/*
 * The common private key forms are taken apart here and handed to
 * OpenSSL as raw key material: its decoders (PEM_read_bio_PrivateKey,
 * d2i_AutoPrivateKey) cost 5.6 M instructions of set-up per process,
 * more than a hundred Ed25519 signatures (callgrind).  Anything else,
 * or anything odd, is left to them.
 *
 * An Ed25519 PrivateKeyInfo (RFC 8410 7) is these 16 bytes, then the
 * 32-byte seed.
 */
static const unsigned char pkcs8_ed25519[] = {
	0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
	0x70, 0x04, 0x22, 0x04, 0x20,
};

#define RSA_PARTS	8	/* n e d p q dp dq qinv */

/* Build an RSA key from the integers of an RSAPrivateKey. */
static EVP_PKEY *
rsa_from_parts(BIGNUM *bn[RSA_PARTS])
{
	static const char *const names[RSA_PARTS] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	size_t i;

	for (i = 0; bld != NULL && i < RSA_PARTS; i++)
		if (OSSL_PARAM_BLD_push_BN(bld, names[i], bn[i]) != 1)
			break;
	if (i == RSA_PARTS &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) != NULL &&
	    EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);	/* the secure part wiped */
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/*
 * RSAPrivateKey (RFC 8017 A.1.2): version 0 (two primes), then n e d p q
 * dp dq qinv, positive, nothing after.
 */
static EVP_PKEY *
parse_pkcs1_rsa(const unsigned char *der, size_t n)
{
	const unsigned char *p = der, *end = der + n, *seq, *v;
	BIGNUM *bn[RSA_PARTS] = { 0 };
	EVP_PKEY *pkey = NULL;
	size_t seqlen, vlen, i;

	if (!crypto_der_next(&p, end, CRYPTO_DER_SEQUENCE, &seq, &seqlen) ||
	    p != end)
		return NULL;
	p = seq;
	end = seq + seqlen;
	if (!crypto_der_next(&p, end, CRYPTO_DER_INTEGER, &v, &vlen) ||
	    vlen != 1 ||
	    v[0] != 0)
		return NULL;
	for (i = 0; i < RSA_PARTS; i++) {
		if (!crypto_der_next(&p, end, CRYPTO_DER_INTEGER, &v, &vlen) ||
		    vlen == 0 || (v[0] & 0x80) != 0)
			break;
		if ((bn[i] = BN_secure_new()) == NULL ||
		    BN_bin2bn(v, (int)vlen, bn[i]) == NULL)
			break;
	}
	if (i == RSA_PARTS && p == end)
		pkey = rsa_from_parts(bn);
	for (i = 0; i < RSA_PARTS; i++)
		BN_clear_free(bn[i]);
	return pkey;
}

/*
 * PrivateKeyInfo (RFC 5208 5): an Ed25519 seed, or rsaEncryption (NULL
 * parameters) around an RSAPrivateKey; no attributes.
 */
static EVP_PKEY *
parse_pkcs8(const unsigned char *der, size_t n)
{
	const unsigned char *p = der, *end = der + n, *seq, *v, *alg, *oid;
	size_t seqlen, vlen, alglen, oidlen;

	if (n == sizeof(pkcs8_ed25519) + ED25519_SEEDLEN &&
	    memcmp(der, pkcs8_ed25519, sizeof(pkcs8_ed25519)) == 0)
		return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
		    der + sizeof(pkcs8_ed25519), ED25519_SEEDLEN);
	if (!crypto_der_next(&p, end, CRYPTO_DER_SEQUENCE, &seq, &seqlen) ||
	    p != end)
		return NULL;
	p = seq;
	end = seq + seqlen;
	if (!crypto_der_next(&p, end, CRYPTO_DER_INTEGER, &v, &vlen) ||
	    vlen != 1 ||
	    v[0] != 0 ||
	    !crypto_der_next(&p, end, CRYPTO_DER_SEQUENCE, &alg, &alglen) ||
	    !crypto_der_next(&p, end, CRYPTO_DER_OCTETSTRING, &v, &vlen) ||
	    p != end)
		return NULL;
	p = alg;
	if (!crypto_der_next(&p, alg + alglen, CRYPTO_DER_OID, &oid, &oidlen) ||
	    oidlen != CRYPTO_RSA_OID_LEN ||
	    memcmp(oid, crypto_rsa_oid, oidlen) != 0 ||
	    alg + alglen - p != 2 || p[0] != CRYPTO_DER_NULL || p[1] != 0)
		return NULL;
	return parse_pkcs1_rsa(v, vlen);
}

/* DER of either form. */
static EVP_PKEY *
parse_der_fast(const unsigned char *der, size_t n)
{
	EVP_PKEY *pkey = parse_pkcs8(der, n);

	return pkey != NULL ? pkey : parse_pkcs1_rsa(der, n);
}

/* A PEM file of one "PRIVATE KEY" or "RSA PRIVATE KEY" block. */
static EVP_PKEY *
parse_pem_fast(const char *s, size_t n)
{
	static const char *const labels[][2] = {
		{ "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----" },
		{ "-----BEGIN RSA PRIVATE KEY-----",
		  "-----END RSA PRIVATE KEY-----" },
	};
	struct buf der = { 0 };
	EVP_PKEY *pkey = NULL;

	for (size_t i = 0; i < 2 && pkey == NULL; i++) {
		size_t b = find(s, n, labels[i][0]), e;

		if (b == n)
			continue;
		b += strlen(labels[i][0]);
		e = b + find(s + b, n - b, labels[i][1]);
		buf_reset(&der);
		if (e < n && crypto_base64_decode(s + b, e - b, &der) == 0)
			pkey = i == 0 ? parse_pkcs8((unsigned char *)der.p,
			    der.len) : parse_pkcs1_rsa((unsigned char *)der.p,
			    der.len);
	}
	buf_wipe(&der);
	return pkey;
}

struct crypto_key *
crypto_key_parse(const char *what, const void *p, size_t n, struct diag *d)
{
	struct buf raw = { 0 };
	EVP_PKEY *pkey = NULL;
	const char *s = p;

	if (crypto_init(d) < 0)
		return NULL;
	if (contains(s, n, "-----BEGIN")) {
		if (contains(s, n, "ENCRYPTED")) {
			diag_set(d, "%s: encrypted keys are not supported",
			    what);
			return NULL;
		}
		pkey = parse_pem_fast(s, n);
		if (pkey == NULL)
			pkey = parse_pem(s, n);
	} else if (crypto_base64_decode(s, n, &raw) == 0 && raw.len > 0) {
		pkey = parse_raw_ed25519((unsigned char *)raw.p, raw.len);
		if (pkey == NULL)
			pkey = parse_der_fast((unsigned char *)raw.p, raw.len);
		if (pkey == NULL)
			pkey = parse_der((unsigned char *)raw.p, raw.len);
	} else if ((pkey = parse_der_fast(p, n)) == NULL)
		pkey = parse_der(p, n);
	buf_wipe(&raw);
	ERR_clear_error();
	if (pkey == NULL) {
		diag_set(d, "%s: not a private key (PEM PKCS#8 or PKCS#1, "
		    "or a base64 Ed25519 seed)", what);
		return NULL;
	}
	return key_wrap(what, pkey, d);
}

/* Read at most CRYPTO_KEY_FILE_MAX bytes of fd into b. */
static int
read_all(int fd, struct buf *b)
{
	for (;;) {
		ssize_t got;

		buf_reserve(b, 4096);
		got = read(fd, b->p + b->len, b->cap - b->len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			return 0;
		b->len += (size_t)got;
		if (b->len > CRYPTO_KEY_FILE_MAX) {
			errno = EFBIG;
			return -1;
		}
	}
}

struct crypto_key *
crypto_key_load(const char *path, bool *mode_warn, bool *open_err,
    struct diag *d)
{
	struct buf b = { 0 };
	struct crypto_key *k = NULL;
	struct stat st;
	int fd;

	if (mode_warn)
		*mode_warn = false;
	if (open_err)
		*open_err = true;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		diag_set(d, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		close(fd);
		diag_set(d, "%s: not a regular file", path);
		return NULL;
	}
	if (mode_warn)
		*mode_warn = (st.st_mode & (S_IRWXG | S_IRWXO)) != 0;
	if (read_all(fd, &b) < 0) {
		diag_set(d, "%s: %s", path, errno == EFBIG ?
		    "larger than a key file can be" : strerror(errno));
		close(fd);
		buf_wipe(&b);
		return NULL;
	}
	close(fd);
	if (open_err)
		*open_err = false;
	k = crypto_key_parse(path, b.p ? b.p : "", b.len, d);
	buf_wipe(&b);
	return k;
}

void
crypto_key_free(struct crypto_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_CTX_free(k->sctx);
	EVP_MD_CTX_free(k->edinit);
	EVP_MD_CTX_free(k->ed);
	EVP_PKEY_free(k->pkey);	/* OpenSSL clears private key memory */
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

enum crypto_key_type
crypto_key_type(const struct crypto_key *k)
{
	return k->type;
}

unsigned
crypto_key_bits(const struct crypto_key *k)
{
	return k->bits;
}

const char *
crypto_key_alg_name(const struct crypto_key *k)
{
	return k->type == CRYPTO_KEY_RSA ? "rsa-sha256" : "ed25519-sha256";
}

const char *
crypto_key_type_name(enum crypto_key_type t)
{
	return t == CRYPTO_KEY_RSA ? "rsa" : "ed25519";
}

/* RSASSA-PKCS1-v1_5 over a SHA-256 digest (RFC 6376 3.3.1). */
static int
sign_rsa(struct crypto_key *k, const unsigned char *digest, size_t n,
    unsigned char *sig, size_t *siglen)
{
	if (k->sctx == NULL) {
		k->sctx = EVP_PKEY_CTX_new(k->pkey, NULL);
		if (k->sctx == NULL || EVP_PKEY_sign_init(k->sctx) != 1 ||
		    EVP_PKEY_CTX_set_rsa_padding(k->sctx,
		    RSA_PKCS1_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_signature_md(k->sctx, EVP_sha256()) != 1) {
			EVP_PKEY_CTX_free(k->sctx);
			k->sctx = NULL;
			return -1;
		}
	}
	return EVP_PKEY_sign(k->sctx, sig, siglen, digest, n) == 1 ? 0 : -1;
}

/*
 * PureEdDSA over the digest bytes (RFC 8463 3).  The context is set up
 * once and copied for each signature: a fresh EVP_DigestSignInit costs
 * about a tenth of the signature itself.
 */
static int
sign_ed25519(struct crypto_key *k, const unsigned char *digest, size_t n,
    unsigned char *sig, size_t *siglen)
{
	if (k->edinit == NULL) {
		k->edinit = EVP_MD_CTX_new();
		k->ed = EVP_MD_CTX_new();
		if (k->edinit == NULL || k->ed == NULL ||
		    EVP_DigestSignInit(k->edinit, NULL, NULL, NULL,
		    k->pkey) != 1) {
			EVP_MD_CTX_free(k->edinit);
			EVP_MD_CTX_free(k->ed);
			k->edinit = k->ed = NULL;
			return -1;
		}
	}
	return EVP_MD_CTX_copy_ex(k->ed, k->edinit) == 1 &&
	    EVP_DigestSign(k->ed, sig, siglen, digest, n) == 1 ? 0 : -1;
}

int
crypto_key_sign(struct crypto_key *k, const unsigned char *digest, size_t n,
    struct buf *b64, struct diag *d)
{
	unsigned char *sig;
	size_t siglen = (size_t)EVP_PKEY_get_size(k->pkey);
	int rc;

	sig = xmalloc(siglen);
	if (k->type == CRYPTO_KEY_RSA)
		rc = sign_rsa(k, digest, n, sig, &siglen);
	else
		rc = sign_ed25519(k, digest, n, sig, &siglen);
	if (rc == 0)
		crypto_base64_encode(b64, sig, siglen);
	else
		diag_set(d, "signing failed (%s)", crypto_key_alg_name(k));
	ERR_clear_error();
	free(sig);
	return rc;
}

struct crypto_key *
crypto_key_generate(enum crypto_key_type t, unsigned bits, struct diag *d)
{
	EVP_PKEY *pkey;

	if (crypto_init(d) < 0)
		return NULL;
	if (t == CRYPTO_KEY_RSA && (bits < CRYPTO_RSA_MIN_BITS ||
	    bits > CRYPTO_RSA_MAX_BITS)) {
		diag_set(d, "RSA key size %u: must be %d to %d bits (RFC 8301 "
		    "3.2)", bits, CRYPTO_RSA_MIN_BITS, CRYPTO_RSA_MAX_BITS);
		return NULL;
	}
	if (t == CRYPTO_KEY_RSA)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	else
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	ERR_clear_error();
	if (pkey == NULL) {
		diag_set(d, "key generation failed");
		return NULL;
	}
	return key_wrap("new key", pkey, d);
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
crypto_key_write_private(const struct crypto_key *k, int fd, struct diag *d)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;
	int rc = -1;

	if (bio == NULL)
		abort();
	if (PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL,
	    NULL) != 1) {
		diag_set(d, "cannot encode the private key");
		goto out;
	}
	n = BIO_get_mem_data(bio, &p);
	if (n <= 0 || write_all(fd, p, (size_t)n) < 0)
		diag_set(d, "write error: %s", n <= 0 ? "no data" :
		    strerror(errno));
	else
		rc = 0;
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, (size_t)n);
out:
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

/* The DER SubjectPublicKeyInfo (spki) or PKCS#1 RSAPublicKey form. */
static void
public_der(const struct crypto_key *k, bool spki, struct buf *out)
{
	unsigned char *der = NULL;
	int n;

	if (spki)
		n = i2d_PUBKEY(k->pkey, &der);
	else
		n = i2d_PublicKey(k->pkey, &der);
	if (n > 0)
		buf_add(out, der, (size_t)n);
	OPENSSL_free(der);
	ERR_clear_error();
}

static void
public_raw(const struct crypto_key *k, struct buf *out)
{
	unsigned char pub[ED25519_PUBLEN];
	size_t n = sizeof(pub);

	if (EVP_PKEY_get_raw_public_key(k->pkey, pub, &n) == 1)
		buf_add(out, pub, n);
	ERR_clear_error();
}

void
crypto_key_public_b64(const struct crypto_key *k, struct buf *out)
{
	struct buf der = { 0 };

	if (k->type == CRYPTO_KEY_RSA)
		public_der(k, true, &der);
	else
		public_raw(k, &der);
	crypto_base64_encode(out, der.p, der.len);
	buf_free(&der);
}

static bool
same(const struct buf *b, const unsigned char *p, size_t n)
{
	return b->len == n && n > 0 && memcmp(b->p, p, n) == 0;
}

bool
crypto_key_public_matches(const struct crypto_key *k, const unsigned char *der,
    size_t n)
{
	struct buf a = { 0 }, b = { 0 };
	bool ok;

	if (k->type == CRYPTO_KEY_ED25519) {
		public_raw(k, &a);
		ok = same(&a, der, n);
	} else {
		public_der(k, true, &a);
		public_der(k, false, &b);
		ok = same(&a, der, n) || same(&b, der, n);
	}
	buf_free(&a);
	buf_free(&b);
	return ok;
}
