/*
 * authres: build, parse and select Authentication-Results fields
 * (RFC 8601).  See authres.h for the key=value mapping.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "buf.h"
#include "diag.h"
#include "kv.h"
#include "msg.h"

/*
 * Building.  The field is first written as one unfolded stream in which
 * BRK marks a place between two elements (rendered " ", or folded as
 * eol TAB) and NL the start of a resinfo (always eol TAB); a literal
 * space (inside a quoted-string or a comment, where RFC 5322 3.2.2 and
 * 3.2.4 allow FWS) folds as eol SP so that unfolding restores it.
 */
#define BRK	'\x01'
#define NL	'\x02'
#define TABCOLS	8
#define STR_(x)	#x
#define STR(x)	STR_(x)

/* RFC 2045 5.1 token character: not SPACE, CTL or tspecial. */
static bool
token_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static bool
is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!token_char((unsigned char)*s))
			return false;
	return true;
}

/* RFC 5322 3.2.3 atext, with RFC 6531 3.3's UTF8-non-ascii */
static bool
atext_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || (c != '\0' &&
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* RFC 6376 3.5 domain-name: sub-domain 1*("." sub-domain) */
static bool
is_domain_name(const char *s)
{
	bool dot = false;
	size_t lab = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '.') {
			if (lab == 0)
				return false;
			dot = true;
			lab = 0;
		} else if (isalnum(c) || (c == '-' && lab > 0))
			lab++;
		else
			return false;
	}
	return dot && lab > 0 && s[-1] != '-';
}

