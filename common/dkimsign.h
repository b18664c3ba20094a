/*
 * dkimsign: making DKIM-Signature header fields (RFC 6376 5, RFC 8463).
 *
 * The body is streamed through dkimsign_body() (canonicalized and hashed
 * as it flows, RFC 6376 3.7); dkimsign_final() then picks the header
 * fields to sign (5.4, 5.4.2), formats one folded DKIM-Signature field
 * per key (3.5), signs it and appends it to the caller's buffer.  The
 * module never prints and never touches the message bytes: the caller
 * writes the new fields and then the message, unchanged.
 */
#ifndef MAUTH_DKIMSIGN_H
#define MAUTH_DKIMSIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "canon.h"

struct buf;
struct crypto_key;
struct diag;
struct dns;
struct msg;

/* Limits, listed in dkimsign(1). */
#define DKIMSIGN_KEYS_MAX	8	/* signatures added to one message */
#define DKIMSIGN_NAMES_MAX	64	/* names in a -H or -O list */
#define DKIMSIGN_LINE_MAX	78	/* lines of the field are shorter */
#define DKIMSIGN_IDENTITY_MAX	255	/* bytes of an i= value */
#define DKIMSIGN_WHY_MAX		256	/* bytes of a key check's reason */

/* What every signature of a run shares. */
struct dkimsign_opts {
	enum canon_alg	 hcanon;	/* c= header part */
	enum canon_alg	 bcanon;	/* c= body part */
	const char	*const *sign;	/* fields to sign (each instance) */
	size_t		 nsign;
	const char	*const *oversign; /* fields listed once more (5.4.2) */
	size_t		 noversign;
	long long	 time;		/* t= */
	long long	 expire;	/* x= is t= + expire; 0: no x= */
	bool		 body_length;	/* add l= (3.5) */
	const char	*identity;	/* i=, or NULL */
};

/* One signature: a key, and where its public half is published. */
struct dkimsign_key {
	struct crypto_key *key;
	const char	*domain;	/* d= */
	const char	*selector;	/* s= */
};

/* The default lists (RFC 6376 5.4.1), NULL-terminated. */
extern const char *const dkimsign_default_sign[];
extern const char *const dkimsign_default_oversign[];

/*
 * Fill o with the defaults: relaxed/relaxed, the default lists, the
 * given time, no x=, l= or i=.
 */
void		 dkimsign_opts_init(struct dkimsign_opts *o, long long now);

/*
 * Check the options and keys before any message is read: d= and s=
 * syntax (RFC 6376 3.5), i= inside d=, From among the signed fields
 * (5.4), header names well formed.  Returns 0, or -1 with d filled.
 */
int		 dkimsign_check(const struct dkimsign_opts *o,
		    const struct dkimsign_key *keys, size_t nkeys,
		    struct diag *d);

/*
 * Signing state for one message at a time.  The options are borrowed
 * and must outlive it.  dkimsign_new aborts on allocation failure only.
 */
struct dkimsign;
struct dkimsign	*dkimsign_new(const struct dkimsign_opts *o);
void		 dkimsign_free(struct dkimsign *s);	/* NULL: no-op */

/* Start a new message (after new, or to reuse s after a final). */
void		 dkimsign_reset(struct dkimsign *s);

/* The next n body bytes, in any chunks. */
void		 dkimsign_body(struct dkimsign *s, const void *p, size_t n);

/*
 * The body has ended: append to out one DKIM-Signature field for each of
 * keys[0..nkeys), in that order, each line ended with m->eol (DESIGN.md:
 * added fields use the message's line ending).  m is the message's header
 * (msg_read_header).  Returns 0, or -1 with d filled: no From field or
 * several (RFC 6376 5.4, RFC 5322 3.6), a signing failure.
 */
int		 dkimsign_final(struct dkimsign *s, const struct msg *m,
		    const struct dkimsign_key *keys, size_t nkeys,
		    struct buf *out, struct diag *d);

/*
 * Key records (RFC 6376 3.6.1, RFC 8463 4.2).  dkimsign_key_record
 * appends the TXT value for k, "v=DKIM1; k=rsa; p=MIIB...".
 * dkimsign_zone_record appends the master-file line (RFC 1035 5.1) for
 * owner, the value split into character-strings of at most
 * DKIMSIGN_TXT_STRING_MAX octets (RFC 1035 3.3.14), one a line, each
 * line ended with "\n".
 */
#define DKIMSIGN_TXT_STRING_MAX	255
void		 dkimsign_key_record(const struct crypto_key *k,
		    struct buf *out);
void		 dkimsign_zone_record(const char *owner, const char *value,
		    struct buf *out);

/* What the key published for a signing key says about it. */
enum dkimsign_keystate {
	DKIMSIGN_KEY_MATCH,	/* published, usable, the private key's */
	DKIMSIGN_KEY_MISMATCH,	/* published and usable, another key */
	DKIMSIGN_KEY_BROKEN,	/* malformed, revoked, refused by rule */
	DKIMSIGN_KEY_TEMP,	/* the DNS did not answer */
	DKIMSIGN_KEY_NONE,	/* no key record */
};

struct dkimsign_keycheck {
	enum dkimsign_keystate	 state;
	char			 why[DKIMSIGN_WHY_MAX];  /* plain words */
	bool			 testing;	/* t=y */
	bool			 strict;	/* t=s */
	bool			 weak;		/* RSA under 2048 bits */
	unsigned		 bits;		/* published key, 0: unknown */
};

/*
 * Fetch the key record for domain/selector through dns (RFC 6376 3.6.2)
 * and compare it with the private key k.  Fills *out; never fails.
 * name (size namecap) receives the name asked.
 */
void		 dkimsign_key_check(struct dns *dns,
		    const struct crypto_key *k, const char *domain,
		    const char *selector, char *name, size_t namecap,
		    struct dkimsign_keycheck *out);

#endif
