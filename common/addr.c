#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_IDN2
#include <idn2.h>
#endif

#include "addr.h"
#include "buf.h"
#include "diag.h"

/*
 * The parser's state: the end of the input, the furthest failure seen
 * (for the message), whether the failure is final (no alternative can
 * succeed: unterminated comment, nesting, too many addresses), and the
 * mailbox being captured.
 */
struct ap {
	const char	*start;
	const char	*end;
	const char	*err_at;
	const char	*err;
	bool		 fatal;
	struct buf	 local;
	struct buf	 domain;
	const char	*disp;		/* display-name span */
	size_t		 displen;
	bool		 literal;
	bool		 in_group;
	struct addr_list *out;
};

/* A span of the input. */
struct span {
	const char	*p;
	size_t		 n;
};

static const char *
fail(struct ap *a, const char *p, const char *why)
{
	if (a->err == NULL || p >= a->err_at) {
		a->err_at = p;
		a->err = why;
	}
	return NULL;
}

static const char *
fatal(struct ap *a, const char *p, const char *why)
{
	if (!a->fatal) {
		a->err_at = p;
		a->err = why;
		a->fatal = true;
	}
	return NULL;
}

static bool
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* obs-NO-WS-CTL (RFC 5322 4.1): controls other than NUL, CR, LF, HTAB. */
static bool
is_obs_ctl(unsigned char c)
{
	return (c >= 1 && c <= 8) || c == 11 || c == 12 ||
	    (c >= 14 && c <= 31) || c == 127;
}

