/*
 * dns: the resolver stack every tool shares (after libspf2's layering):
 *
 *     cache  ->  zone files (--zone, may simulate faults)  ->  network
 *
 * Each layer answers or passes the query down.  The network layer is
 * libresolv (res_nquery on a private res_state): the system resolver, or
 * one server given with dns_set_resolver(); UDP first, TCP when the
 * answer is truncated.  With dns_set_offline() the network layer is off and
 * a name no zone holds is NXDOMAIN.
 *
 * Answers are owned by the struct dns and stay valid until dns_free():
 * callers never free them, and asking again is a cache hit.
 * Names are compared case-insensitively; a trailing dot is optional.
 */
#ifndef MAUTH_DNS_H
#define MAUTH_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag;

enum dns_type {
	DNS_T_A = 1,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
	DNS_T_TLSA = 52,
	DNS_T_SPF = 99,
};

enum dns_status {
	DNS_OK,			/* n >= 1 records of the asked type */
	DNS_NODATA,		/* the name exists, no record of that type */
	DNS_NXDOMAIN,		/* the name does not exist */
	DNS_TIMEOUT,		/* no answer within the time-out */
	DNS_SERVFAIL,		/* server failure (or REFUSED, FORMERR...) */
	DNS_BADNAME,		/* the name is not a valid query name */
};

/*
 * One resource record of the asked type.  CNAMEs are followed by the
 * layer that answers, so rr[] holds only records of the asked type.
 *   A       data: 4 bytes, network order
 *   AAAA    data: 16 bytes
 *   TXT/SPF data: the character-strings joined (len bytes, NUL after);
 *           nstrings: how many strings were joined; may contain NUL bytes
 *   MX      pref, data: exchange name, presentation form, no final dot
 *   PTR, CNAME, NS: data: the target name, presentation form, no final dot
 *   other   data: raw RDATA
 */
struct dns_rr {
	uint16_t	 type;
	uint16_t	 pref;
	uint32_t	 ttl;
	size_t		 len;
	size_t		 nstrings;
	unsigned char	*data;
};

struct dns_answer {
	enum dns_status	 status;
	size_t		 n;
	struct dns_rr	*rr;
	const char	*source;	/* "zone", "network", "cache" */
};

struct dns;

/* A resolver with the system's configuration, online, 5 s time-out. */
struct dns	*dns_new(void);
void		 dns_free(struct dns *dns);	/* dns_free(NULL) is a no-op */

/*
 * Load an RFC 1035 master file (format and fault markers: mauth-zone(5)).
 * Several files may be added; earlier files win for a name both hold.
 * Returns 0, or -1 with d naming file and line.
 */
int		 dns_add_zone_file(struct dns *dns, const char *path,
		    struct diag *d);

/* The same from text in memory (tests, --record helpers); name labels
 * errors.  text is copied. */
int		 dns_add_zone_text(struct dns *dns, const char *name,
		    const char *text, size_t len, struct diag *d);

/* Ask ADDR[#PORT] (IPv4 or IPv6 literal) instead of resolv.conf. */
int		 dns_set_resolver(struct dns *dns, const char *spec,
		    struct diag *d);
void		 dns_set_timeout(struct dns *dns, double seconds);
void		 dns_set_offline(struct dns *dns, bool offline);

/*
 * Trace hook: called with one line of text (no newline) per query and
 * per answer, e.g. "query TXT example.org" / "answer TXT example.org:
 * NOERROR 1 record (network) \"v=spf1 -all\"".  NULL turns it off.
 */
void		 dns_set_trace(struct dns *dns,
		    void (*fn)(void *arg, const char *line), void *arg);

/*
 * Look up name/type.  Never NULL; the answer lives until dns_free().
 * An invalid name (empty label, label over 63 octets, over 253 octets)
 * gives DNS_BADNAME without a query.
 */
const struct dns_answer *dns_query(struct dns *dns, const char *name,
		    enum dns_type type);

/* "A", "TXT", ... or "TYPE123"; "NOERROR", "NXDOMAIN", ... */
const char	*dns_type_name(enum dns_type type);
const char	*dns_status_name(enum dns_status status);

/* Counters for tests and benchmarks: queries asked, and how many of them
 * left the process (network layer). */
void		 dns_stats(const struct dns *dns, size_t *queries,
		    size_t *network);

#endif
