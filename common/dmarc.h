/*
 * dmarc: DMARC evaluation (RFC 9989, obsoleting RFC 7489) for one Author
 * Domain, from SPF and DKIM *results*: the module never computes them.
 *
 *   record      parse a DMARC Policy Record (RFC 9989 4.7, 4.8)
 *   discovery   the DNS Tree Walk (RFC 9989 4.10, 4.10.1) by default, or
 *               RFC 7489 6.6.3 with a public suffix list (psl.h)
 *   alignment   strict or relaxed, per identifier, with the
 *               Organizational Domain the chosen method finds (4.10.2)
 *   policy      p / sp / np (with the existence test of A.4), t=y one
 *               level below (4.7); pct sampling in RFC 7489 mode only
 *
 * The module never prints and never exits; a trace callback gets one line
 * per step.  Every _dmarc query it makes is listed in the result, in order.
 */
#ifndef MAUTH_DMARC_H
#define MAUTH_DMARC_H

#include <stdbool.h>
#include <stddef.h>

#include "verdict.h"

struct buf;
struct diag;
struct dns;
struct psl;

#define DMARC_WALK_MAX		8	/* queries in one tree walk (4.10) */
#define DMARC_WALK_LABELS	7	/* labels a long name is cut to (4.10 step 4) */
#define DMARC_DKIM_MAX		32	/* DKIM results considered per message */
#define DMARC_QUERIES_MAX	128	/* distinct _dmarc names asked per evaluation */
#define DMARC_RECORD_MAX	4096	/* octets of a TXT record read as DMARC */

enum dmarc_discovery {
	DMARC_TREEWALK,		/* RFC 9989 4.10 */
	DMARC_PSL,		/* RFC 7489 3.2 and 6.6.3 */
};

enum dmarc_policy {
	DMARC_POLICY_UNSET,
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT,
};

/*
 * A parsed record.  Strings point into text (owned by the record).
 * Values that break their ABNF rule are dropped for the default (RFC 9989
 * 4.8), and the first such problem is in error; p, sp and np that are
 * present but invalid set the *_bad flags (RFC 9989 4.10.1).
 */
struct dmarc_record {
	char			*text;		/* the record as published */
	enum dmarc_policy	 p, sp, np;	/* UNSET: absent or invalid */
	bool			 p_bad, sp_bad, np_bad;
	bool			 adkim_strict, aspf_strict;
	char			 psd;		/* 'y', 'n' or 'u' */
	bool			 testing;	/* t=y (RFC 9989 only) */
	int			 pct;		/* 0-100 (RFC 7489 only); 100 default */
	bool			 rua_ok;	/* rua holds a valid URI */
	char			*error;		/* first syntax problem; NULL if none */
};

/*
 * Parse txt[0..len) as a DMARC record under mode's tag set.  Returns 1 if
 * it is a DMARC record (v=DMARC1 first, RFC 9989 4.7 v), 0 if it is not
 * (the caller discards it); *r is filled only for 1 (free with
 * dmarc_record_free).
 */
int	dmarc_record_parse(const char *txt, size_t len,
	    enum dmarc_discovery mode, struct dmarc_record *r);
void	dmarc_record_free(struct dmarc_record *r);

/* "none", "quarantine", "reject"; "" for UNSET. */
const char *dmarc_policy_name(enum dmarc_policy p);

/* One authentication result handed to DMARC: the method's verdict and its
 * domain (SPF: the MAIL FROM domain; DKIM: d=). */
struct dmarc_auth {
	enum verdict	 verdict;
	const char	*domain;
};

typedef void dmarc_trace_fn(void *arg, const char *line);

/*
 * The inputs; every pointer is borrowed for the call.
 *   author      the Author Domain: lowercase, A-labels (addr_domain())
 *   spf         the SPF result (verdict NONE with domain NULL: none)
 *   dkim        the DKIM results, ndkim of them (at most DMARC_DKIM_MAX used)
 *   record      if not NULL: the record to use as if published at
 *               _dmarc.<author> (an unpublished record to try out)
 *   psl         the list for DMARC_PSL
 *   pct_sample  RFC 7489 6.6.4: the message is sampled when
 *               pct_sample < pct (0-99; the caller draws it)
 */
struct dmarc_input {
	const char		*author;
	struct dmarc_auth	 spf;
	const struct dmarc_auth	*dkim;
	size_t			 ndkim;
	enum dmarc_discovery	 discovery;
	const char		*record;
	const struct psl	*psl;
	int			 pct_sample;
	dmarc_trace_fn		*trace;
	void			*trace_arg;
};

