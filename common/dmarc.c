#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "diag.h"
#include "dmarc.h"
#include "dns.h"
#include "kv.h"
#include "msg.h"
#include "psl.h"

/* ---- the record (RFC 9989 4.7, 4.8; RFC 7489 6.3, 6.4) ---- */

static bool
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static const char *
skip_wsp(const char *p, const char *e)
{
	while (p < e && is_wsp(*p))
		p++;
	return p;
}

/* s[0..n) equals lit, ASCII case-insensitively (RFC 5234 2.3). */
static bool
ci_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

const char *
dmarc_policy_name(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_POLICY_NONE:
		return "none";
	case DMARC_POLICY_QUARANTINE:
		return "quarantine";
	case DMARC_POLICY_REJECT:
		return "reject";
	default:
		return "";
	}
}

/* dmarc-request = "none" / "quarantine" / "reject" */
static enum dmarc_policy
parse_request(const char *v, size_t n)
{
	if (ci_eq(v, n, "none"))
		return DMARC_POLICY_NONE;
	if (ci_eq(v, n, "quarantine"))
		return DMARC_POLICY_QUARANTINE;
	if (ci_eq(v, n, "reject"))
		return DMARC_POLICY_REJECT;
	return DMARC_POLICY_UNSET;
}

/* The URI characters of RFC 3986 2 (',' and '!' excluded: RFC 9989 4.8
 * requires them encoded in a dmarc-uri). */
static bool
is_urichar(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != ',' && c != '!' && c != '"' &&
	    c != '<' && c != '>' && c != '\\' && c != '^' && c != '`' &&
	    c != '{' && c != '|' && c != '}' && c != ' ';
}

/* dmarc-uri / obs-dmarc-uri: scheme ":" at least one URI character,
 * then an optional obsolete "!" size. */
static bool
uri_ok(const char *s, size_t n)
{
	size_t i = 0, rest;

	if (n == 0 || !isalpha((unsigned char)s[0]))
		return false;
	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '+' ||
	    s[i] == '-' || s[i] == '.'))
		i++;
	if (i == n || s[i] != ':')
		return false;
	for (rest = ++i; i < n && is_urichar((unsigned char)s[i]); i++)
		;
	if (i == rest)
		return false;
	if (i < n && s[i] == '!') {
		for (rest = ++i; i < n && isdigit((unsigned char)s[i]); i++)
			;
		if (i == rest)
			return false;
		if (i < n && strchr("kmgt", s[i]) != NULL)
			i++;
	}
	return i == n;
}

/* dmarc-urilist: true if at least one URI in the list is valid (RFC 9989
 * 4.10.1 asks for "at least one syntactically valid reporting URI"). */
static bool
urilist_ok(const char *v, size_t n)
{
	const char *p = v, *e = v + n, *c, *t;
	bool any = false;

	while (p < e) {
		c = memchr(p, ',', (size_t)(e - p));
		if (c == NULL)
			c = e;
		t = c;
		while (t > p && is_wsp(t[-1]))
			t--;
		p = skip_wsp(p, t);
		if (uri_ok(p, (size_t)(t - p)))
			any = true;
		p = c < e ? c + 1 : e;
	}
	return any;
}

/* dmarc-fo: 0, 1, d, s separated by ':' (each at most once). */
static bool
fo_ok(const char *v, size_t n)
{
	unsigned seen = 0, bit;

	for (size_t i = 0; i < n; i++) {
		const char *k = strchr("01ds", v[i]);

		if (v[i] == 0 || k == NULL)
			return false;
		bit = 1u << (k - "01ds");
		if ((seen & bit) || (i + 1 < n && v[i + 1] != ':'))
			return false;
		seen |= bit;
		i++;
	}
	return seen != 0 && (seen & 3) != 3;
}

static bool
digits(const char *v, size_t n, unsigned long max, unsigned long *out)
{
	unsigned long x = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i]))
			return false;
		x = x * 10 + (unsigned long)(v[i] - '0');
		if (x > max)
			return false;
	}
	*out = x;
	return true;
}

