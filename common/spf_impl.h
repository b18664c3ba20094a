/*
 * spf_impl: what the spf*.c files share and nobody else needs: the parsed
 * record, client addresses, and macro expansion (RFC 7208 4.6, 5, 7).
 */
#ifndef MAUTH_SPF_IMPL_H
#define MAUTH_SPF_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Room for a syntax reason (why[] buffers). */
#define SPF_WHY_MAX	256

/* Term kinds: the mechanisms of RFC 7208 5, the modifiers of 6. */
enum spf_kind {
	SPF_K_ALL,
	SPF_K_INCLUDE,
	SPF_K_A,
	SPF_K_MX,
	SPF_K_PTR,
	SPF_K_IP4,
	SPF_K_IP6,
	SPF_K_EXISTS,
	SPF_K_REDIRECT,
	SPF_K_EXP,
	SPF_K_UNKNOWN,		/* unknown-modifier (RFC 7208 6): ignored */
};

/*
 * One term, pointing into the record text (valid while the text is).
 * spec: the domain-spec, NULL when absent (the <domain> is used).
 * cidr4/cidr6: prefix lengths, 32/128 when absent.  net: ip4/ip6 network.
 */
struct spf_term {
	enum spf_kind	 kind;
	char		 qual;		/* '+', '-', '~', '?' */
	uint8_t		 cidr4;
	uint8_t		 cidr6;
	const char	*text;		/* the whole term as written */
	size_t		 textlen;
	const char	*spec;
	size_t		 speclen;
	unsigned char	 net[16];
};

/* A parsed record: the directives in order, the two modifiers apart. */
struct spf_record {
	struct spf_term		*dir;
	size_t			 ndir;
	const struct spf_term	*redirect;
	const struct spf_term	*exp;
	bool			 has_all;
	struct spf_term		 mod[2];	/* storage for redirect, exp */
};

/* Whether text[0..len) begins with the version section "v=spf1" followed
 * by SP or the end (RFC 7208 4.5), case-insensitively. */
bool	spf_is_record(const char *text, size_t len);

/*
 * Parse an SPF record (RFC 7208 4.6.1, 12) into *r: every term, its
 * domain-spec and macro syntax, CIDR lengths, addresses; duplicate
 * redirect/exp.  Returns 0, or -1 with a reason (citing the section) in
 * why[0..cap).  Free with spf_record_free in every case.
 */
int	spf_record_parse(struct spf_record *r, const char *text, size_t len,
	    char *why, size_t cap);
void	spf_record_free(struct spf_record *r);

/* A client address; IPv4-mapped IPv6 is stored as IPv4 (RFC 7208 5). */
struct spf_ip {
	bool		 v6;
	unsigned char	 a[16];		/* IPv4 in a[0..3] */
};

bool	spf_ip_parse(const char *s, struct spf_ip *ip);
/* Whether the first prefix bits of ip equal those of net (same family). */
bool	spf_ip_match(const struct spf_ip *ip, const unsigned char *net,
	    unsigned prefix);
/* %{i} form: dotted quad, or 32 dot-separated nibbles (RFC 7208 7.3). */
void	spf_ip_dotted(const struct spf_ip *ip, struct buf *b);
/* %{c} form: dotted quad or RFC 5952 text. */
void	spf_ip_text(const struct spf_ip *ip, struct buf *b);
/* The reverse-mapping name (in-addr.arpa / ip6.arpa, RFC 7208 5.5). */
void	spf_ip_reverse(const struct spf_ip *ip, struct buf *b);

/* Flags for macro-string syntax and expansion. */
#define SPF_MS_EXP	0x01	/* explain-string: SP and c, r, t allowed */
#define SPF_MS_ANY	0x02	/* unknown-modifier: every macro letter */

/*
 * Check the macro-string s[0..n) (RFC 7208 7.1).  Returns true, or false
 * with a reason in why[0..cap).
 */
bool	spf_macro_check(const char *s, size_t n, int flags, char *why,
	    size_t cap);
/* Check a domain-spec: macro-string, then domain-end (RFC 7208 7.1). */
bool	spf_domain_spec_check(const char *s, size_t n, char *why,
	    size_t cap);

/* The values macro letters expand to (RFC 7208 7.2).  p is looked up
 * through ptr_name only when a %{p} is met. */
struct spf_macro_env {
	const char	*sender;
	const char	*local;
	const char	*sdomain;	/* o */
	const char	*domain;	/* d */
	const char	*helo;		/* h */
	const char	*receiver;	/* r */
	const struct spf_ip *ip;
	long long	 now;		/* t */
	const char	*(*ptr_name)(void *arg);
	void		*ptr_arg;
};

/*
 * Expand the (already checked) macro-string s[0..n) into out, replacing
 * its contents.  Returns 0, or -1 if the result would exceed
 * SPF_EXPAND_MAX octets.
 */
int	spf_macro_expand(const struct spf_macro_env *env, const char *s,
	    size_t n, int flags, struct buf *out);

/*
 * Turn an expanded domain-spec into a target-name in place (RFC 7208
 * 4.8, 7.3): drop one final dot, then labels from the left while over
 * SPF_DOMAIN_MAX octets.  Returns false if the name still cannot be a
 * query name (empty, an empty label, a label over SPF_LABEL_MAX).
 */
bool	spf_target_name(struct buf *name);

/* Whether a <domain> is acceptable for check_host() (RFC 7208 4.3):
 * a valid multi-label DNS name ending in a toplabel. */
bool	spf_domain_ok(const char *d);

/* The domain of the MAIL FROM identity (postmaster@HELO's for a null
 * sender, RFC 7208 2.4); caller frees. */
struct spf_request;
char	*spf_mailfrom_domain(const struct spf_request *req);

/* Whether name equals dom or is a subdomain of it, case-insensitively. */
bool	spf_name_within(const char *name, const char *dom);

#endif
