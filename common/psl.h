/*
 * psl: the public suffix list, for RFC 7489 3.2 Organizational Domains
 * (dmarceval --discovery rfc7489).  A thin wrapper over libpsl; this is
 * the only file that includes libpsl.h.  The list is Debian's publicsuffix
 * package file (PSL_DEFAULT_FILE), or libpsl's built-in copy when that
 * file cannot be read.  RFC 9989 replaces the list with the DNS tree walk
 * (dmarc.c); the list is used only when asked for.
 */
#ifndef MAUTH_PSL_H
#define MAUTH_PSL_H

struct diag;
struct psl;

#define PSL_DEFAULT_FILE	"/usr/share/publicsuffix/public_suffix_list.dat"

/*
 * Load the list from path (NULL: PSL_DEFAULT_FILE, falling back to
 * libpsl's built-in list if that file is unreadable).  An explicit path
 * that cannot be loaded is an error: NULL with d filled.  Free with
 * psl_close().
 */
struct psl	*psl_open(const char *path, struct diag *d);
void		 psl_close(struct psl *p);	/* psl_close(NULL) is a no-op */

/* Where the list came from: the file name, or "libpsl built-in". */
const char	*psl_source(const struct psl *p);

/*
 * The Organizational Domain of domain (RFC 7489 3.2: the longest public
 * suffix that matches, plus one label), for a lowercase domain in
 * A-label form.  A domain that is itself a public suffix is its own
 * Organizational Domain.  Returns a malloc'ed string; caller frees.
 */
char		*psl_org_domain(const struct psl *p, const char *domain);

#endif
