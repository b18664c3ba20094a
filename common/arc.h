/*
 * arc: Authenticated Received Chain (RFC 8617): chain validation (5.2)
 * and sealing (5.1).
 *
 * Validation reads the ARC sets of a message (ARC-Authentication-Results,
 * ARC-Message-Signature, ARC-Seal), checks their structure, verifies the
 * newest ARC-Message-Signature (and the older ones, for oldest-pass) with
 * the DKIM verifier, and every ARC-Seal from the newest down:
 *
 *   am = arc_msg_new(v, &msg, NULL, trace);  after msg_read_header
 *   arc_msg_body(am, chunk, n);           for each body chunk
 *   arc_msg_final(am);
 *   r = arc_msg_result(am);
 *
 * Sealing adds a set on top of that: the caller gives the key, the
 * authserv-id whose Authentication-Results the AAR collects, and the
 * fields the AMS signs; arc_seal() returns the three new fields.
 * DNS, keys and the clock are injected; nothing here prints or exits.
 */
#ifndef MAUTH_ARC_H
#define MAUTH_ARC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct buf;
struct crypto_key;
struct diag;
struct dkim_verifier;
struct msg;

#define ARC_SETS_MAX	50	/* RFC 8617 4.2.1: instances 1 to 50 */
#define ARC_REASON_MAX	200	/* bytes of a reason text */

/* Chain validation status (RFC 8617 4.4). */
enum arc_cv {
	ARC_CV_NONE,
	ARC_CV_PASS,
	ARC_CV_FAIL,
};

struct arc_result {
	enum arc_cv	 cv;
	unsigned	 n;		/* highest instance; 0: no chain */
	unsigned	 oldest_pass;	/* pass: oldest AMS that verifies, 0
					 * when all do (RFC 8617 5.2 step 5) */
	bool		 sealed_fail;	/* the newest ARC-Seal says cv=fail
					 * (5.1 step 2: a sealer stops) */
	bool		 structure_ok;	/* sets 1..n complete, one field each */
	char		 reason[ARC_REASON_MAX];	/* fail: why; else "" */
};

struct arc_msg;

/*
 * Start validating the message whose header block m holds (borrowed
 * until arc_msg_free), with keys from v (borrowed).  trace, if not NULL,
 * gets a line per step (-v).  Never fails: a broken chain is cv=fail.
 * seal_for, when not NULL, is a sealer's authserv-id: the body is also
 * hashed for the AMS of a new set (arc_seal), and when our arc= result
 * (seal_for's Authentication-Results, DESIGN.md) fits the chain read,
 * that is its status: the signatures are not verified again.
 */
struct arc_msg	*arc_msg_new(struct dkim_verifier *v, const struct msg *m,
		    const char *seal_for, FILE *trace);
void		 arc_msg_body(struct arc_msg *am, const void *p, size_t n);

/* The rest of m's body through am, copied to spool when not NULL.
 * Returns 0, or -1 on a read or spool write error (errno set). */
int		 arc_msg_feed(struct arc_msg *am, struct msg *m, FILE *spool);

/* End of body: verify signatures and seals; the result is final. */
void		 arc_msg_final(struct arc_msg *am);
const struct arc_result *arc_msg_result(const struct arc_msg *am);
void		 arc_msg_free(struct arc_msg *am);	/* NULL: no-op */

/*
 * Set i (1..n) of the chain am read, once its seals are parsed (the
 * chain's structure is whole and its newest seal does not say cv=fail:
 * always so after a pass): the ARC-Seal's d= and s=, and the payload of
 * the ARC-Authentication-Results after its instance (authserv-id and
 * results, RFC 8617 4.1.1), pointing into the message.  false if there
 * is no such set.
 */
bool		 arc_msg_set(const struct arc_msg *am, unsigned i,
		    const char **d, const char **s, const char **aar,
		    size_t *aarlen);

/* "none", "pass", "fail". */
const char	*arc_cv_name(enum arc_cv cv);

/*
 * Append the key=value line of r (DESIGN.md): arc=, reason= on a fail,
 * header.oldest-pass= on a pass, smtp.remote-ip= when remote_ip is not
 * NULL (RFC 8617 6, 10.2).
 */
void		 arc_result_format(const struct arc_result *r,
		    const char *remote_ip, struct buf *b);

/* What a sealer needs besides the message. */
struct arc_seal_opts {
	struct crypto_key *key;
	const char	*domain;	/* d= */
	const char	*selector;	/* s= */
	const char	*authserv_id;	/* whose Authentication-Results
					 * the AAR collects */
	const char	*const *sign;	/* AMS h= names, in order */
	size_t		 nsign;
	bool		 present_only;	/* sign: only the fields present,
					 * each instance (else each name
					 * once, present or not) */
	long long	 time;		/* t= */
};

/* The AMS h= names signed by default: those of dkimsign -H's default
 * list and DKIM-Signature, none of the ARC fields nor
 * Authentication-Results (RFC 8617 4.1.2). */
extern const char *const arc_default_sign[];

/*
 * The fields of the next ARC set for message m, whose chain am has
 * validated (arc_msg_final done): ARC-Seal, ARC-Message-Signature and
 * ARC-Authentication-Results, in that order, each ending in m's line
 * ending, appended to out, and the chain status sealed in *cv: am's,
 * made with seal_for = o's authserv-id (see arc_msg_new).  Returns 0;
 * 1 when RFC 8617 5.1 says add nothing (the newest seal already says
 * cv=fail), with the reason in d; -1 with d filled on an error
 * (instance 50 already used, a name the AMS may not sign, signing).
 */
int		 arc_seal(struct arc_msg *am, const struct msg *m,
		    const struct arc_seal_opts *o, struct buf *out,
		    enum arc_cv *cv, struct diag *d);

/* Check o before any message: d=, s=, the h= names; -1 with d filled. */
int		 arc_seal_check(const struct arc_seal_opts *o, struct diag *d);

#endif