/* atext (RFC 5322 3.2.3), with UTF8-non-ascii (RFC 6532 3.2). */
static bool
is_atext(unsigned char c)
{
	if (c >= 0x80)
		return true;
	if (c < 0x21 || c > 0x7e)
		return false;
	return isalnum(c) || strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* ctext (RFC 5322 3.2.2) with obs-ctext and UTF-8. */
static bool
is_ctext(unsigned char c)
{
	return (c >= 33 && c <= 39) || (c >= 42 && c <= 91) ||
	    (c >= 93 && c <= 126) || is_obs_ctl(c) || c >= 0x80;
}

/* qtext (RFC 5322 3.2.4) with obs-qtext and UTF-8. */
static bool
is_qtext(unsigned char c)
{
	return c == 33 || (c >= 35 && c <= 91) || (c >= 93 && c <= 126) ||
	    is_obs_ctl(c) || c >= 0x80;
}

/* dtext (RFC 5322 3.4.1) with obs-dtext and UTF-8. */
static bool
is_dtext(unsigned char c)
{
	return (c >= 33 && c <= 90) || (c >= 94 && c <= 126) ||
	    is_obs_ctl(c) || c >= 0x80;
}

static bool
at(const struct ap *a, const char *p, char c)
{
	return p < a->end && *p == c;
}

/*
 * FWS = ([*WSP CRLF] 1*WSP) / obs-FWS (RFC 5322 3.2.2, 4.2).  A line
 * break counts only as folding, followed by white space; LF alone is
 * taken as a line break too (messages with LF endings).
 */
static const char *
fws(struct ap *a, const char *p)
{
	const char *q = p;
	size_t n;

	for (;;) {
		if (q < a->end && is_wsp(*q)) {
			q++;
			continue;
		}
		n = at(a, q, '\r') && at(a, q + 1, '\n') ? 2 :
		    at(a, q, '\n') ? 1 : 0;
		if (n && q + n < a->end && is_wsp(q[n])) {
			q += n + 1;
			continue;
		}
		break;
	}
	return q == p ? NULL : q;
}

/* quoted-pair = "\" (VCHAR / WSP); obs-qp's NUL, CR and LF refused. */
static const char *
quoted_pair(struct ap *a, const char *p)
{
	unsigned char c;

	if (!at(a, p, '\\'))
		return NULL;
	if (p + 1 >= a->end)
		return fatal(a, p, "'\\' at the end of the field");
	c = (unsigned char)p[1];
	if (c == '\r' || c == '\n')
		return fatal(a, p, "'\\' before a line break");
	return p + 2;
}

/* comment = "(" *([FWS] ccontent) [FWS] ")"; nesting kept iterative. */
static const char *
comment(struct ap *a, const char *p)
{
	const char *q;
	int depth = 0;

	if (!at(a, p, '('))
		return NULL;
	while (p < a->end) {
		if (*p == '(') {
			if (++depth > ADDR_COMMENT_DEPTH)
				return fatal(a, p, "comments nested too deep");
			p++;
		} else if (*p == ')') {
			p++;
			if (--depth == 0)
				return p;
		} else if (*p == '\\') {
			if ((q = quoted_pair(a, p)) == NULL)
				return NULL;
			p = q;
		} else if (is_ctext((unsigned char)*p)) {
			p++;
		} else if ((q = fws(a, p)) != NULL) {
			p = q;
		} else {
			return fatal(a, p, "character not allowed in a comment");
		}
	}
	return fatal(a, p, "unterminated comment");
}

/* CFWS = (1*([FWS] comment) [FWS]) / FWS */
static const char *
cfws(struct ap *a, const char *p)
{
	const char *q = p, *r;

	for (;;) {
		if ((r = fws(a, q)) != NULL)
			q = r;
		if (!at(a, q, '('))
			break;
		if ((r = comment(a, q)) == NULL)
			return NULL;
		q = r;
	}
	return q == p ? NULL : q;
}

/* [CFWS]: p itself when there is none; NULL only after a fatal error. */
static const char *
ocfws(struct ap *a, const char *p)
{
	const char *q = cfws(a, p);

	if (q != NULL)
		return q;
	return a->fatal ? NULL : p;
}

/* atom = [CFWS] 1*atext [CFWS]; *sp is the atext run. */
static const char *
atom(struct ap *a, const char *p, struct span *sp)
{
	const char *s;

	if ((p = ocfws(a, p)) == NULL)
		return NULL;
	for (s = p; p < a->end && is_atext((unsigned char)*p); p++)
		;
	if (p == s)
		return fail(a, p, "expected a word");
	sp->p = s;
	sp->n = (size_t)(p - s);
	return ocfws(a, p);
}

/* quoted-string = [CFWS] DQUOTE *([FWS] qcontent) [FWS] DQUOTE [CFWS];
 * *sp is the string with its quotes. */
static const char *
quoted_string(struct ap *a, const char *p, struct span *sp)
{
	const char *s, *q;

	if ((p = ocfws(a, p)) == NULL)
		return NULL;
	if (!at(a, p, '"'))
		return fail(a, p, "expected a word");
	for (s = p++;;) {
		if (p >= a->end)
			return fatal(a, s, "unterminated quoted-string");
		if (*p == '"')
			break;
		if (*p == '\\')
			q = quoted_pair(a, p);
		else if (is_qtext((unsigned char)*p))
			q = p + 1;
		else if ((q = fws(a, p)) == NULL)
			return fatal(a, p,
			    "character not allowed in a quoted-string");
		if (q == NULL)
			return NULL;
		p = q;
	}
	p++;
	sp->p = s;
	sp->n = (size_t)(p - s);
	return ocfws(a, p);
}

/* word = atom / quoted-string */
static const char *
word(struct ap *a, const char *p, struct span *sp)
{
	const char *q = ocfws(a, p);

	if (q == NULL)
		return NULL;
	if (at(a, q, '"'))
		return quoted_string(a, p, sp);
	return atom(a, p, sp);
}

/* phrase = 1*word / obs-phrase; obs-phrase = word *(word / "." / CFWS) */
static const char *
phrase(struct ap *a, const char *p)
{
	struct span sp;
	const char *q;

	if ((p = word(a, p, &sp)) == NULL)
		return NULL;
	for (;;) {
		if ((q = word(a, p, &sp)) != NULL) {
			p = q;
			continue;
		}
		if (a->fatal)
			return NULL;
		if ((q = ocfws(a, p)) == NULL)
			return NULL;
		if (!at(a, q, '.'))
			return q;
		p = q + 1;
	}
}

/* local-part = dot-atom / quoted-string / obs-local-part, all matched by
 * obs-local-part = word *("." word); the words joined with ".". */
static const char *
local_part(struct ap *a, const char *p)
{
	struct span sp;

	buf_reset(&a->local);
	for (;;) {
		if ((p = word(a, p, &sp)) == NULL)
			return NULL;
		buf_add(&a->local, sp.p, sp.n);
		if (!at(a, p, '.'))
			return p;
		buf_addc(&a->local, '.');
		p++;
	}
}

/* domain-literal = [CFWS] "[" *([FWS] dtext) [FWS] "]" [CFWS] */
static const char *
domain_literal(struct ap *a, const char *p)
{
	const char *q;

	if ((p = ocfws(a, p)) == NULL)
		return NULL;
	if (!at(a, p, '['))
		return fail(a, p, "expected a domain");
	buf_addc(&a->domain, '[');
	for (p++;;) {
		if ((q = fws(a, p)) != NULL)
			p = q;
		if (p >= a->end)
			return fail(a, p, "unterminated domain-literal");
		if (*p == ']')
			break;
		if (!is_dtext((unsigned char)*p))
			return fail(a, p,
			    "character not allowed in a domain-literal");
		buf_addc(&a->domain, *p++);
	}
	buf_addc(&a->domain, ']');
	a->literal = true;
	return ocfws(a, p + 1);
}

/* domain = dot-atom / domain-literal / obs-domain, where
 * obs-domain = atom *("." atom) also covers dot-atom. */
static const char *
domain(struct ap *a, const char *p)
{
	struct span sp;
	const char *q;

	buf_reset(&a->domain);
	a->literal = false;
	if ((q = ocfws(a, p)) == NULL)
		return NULL;
	if (at(a, q, '['))
		return domain_literal(a, p);
	for (;;) {
		if ((p = atom(a, p, &sp)) == NULL)
			return NULL;
		buf_add(&a->domain, sp.p, sp.n);
		if (!at(a, p, '.'))
			return p;
		buf_addc(&a->domain, '.');
		p++;
	}
}

/* addr-spec = local-part "@" domain */
static const char *
addr_spec(struct ap *a, const char *p)
{
	if ((p = local_part(a, p)) == NULL)
		return NULL;
	if (!at(a, p, '@'))
		return fail(a, p, "expected '@'");
	return domain(a, p + 1);
}

/* obs-route = obs-domain-list ":"
 * obs-domain-list = *(CFWS / ",") "@" domain *("," [CFWS] ["@" domain]) */
static const char *
obs_route(struct ap *a, const char *p)
{
	const char *q;

	for (;;) {
		if ((q = cfws(a, p)) != NULL)
			p = q;
		else if (a->fatal)
			return NULL;
		else if (at(a, p, ','))
			p++;
		else
			break;
	}
	if (!at(a, p, '@'))
		return NULL;
	if ((p = domain(a, p + 1)) == NULL)
		return NULL;
	while (at(a, p, ',')) {
		if ((p = ocfws(a, p + 1)) == NULL)
			return NULL;
		if (at(a, p, '@') && (p = domain(a, p + 1)) == NULL)
			return NULL;
	}
	return at(a, p, ':') ? p + 1 : NULL;
}

/* angle-addr = [CFWS] "<" addr-spec ">" [CFWS] / obs-angle-addr
 * obs-angle-addr = [CFWS] "<" obs-route addr-spec ">" [CFWS] */
static const char *
angle_addr(struct ap *a, const char *p)
{
	const char *q;

	if ((p = ocfws(a, p)) == NULL)
		return NULL;
	if (!at(a, p, '<'))
		return fail(a, p, "expected '<'");
	p++;
	if ((q = obs_route(a, p)) != NULL)
		p = q;
	else if (a->fatal)
		return NULL;
	if ((p = addr_spec(a, p)) == NULL)
		return NULL;
	if (!at(a, p, '>'))
		return fail(a, p, "expected '>'");
	return ocfws(a, p + 1);
}

/* name-addr = [display-name] angle-addr; display-name = phrase */
static const char *
name_addr(struct ap *a, const char *p)
{
	const char *q, *r, *s;

	a->disp = NULL;
	if ((q = phrase(a, p)) != NULL) {
		if ((r = angle_addr(a, q)) != NULL) {
			a->disp = p;
			a->displen = (size_t)(q - p);
			return r;
		}
	}
	if (a->fatal)
		return NULL;
	s = ocfws(a, p);
	if (s == NULL || !at(a, s, '<'))
		return fail(a, s ? s : p, "expected '<'");
	return angle_addr(a, p);
}

/* The display-name as shown: white space runs (folding included) made
 * one space, trimmed. */
static char *
display_text(const char *s, size_t n)
{
	struct buf b = { 0 };
	bool space = false;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
		    s[i] == '\n') {
			space = b.len > 0;
			continue;
		}
		if (space)
			buf_addc(&b, ' ');
		space = false;
		buf_addc(&b, s[i]);
	}
	if (b.len == 0)
		buf_adds(&b, "");
	return buf_steal(&b);
}