/* RFC 5322 3.4.1 dot-atom-text (may be empty: "@domain" is allowed) */
static bool
is_local_part(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (i == 0 || i + 1 == n || s[i + 1] == '.')
				return false;
		} else if (!atext_char((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* RFC 8601 2.2 pvalue without quoting: value / [[local-part] "@"] domain */
static bool
pvalue_bare(const char *v)
{
	const char *at = strrchr(v, '@');

	if (is_token(v))
		return true;
	if (at == NULL)
		return is_domain_name(v);
	return is_local_part(v, (size_t)(at - v)) && is_domain_name(at + 1);
}

/* Append v as an RFC 5322 quoted-string; controls become spaces. */
static void
add_quoted(struct buf *b, const char *v)
{
	buf_addc(b, '"');
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c < 0x20 || c == 0x7f)
			c = ' ';
		if (c == '"' || c == '\\')
			buf_addc(b, '\\');
		buf_addc(b, c);
	}
	buf_addc(b, '"');
}

void
authres_add_id(struct buf *b, const char *authserv_id)
{
	if (is_token(authserv_id))
		buf_adds(b, authserv_id);
	else
		add_quoted(b, authserv_id);
}

/* Append the comment text t, made safe: no ';' (some receivers split on
 * it even inside comments), no parentheses or backslash (no nesting to
 * get wrong), no controls. */
static void
add_comment_text(struct buf *b, const char *t)
{
	for (; *t; t++) {
		unsigned char c = (unsigned char)*t;

		if (c < 0x20 || c == 0x7f)
			c = ' ';
		else if (c == ';')
			c = ',';
		else if (c == '(')
			c = '[';
		else if (c == ')')
			c = ']';
		else if (c == '\\')
			c = '/';
		buf_addc(b, c);
	}
}

/* RFC 5321 4.1.2 Keyword, loosely: letters, digits, '-' and '_'. */
static bool
is_keyword(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

static bool
is_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* IANA "Email Authentication Methods" (RFC 8601 6.3, 6376, 6008, 7489,
 * 8617): the properties registered for the methods mauth reports.  A
 * method not listed here keeps every ptype.property it is given. */
static const char *const registry[][2] = {
	{ "auth", "smtp.auth" }, { "auth", "smtp.mailfrom" },
	{ "dkim", "header.d" }, { "dkim", "header.i" },
	{ "dkim", "header.a" }, { "dkim", "header.s" },
	{ "dkim", "header.b" },
	{ "spf", "smtp.mailfrom" }, { "spf", "smtp.helo" },
	{ "iprev", "policy.iprev" },
	{ "dmarc", "header.from" }, { "dmarc", "policy.dmarc" },
	{ "arc", "smtp.remote-ip" }, { "arc", "header.oldest-pass" },
};

static bool
registered(const char *method, size_t mlen, const char *key)
{
	bool known = false;

	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++) {
		if (strlen(registry[i][0]) != mlen ||
		    strncasecmp(registry[i][0], method, mlen) != 0)
			continue;
		known = true;
		if (strcasecmp(registry[i][1], key) == 0)
			return true;
	}
	return !known;
}

/* "ptype.property" with two keywords? */
static bool
is_propkey(const char *k)
{
	const char *dot = strchr(k, '.');

	return dot != NULL && is_keyword(k, (size_t)(dot - k)) &&
	    is_keyword(dot + 1, strlen(dot + 1));
}

/* Keys describing the field a parsed line came from, not the result. */
static bool
field_key(const char *k)
{
	return strcmp(k, "authserv-id") == 0 || strcmp(k, "version") == 0 ||
	    strcmp(k, "nonconformant") == 0;
}

/* method[/version]: the length of the method part, or 0 if malformed. */
static size_t
method_len(const char *k)
{
	const char *sl = strchr(k, '/');
	size_t n = sl ? (size_t)(sl - k) : strlen(k);

	if (!is_keyword(k, n) || (sl != NULL && !is_digits(sl + 1)))
		return 0;
	return n;
}

/* The comment of one result line: comment= first, then the other keys. */
static void
line_comment(struct buf *c, const char *method, size_t mlen,
    const struct kv_pair *p, int np)
{
	struct buf extra = { 0 };

	for (int i = 1; i < np; i++) {
		if (strcmp(p[i].key, "comment") == 0 && p[i].value[0]) {
			if (c->len)
				buf_adds(c, ", ");
			buf_adds(c, p[i].value);
		}
	}
	for (int i = 1; i < np; i++) {
		const char *k = p[i].key;

		if (strcmp(k, "comment") == 0 || strcmp(k, "reason") == 0 ||
		    field_key(k) ||
		    (is_propkey(k) && registered(method, mlen, k)))
			continue;
		kv_add(&extra, k, p[i].value);
	}
	if (extra.len) {
		if (c->len)
			buf_adds(c, ", ");
		buf_add(c, extra.p, extra.len);
	}
	buf_free(&extra);
}

/* Append the comment as BRK "(" words ")". */
static void
add_comment(struct buf *b, const char *text)
{
	buf_addc(b, BRK);
	buf_addc(b, '(');
	add_comment_text(b, text);
	buf_addc(b, ')');
}

/* Append one resinfo for the pairs of one line. */
static void
add_resinfo(struct buf *b, const struct kv_pair *p, int np, size_t mlen)
{
	struct buf c = { 0 };

	buf_addc(b, ';');
	buf_addc(b, NL);
	for (const char *k = p[0].key; *k; k++)
		buf_addc(b, tolower((unsigned char)*k));
	buf_addc(b, '=');
	for (const char *v = p[0].value; *v; v++)
		buf_addc(b, tolower((unsigned char)*v));
	line_comment(&c, p[0].key, mlen, p, np);
	if (c.len)
		add_comment(b, c.p);
	buf_free(&c);
	for (int i = 1; i < np; i++) {
		if (strcmp(p[i].key, "reason") != 0)
			continue;
		buf_addc(b, BRK);
		buf_adds(b, "reason=");
		if (is_token(p[i].value))
			buf_adds(b, p[i].value);
		else
			add_quoted(b, p[i].value);
		break;
	}
	for (int i = 1; i < np; i++) {
		if (!is_propkey(p[i].key) ||
		    !registered(p[0].key, mlen, p[i].key))
			continue;
		buf_addc(b, BRK);
		for (const char *k = p[i].key; *k; k++)
			buf_addc(b, tolower((unsigned char)*k));
		buf_addc(b, '=');
		if (pvalue_bare(p[i].value))
			buf_adds(b, p[i].value);
		else
			add_quoted(b, p[i].value);
	}
}

/* Parse and append one key=value line; -1 with d filled if malformed. */
static int
add_line(struct buf *b, const char *line, size_t lineno, struct diag *d)
{
	struct kv_pair *p = NULL;
	struct diag kd;
	char esc[64];
	size_t mlen;
	int np;

	if ((np = kv_parse(line, &p, &kd)) < 0)
		return diag_set(d, "result line %zu: %s", lineno, kd.msg);
	if (np == 0 || strcmp(p[0].key, "authres") == 0) {
		kv_pairs_free(p, np);
		return 0;
	}
	mlen = method_len(p[0].key);
	if (mlen == 0 || !is_keyword(p[0].value, strlen(p[0].value))) {
		diag_escape(esc, sizeof(esc), p[0].key, strlen(p[0].key));
		kv_pairs_free(p, np);
		return diag_set(d, "result line %zu: RFC 8601 2.2: \"%s\" is "
		    "not method=result", lineno, esc);
	}
	add_resinfo(b, p, np, mlen);
	kv_pairs_free(p, np);
	return 0;
}

static size_t
seg_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ' && s[n] != BRK && s[n] != NL)
		n++;
	return n;
}

