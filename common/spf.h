/*
 * spf: Sender Policy Framework (RFC 7208).  check_host() (RFC 7208 4)
 * over the shared DNS stack, for the HELO and MAIL FROM identities
 * (RFC 7208 2.3, 2.4), with the result recorded as a key=value line
 * (DESIGN.md), a Received-SPF field (RFC 7208 9.1) and the pieces an
 * Authentication-Results field needs (RFC 7208 9.2, RFC 8601 2.7.2).
 *
 * A record is parsed once into terms (pointers into the record text) and
 * checked for syntax as a whole before it is evaluated (RFC 7208 4.6);
 * each mechanism is a small function.  The module never prints: a trace
 * callback receives one line per step when the caller wants one.
 */
#ifndef MAUTH_SPF_H
#define MAUTH_SPF_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "verdict.h"

struct dns;
struct diag;

/* Limits (RFC 7208 4.6.4, 4.8, 7.3); listed in spfcheck(1). */
#define SPF_LOOKUP_MAX		10	/* DNS-querying terms per check (4.6.4) */
#define SPF_VOID_MAX		2	/* void lookups per check (4.6.4) */
#define SPF_MX_NAMES_MAX	10	/* exchanges looked up per mx (4.6.4) */
#define SPF_PTR_NAMES_MAX	10	/* PTR names validated per ptr/%{p} */
#define SPF_DOMAIN_MAX		253	/* octets in a target-name (7.3) */
#define SPF_LABEL_MAX		63	/* octets in a label (4.3) */
#define SPF_EXPAND_MAX		8192	/* octets one macro expansion may reach */
#define SPF_EXPLANATION_MAX	512	/* octets of explanation kept (6.2) */
#define SPF_ELAPSED_MAX		20	/* seconds per check_host() (4.6.4) */

/* Which identities to check (RFC 7208 2.3, 2.4). */
enum spf_scope {
	SPF_SCOPE_BOTH,		/* HELO first, then MAIL FROM unless HELO failed */
	SPF_SCOPE_MAILFROM,	/* MAIL FROM only (null: postmaster@HELO) */
	SPF_SCOPE_HELO,		/* HELO only */
};

enum spf_identity {
	SPF_ID_MAILFROM,
	SPF_ID_HELO,
};

/*
 * The inputs of one check; every pointer is borrowed for the call.
 *   ip          client address, IPv4 or IPv6 text; an IPv4-mapped IPv6
 *               address is treated as IPv4 (RFC 7208 5)
 *   mail_from   reverse-path; NULL: not given; "" or "<>": null sender,
 *               checked as postmaster@helo (RFC 7208 2.4)
 *   helo        HELO/EHLO argument; NULL: not given
 *   receiver    %{r} (RFC 7208 7.2); NULL: "unknown"
 *   record      if not NULL, used as the TXT record published at
 *               record_domain (an unpublished record to try out)
 *   record_domain  NULL: the domain of the first identity checked
 *   default_exp explain-string for a fail without exp= (RFC 7208 6.2);
 *               NULL: no explanation
 *   now         %{t}; 0: the current time
 */
struct spf_request {
	const char	*ip;
	const char	*mail_from;
	const char	*helo;
	const char	*receiver;
	const char	*record;
	const char	*record_domain;
	const char	*default_exp;
	enum spf_scope	 scope;
	long long	 now;
};

/*
 * The outcome; every string is malloc'ed and owned by the result (free
 * with spf_result_free).  Strings that do not apply are NULL.
 *   identity     the identity whose check decided
 *   sender       its <sender> (postmaster@ substituted, RFC 7208 4.3)
 *   domain       its <domain>
 *   mechanism    the term that decided as written ("-all", "include:x"),
 *                "default" when none matched (RFC 7208 9.1)
 *   reason       one line for humans: what decided, or what went wrong
 *   problem      permerror/temperror detail (Received-SPF problem=)
 *   explanation  fail only: exp= text, or the default explanation
 *   helo_verdict the HELO check's verdict when both were checked
 *   lookups, voids  the counters of RFC 7208 4.6.4 at the end
 */
struct spf_result {
	enum verdict		 verdict;
	enum spf_identity	 identity;
	char			*sender;
	char			*domain;
	char			*mechanism;
	char			*reason;
	char			*problem;
	char			*explanation;
	bool			 helo_checked;
	enum verdict		 helo_verdict;
	unsigned		 lookups;
	unsigned		 voids;
};

/* Trace hook: one line of text (no newline) per step. */
typedef void spf_trace_fn(void *arg, const char *line);

/*
 * Evaluate the request (RFC 7208 4 for each identity in scope, 2.3/2.4
 * order) and fill *res.  Protocol outcomes, DNS failures included, are
 * verdicts.  Returns 0, or -1 with d filled when the request itself is
 * unusable (no such IP address, no identity, null sender without HELO,
 * a record override that is not v=spf1); *res is then empty.  trace may
 * be NULL.
 */
int	spf_check(struct dns *dns, const struct spf_request *req,
	    struct spf_result *res, spf_trace_fn *trace, void *arg,
	    struct diag *d);

/* Free the strings of res and zero it; a zeroed result is a no-op. */
void	spf_result_free(struct spf_result *res);

/*
 * The DESIGN.md key=value line, appended to b:
 *   spf=fail reason="..." smtp.mailfrom=example.org smtp.helo=mx.example.org
 * reason only when the verdict is not pass (it starts "HELO identity:"
 * when the HELO check decided although a MAIL FROM was given);
 * smtp.mailfrom (the domain, RFC 8601 2.7.2; HELO for a null sender) when
 * the MAIL FROM identity was in scope; smtp.helo when a HELO was given;
 * with SPF_KV_EXPLANATION, explanation= on a fail that has one.
 */
#define SPF_KV_EXPLANATION	0x01
void	spf_result_kv(const struct spf_request *req,
	    const struct spf_result *res, int flags, struct buf *b);

/*
 * The whole Received-SPF field (RFC 7208 9.1): result, comment, then
 * client-ip, envelope-from, helo, receiver, identity, mechanism and, on
 * an error, problem; folded with eol line ends, final eol included.
 * Sender-controlled bytes are escaped or replaced.  Caller frees.
 */
char	*spf_received_spf(const struct spf_request *req,
	    const struct spf_result *res, const char *eol);

#endif