static const char *
add_mailbox(struct ap *a, const char *p)
{
	struct addr_list *l = a->out;
	struct addr_mailbox *mb;

	if (l->n >= ADDR_MAX)
		return fatal(a, p, "too many addresses");
	l->mb = xreallocarray(l->mb, l->n + 1, sizeof(*l->mb));
	mb = &l->mb[l->n++];
	memset(mb, 0, sizeof(*mb));
	mb->display = a->disp ? display_text(a->disp, a->displen) : NULL;
	mb->local = xstrndup(a->local.p ? a->local.p : "", a->local.len);
	mb->domain = xstrndup(a->domain.p ? a->domain.p : "", a->domain.len);
	mb->literal = a->literal;
	mb->in_group = a->in_group;
	return p;
}

/* mailbox = name-addr / addr-spec */
static const char *
mailbox(struct ap *a, const char *p)
{
	const char *q;

	if ((q = name_addr(a, p)) == NULL && !a->fatal) {
		a->disp = NULL;
		q = addr_spec(a, p);
	}
	if (q == NULL)
		return NULL;
	return add_mailbox(a, q);
}

/* group = display-name ":" [group-list] ";" [CFWS]
 * group-list = mailbox-list / CFWS / obs-group-list; the mailbox-list in
 * its obs-mbox-list form: empty elements between commas allowed. */