/* Render the marked stream s folded under AUTHRES_FOLD_COLUMNS. */
static char *
fold(const char *s, const char *eol)
{
	struct buf out = { 0 };
	size_t col = 0;

	while (*s) {
		char sep = 0;
		size_t n;

		if (*s == ' ' || *s == BRK || *s == NL)
			sep = *s++;
		n = seg_len(s);
		if (sep == NL || (sep && n > 0 &&
		    col + 1 + n > AUTHRES_FOLD_COLUMNS)) {
			buf_adds(&out, eol);
			buf_addc(&out, sep == ' ' ? ' ' : '\t');
			col = sep == ' ' ? 1 : TABCOLS;
		} else if (sep) {
			buf_addc(&out, ' ');
			col++;
		}
		buf_add(&out, s, n);
		col += n;
		s += n;
	}
	buf_adds(&out, eol);
	return buf_steal(&out);
}

char *
authres_build(const char *authserv_id, const char *const *kvlines,
    size_t n, const char *eol, struct diag *d)
{
	struct buf b = { 0 };
	size_t before;
	char *res;

	buf_adds(&b, AUTHRES_FIELD ": ");
	authres_add_id(&b, authserv_id);
	before = b.len;
	for (size_t i = 0; i < n; i++) {
		if (add_line(&b, kvlines[i], i + 1, d) < 0) {
			buf_free(&b);
			return NULL;
		}
	}
	if (b.len == before)
		buf_adds(&b, "; none");		/* RFC 8601 2.2 no-result */
	res = fold(b.p, eol);
	buf_free(&b);
	return res;
}

/*
 * Reading back.
 */
static void
result_free(struct authres_result *r)
{
	free(r->method);
	free(r->method_version);
	free(r->result);
	free(r->reason);
	free(r->comment);
	for (size_t i = 0; i < r->nprops; i++) {
		free(r->props[i].ptype);
		free(r->props[i].property);
		free(r->props[i].value);
		free(r->props[i].comment);
	}
	free(r->props);
}

void
authres_free(struct authres *ar)
{
	if (ar == NULL)
		return;
	free(ar->authserv_id);
	free(ar->version);
	for (size_t i = 0; i < ar->nresults; i++)
		result_free(&ar->results[i]);
	free(ar->results);
	free(ar->what);
	memset(ar, 0, sizeof(*ar));
}

/*
 * Parsing: one small function per RFC 8601 2.2 rule, each taking the
 * position and returning the position past the match, or NULL.  The text
 * is first unfolded (RFC 5322 2.2.3: CR and LF removed) with other control
 * bytes, NUL included, turned into spaces, so the rules work on a C string.
 */
struct rd {
	unsigned	 nc;		/* AUTHRES_NC_* */
	char		*what;		/* the nonconformities so far */
};

static void
nonconf(struct rd *rd, unsigned bit, const char *why)
{
	size_t n;

	rd->nc |= bit;
	if (rd->what == NULL) {
		rd->what = xstrdup(why);
		return;
	}
	if (strstr(rd->what, why) != NULL)
		return;
	/* each distinct problem once, in order of appearance */
	n = strlen(rd->what);
	rd->what = xrealloc(rd->what, n + strlen(why) + 3);
	sprintf(rd->what + n, "; %s", why);
}

static char *
unfold(struct rd *rd, const char *v, size_t len)
{
	char *s = xmalloc(len + 1), *o = s;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\r' || c == '\n')
			continue;
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			nonconf(rd, AUTHRES_NC_CONTROL,
			    "RFC 5322 3.2: control or NUL byte in the field");
			c = ' ';
		}
		*o++ = (char)c;
	}
	*o = '\0';
	return s;
}