static void
rec_error(struct dmarc_record *r, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (r->error != NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->error = xstrdup(msg);
}

static bool
is_rors(const char *v, size_t n, bool *strict)
{
	if (ci_eq(v, n, "r") || ci_eq(v, n, "s")) {
		*strict = ci_eq(v, n, "s");
		return true;
	}
	return false;
}

/* One tag=value of the remainder; name and value already trimmed. */
static void
rec_tag(struct dmarc_record *r, enum dmarc_discovery mode, const char *name,
    size_t nn, const char *v, size_t vn)
{
	bool bis = mode == DMARC_TREEWALK;
	unsigned long x;

	if (ci_eq(name, nn, "p")) {
		r->p = parse_request(v, vn);
		r->p_bad = r->p == DMARC_POLICY_UNSET;
	} else if (ci_eq(name, nn, "sp")) {
		r->sp = parse_request(v, vn);
		r->sp_bad = r->sp == DMARC_POLICY_UNSET;
	} else if (bis && ci_eq(name, nn, "np")) {
		r->np = parse_request(v, vn);
		r->np_bad = r->np == DMARC_POLICY_UNSET;
	} else if (ci_eq(name, nn, "adkim")) {
		if (!is_rors(v, vn, &r->adkim_strict))
			rec_error(r, "adkim=%.*s is not r or s", (int)vn, v);
	} else if (ci_eq(name, nn, "aspf")) {
		if (!is_rors(v, vn, &r->aspf_strict))
			rec_error(r, "aspf=%.*s is not r or s", (int)vn, v);
	} else if (bis && ci_eq(name, nn, "psd")) {
		if (vn == 1 && strchr("ynuYNU", v[0]) != NULL && v[0])
			r->psd = (char)tolower((unsigned char)v[0]);
		else
			rec_error(r, "psd=%.*s is not y, n or u", (int)vn, v);
	} else if (bis && ci_eq(name, nn, "t")) {
		if (ci_eq(v, vn, "y") || ci_eq(v, vn, "n"))
			r->testing = ci_eq(v, vn, "y");
		else
			rec_error(r, "t=%.*s is not y or n", (int)vn, v);
	} else if (ci_eq(name, nn, "rua")) {
		r->rua_ok = urilist_ok(v, vn);
		if (!r->rua_ok)
			rec_error(r, "rua= holds no valid URI");
	} else if (ci_eq(name, nn, "ruf")) {
		if (!urilist_ok(v, vn))
			rec_error(r, "ruf= holds no valid URI");
	} else if (ci_eq(name, nn, "fo")) {
		if (!fo_ok(v, vn))
			rec_error(r, "fo=%.*s is not valid", (int)vn, v);
	} else if (!bis && ci_eq(name, nn, "pct")) {
		if (digits(v, vn, 100, &x))
			r->pct = (int)x;
		else
			rec_error(r, "pct=%.*s is not 0 to 100", (int)vn, v);
	} else if (!bis && ci_eq(name, nn, "ri")) {
		if (!digits(v, vn, 4294967295UL, &x))
			rec_error(r, "ri=%.*s is not a number", (int)vn, v);
	} else if (!bis && ci_eq(name, nn, "rf")) {
		if (!ci_eq(v, vn, "afrf"))
			rec_error(r, "rf=%.*s is not afrf", (int)vn, v);
	}
	/* RFC 9989 4.7: unknown tags MUST be ignored (pct, rf, ri are
	 * unknown to RFC 9989: A.6, C.5.2; psd, np, t to RFC 7489). */
}

/* dmarc-tag = 1*ALPHA equals 1*dmarc-value, in seg[0..n) (trimmed). */
static void
rec_segment(struct dmarc_record *r, enum dmarc_discovery mode,
    const char *seg, size_t n, unsigned *seen)
{
	static const char *const known[] = { "p", "sp", "np", "adkim",
	    "aspf", "psd", "t", "rua", "ruf", "fo", "pct", "ri", "rf", "v" };
	const char *e = seg + n, *p = seg, *name = seg, *v;
	size_t nn;

	while (p < e && isalpha((unsigned char)*p))
		p++;
	nn = (size_t)(p - name);
	p = skip_wsp(p, e);
	if (nn == 0 || p == e || *p != '=') {
		rec_error(r, "RFC 9989 4.8: \"%.*s\" is not tag=value",
		    (int)(n > 40 ? 40 : n), seg);
		return;
	}
	v = skip_wsp(p + 1, e);
	for (p = v; p < e; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c > 0x7e) {
			rec_error(r, "RFC 9989 4.8: bad character in %.*s=",
			    (int)nn, name);
			return;
		}
	}
	if (v == e) {
		rec_error(r, "RFC 9989 4.8: %.*s= has no value", (int)nn, name);
		return;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (!ci_eq(name, nn, known[i]))
			continue;
		if (*seen & (1u << i)) {
			rec_error(r, "duplicate tag %.*s: first kept",
			    (int)nn, name);
			return;
		}
		*seen |= 1u << i;
	}
	rec_tag(r, mode, name, nn, v, (size_t)(e - v));
}

/* dmarc-version = "v" equals %s"DMARC1", first (RFC 9989 4.7 v).
 * Returns the pointer past it (at ";" or the end), or NULL. */