static const char *
group(struct ap *a, const char *p)
{
	const char *q;

	if ((p = phrase(a, p)) == NULL)
		return NULL;
	if (!at(a, p, ':'))
		return fail(a, p, "expected ':' or '<'");
	p++;
	a->in_group = true;
	for (;;) {
		if ((q = cfws(a, p)) != NULL)
			p = q;
		else if (a->fatal)
			return NULL;
		if (at(a, p, ',')) {
			p++;
			continue;
		}
		if (at(a, p, ';'))
			break;
		if ((p = mailbox(a, p)) == NULL)
			return NULL;
		if (!at(a, p, ',') && !at(a, p, ';'))
			return fail(a, p, "expected ',' or ';' in a group");
	}
	a->in_group = false;
	a->out->ngroups++;
	return ocfws(a, p + 1);
}

/* address = mailbox / group */
static const char *
address(struct ap *a, const char *p)
{
	const char *q;

	if ((q = mailbox(a, p)) != NULL || a->fatal)
		return q;
	return group(a, p);
}

/* address-list = (address *("," address)) / obs-addr-list
 * obs-addr-list = *([CFWS] ",") address *("," [address / CFWS]) */
static const char *
address_list(struct ap *a, const char *p)
{
	const char *q;

	for (;;) {
		if ((q = cfws(a, p)) != NULL)
			p = q;
		else if (a->fatal)
			return NULL;
		if (at(a, p, ',')) {
			p++;
			continue;
		}
		if (p >= a->end)
			return p;
		if ((p = address(a, p)) == NULL)
			return NULL;
		if (p < a->end && !at(a, p, ','))
			return fail(a, p, "expected ',' between addresses");
	}
}

/* Bytes the grammar never allows: NUL, and 8-bit bytes that are not
 * UTF-8 (RFC 6532 3.1, RFC 3629 4).  Returns the offending byte or NULL. */