static bool
wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* comment = "(" *([FWS] ccontent) [FWS] ")" (RFC 5322 3.2.2), nesting
 * counted, not recursed.  p is at "(".  The text inside the outer
 * parentheses goes to *text when text is not NULL. */
static const char *
comment(struct rd *rd, const char *p, char **text)
{
	const char *start = ++p;
	size_t depth = 1;
	bool deep = false;

	for (; *p && depth > 0; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '(' && ++depth > AUTHRES_COMMENT_DEPTH)
			deep = true;
		else if (*p == ')')
			depth--;
	}
	if (deep)
		nonconf(rd, AUTHRES_NC_COMMENT, "RFC 5322 3.2.2: comments "
		    "nested too deep");
	if (depth > 0)
		nonconf(rd, AUTHRES_NC_COMMENT, "RFC 5322 3.2.2: unbalanced "
		    "parenthesis in a comment");
	if (text != NULL && *text == NULL)
		*text = xstrndup(start, (size_t)(p - start) - (depth == 0));
	return p;
}

/* CFWS (RFC 5322 3.2.2), possibly empty; never NULL.  The first comment
 * seen is stored in *text (when text is not NULL and *text is NULL). */
static const char *
cfws(struct rd *rd, const char *p, char **text)
{
	for (;;) {
		while (wsp(*p))
			p++;
		if (*p != '(')
			return p;
		p = comment(rd, p, text);
	}
}