static const char *
rec_version(const char *p, const char *e)
{
	p = skip_wsp(p, e);
	if (p == e || (*p != 'v' && *p != 'V'))
		return NULL;
	p = skip_wsp(p + 1, e);
	if (p == e || *p != '=')
		return NULL;
	p = skip_wsp(p + 1, e);
	if ((size_t)(e - p) < 6 || memcmp(p, "DMARC1", 6) != 0)
		return NULL;
	p = skip_wsp(p + 6, e);
	return p == e || *p == ';' ? p : NULL;
}

int
dmarc_record_parse(const char *txt, size_t len, enum dmarc_discovery mode,
    struct dmarc_record *r)
{
	const char *e = txt + len, *p, *c, *s, *t;
	unsigned seen = 1u << 13;	/* "v" */

	if ((p = rec_version(txt, e)) == NULL)
		return 0;
	memset(r, 0, sizeof(*r));
	r->text = xstrndup(txt, len);
	r->psd = 'u';
	r->pct = 100;
	while (p < e) {
		/* dmarc-sep = *WSP ";" *WSP */
		p++;
		c = memchr(p, ';', (size_t)(e - p));
		if (c == NULL)
			c = e;
		s = skip_wsp(p, c);
		for (t = c; t > s && is_wsp(t[-1]); t--)
			;
		if (s == t && c != e)
			rec_error(r, "RFC 9989 4.8: empty tag between ';'");
		else if (s != t)
			rec_segment(r, mode, s, (size_t)(t - s), &seen);
		p = c;
	}
	return 1;
}

