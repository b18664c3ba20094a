/*
 * authres: the Authentication-Results header field (RFC 8601): build one
 * from key=value result lines, parse one into results, and find the
 * fields that are "ours" (DESIGN.md: our authserv-id, above the topmost
 * Received: field; RFC 8601 5).
 *
 * The key=value line format (DESIGN.md, kv.h) maps onto resinfo (RFC 8601
 * 2.2) as follows:
 *
 *   dkim=pass reason="..." header.d=example.org comment="..." authserv-id=X
 *
 * the first pair is method[/version]=result; reason= is the reasonspec;
 * ptype.property= pairs are propspecs; comment= is the comment after the
 * result; authserv-id=, version= and nonconformant= describe the field the
 * line came from (the builder ignores them); any other key is kept in the
 * comment as key=value.
 */
#ifndef MAUTH_AUTHRES_H
#define MAUTH_AUTHRES_H

#include <stdbool.h>
#include <stddef.h>

struct diag;
struct msg;

#define AUTHRES_FIELD		"Authentication-Results"
#define AUTHRES_FOLD_COLUMNS	78	/* RFC 5322 2.1.1 line length */
#define AUTHRES_RESULTS_MAX	4096	/* resinfo per field */
#define AUTHRES_PROPS_MAX	256	/* propspecs per resinfo */
#define AUTHRES_COMMENT_DEPTH	32	/* nested comments (RFC 5322 3.2.2) */

/*
 * Build one whole "Authentication-Results: " field (RFC 8601 2.2) for
 * authserv_id from n key=value result lines (DESIGN.md format:
 * "method=result key=value ..."; reason= becomes the reason, ptype.prop=
 * keys become properties, other keys go into a comment), folded under 78
 * columns with eol ("\r\n" or "\n") line ends, final eol included.
 * With n == 0 the field says "none" (RFC 8601 2.2).  Returns a malloc'ed
 * string, or NULL with d filled if a line cannot be parsed.
 *
 * Properties that IANA has not registered for a registered method (such as
 * dmarc's policy.published) go into the comment, not the field's
 * propspecs (DESIGN.md "DMARC result line").  Comments never contain ';',
 * '\\' or unbalanced parentheses (receivers that split on ';' inside
 * comments); values are quoted-strings when they are neither tokens nor
 * [local-part]@domain.  Lines whose method is "authres" (the parser's
 * line for a field without results) add nothing.
 */
char	*authres_build(const char *authserv_id, const char *const *kvlines,
	    size_t n, const char *eol, struct diag *d);

/* Append authserv_id as RFC 8601 2.2 writes it: a token as it is, else
 * an RFC 5322 quoted-string. */
struct buf;
void	authres_add_id(struct buf *b, const char *authserv_id);

/* One propspec: ptype.property=value, with the comment that followed it. */
struct authres_prop {
	char	*ptype;		/* lowercased */
	char	*property;	/* lowercased */
	char	*value;		/* unquoted */
	char	*comment;	/* NULL if none; outer parens removed */
};

/* One resinfo. */
struct authres_result {
	char		*method;	/* lowercased */
	char		*method_version;	/* NULL if no "/N" */
	char		*result;	/* lowercased */
	char		*reason;	/* NULL if no reason= */
	char		*comment;	/* the comment right after the result */
	struct authres_prop *props;
	size_t		 nprops;
};

/* Ways a field can sit outside the RFC 8601 2.2 grammar; the lenient
 * reading still gives results (see authres_parse). */
#define AUTHRES_NC_TRAILING_SEMI	0x01	/* ";" with no resinfo after it */
#define AUTHRES_NC_BAD_PROP		0x02	/* key=value without ptype: dropped */
#define AUTHRES_NC_BAD_VALUE		0x04	/* unquoted specials, empty value */
#define AUTHRES_NC_BAD_RESINFO		0x08	/* a resinfo without method=result: dropped */
#define AUTHRES_NC_NO_AUTHSERV_ID	0x10	/* missing or empty authserv-id */
#define AUTHRES_NC_COMMENT		0x20	/* unbalanced or too deep comment */
#define AUTHRES_NC_QUOTE		0x40	/* unterminated quoted-string */
#define AUTHRES_NC_CONTROL		0x80	/* NUL or other control bytes */
#define AUTHRES_NC_TOO_MANY		0x100	/* over AUTHRES_RESULTS/PROPS_MAX */

