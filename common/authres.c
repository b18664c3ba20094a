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

/* RFC 5322 3.2.3 atext */
static bool
atext_char(unsigned char c)
{
	return isalnum(c) || (c < 0x80 && c != '\0' &&
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
	if (is_token(authserv_id))
		buf_adds(&b, authserv_id);
	else
		add_quoted(&b, authserv_id);
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

int
authres_parse(const char *value, size_t len, struct authres *out,
    struct diag *d)
{
	(void)value;
	(void)len;
	memset(out, 0, sizeof(*out));
	return diag_set(d, "Authentication-Results: parser not built yet");
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
		if (!authres_above_received(m, i)) {
			/* RFC 8601 5: ours below a Received: came from outside */
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