void
dmarc_record_free(struct dmarc_record *r)
{
	free(r->text);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

/* ---- evaluation ---- */

enum lk_state {
	LK_NONE,		/* no DMARC record: NXDOMAIN, NODATA, other TXT */
	LK_RECORD,		/* exactly one DMARC record */
	LK_MULTI,		/* several DMARC records (RFC 9989 4.10 step 2) */
	LK_TEMP,		/* no answer: time-out, SERVFAIL */
};

/* One _dmarc name asked, remembered for the evaluation. */
struct lookup {
	char			*domain;
	enum lk_state		 state;
	struct dmarc_record	 rec;
};

struct ctx {
	struct dns			*dns;
	const struct dmarc_input	*in;
	struct dmarc_result		*res;
	struct lookup			**lk;	/* stable addresses */
	size_t				 nlk;
	char				*author_org;	/* lazily */
	bool				 author_org_temp;
};

/* The tree walk's findings, longest name first. */
struct walk {
	const char	*name[DMARC_WALK_MAX];	/* into the start name */
	struct lookup	*hit[DMARC_WALK_MAX];
	size_t		 n;
	bool		 temp;		/* a query got no answer */
};

static void
trace(struct ctx *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (c->in->trace == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->in->trace(c->in->trace_arg, line);
}

static void
add_query(struct ctx *c, const char *name, int status, size_t records)
{
	struct dmarc_result *r = c->res;

	r->queries = xreallocarray(r->queries, r->nqueries + 1,
	    sizeof(*r->queries));
	r->queries[r->nqueries].name = xstrdup(name);
	r->queries[r->nqueries].status = status;
	r->queries[r->nqueries].records = records;
	r->nqueries++;
}

/* Read one answer's TXT records into lk (RFC 9989 4.10 steps 1-2). */
static void
read_answer(struct ctx *c, struct lookup *lk, const struct dns_answer *ans)
{
	struct dmarc_record rec;
	size_t n = 0;

	for (size_t i = 0; i < ans->n; i++) {
		const struct dns_rr *rr = &ans->rr[i];

		if (dmarc_record_parse((const char *)rr->data, rr->len,
		    c->in->discovery, &rec) != 1)
			continue;
		trace(c, "_dmarc.%s: DMARC record \"%.*s\"", lk->domain,
		    (int)(rr->len > 512 ? 512 : rr->len),
		    (const char *)rr->data);
		if (n++ == 0)
			lk->rec = rec;
		else
			dmarc_record_free(&rec);
	}
	lk->state = n == 0 ? LK_NONE : n == 1 ? LK_RECORD : LK_MULTI;
	if (n > 1) {
		dmarc_record_free(&lk->rec);
		trace(c, "_dmarc.%s: %zu DMARC records: all discarded "
		    "(RFC 9989 4.10 step 2)", lk->domain, n);
	}
}

/* The DMARC records at _dmarc.<domain>, asked once per evaluation. */
static struct lookup *
lookup(struct ctx *c, const char *domain)
{
	const struct dns_answer *ans;
	struct lookup *lk;
	struct buf name = { 0 };

	for (size_t i = 0; i < c->nlk; i++)
		if (strcmp(c->lk[i]->domain, domain) == 0)
			return c->lk[i];
	c->lk = xreallocarray(c->lk, c->nlk + 1, sizeof(*c->lk));
	lk = c->lk[c->nlk++] = xcalloc(1, sizeof(*lk));
	lk->domain = xstrdup(domain);
	if (c->in->record != NULL && strcmp(domain, c->in->author) == 0) {
		lk->state = dmarc_record_parse(c->in->record,
		    strlen(c->in->record), c->in->discovery, &lk->rec) ?
		    LK_RECORD : LK_NONE;
		trace(c, "_dmarc.%s: the record given (--record): %s", domain,
		    lk->state == LK_RECORD ? "a DMARC record" :
		    "not a DMARC record");
		return lk;
	}
	buf_printf(&name, "_dmarc.%s", domain);
	ans = dns_query(c->dns, name.p, DNS_T_TXT);
	if (ans->status == DNS_TIMEOUT || ans->status == DNS_SERVFAIL) {
		lk->state = LK_TEMP;
		trace(c, "%s: %s", name.p, dns_status_name(ans->status));
	} else if (ans->status == DNS_OK) {
		read_answer(c, lk, ans);
	} else {
		lk->state = LK_NONE;
	}
	add_query(c, name.p, (int)ans->status,
	    lk->state == LK_RECORD ? 1 : lk->state == LK_MULTI ? 2 : 0);
	buf_free(&name);
	return lk;
}

/* Offsets of the labels of name, left to right; returns the count. */
static size_t
labels(const char *name, const char **lab, size_t max)
{
	size_t n = 0;
	const char *p = name;

	while (*p) {
		if (n < max)
			lab[n] = p;
		n++;
		p = strchr(p, '.');
		if (p == NULL)
			break;
		p++;
	}
	return n;
}

#define LABELS_MAX	128	/* a 253-octet name has at most 127 labels */

/*
 * The DNS Tree Walk of RFC 9989 4.10 from start (queried first): up to
 * DMARC_WALK_MAX names, a name of 8 or more labels cut to 7 labels after
 * the first query (step 4), then one label at a time; stops at a record
 * with psd=y or psd=n (steps 2 and 6) and at a DNS failure.  A name with
 * several records has them all discarded (step 2): the walk goes on.
 */
static void
walk(struct ctx *c, const char *start, struct walk *w)
{
	const char *lab[LABELS_MAX];
	size_t x = labels(start, lab, LABELS_MAX), k = x;
	struct lookup *lk;

	memset(w, 0, sizeof(*w));
	if (x > LABELS_MAX)
		return;
	while (k >= 1) {
		const char *name = lab[x - k];

		lk = lookup(c, name);
		if (lk->state == LK_TEMP) {
			w->temp = true;
			return;
		}
		if (lk->state == LK_RECORD && w->n < DMARC_WALK_MAX) {
			w->name[w->n] = name;
			w->hit[w->n++] = lk;
			if (lk->rec.psd == 'y' || lk->rec.psd == 'n')
				return;
		}
		k = k > DMARC_WALK_LABELS ? DMARC_WALK_LABELS : k - 1;
	}
}

/*
 * The Organizational Domain from a walk from start (RFC 9989 4.10.2):
 * a psd=n record's domain; one label below a psd=y record's domain (when
 * that is not start itself); else the record with the fewest labels; no
 * record at all: start.
 */
static char *
org_from_walk(const char *start, const struct walk *w)
{
	const char *last, *p;

	if (w->n == 0)
		return xstrdup(start);
	last = w->name[w->n - 1];
	if (w->hit[w->n - 1]->rec.psd == 'y' && last != start) {
		/* last points into start, after a '.' */
		for (p = last - 1; p > start && p[-1] != '.'; p--)
			;
		return xstrdup(p);
	}
	return xstrdup(last);
}

/* The Organizational Domain of domain under the chosen method; NULL when
 * a DNS failure leaves it undecided. */
static char *
org_domain(struct ctx *c, const char *domain)
{
	struct walk w;
	char *org;

	if (c->in->discovery == DMARC_PSL)
		return psl_org_domain(c->in->psl, domain);
	walk(c, domain, &w);
	if (w.temp) {
		trace(c, "%s: Organizational Domain undecided: DNS failure",
		    domain);
		return NULL;
	}
	org = org_from_walk(domain, &w);
	trace(c, "%s: Organizational Domain %s (RFC 9989 4.10.2)", domain,
	    org);
	return org;
}

static const char *
author_org(struct ctx *c)
{
	if (c->author_org == NULL && !c->author_org_temp) {
		c->author_org = org_domain(c, c->in->author);
		c->author_org_temp = c->author_org == NULL;
	}
	return c->author_org;
}

static void
set_reason(struct dmarc_result *r, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;
	char tmp[512];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	buf_adds(&b, tmp);
	free(r->reason);
	r->reason = buf_steal(&b);
}

/* Policy discovery, RFC 9989 4.10.1.  Returns the record's lookup, or
 * NULL with res->verdict set (none, temperror). */
static struct lookup *
discover_treewalk(struct ctx *c)
{
	struct dmarc_result *r = c->res;
	const char *author = c->in->author;
	struct lookup *lk = lookup(c, author);
	struct walk w;

	if (lk->state == LK_RECORD) {
		r->policy_domain = xstrdup(author);
		return lk;
	}
	walk(c, author, &w);
	if (w.temp) {
		r->verdict = VERDICT_TEMPERROR;
		set_reason(r, "DNS failure looking up DMARC records "
		    "(RFC 9989 4.10.1)");
		return NULL;
	}
	c->author_org = org_from_walk(author, &w);
	r->org_domain = xstrdup(c->author_org);
	for (size_t i = 0; i < w.n; i++) {
		if (strcmp(w.name[i], c->author_org) == 0) {
			r->policy_domain = xstrdup(w.name[i]);
			return w.hit[i];
		}
	}
	if (w.n > 0 && w.hit[w.n - 1]->rec.psd == 'y') {
		r->policy_domain = xstrdup(w.name[w.n - 1]);
		return w.hit[w.n - 1];
	}
	r->verdict = VERDICT_NONE;
	set_reason(r, "no DMARC policy record for %s (RFC 9989 4.10.1)",
	    author);
	return NULL;
}

/* Policy discovery, RFC 7489 6.6.3: the Author Domain, then its
 * Organizational Domain from the public suffix list. */
static struct lookup *
discover_psl(struct ctx *c)
{
	struct dmarc_result *r = c->res;
	const char *author = c->in->author;
	struct lookup *lk = lookup(c, author);

	c->author_org = psl_org_domain(c->in->psl, author);
	r->org_domain = xstrdup(c->author_org);
	if (lk->state == LK_RECORD) {
		r->policy_domain = xstrdup(author);
		return lk;
	}
	if (lk->state == LK_NONE && strcmp(c->author_org, author) != 0)
		lk = lookup(c, c->author_org);
	if (lk->state == LK_RECORD) {
		r->policy_domain = xstrdup(lk->domain);
		return lk;
	}
	if (lk->state == LK_TEMP) {
		r->verdict = VERDICT_TEMPERROR;
		set_reason(r, "DNS failure looking up DMARC records "
		    "(RFC 7489 6.6.3)");
	} else if (lk->state == LK_MULTI) {
		r->verdict = VERDICT_NONE;
		set_reason(r, "several DMARC records at _dmarc.%s "
		    "(RFC 7489 6.6.3 step 5)", lk->domain);
	} else {
		r->verdict = VERDICT_NONE;
		set_reason(r, "no DMARC policy record for %s "
		    "(RFC 7489 6.6.3)", author);
	}
	return NULL;
}

/* RFC 9989 A.4: a domain exists if any RR exists for it; NXDOMAIN says
 * it does not (RFC 8020).  Returns 1, 0, or -1 when no query answered. */
static int
domain_exists(struct ctx *c, const char *domain)
{
	static const enum dns_type types[] = { DNS_T_A, DNS_T_AAAA,
	    DNS_T_MX };
	const struct dns_answer *ans;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		ans = dns_query(c->dns, domain, types[i]);
		if (ans->status == DNS_OK || ans->status == DNS_NODATA)
			return 1;
		if (ans->status == DNS_NXDOMAIN)
			return 0;
	}
	return -1;
}

static enum dmarc_policy
stricter(enum dmarc_policy a, enum dmarc_policy b)
{
	return a > b ? a : b;
}

/* p, or for a subdomain of the policy domain sp / np (RFC 9989 4.10.1,
 * 4.7 np and sp; RFC 7489 6.3 sp). */
static void
choose_policy(struct ctx *c, const struct dmarc_record *rec)
{
	struct dmarc_result *r = c->res;
	enum dmarc_policy sp, np;
	int ex;

	if (strcmp(r->policy_domain, c->in->author) == 0) {
		r->published = rec->p;
		r->source = "p";
		return;
	}
	sp = rec->sp != DMARC_POLICY_UNSET ? rec->sp : rec->p;
	np = rec->np != DMARC_POLICY_UNSET ? rec->np : sp;
	r->published = sp;
	r->source = rec->sp != DMARC_POLICY_UNSET ? "sp" : "p";
	if (np == sp)
		return;
	/* np differs: does the Author Domain exist?  (RFC 9989 3.2.13) */
	ex = domain_exists(c, c->in->author);
	r->exists_checked = ex >= 0;
	r->exists = ex == 1;
	if (ex == 0) {
		r->published = np;
		r->source = "np";
	} else if (ex < 0) {
		/* undecided: never the laxer of the two */
		r->published = stricter(sp, np);
		if (r->published == np)
			r->source = "np";
	}
	trace(c, "%s %s: %s=%s applies", c->in->author,
	    ex == 1 ? "exists" : ex == 0 ? "does not exist" :
	    "existence unknown (DNS failure)", r->source,
	    dmarc_policy_name(r->published));
}

/* RFC 9989 4.10.1: a record without a valid p (or with a bad sp or np)
 * counts as p=none if rua= has a valid URI, else nothing is applied. */
static bool
usable_record(struct ctx *c, struct dmarc_record *rec)
{
	if (rec->p != DMARC_POLICY_UNSET && !rec->sp_bad && !rec->np_bad)
		return true;
	if (!rec->rua_ok) {
		c->res->verdict = VERDICT_NONE;
		set_reason(c->res, "the DMARC record at _dmarc.%s has no valid "
		    "p=%s and no valid rua=: no DMARC processing "
		    "(RFC 9989 4.10.1)", c->res->policy_domain,
		    rec->sp_bad || rec->np_bad ? " (or a bad sp=/np=)" : "");
		return false;
	}
	rec->p = DMARC_POLICY_NONE;
	rec->sp = rec->np = DMARC_POLICY_UNSET;
	trace(c, "no valid p= but a valid rua=: taken as p=none "
	    "(RFC 9989 4.10.1)");
	return true;
}

static char *
lower_dup(const char *s)
{
	char *d = xstrdup(s);
	size_t n = strlen(d);

	for (char *p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (n > 1 && d[n - 1] == '.')
		d[n - 1] = '\0';
	return d;
}

static void
ident_why(struct dmarc_ident *id, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	id->why = xstrdup(tmp);
}

/*
 * Identifier Alignment of one authenticated identifier (RFC 9989 4.4,
 * 3.2.10): identical (strict or relaxed), or the same Organizational
 * Domain (relaxed).  Only results that could count are walked: pass, and
 * temperror (which may turn the outcome into temperror).
 */
static void
align(struct ctx *c, const struct dmarc_auth *a, bool strict,
    struct dmarc_ident *id)
{
	const char *author = c->in->author, *aorg;
	bool matches = false;

	id->domain = lower_dup(a->domain);
	id->verdict = a->verdict;
	if (a->verdict != VERDICT_PASS && a->verdict != VERDICT_TEMPERROR) {
		ident_why(id, "not authenticated");
		return;
	}
	if (strcmp(id->domain, author) == 0) {
		matches = true;
		ident_why(id, "identical to the Author Domain");
	} else if (strict) {
		ident_why(id, "strict alignment: not identical to %s", author);
	} else {
		aorg = author_org(c);
		id->org = org_domain(c, id->domain);
		if (aorg == NULL || id->org == NULL) {
			id->unknown = true;
			ident_why(id, "Organizational Domain undecided: DNS "
			    "failure");
		} else if (strcmp(aorg, id->org) == 0) {
			matches = true;
			ident_why(id, "relaxed: same Organizational Domain %s",
			    aorg);
		} else {
			ident_why(id, "relaxed: Organizational Domain %s, "
			    "not %s", id->org, aorg);
		}
	}
	id->aligned = matches && a->verdict == VERDICT_PASS;
	if (a->verdict == VERDICT_TEMPERROR && (matches || id->unknown))
		id->unknown = true;
}

static void
reason_ident(struct buf *b, const char *method, const struct dmarc_ident *id)
{
	if (b->len)
		buf_adds(b, "; ");
	buf_printf(b, "%s %s %s: %s%s", method, id->domain,
	    verdict_name(id->verdict),
	    id->aligned ? "aligned, " : id->verdict == VERDICT_PASS ?
	    "not aligned, " : "", id->why);
}

static void
check_alignment(struct ctx *c, const struct dmarc_record *rec)
{
	struct dmarc_result *r = c->res;
	const struct dmarc_input *in = c->in;
	size_t n = in->ndkim > DMARC_DKIM_MAX ? DMARC_DKIM_MAX : in->ndkim;
	bool pass = false, unknown = false;
	struct buf b = { 0 };

	if (in->spf.domain != NULL && in->spf.verdict != VERDICT_NONE) {
		align(c, &in->spf, rec->aspf_strict, &r->spf);
		pass |= r->spf.aligned;
		unknown |= r->spf.unknown;
		reason_ident(&b, "spf", &r->spf);
		trace(c, "spf %s: %s", r->spf.domain, r->spf.why);
	}
	r->dkim = xcalloc(n ? n : 1, sizeof(*r->dkim));
	for (size_t i = 0; i < n; i++) {
		if (in->dkim[i].domain == NULL)
			continue;
		align(c, &in->dkim[i], rec->adkim_strict, &r->dkim[r->ndkim]);
		pass |= r->dkim[r->ndkim].aligned;
		unknown |= r->dkim[r->ndkim].unknown;
		reason_ident(&b, "dkim", &r->dkim[r->ndkim]);
		trace(c, "dkim %s: %s", r->dkim[r->ndkim].domain,
		    r->dkim[r->ndkim].why);
		r->ndkim++;
	}
	if (b.len == 0)
		buf_adds(&b, "no SPF or DKIM result");
	r->verdict = pass ? VERDICT_PASS :
	    unknown ? VERDICT_TEMPERROR : VERDICT_FAIL;
	free(r->reason);
	r->reason = buf_steal(&b);
}

static enum dmarc_policy
one_below(enum dmarc_policy p)
{
	return p == DMARC_POLICY_REJECT ? DMARC_POLICY_QUARANTINE :
	    DMARC_POLICY_NONE;
}

/* The policy to apply after the verdict: RFC 9989 4.7 t, RFC 7489 6.6.4. */
static void
apply_policy(struct ctx *c, const struct dmarc_record *rec)
{
	struct dmarc_result *r = c->res;
	struct buf b = { 0 };

	r->sampled = true;
	if (r->verdict == VERDICT_PASS) {
		r->applied = DMARC_POLICY_NONE;
		return;
	}
	if (r->verdict != VERDICT_FAIL)
		return;
	r->applied = r->published;
	buf_adds(&b, r->reason);
	if (c->in->discovery == DMARC_TREEWALK && rec->testing &&
	    r->applied != DMARC_POLICY_NONE) {
		r->applied = one_below(r->applied);
		buf_printf(&b, "; t=y: %s applied, one level below "
		    "(RFC 9989 4.7)", dmarc_policy_name(r->applied));
	}
	if (c->in->discovery == DMARC_PSL && rec->pct < 100) {
		r->sampled = c->in->pct_sample < rec->pct;
		if (!r->sampled && r->applied != DMARC_POLICY_NONE) {
			r->applied = one_below(r->applied);
			buf_printf(&b, "; pct=%d did not sample this message: "
			    "%s applied (RFC 7489 6.6.4)", rec->pct,
			    dmarc_policy_name(r->applied));
		}
	}
	free(r->reason);
	r->reason = buf_steal(&b);
}

int
dmarc_eval(struct dns *dns, const struct dmarc_input *in,
    struct dmarc_result *res, struct diag *d)
{
	struct ctx c = { .dns = dns, .in = in, .res = res };
	struct lookup *lk;

	memset(res, 0, sizeof(*res));
	if (in->author == NULL || *in->author == '\0')
		return diag_set(d, "DMARC: no Author Domain");
	if (in->discovery == DMARC_PSL && in->psl == NULL)
		return diag_set(d, "DMARC: RFC 7489 discovery needs a public "
		    "suffix list");
	res->author = xstrdup(in->author);
	lk = in->discovery == DMARC_PSL ? discover_psl(&c) :
	    discover_treewalk(&c);
	if (lk != NULL && usable_record(&c, &lk->rec)) {
		res->have_record = true;
		choose_policy(&c, &lk->rec);
		check_alignment(&c, &lk->rec);
		apply_policy(&c, &lk->rec);
		res->rec = lk->rec;
		memset(&lk->rec, 0, sizeof(lk->rec));
		if (res->org_domain == NULL && c.author_org != NULL)
			res->org_domain = xstrdup(c.author_org);
	}
	for (size_t i = 0; i < c.nlk; i++) {
		free(c.lk[i]->domain);
		dmarc_record_free(&c.lk[i]->rec);
		free(c.lk[i]);
	}
	free(c.lk);
	free(c.author_org);
	return 0;
}

static void
ident_free(struct dmarc_ident *id)
{
	free(id->domain);
	free(id->org);
	free(id->why);
}

void
dmarc_result_free(struct dmarc_result *res)
{
	free(res->author);
	free(res->reason);
	free(res->policy_domain);
	free(res->org_domain);
	dmarc_record_free(&res->rec);
	ident_free(&res->spf);
	for (size_t i = 0; i < res->ndkim; i++)
		ident_free(&res->dkim[i]);
	free(res->dkim);
	for (size_t i = 0; i < res->nqueries; i++)
		free(res->queries[i].name);
	free(res->queries);
	free(res->override);
	memset(res, 0, sizeof(*res));
}

/* The first aligned DKIM d=, or "no". */
static const char *
dkim_aligned(const struct dmarc_result *res)
{
	for (size_t i = 0; i < res->ndkim; i++)
		if (res->dkim[i].aligned)
			return res->dkim[i].domain;
	return "no";
}

void
dmarc_result_kv(const struct dmarc_result *res, bool brief, struct buf *b)
{
	const struct dmarc_record *rec = &res->rec;
	bool decided = res->verdict == VERDICT_PASS ||
	    res->verdict == VERDICT_FAIL;

	kv_add(b, "dmarc", verdict_name(res->verdict));
	if (res->reason != NULL && (!brief || !decided))
		kv_add(b, "reason", res->reason);
	if (res->author != NULL)
		kv_add(b, "header.from", res->author);
	if (!res->have_record)
		return;
	if (decided)
		kv_add(b, "policy.dmarc", dmarc_policy_name(res->applied));
	if (res->override != NULL) {
		kv_add(b, "policy.override", "local_policy");
		kv_add(b, "policy.override-comment", res->override);
	}
	kv_add(b, "policy.published", dmarc_policy_name(res->published));
	if (brief)
		return;
	kv_add(b, "policy.source", res->source);
	kv_add(b, "policy.domain", res->policy_domain);
	if (res->org_domain != NULL)
		kv_add(b, "policy.org", res->org_domain);
	kv_add(b, "policy.adkim", rec->adkim_strict ? "s" : "r");
	kv_add(b, "policy.aspf", rec->aspf_strict ? "s" : "r");
	if (rec->testing)
		kv_add(b, "policy.testing", "y");
	if (rec->pct < 100) {
		buf_printf(b, " policy.pct=%d", rec->pct);
		kv_add(b, "policy.sampled", res->sampled ? "yes" : "no");
	}
	if (res->exists_checked)
		kv_add(b, "policy.exists", res->exists ? "yes" : "no");
	if (rec->error != NULL)
		kv_add(b, "policy.warning", rec->error);
	kv_add(b, "spf.aligned", res->spf.aligned ? res->spf.domain : "no");
	kv_add(b, "dkim.aligned", dkim_aligned(res));
}

int
dmarc_strictness(const struct dmarc_result *res)
{
	switch (res->verdict) {
	case VERDICT_PASS:
		return 0;
	case VERDICT_NONE:
		return 1;
	case VERDICT_TEMPERROR:
	case VERDICT_PERMERROR:
		return 3;
	case VERDICT_FAIL:
		return res->applied == DMARC_POLICY_REJECT ? 5 :
		    res->applied == DMARC_POLICY_QUARANTINE ? 4 : 2;
	default:
		return 3;
	}
}

/* ---- Author Domains from From (RFC 9989 4.2, 5.3.1, 11.5) ---- */

int
dmarc_authors_text(const char *value, size_t len, struct dmarc_authors *a,
    struct diag *d)
{
	struct addr_list l;
	struct diag pd;
	char *dom;
	int rc = 0;

	memset(a, 0, sizeof(*a));
	if (addr_parse(value, len, &l, &pd) == -1) {
		addr_list_free(&l);
		return diag_set(d, "From: %s", pd.msg);
	}
	a->addresses = l.n;
	if (l.n == 0)
		rc = diag_set(d, "From: RFC 9989 5.3.1: no address");
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		size_t k;

		if ((dom = addr_domain(&l.mb[i], &pd)) == NULL) {
			rc = diag_set(d, "From: %s", pd.msg);
			break;
		}
		for (k = 0; k < a->n && strcmp(a->domain[k], dom) != 0; k++)
			;
		if (k < a->n) {
			free(dom);
			continue;
		}
		if (a->n == DMARC_AUTHORS_MAX) {
			free(dom);
			rc = diag_set(d, "RFC 9989 11.5: more than %d Author "
			    "Domains in From", DMARC_AUTHORS_MAX);
			break;
		}
		a->domain = xreallocarray(a->domain, a->n + 1,
		    sizeof(*a->domain));
		a->domain[a->n++] = dom;
	}
	addr_list_free(&l);
	return rc;
}

int
dmarc_authors_msg(const struct msg *m, struct dmarc_authors *a,
    struct diag *d)
{
	size_t n = msg_count(m, "From");
	const struct msg_field *f;

	memset(a, 0, sizeof(*a));
	if (n == 0)
		return diag_set(d, "RFC 9989 4.2: no From field");
	if (n > 1)
		return diag_set(d, "RFC 9989 4.4: %zu From fields "
		    "(RFC 5322 3.6 allows one)", n);
	f = &m->f[msg_find(m, "From", 0)];
	return dmarc_authors_text(f->value, f->valuelen, a, d);
}

void
dmarc_authors_free(struct dmarc_authors *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->domain[i]);
	free(a->domain);
	memset(a, 0, sizeof(*a));
}

void
dmarc_result_permerror(struct dmarc_result *res, const char *author,
    const char *reason)
{
	memset(res, 0, sizeof(*res));
	res->verdict = VERDICT_PERMERROR;
	res->author = author ? xstrdup(author) : NULL;
	res->reason = xstrdup(reason);
}