/* Keyword (RFC 5321 4.1.2), loosely: letters, digits, '-', '_'. */
static const char *
keyword(const char *p)
{
	const char *s = p;

	while (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
		p++;
	return p == s ? NULL : p;
}

static char *
lowdup(const char *s, const char *e)
{
	char *r = xstrndup(s, (size_t)(e - s));

	for (char *c = r; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return r;
}

/* quoted-string (RFC 5322 3.2.4, RFC 6532 3.2); p at DQUOTE.  The value,
 * unquoted, goes to *out. */
static const char *
quoted_string(struct rd *rd, const char *p, char **out)
{
	struct buf b = { 0 };

	for (p++; *p != '"'; p++) {
		if (*p == '\0') {
			nonconf(rd, AUTHRES_NC_QUOTE, "RFC 5322 3.2.4: "
			    "unterminated quoted-string");
			*out = buf_steal(&b);
			return p;
		}
		if (*p == '\\' && p[1])
			p++;
		buf_addc(&b, *p);
	}
	*out = buf_steal(&b);
	return p + 1;
}

/* The end of an unquoted run: up to white space, ';', a comment or a
 * quote. */
static const char *
bare_run(const char *p)
{
	while (*p && !wsp(*p) && *p != ';' && *p != '(' && *p != '"')
		p++;
	return p;
}

/*
 * value = token / quoted-string (RFC 2045 5.1, RFC 8601 2.2); with
 * pvalue, also [[local-part] "@"] domain-name.  A bare run that is
 * neither (unquoted specials, 8-bit, an empty value) is taken as it
 * stands, flagged.
 */
static const char *
value(struct rd *rd, const char *p, char **out, bool pvalue)
{
	const char *e;
	char *q;

	if (*p == '"') {
		p = quoted_string(rd, p, out);
		if (!pvalue || *p != '@')
			return p;
		/* quoted local-part "@" domain: keep it as written */
		e = bare_run(p);
		q = *out;
		*out = xmalloc(strlen(q) + (size_t)(e - p) + 3);
		sprintf(*out, "\"%s\"%.*s", q, (int)(e - p), p);
		free(q);
		return e;
	}
	e = bare_run(p);
	*out = xstrndup(p, (size_t)(e - p));
	if (!(pvalue ? pvalue_bare(*out) : is_token(*out)))
		nonconf(rd, AUTHRES_NC_BAD_VALUE, e == p ?
		    "RFC 8601 2.2: empty value" :
		    "RFC 8601 2.2: value with specials must be quoted");
	return e;
}

/* Skip to the next ';' outside comments and quoted-strings, or the end. */
static const char *
skip_resinfo(struct rd *rd, const char *p)
{
	char *junk = NULL;

	while (*p && *p != ';') {
		if (*p == '(')
			p = comment(rd, p, NULL);
		else if (*p == '"') {
			p = quoted_string(rd, p, &junk);
			free(junk);
			junk = NULL;
		} else
			p++;
	}
	return p;
}

/* method = Keyword [ [CFWS] "/" [CFWS] method-version ] */
static const char *
method(struct rd *rd, const char *p, struct authres_result *r)
{
	const char *e;

	if ((e = keyword(p)) == NULL)
		return NULL;
	r->method = lowdup(p, e);
	p = cfws(rd, e, NULL);
	if (*p != '/')
		return p;
	p = cfws(rd, p + 1, NULL);
	for (e = p; isdigit((unsigned char)*e); e++)
		;
	if (e == p)
		return NULL;
	r->method_version = xstrndup(p, (size_t)(e - p));
	return cfws(rd, e, NULL);
}

/* methodspec = [CFWS] method [CFWS] "=" [CFWS] result */
static const char *
methodspec(struct rd *rd, const char *p, struct authres_result *r)
{
	const char *e;

	if ((p = method(rd, cfws(rd, p, NULL), r)) == NULL || *p != '=')
		return NULL;
	p = cfws(rd, p + 1, NULL);
	if ((e = keyword(p)) == NULL)
		return NULL;
	r->result = lowdup(p, e);
	return e;
}

/* reasonspec = "reason" [CFWS] "=" [CFWS] value; NULL if not one. */
static const char *
reasonspec(struct rd *rd, const char *p, struct authres_result *r)
{
	const char *e = keyword(p);

	if (e == NULL || e - p != 6 || strncasecmp(p, "reason", 6) != 0)
		return NULL;
	e = cfws(rd, e, NULL);
	if (*e != '=')
		return NULL;
	free(r->reason);
	return value(rd, cfws(rd, e + 1, NULL), &r->reason, false);
}

static struct authres_prop *
new_prop(struct rd *rd, struct authres_result *r)
{
	if (r->nprops == AUTHRES_PROPS_MAX) {
		nonconf(rd, AUTHRES_NC_TOO_MANY, "more than "
		    STR(AUTHRES_PROPS_MAX) " properties in one result: rest "
		    "dropped");
		return NULL;
	}
	if ((r->nprops & (r->nprops - 1)) == 0)
		r->props = xreallocarray(r->props,
		    r->nprops ? r->nprops * 2 : 1, sizeof(*r->props));
	memset(&r->props[r->nprops], 0, sizeof(*r->props));
	return &r->props[r->nprops++];
}

/*
 * propspec = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
 * A "key=value" without ptype is read and dropped (flagged); something
 * that is not even that returns NULL.
 */
static const char *
propspec(struct rd *rd, const char *p, struct authres_result *r)
{
	const char *e, *ps, *pe;
	struct authres_prop *pr;
	char *v = NULL, *c = NULL;

	if ((e = keyword(p)) == NULL)
		return NULL;
	ps = p;
	p = cfws(rd, e, NULL);
	if (*p == '=') {
		nonconf(rd, AUTHRES_NC_BAD_PROP, "RFC 8601 2.2: property "
		    "without a ptype dropped");
		p = value(rd, cfws(rd, p + 1, NULL), &v, true);
		free(v);
		return p;
	}
	if (*p != '.')
		return NULL;
	p = cfws(rd, p + 1, NULL);
	if ((pe = keyword(p)) == NULL)
		return NULL;
	e = cfws(rd, pe, NULL);
	if (*e != '=')
		return NULL;
	/* the comment is the first one around the pvalue */
	e = value(rd, cfws(rd, e + 1, &c), &v, true);
	e = cfws(rd, e, &c);
	if ((pr = new_prop(rd, r)) == NULL) {
		free(v);
		free(c);
		return e;
	}
	pr->ptype = lowdup(ps, keyword(ps));
	pr->property = lowdup(p, pe);
	pr->value = v;
	pr->comment = c;
	return e;
}

/* methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ], up to ';' or the
 * end.  Returns NULL if there is no methodspec. */
static const char *
resinfo_body(struct rd *rd, const char *p, struct authres_result *r)
{
	const char *e;

	if ((p = methodspec(rd, p, r)) == NULL)
		return NULL;
	p = cfws(rd, p, &r->comment);
	if ((e = reasonspec(rd, p, r)) != NULL)
		p = cfws(rd, e, &r->comment);
	while (*p && *p != ';') {
		if ((e = propspec(rd, p, r)) == NULL) {
			nonconf(rd, AUTHRES_NC_BAD_PROP, "RFC 8601 2.2: "
			    "text that is not a propspec dropped");
			return skip_resinfo(rd, p);
		}
		p = cfws(rd, e, NULL);
	}
	return p;
}

static struct authres_result *
new_result(struct rd *rd, struct authres *ar)
{
	if (ar->nresults == AUTHRES_RESULTS_MAX) {
		nonconf(rd, AUTHRES_NC_TOO_MANY, "more than "
		    STR(AUTHRES_RESULTS_MAX) " results in one field: rest "
		    "dropped");
		return NULL;
	}
	if ((ar->nresults & (ar->nresults - 1)) == 0)
		ar->results = xreallocarray(ar->results,
		    ar->nresults ? ar->nresults * 2 : 1, sizeof(*ar->results));
	memset(&ar->results[ar->nresults], 0, sizeof(*ar->results));
	return &ar->results[ar->nresults++];
}

/* One resinfo after its ';' (or at the start when the authserv-id is
 * missing); a malformed one is skipped, flagged. */
static const char *
resinfo(struct rd *rd, const char *p, struct authres *ar)
{
	struct authres_result *r, junk;
	const char *e;

	p = cfws(rd, p, NULL);
	if (*p == '\0' || *p == ';') {
		nonconf(rd, AUTHRES_NC_TRAILING_SEMI, "RFC 8601 2.2: ';' "
		    "without a resinfo after it");
		return p;
	}
	if ((r = new_result(rd, ar)) == NULL) {
		memset(&junk, 0, sizeof(junk));
		r = &junk;
	}
	if ((e = resinfo_body(rd, p, r)) == NULL) {
		nonconf(rd, AUTHRES_NC_BAD_RESINFO, "RFC 8601 2.2: resinfo "
		    "without method=result dropped");
		result_free(r);
		if (r != &junk)
			ar->nresults--;
		return skip_resinfo(rd, p);
	}
	if (r == &junk)
		result_free(r);
	return e;
}

/* authres-version = 1*DIGIT [CFWS], only when ';' or the end follows */
static const char *
version(struct rd *rd, const char *p, struct authres *ar)
{
	const char *e = p, *n;

	while (isdigit((unsigned char)*e))
		e++;
	if (e == p)
		return NULL;
	n = cfws(rd, e, NULL);
	if (*n != ';' && *n != '\0')
		return NULL;
	ar->version = xstrndup(p, (size_t)(e - p));
	return n;
}

/* no-result = [CFWS] ";" [CFWS] "none", p past the ';' */
static const char *
no_result(struct rd *rd, const char *p)
{
	const char *e;

	p = cfws(rd, p, NULL);
	e = keyword(p);
	if (e == NULL || e - p != 4 || strncasecmp(p, "none", 4) != 0)
		return NULL;
	e = cfws(rd, e, NULL);
	return *e == '\0' ? e : NULL;
}

/*
 * authserv-id, or its absence: a first word followed by '=' or '/' is a
 * method (some providers leave the authserv-id out), and p stays put.
 */
static const char *
authserv_id(struct rd *rd, const char *p, struct authres *ar)
{
	const char *e;
	char *v = NULL;

	if (*p == '\0' || *p == ';') {
		nonconf(rd, AUTHRES_NC_NO_AUTHSERV_ID, "RFC 8601 2.5: no "
		    "authserv-id");
		ar->authserv_id = xstrdup("");
		return p;
	}
	if (*p != '"' && (e = keyword(p)) != NULL) {
		e = cfws(rd, e, NULL);
		if (*e == '=' || *e == '/') {
			nonconf(rd, AUTHRES_NC_NO_AUTHSERV_ID, "RFC 8601 "
			    "2.5: no authserv-id before the first result");
			ar->authserv_id = xstrdup("");
			return p;
		}
	}
	e = value(rd, p, &v, false);
	ar->authserv_id = v;
	return cfws(rd, e, NULL);
}

/* authres-payload (RFC 8601 2.2) */
static void
payload(struct rd *rd, const char *p, struct authres *ar)
{
	const char *e;

	p = cfws(rd, p, NULL);
	e = authserv_id(rd, p, ar);
	if (e == p && *p && *p != ';') {
		/* no authserv-id: the first resinfo has no ';' */
		p = resinfo(rd, p, ar);
	} else {
		p = e;
		if ((e = version(rd, p, ar)) != NULL)
			p = e;
		if (*p == '\0') {
			nonconf(rd, AUTHRES_NC_BAD_RESINFO, "RFC 8601 2.2: "
			    "neither \"none\" nor a resinfo");
			return;
		}
		if (*p == ';' && no_result(rd, p + 1) != NULL)
			return;
	}
	while (*p) {
		if (*p != ';') {
			nonconf(rd, AUTHRES_NC_BAD_RESINFO, "RFC 8601 2.2: "
			    "text where ';' was expected");
			p = skip_resinfo(rd, p);
			continue;
		}
		p = resinfo(rd, p + 1, ar);
	}
}

int
authres_parse(const char *value, size_t len, struct authres *out,
    struct diag *d)
{
	struct rd rd = { 0, NULL };
	char *text;

	(void)d;	/* the lenient reading always reads something */
	memset(out, 0, sizeof(*out));
	text = unfold(&rd, value, len);
	payload(&rd, text, out);
	free(text);
	out->nonconformant = rd.nc;
	out->what = rd.what;
	return 0;
}

void
authres_kv(struct buf *b, const struct authres_result *r)
{
	struct buf k = { 0 };

	buf_adds(&k, r->method);
	if (r->method_version)
		buf_printf(&k, "/%s", r->method_version);
	kv_add(b, k.p, r->result);
	if (r->reason)
		kv_add(b, "reason", r->reason);
	for (size_t i = 0; i < r->nprops; i++) {
		buf_reset(&k);
		buf_printf(&k, "%s.%s", r->props[i].ptype,
		    r->props[i].property);
		kv_add(b, k.p, r->props[i].value);
	}
	if (r->comment)
		kv_add(b, "comment", r->comment);
	buf_free(&k);
}

const struct authres_result *
authres_find(const struct authres *ar, const char *method, size_t *from)
{
	for (size_t i = *from; i < ar->nresults; i++) {
		if (strcasecmp(ar->results[i].method, method) == 0) {
			*from = i + 1;
			return &ar->results[i];
		}
	}
	*from = ar->nresults;
	return NULL;
}

const char *
authres_prop(const struct authres_result *r, const char *ptype,
    const char *property)
{
	for (size_t i = 0; i < r->nprops; i++)
		if (strcasecmp(r->props[i].ptype, ptype) == 0 &&
		    strcasecmp(r->props[i].property, property) == 0)
			return r->props[i].value;
	return NULL;
}

bool
authres_above_received(const struct msg *m, size_t i)
{
	for (size_t k = 0; k < i && k < m->nf; k++)
		if (msg_field_is(&m->f[k], "Received"))
			return false;
	return true;
}

void
authres_ours(const struct msg *m, const char *authserv_id,
    struct authres_set *set)
{
	memset(set, 0, sizeof(*set));
	for (size_t i = 0; i < m->nf; i++) {
		struct authres ar;

		if (!msg_field_is(&m->f[i], AUTHRES_FIELD))
			continue;
		if (authres_parse(m->f[i].value, m->f[i].valuelen, &ar,
		    NULL) < 0 || strcasecmp(ar.authserv_id, authserv_id) != 0) {
			authres_free(&ar);
			continue;
		}
		if (!authres_above_received(m, i) || ar.nonconformant) {
			/* RFC 8601 5: ours below a Received: came from
			 * outside; our tools never write a bad field */
			if (ar.nonconformant)
				set->bad++;
			else
				set->forged++;
			authres_free(&ar);
			continue;
		}
		set->f = xreallocarray(set->f, set->n + 1, sizeof(*set->f));
		set->f[set->n].index = i;
		set->f[set->n++].ar = ar;
	}
}

void
authres_set_free(struct authres_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++)
		authres_free(&set->f[i].ar);
	free(set->f);
	memset(set, 0, sizeof(*set));
}

const struct authres_result *
authres_set_find(const struct authres_set *set, const char *method,
    size_t *pos)
{
	/* *pos counts results across fields: field f, result r */
	size_t base = 0;

	for (size_t f = 0; f < set->n; f++) {
		const struct authres *ar = &set->f[f].ar;

		if (*pos < base + ar->nresults) {
			size_t from = *pos - base;
			const struct authres_result *r =
			    authres_find(ar, method, &from);

			*pos = base + from;
			if (r != NULL)
				return r;
		}
		base += ar->nresults;
	}
	return NULL;
}
