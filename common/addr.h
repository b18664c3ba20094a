/*
 * addr: RFC 5322 3.4 address lists, as found in From: (mailbox-list, or
 * address-list with groups as RFC 6854 allows), with every obsolete form
 * of RFC 5322 4.4 (obs-phrase, obs-local-part, obs-domain, obs-route,
 * empty list elements), comments (nested up to ADDR_COMMENT_DEPTH),
 * quoted-pairs, and UTF-8 where RFC 6532 3.2 allows it.  RFC 2047
 * encoded-words are atoms of the display-name: kept as written, never
 * decoded, so they can never supply an address.
 *
 * The parser is strict: a field that does not match the grammar as a
 * whole is an error, never a best guess (OpenDMARC's CVE-2021-34555 came
 * from guessing).  One function per ABNF rule, each returning the
 * pointer past its match or NULL.
 */
#ifndef MAUTH_ADDR_H
#define MAUTH_ADDR_H

#include <stdbool.h>
#include <stddef.h>

struct diag;

#define ADDR_MAX		100	/* mailboxes in one field */
#define ADDR_COMMENT_DEPTH	32	/* nested comments (RFC 5322 3.2.2) */
#define ADDR_DOMAIN_MAX		253	/* octets in a domain name (RFC 1035 2.3.4) */
#define ADDR_LABEL_MAX		63	/* octets in a label */

struct addr_mailbox {
	char	*display;	/* display-name, white space runs made one
				 * space; NULL if none */
	char	*local;		/* local-part, CFWS removed, quotes kept */
	char	*domain;	/* domain, CFWS removed; "[...]" for a literal */
	bool	 literal;	/* domain is a domain-literal */
	bool	 in_group;	/* listed inside a group */
};

struct addr_list {
	struct addr_mailbox *mb;
	size_t		 n;
	size_t		 ngroups;
};

/*
 * Parse the field body s[0..len) (after the colon, folding line breaks
 * included) as an RFC 5322 address-list into *out.  A list with no
 * mailbox at all (empty, or only empty groups) parses with out->n == 0.
 * Returns 0, or -1 with d filled ("RFC 5322 3.4: expected '>' at byte
 * 17"); NUL bytes, 8-bit bytes that are not UTF-8, more than ADDR_MAX
 * mailboxes and comments nested deeper than ADDR_COMMENT_DEPTH are
 * errors.  Free with addr_list_free() in every case.
 */
int	addr_parse(const char *s, size_t len, struct addr_list *out,
	    struct diag *d);
void	addr_list_free(struct addr_list *l);

/*
 * The mailbox's domain as a DNS name for DMARC (RFC 9989 5.3.1):
 * lowercased, U-labels converted to A-labels (RFC 5890 2.3.2.1) with
 * libidn2 when the build has it (HAVE_IDN2).  Returns a malloc'ed string,
 * or NULL with d filled for a domain-literal, a label or name over the
 * DNS limits, or a name IDNA refuses (or any U-label without libidn2).
 */
char	*addr_domain(const struct addr_mailbox *mb, struct diag *d);

#endif
