/*
 * tags: tag=value lists (RFC 6376 3.2), the syntax of DKIM-Signature
 * fields, DKIM key records and DMARC records.
 *
 *   tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *
 * The parser hands out views into the caller's text (no copies): they
 * live as long as that text.  Values have surrounding white space
 * removed; white space inside a value (folding in b=, p=) is kept, see
 * tags_value_nows() to drop it.
 */
#ifndef MAUTH_TAGS_H
#define MAUTH_TAGS_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct diag;

#define TAGS_MAX	64	/* tag-specs in one list; more is an error */

struct tag {
	const char	*name;
	size_t		 namelen;
	const char	*value;		/* leading/trailing FWS removed */
	size_t		 valuelen;
};

struct tags {
	struct tag	 t[TAGS_MAX];
	size_t		 n;
};

/*
 * Parse the tag-list s[0..len) into *tl (views into s).  Strict RFC 6376
 * 3.2: a tag name is ALPHA *(ALPHA / DIGIT / "_"), every tag-spec has an
 * "=", a tag appears at most once ("duplicate tag" is an error), values
 * are VALCHARs (%x21-3A / %x3C-7E, plus 8-bit bytes for RFC 8616 EAI
 * identities) separated by FWS.  An empty tag-spec (";;") is an error;
 * one trailing ";" is allowed.  Unknown tags are kept: callers ignore
 * them (RFC 6376 3.2 "Unrecognized tags MUST be ignored").
 * what names the field in messages ("DKIM-Signature").
 * Returns 0, or -1 with d filled: "<what>: RFC 6376 3.2: duplicate tag d".
 */
int		 tags_parse(struct tags *tl, const char *what, const char *s,
		    size_t len, struct diag *d);

/* The tag named name (case-sensitive, RFC 6376 3.2), or NULL. */
const struct tag *tags_get(const struct tags *tl, const char *name);

/* The same, names compared case-insensitively (for DMARC's readers). */
const struct tag *tags_get_ci(const struct tags *tl, const char *name);

/* Whether tag t's value equals s (case-sensitive / -insensitive). */
bool		 tags_value_is(const struct tag *t, const char *s);
bool		 tags_value_is_ci(const struct tag *t, const char *s);

/*
 * Append t's value with all white space (SP, HTAB, CR, LF) removed to
 * out (the base64 of b=, bh=, p=: RFC 6376 3.5 and 3.6.1 allow FWS in it).
 */
void		 tags_value_nows(const struct tag *t, struct buf *out);

#endif