/* One parsed field.  Every string is malloc'ed and owned by the struct. */
struct authres {
	char		*authserv_id;	/* "" when missing (nonconformant) */
	char		*version;	/* NULL if no authres-version */
	struct authres_result *results;	/* none: nresults == 0 */
	size_t		 nresults;
	unsigned	 nonconformant;	/* AUTHRES_NC_* bits; 0: strict RFC 8601 */
	char		*what;		/* the problems, "; "-separated; NULL if none */
};

/*
 * Parse the field body value[0..len) (after the colon, folding included,
 * NUL bytes allowed) into *out.  The reading is lenient: a field outside
 * the RFC 8601 2.2 grammar gives what a forgiving parser reads (trailing
 * ';' ignored, properties without a ptype dropped, unquoted values with
 * specials taken to the next white space) with out->nonconformant set and
 * out->what saying why; callers wanting the strict reading treat a nonzero
 * nonconformant as a syntax error.  Returns 0, or -1 with d filled when
 * nothing sensible can be read (*out is then empty).  Free with
 * authres_free() in every case.
 */
int	authres_parse(const char *value, size_t len, struct authres *out,
	    struct diag *d);
void	authres_free(struct authres *ar);

/*
 * Append result r as one key=value line (no line end) to b: method[/N]=
 * result, reason=, the properties as ptype.property=, comment= (property
 * comments are left out: RFC 8601 comments are informative).  The line
 * reads back through authres_build() to the same resinfo.
 */
void	authres_kv(struct buf *b, const struct authres_result *r);

/* The first result of method (case-insensitive) in ar, after index from
 * (pass 0 to start); NULL if none.  Points into ar. */
const struct authres_result *authres_find(const struct authres *ar,
	    const char *method, size_t *from);

/* The value of ptype.property in r, or NULL.  Points into r. */
const char *authres_prop(const struct authres_result *r, const char *ptype,
	    const char *property);

/* One field that is ours: its index in m->f and its parsed reading. */
struct authres_field {
	size_t		 index;
	struct authres	 ar;
};

struct authres_set {
	struct authres_field *f;
	size_t		 n;
	size_t		 forged;	/* fields with our id below a Received: */
	size_t		 bad;		/* ours by place, outside RFC 8601: skipped */
};

/*
 * The Authentication-Results fields of m that are ours: authserv_id
 * (compared case-insensitively, RFC 8601 2.5) and above the topmost
 * Received: field (DESIGN.md; RFC 8601 5).  Fields with our id below a
 * Received: are only counted in set->forged; fields in that place that are
 * outside the RFC 8601 grammar (our tools never write one) are counted in
 * set->bad and skipped.  The set owns its parsed copies (valid after msg_free); the
 * indices refer to m.  Free with authres_set_free().  To ask "our spf result
 * and its smtp.mailfrom":
 *
 *	r = authres_set_find(&set, "spf", &pos);
 *	mf = r ? authres_prop(r, "smtp", "mailfrom") : NULL;
 */
void	authres_ours(const struct msg *m, const char *authserv_id,
	    struct authres_set *set);
void	authres_set_free(struct authres_set *set);

/* Over every field of set, top to bottom: the next result of method;
 * *pos (start at 0) carries the position. NULL when there is no more. */
const struct authres_result *authres_set_find(const struct authres_set *set,
	    const char *method, size_t *pos);

/* Whether field i of m sits above the topmost Received: field. */
bool	authres_above_received(const struct msg *m, size_t i);

#endif
