/*
 * dkim_impl: pieces of the DKIM verifier that ARC (arc.c) shares: the
 * ARC-Seal is DKIM-Signature syntax over other data (RFC 8617 4.1.3).
 */
#ifndef MAUTH_DKIM_IMPL_H
#define MAUTH_DKIM_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "canon.h"

#include "dkim.h"
#include "verdict.h"

struct buf;
struct crypto_hash;
struct crypto_pubkey;
struct msg;
struct msg_field;
struct tag;

/* a= (RFC 6376 3.5, RFC 8463 3); false if unknown. */
bool		 dkim_alg_parse(const struct tag *t, enum dkim_alg *a);

/* A d= or s= value: dot-separated labels (U-labels allowed, RFC 8616). */
bool		 dkim_domain_ok(const char *s, size_t n);

/* An unsigned decimal of 1 to maxdigits digits. */
bool		 dkim_parse_uint(const struct tag *t, size_t maxdigits,
		    uint64_t *out);

/*
 * Append field f with the value of its b= tag (b, from tags_parse of f's
 * value) deleted, the rest byte for byte (RFC 6376 3.7).
 */
void		 dkim_strip_b(const struct msg_field *f, const struct tag *b,
		    struct buf *out);

/*
 * Append raw[0..n), one header field, canonicalized with c, to hash h
 * (tmp: scratch), without its final CRLF when last (the signature's own
 * field, RFC 6376 3.7), and to dump when not NULL.
 */
void		 dkim_hash_field(struct crypto_hash *h, struct buf *tmp,
		    enum canon_alg c, const char *raw, size_t n, bool last,
		    FILE *dump);

/* The bottom-most field named p[0..n) of m not used yet (marked used), or
 * -1: each listing in h= signs the next instance up (RFC 6376 5.4.2). */
long		 dkim_pick_field(const struct msg *m, const char *p, size_t n,
		    bool *used);

/*
 * The public key at sel._domainkey.d for algorithm alg, fetched (through
 * v's DNS and key cache) and checked as RFC 6376 6.1.2 and RFC 8301 3.2
 * say; NULL with *vd and reason set (temperror, permerror, policy) when
 * there is none usable.  Valid until v fetches another key (its cache
 * replaces entries).
 */
const struct crypto_pubkey *dkim_verifier_key(struct dkim_verifier *v,
		    const char *d, const char *sel, enum dkim_alg alg,
		    enum verdict *vd, char reason[DKIM_REASON_MAX]);

#endif