/* How one identifier fared. */
struct dmarc_ident {
	char		*domain;
	enum verdict	 verdict;	/* its authentication result */
	bool		 aligned;	/* authenticated and aligned */
	bool		 unknown;	/* alignment undecided: DNS failure */
	char		*org;		/* its Organizational Domain if one was needed */
	char		*why;		/* one phrase: "aligned (relaxed, ...)" */
};

/* One _dmarc query: the name asked and what came back. */
struct dmarc_query {
	char		*name;
	int		 status;	/* enum dns_status */
	size_t		 records;	/* DMARC records among the answers */
};

/*
 * The outcome.  verdict: PASS, FAIL, NONE (no policy record, or one that
 * asks for no processing), TEMPERROR (DNS), never PERMERROR (the caller's
 * for From problems).  Strings are malloc'ed, owned by the result.
 *   policy_domain  where the applied record was found (3.2.5)
 *   org_domain     the Author Domain's Organizational Domain
 *   published      the p/sp/np value that applies to the Author Domain;
 *                  source names the tag ("p", "sp", "np")
 *   applied        the policy to apply: NONE on pass, published on fail,
 *                  one level below with t=y or when pct did not sample
 *   exists         the existence test's answer (A.4), when one was made
 */
struct dmarc_result {
	enum verdict		 verdict;
	char			*author;
	char			*reason;
	bool			 have_record;
	struct dmarc_record	 rec;
	char			*policy_domain;
	char			*org_domain;
	enum dmarc_policy	 published;
	enum dmarc_policy	 applied;
	const char		*source;
	bool			 exists_checked;
	bool			 exists;
	bool			 sampled;
	struct dmarc_ident	 spf;
	struct dmarc_ident	*dkim;
	size_t			 ndkim;
	struct dmarc_query	*queries;
	size_t			 nqueries;
	char			*override;	/* a local policy override
						 * (applied set by the caller):
						 * what it rests on, or NULL */
};

/*
 * Evaluate DMARC for in->author over dns and fill *res.  DNS failures are
 * verdicts (temperror).  Returns 0, or -1 with d filled when the input is
 * unusable (no author domain, DMARC_PSL without a list); *res is then
 * empty.  Free with dmarc_result_free() in every case.
 */
int	dmarc_eval(struct dns *dns, const struct dmarc_input *in,
	    struct dmarc_result *res, struct diag *d);
void	dmarc_result_free(struct dmarc_result *res);

/*
 * The key=value line (DESIGN.md), appended to b:
 *   dmarc=fail reason="..." header.from=example.org policy.dmarc=reject
 *   policy.published=reject policy.source=p policy.domain=example.org ...
 * (dmarceval(1) OUTPUT lists every key).  brief, for an
 * Authentication-Results field: header.from, policy.dmarc (the properties
 * IANA registers for dmarc) and policy.published, with the reason only
 * for none, temperror and permerror.  With an override, after
 * policy.dmarc: policy.override=local_policy and policy.override-comment
 * (RFC 8617 7.2.2; in both forms: Authentication-Results carries the
 * unregistered ones as a comment).
 */
void	dmarc_result_kv(const struct dmarc_result *res, bool brief,
	    struct buf *b);

/*
 * How strict an outcome is, for messages with several Author Domains
 * (RFC 9989 11.5, RFC 7489 6.6.1: "the most strict policy"): fail with
 * reject > fail with quarantine > temperror > fail with none > none >
 * pass.  Larger is stricter.
 */
int	dmarc_strictness(const struct dmarc_result *res);

/*
 * Author Domains (RFC 9989 3.2.2, 5.3.1) from a message's From field.
 * mauth never lets a message without one well-formed From pass (RFC 9989
 * 4.2, 4.4): no From field, several From fields, a From that does not
 * parse (addr.h), one without any address, a domain that is not a DNS
 * name, or more than DMARC_AUTHORS_MAX distinct domains are errors, which
 * the caller reports as dmarc=permerror.  Several addresses give their
 * distinct domains, in order (RFC 9989 11.5: each is evaluated).
 * Returns 0, or -1 with d filled (the permerror's reason).  Free with
 * dmarc_authors_free() in every case.
 */
#define DMARC_AUTHORS_MAX	8	/* Author Domains evaluated per message */

struct msg;

struct dmarc_authors {
	char	**domain;	/* lowercase A-labels */
	size_t	  n;
	size_t	  addresses;	/* mailboxes in the field */
};

int	dmarc_authors_msg(const struct msg *m, struct dmarc_authors *a,
	    struct diag *d);
/* The same from a From field body given as text (--from). */
int	dmarc_authors_text(const char *value, size_t len,
	    struct dmarc_authors *a, struct diag *d);
void	dmarc_authors_free(struct dmarc_authors *a);

/* Fill res as a permerror for author (may be NULL) with reason. */
void	dmarc_result_permerror(struct dmarc_result *res, const char *author,
	    const char *reason);

#endif
