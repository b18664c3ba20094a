/*
 * dkim: DKIM signature verification (RFC 6376, RFC 8463 ed25519-sha256,
 * RFC 8301 algorithm and key-size rules).
 *
 * Stages, after go-msgauth: signature parsing and validation (RFC 6376
 * 3.5, 6.1.1), key record parsing (3.6.1, 6.1.2), canonicalization and
 * hashing (3.7, canon.h), and the signature check (6.1.3).  DNS and the
 * clock are injected.  A verifier (struct dkim_verifier) lives for the
 * whole run and keeps parsed keys; each message gets a struct dkim_msg:
 *
 *   v = dkim_verifier_new(dns, &opts);
 *   dm = dkim_msg_new(v, &msg);        after msg_read_header
 *   dkim_msg_body(dm, chunk, n);       for each body chunk
 *   dkim_msg_final(dm);
 *   for i < dkim_msg_count(dm): dkim_msg_result(dm, i)
 *
 * The body is hashed as it flows; memory stays bounded whatever the size
 * of the message.
 */
#ifndef MAUTH_DKIM_H
#define MAUTH_DKIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "verdict.h"

struct buf;
struct diag;
struct dns;
struct msg;
struct msg_field;

#define DKIM_SIGS_MAX		16	/* signatures verified per message */
#define DKIM_HFIELDS_MAX	128	/* names in a signature's h= */
#define DKIM_KEYREC_MAX		8192	/* bytes of a key record */
#define DKIM_RSA_MIN_BITS	1024	/* RFC 8301 3.2: smaller is refused */
#define DKIM_RSA_MAX_BITS	8192	/* larger keys are refused (cost) */
#define DKIM_FUTURE_SKEW	300	/* seconds t= may lie in the future */
#define DKIM_REASON_MAX		160	/* bytes of a reason text */
#define DKIM_KEYS_CACHED	64	/* parsed keys kept by a verifier */
#define DKIM_AMS_MAX		50	/* RFC 8617 4.2.1: ARC instances */

enum dkim_alg {
	DKIM_A_RSA_SHA256,
	DKIM_A_RSA_SHA1,
	DKIM_A_ED25519_SHA256,
};

/* Options of a verifier; a zeroed struct is the default. */
struct dkim_opts {
	long long	 now;		/* "now" in UNIX seconds (-t) */
	bool		 strict_l;	/* unsigned content after l= -> fail */
	bool		 explain;	/* on a body hash failure, try variants */
	FILE		*dump;		/* --canon-dump: canonical data here */
};

/* The outcome for one signature, in header order. */
struct dkim_result {
	enum verdict	 verdict;
	char		 reason[DKIM_REASON_MAX];	/* "" for pass */
	char		*d;		/* d=, or NULL if missing */
	char		*i;		/* i= decoded, or "@" d= by default */
	char		*s;		/* s= */
	char		*a;		/* a= as written */
	char		 b8[9];		/* first 8 characters of b= */
	bool		 testing;	/* key record has t=y */
	unsigned	 instance;	/* ARC-Message-Signature i=, else 0 */
	char		*explain;	/* --explain finding, or NULL */
};

struct dkim_verifier;
struct dkim_msg;

/*
 * A verifier asking dns (borrowed, must outlive it) for keys, with the
 * options o (copied).  Free with dkim_verifier_free (NULL is a no-op).
 */
struct dkim_verifier *dkim_verifier_new(struct dns *dns,
		    const struct dkim_opts *o);
void		 dkim_verifier_free(struct dkim_verifier *v);

/*
 * Start verifying the message whose header block m holds (borrowed until
 * dkim_msg_free): every DKIM-Signature field is parsed and validated, its
 * header hash computed, its body hash set up.  Never fails: a broken
 * signature is a permerror result, none at all is count 0.
 */
struct dkim_msg	*dkim_msg_new(struct dkim_verifier *v, const struct msg *m);

/*
 * The same for the ARC-Message-Signature fields of m (RFC 8617 4.1.2):
 * DKIM-Signature syntax and semantics without v=, with i= the instance
 * (result field instance; i is NULL), at most DKIM_AMS_MAX of them.
 */
struct dkim_msg	*dkim_msg_new_ams(struct dkim_verifier *v,
		    const struct msg *m);

/* Feed the next body chunk (any size, any boundary). */
void		 dkim_msg_body(struct dkim_msg *dm, const void *p, size_t n);

/*
 * Feed the rest of m's body (msg_read_body) to dm, copying each chunk to
 * spool too when it is not NULL (filter modes pass the body on after the
 * verdict).  Returns 0, or -1 on a read or spool write error (errno set).
 */
int		 dkim_msg_feed(struct dkim_msg *dm, struct msg *m, FILE *spool);

/* End of the body: fetch keys, check body hashes and signatures. */
void		 dkim_msg_final(struct dkim_msg *dm);

/* Results, valid until dkim_msg_free.  count is the number of
 * DKIM-Signature fields (those after DKIM_SIGS_MAX come out neutral). */
size_t		 dkim_msg_count(const struct dkim_msg *dm);
const struct dkim_result *dkim_msg_result(const struct dkim_msg *dm,
		    size_t i);
void		 dkim_msg_free(struct dkim_msg *dm);

/* The best verdict of the message (none if no signature). */
enum verdict	 dkim_msg_verdict(const struct dkim_msg *dm);

/*
 * Append the key=value line of result r to b (DESIGN.md): dkim=,
 * reason= unless pass, header.d, header.i, header.s, header.a, header.b,
 * and explain= when --explain found something.
 */
void		 dkim_result_format(const struct dkim_result *r, struct buf *b);

/* "rsa-sha256", "rsa-sha1", "ed25519-sha256". */
const char	*dkim_alg_name(enum dkim_alg a);

/*
 * A parsed DKIM key record (RFC 6376 3.6.1; RFC 8463 4 for k=ed25519).
 * dkim_key_parse validates the syntax and the tags verification needs:
 * v= (DKIM1, first), k= (rsa, ed25519), h=, s=, t=, p= (base64, decoded
 * into der; empty: revoked).  It does not decode the key itself (crypto).
 * Returns 0, or -1 with d filled, citing the section.
 */
struct dkim_key {
	bool		 k_ed25519;	/* k=ed25519, else rsa */
	bool		 h_sha1;	/* h= allows sha1 (or no h=) */
	bool		 h_sha256;	/* h= allows sha256 (or no h=) */
	bool		 s_email;	/* s= has email or * (or no s=) */
	bool		 t_y;		/* t=y: testing */
	bool		 t_s;		/* t=s: i= domain must equal d= */
	bool		 revoked;	/* p= empty */
	unsigned char	*der;		/* decoded p= (malloc'ed) */
	size_t		 derlen;
};
int		 dkim_key_parse(struct dkim_key *k, const char *txt,
		    size_t len, struct diag *d);
void		 dkim_key_clear(struct dkim_key *k);

#endif