static const char *
bad_bytes(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		unsigned char c = p[i];

		if (c == 0)
			return s + i;
		if (c < 0x80) {
			i++;
			continue;
		}
		n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 :
		    c >= 0xf0 && c <= 0xf4 ? 3 : 0;
		if (n == 0)
			return s + i;
		for (size_t k = 1; k <= n; k++)
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				return s + i;
		/* overlongs and surrogates (RFC 3629 4) */
		if ((c == 0xe0 && p[i + 1] < 0xa0) ||
		    (c == 0xed && p[i + 1] > 0x9f) ||
		    (c == 0xf0 && p[i + 1] < 0x90) ||
		    (c == 0xf4 && p[i + 1] > 0x8f))
			return s + i;
		i += n + 1;
	}
	return NULL;
}

int
addr_parse(const char *s, size_t len, struct addr_list *out, struct diag *d)
{
	struct ap a;
	const char *bad, *end;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	a.start = s;
	a.end = s + len;
	a.out = out;
	if ((bad = bad_bytes(s, len)) != NULL) {
		return diag_set(d, "RFC 5322 3.4: %s at byte %zu",
		    *bad == 0 ? "NUL byte" : "8-bit byte that is not UTF-8",
		    (size_t)(bad - s));
	}
	end = address_list(&a, s);
	if (end == NULL || end != a.end) {
		rc = diag_set(d, "RFC 5322 3.4: %s at byte %zu",
		    a.err ? a.err : "syntax error",
		    (size_t)((a.err_at ? a.err_at : s) - s));
	}
	buf_free(&a.local);
	buf_free(&a.domain);
	return rc;
}

void
addr_list_free(struct addr_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->mb[i].display);
		free(l->mb[i].local);
		free(l->mb[i].domain);
	}
	free(l->mb);
	memset(l, 0, sizeof(*l));
}

/* Label and name lengths (RFC 1035 2.3.4) of an ASCII name. */
static bool
dns_name_ok(const char *name)
{
	size_t len = strlen(name), lab = 0;

	if (len == 0 || len > ADDR_DOMAIN_MAX)
		return false;
	for (const char *p = name; *p; p++) {
		if (*p == '.') {
			if (lab == 0)
				return false;
			lab = 0;
		} else if (++lab > ADDR_LABEL_MAX) {
			return false;
		}
	}
	return lab > 0;
}

/* A domain with U-labels to A-labels (RFC 5890 2.3.2.1), IDNA2008 with
 * UTS 46 mapping, as RFC 9989 5.3.1 asks; NULL with d filled if refused. */
static char *
to_alabels(const char *dom, struct diag *d)
{
#ifdef HAVE_IDN2
	char *out = NULL, *ret;
	int rc = idn2_to_ascii_8z(dom, &out,
	    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);

	if (rc != IDN2_OK) {
		diag_set(d, "RFC 9989 5.3.1: the domain is not a valid "
		    "internationalized name: %s", idn2_strerror(rc));
		return NULL;
	}
	ret = xstrdup(out);
	idn2_free(out);
	return ret;
#else
	(void)dom;
	diag_set(d, "RFC 9989 5.3.1: internationalized domain names need "
	    "libidn2, which this build lacks");
	return NULL;
#endif
}

char *
addr_domain(const struct addr_mailbox *mb, struct diag *d)
{
	char *dom, *a;
	bool ascii = true;

	if (mb->literal) {
		diag_set(d, "RFC 9989 3.2.2: the domain-literal %.64s is not "
		    "a domain name", mb->domain);
		return NULL;
	}
	dom = xstrdup(mb->domain);
	for (char *p = dom; *p; p++) {
		if ((unsigned char)*p >= 0x80)
			ascii = false;
		else
			*p = (char)tolower((unsigned char)*p);
	}
	if (!ascii) {
		a = to_alabels(dom, d);
		free(dom);
		if ((dom = a) == NULL)
			return NULL;
	}
	if (!dns_name_ok(dom)) {
		diag_set(d, "RFC 1035 2.3.4: domain %.64s is too long",
		    dom);
		free(dom);
		return NULL;
	}
	return dom;
}
