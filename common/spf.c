/*
 * check_host() (RFC 7208 4) and the identity order (RFC 7208 2.3, 2.4).
 *
 * One struct ctx per identity check carries the counters of RFC 7208
 * 4.6.4 (one global limit across include and redirect, 4.1), the term
 * that decided, and the explanation source.  Each mechanism is a small
 * function returning match, no match or an exception (RFC 7208 4.6.2).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "diag.h"
#include "dns.h"
#include "spf.h"
#include "spf_impl.h"

#define TRACE_TEXT_MAX	200	/* record text shown per trace line */

/* A mechanism's outcome (RFC 7208 4.6.2). */
enum mres {
	M_NOMATCH,
	M_MATCH,
	M_PERM,
	M_TEMP,
};

/* What a domain-spec expanded to. */
enum tgt {
	T_OK,
	T_INVALID,	/* not a query name: treated as nonexistent (4.8) */
	T_TOOLONG,	/* expansion over SPF_EXPAND_MAX */
};

/* Parsed records of one check; heap nodes so pointers stay valid while
 * an include or redirect parses more. */
struct cached {
	struct cached		*next;
	const void		*key;
	struct spf_record	 rec;
};

struct ctx {
	struct dns		*dns;
	const struct spf_request *req;
	struct spf_ip		 ip;
	const char		*sender;
	const char		*local;
	const char		*sdomain;
	const char		*record_domain;
	const char		*cur_domain;	/* for %{p} */
	unsigned		 lookups;
	unsigned		 voids;
	unsigned		 in_include;
	bool			 expired;
	struct timespec		 start;
	spf_trace_fn		*trace;
	void			*targ;
	struct buf		 tline;
	struct buf		 why;		/* none/permerror/temperror */
	struct buf		 mech;		/* the term that decided */
	struct buf		 where;		/* the domain of its record */
	const struct spf_term	*exp;		/* exp= of the deciding record */
	struct buf		 exp_domain;
	struct buf		 pname;		/* %{p} value */
	struct cached		*cache;
};

static enum verdict check_host(struct ctx *c, const char *domain);

static void
add_escaped(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
			buf_addc(b, ch);
			continue;
		}
		buf_adds(b, "\\x");
		buf_addc(b, hex[ch >> 4]);
		buf_addc(b, hex[ch & 15]);
	}
}

static void tracef(struct ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
tracef(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->trace == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_reset(&c->tline);
	buf_reserve(&c->tline, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(c->tline.p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	c->tline.len = (size_t)n;
	c->trace(c->targ, c->tline.p);
}

/* Trace "label: text" with text escaped and shortened. */
static void
trace_text(struct ctx *c, const char *label, const char *s, size_t n)
{
	struct buf b = { 0 };

	if (c->trace == NULL)
		return;
	add_escaped(&b, s, n > TRACE_TEXT_MAX ? TRACE_TEXT_MAX : n);
	tracef(c, "%s\"%s\"%s (%zu octets)", label, b.p ? b.p : "",
	    n > TRACE_TEXT_MAX ? "..." : "", n);
	buf_free(&b);
}

static void set_why(struct ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_why(struct ctx *c, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	buf_reset(&c->why);
	buf_adds(&c->why, tmp);
	tracef(c, "%s", tmp);
}

/* The term as text for messages: escaped, at most 60 octets. */
static const char *
term_str(const struct spf_term *t, char *dst, size_t cap)
{
	diag_escape(dst, cap, t->text, t->textlen);
	return dst;
}

static double
elapsed(const struct ctx *c)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - c->start.tv_sec) +
	    (double)(now.tv_nsec - c->start.tv_nsec) / 1e9;
}

/* dns_query, unless check_host() has run out of time (RFC 7208 4.6.4). */
static const struct dns_answer *
query(struct ctx *c, const char *name, enum dns_type type)
{
	static const struct dns_answer late = { DNS_TIMEOUT, 0, NULL, "spf" };

	if (c->expired || elapsed(c) > SPF_ELAPSED_MAX) {
		c->expired = true;
		return &late;
	}
	return dns_query(c->dns, name, type);
}

static bool
dns_error(const struct dns_answer *a)
{
	return a->status == DNS_TIMEOUT || a->status == DNS_SERVFAIL;
}

static bool
dns_void(const struct dns_answer *a)
{
	return !dns_error(a) && a->n == 0;
}

/* Note a DNS error as the temperror reason (RFC 7208 5, 4.4). */
static enum mres
temp(struct ctx *c, const char *name, enum dns_type type,
    const struct dns_answer *a)
{
	char esc[300];

	diag_escape(esc, sizeof(esc), name, strlen(name));
	if (c->expired)
		set_why(c, "RFC 7208 4.6.4: check_host() took over %d seconds",
		    SPF_ELAPSED_MAX);
	else
		set_why(c, "RFC 7208 5: %s lookup of %s: %s",
		    dns_type_name(type), esc, dns_status_name(a->status));
	return M_TEMP;
}

/* Count a DNS-querying term (RFC 7208 4.6.4); false when over. */
static bool
count_lookup(struct ctx *c, const struct spf_term *t)
{
	char ts[80];

	if (++c->lookups <= SPF_LOOKUP_MAX)
		return true;
	set_why(c, "RFC 7208 4.6.4: more than %d DNS-querying terms (at %s)",
	    SPF_LOOKUP_MAX, term_str(t, ts, sizeof(ts)));
	return false;
}

/* Count a void lookup (RFC 7208 4.6.4, 11.1); false when over. */
static bool
count_void(struct ctx *c, const struct spf_term *t)
{
	char ts[80];

	if (++c->voids <= SPF_VOID_MAX)
		return true;
	set_why(c, "RFC 7208 4.6.4: more than %d void lookups (at %s)",
	    SPF_VOID_MAX, term_str(t, ts, sizeof(ts)));
	return false;
}

/* The PTR names of the client (RFC 7208 5.5): at most
 * SPF_PTR_NAMES_MAX of them; NULL on a DNS error. */
static const struct dns_answer *
ptr_names(struct ctx *c, size_t *n)
{
	struct buf rev = { 0 };
	const struct dns_answer *a;

	spf_ip_reverse(&c->ip, &rev);
	a = query(c, rev.p, DNS_T_PTR);
	buf_free(&rev);
	*n = a->n > SPF_PTR_NAMES_MAX ? SPF_PTR_NAMES_MAX : a->n;
	return a;
}

/* Whether name has the client's address (RFC 7208 5.5 validation);
 * DNS errors skip the name. */
static bool
validated(struct ctx *c, const char *name)
{
	const struct dns_answer *a;

	a = query(c, name, c->ip.v6 ? DNS_T_AAAA : DNS_T_A);
	for (size_t i = 0; i < a->n; i++)
		if (a->rr[i].len == (c->ip.v6 ? 16u : 4u) &&
		    memcmp(a->rr[i].data, c->ip.a, a->rr[i].len) == 0)
			return true;
	return false;
}

/* %{p} (RFC 7208 7.3): a validated name, preferring <domain>, then a
 * subdomain of it, then any; "unknown" if none. */
static const char *
ptr_macro(void *arg)
{
	struct ctx *c = arg;
	const struct dns_answer *a;
	size_t n;

	a = ptr_names(c, &n);
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < n; i++) {
			const char *name = (const char *)a->rr[i].data;
			bool eq = strcasecmp(name, c->cur_domain) == 0;
			bool sub = !eq && spf_name_within(name, c->cur_domain);

			if ((pass == 0 && !eq) || (pass == 1 && !sub) ||
			    (pass == 2 && (eq || sub)) || !validated(c, name))
				continue;
			buf_reset(&c->pname);
			buf_adds(&c->pname, name);
			return c->pname.p;
		}
	}
	return "unknown";
}

static void
macro_env(struct ctx *c, const char *domain, struct spf_macro_env *env)
{
	memset(env, 0, sizeof(*env));
	env->sender = c->sender;
	env->local = c->local;
	env->sdomain = c->sdomain;
	env->domain = domain;
	env->helo = c->req->helo;
	env->receiver = c->req->receiver;
	env->ip = &c->ip;
	env->now = c->req->now ? c->req->now : (long long)time(NULL);
	env->ptr_name = ptr_macro;
	env->ptr_arg = c;
	c->cur_domain = domain;
}

/* The target-name of t (RFC 7208 4.8): its expanded domain-spec, or
 * <domain> when it has none. */
static enum tgt
target(struct ctx *c, const struct spf_term *t, const char *domain,
    struct buf *name)
{
	struct spf_macro_env env;
	char ts[80];

	if (t->spec == NULL) {
		buf_reset(name);
		buf_adds(name, domain);
		return T_OK;
	}
	macro_env(c, domain, &env);
	if (spf_macro_expand(&env, t->spec, t->speclen, 0, name) == -1) {
		set_why(c, "RFC 7208 7.3: %s: expansion over %d octets",
		    term_str(t, ts, sizeof(ts)), SPF_EXPAND_MAX);
		return T_TOOLONG;
	}
	if (memchr(t->spec, '%', t->speclen))
		trace_text(c, "  expands to ", name->p, name->len);
	if (!spf_target_name(name)) {
		trace_text(c, "  not a valid DNS name (RFC 7208 4.8): ",
		    name->p, name->len);
		return T_INVALID;
	}
	return T_OK;
}

/* Whether ip is among the address records of a (RFC 7208 5). */
static bool
addr_match(const struct ctx *c, const struct spf_term *t,
    const struct dns_answer *a)
{
	unsigned prefix = c->ip.v6 ? t->cidr6 : t->cidr4;
	size_t want = c->ip.v6 ? 16 : 4;

	for (size_t i = 0; i < a->n; i++)
		if (a->rr[i].len == want &&
		    spf_ip_match(&c->ip, a->rr[i].data, prefix))
			return true;
	return false;
}

/* a (RFC 7208 5.3) on an already expanded name. */
static enum mres
mech_a_name(struct ctx *c, const struct spf_term *t, const char *name)
{
	enum dns_type type = c->ip.v6 ? DNS_T_AAAA : DNS_T_A;
	const struct dns_answer *a = query(c, name, type);

	if (dns_error(a))
		return temp(c, name, type, a);
	if (dns_void(a))
		return count_void(c, t) ? M_NOMATCH : M_PERM;
	return addr_match(c, t, a) ? M_MATCH : M_NOMATCH;
}

/* mx (RFC 7208 5.4): more than SPF_MX_NAMES_MAX exchanges is a
 * permerror (4.6.4); no implicit MX. */
static enum mres
mech_mx_name(struct ctx *c, const struct spf_term *t, const char *name)
{
	enum dns_type type = c->ip.v6 ? DNS_T_AAAA : DNS_T_A;
	const struct dns_answer *mx = query(c, name, DNS_T_MX);

	if (dns_error(mx))
		return temp(c, name, DNS_T_MX, mx);
	if (dns_void(mx))
		return count_void(c, t) ? M_NOMATCH : M_PERM;
	if (mx->n > SPF_MX_NAMES_MAX) {
		set_why(c, "RFC 7208 4.6.4: %zu MX names at %s, more than %d",
		    mx->n, name, SPF_MX_NAMES_MAX);
		return M_PERM;
	}
	for (size_t i = 0; i < mx->n; i++) {
		const char *host = (const char *)mx->rr[i].data;
		const struct dns_answer *a;

		if (host[0] == '\0')		/* null MX (RFC 7505) */
			continue;
		a = query(c, host, type);
		if (dns_error(a))
			return temp(c, host, type, a);
		if (addr_match(c, t, a))
			return M_MATCH;
	}
	return M_NOMATCH;
}

/* ptr (RFC 7208 5.5): DNS errors mean no match; only names within the
 * target can match, so only those are validated. */
static enum mres
mech_ptr_name(struct ctx *c, const struct spf_term *t, const char *name)
{
	const struct dns_answer *a;
	size_t n;

	a = ptr_names(c, &n);
	if (dns_error(a))
		return M_NOMATCH;
	if (dns_void(a))
		return count_void(c, t) ? M_NOMATCH : M_PERM;
	for (size_t i = 0; i < n; i++) {
		const char *p = (const char *)a->rr[i].data;

		if (spf_name_within(p, name) && validated(c, p))
			return M_MATCH;
	}
	return M_NOMATCH;
}

/* exists (RFC 7208 5.7): an A query whatever the client's family. */
static enum mres
mech_exists_name(struct ctx *c, const struct spf_term *t, const char *name)
{
	const struct dns_answer *a = query(c, name, DNS_T_A);

	if (dns_error(a))
		return temp(c, name, DNS_T_A, a);
	if (dns_void(a))
		return count_void(c, t) ? M_NOMATCH : M_PERM;
	return M_MATCH;
}

/* include (RFC 7208 5.2): the table of recursive results. */
static enum mres
mech_include_name(struct ctx *c, const struct spf_term *t,
    const char *name)
{
	enum verdict v;
	char ts[80];

	c->in_include++;
	v = check_host(c, name);
	c->in_include--;
	switch (v) {
	case VERDICT_PASS:
		return M_MATCH;
	case VERDICT_TEMPERROR:
		return M_TEMP;
	case VERDICT_PERMERROR:
		return M_PERM;
	case VERDICT_NONE:
		set_why(c, "RFC 7208 5.2: %s: no SPF record at the target "
		    "(%s)", term_str(t, ts, sizeof(ts)), c->why.p);
		return M_PERM;
	default:
		return M_NOMATCH;
	}
}

/* A mechanism that looks its target up in the DNS. */
static enum mres
mech_dns(struct ctx *c, const struct spf_term *t, const char *domain)
{
	struct buf name = { 0 };
	enum mres r = M_NOMATCH;
	enum tgt g;

	if (!count_lookup(c, t))
		return M_PERM;
	g = target(c, t, domain, &name);
	if (g == T_TOOLONG)
		r = M_PERM;
	else if (g == T_INVALID && t->kind == SPF_K_INCLUDE) {
		set_why(c, "RFC 7208 5.2, 4.3: include target is not a "
		    "valid domain");
		r = M_PERM;
	} else if (g == T_OK) {
		switch (t->kind) {
		case SPF_K_A: r = mech_a_name(c, t, name.p); break;
		case SPF_K_MX: r = mech_mx_name(c, t, name.p); break;
		case SPF_K_PTR: r = mech_ptr_name(c, t, name.p); break;
		case SPF_K_EXISTS: r = mech_exists_name(c, t, name.p); break;
		default: r = mech_include_name(c, t, name.p); break;
		}
	}
	buf_free(&name);
	return r;
}

static enum mres
eval_mech(struct ctx *c, const struct spf_term *t, const char *domain)
{
	switch (t->kind) {
	case SPF_K_ALL:
		return M_MATCH;
	case SPF_K_IP4:
		return !c->ip.v6 && spf_ip_match(&c->ip, t->net, t->cidr4) ?
		    M_MATCH : M_NOMATCH;
	case SPF_K_IP6:
		return c->ip.v6 && spf_ip_match(&c->ip, t->net, t->cidr6) ?
		    M_MATCH : M_NOMATCH;
	default:
		return mech_dns(c, t, domain);
	}
}

static enum verdict
qual_verdict(char q)
{
	switch (q) {
	case '-': return VERDICT_FAIL;
	case '~': return VERDICT_SOFTFAIL;
	case '?': return VERDICT_NEUTRAL;
	default: return VERDICT_PASS;
	}
}

static void
decide(struct ctx *c, const char *mech, size_t n, const char *domain)
{
	buf_reset(&c->mech);
	buf_add(&c->mech, mech, n);
	buf_reset(&c->where);
	buf_adds(&c->where, domain);
}

/* redirect= (RFC 7208 6.1): none or a malformed target is permerror. */
static enum verdict
follow_redirect(struct ctx *c, const struct spf_term *t, const char *domain)
{
	struct buf name = { 0 };
	enum verdict v = VERDICT_PERMERROR;
	enum tgt g;
	char ts[80];

	if (!count_lookup(c, t))
		return VERDICT_PERMERROR;
	g = target(c, t, domain, &name);
	if (g == T_OK) {
		v = check_host(c, name.p);
		if (v == VERDICT_NONE)
			set_why(c, "RFC 7208 6.1: %s: no SPF record at the "
			    "target (%s)", term_str(t, ts, sizeof(ts)),
			    c->why.p);
	} else if (g == T_INVALID)
		set_why(c, "RFC 7208 6.1: %s: target is not a valid domain",
		    term_str(t, ts, sizeof(ts)));
	buf_free(&name);
	return v == VERDICT_NONE ? VERDICT_PERMERROR : v;
}

static void
trace_term(struct ctx *c, size_t i, const struct spf_term *t, enum mres r)
{
	static const char *const what[] = { "no match", "match",
	    "permerror", "temperror" };

	if (c->trace == NULL)
		return;
	tracef(c, "  term %zu %.*s: %s (lookups %u/%d, void %u/%d)", i + 1,
	    (int)(t->textlen > TRACE_TEXT_MAX ? TRACE_TEXT_MAX : t->textlen),
	    t->text, what[r], c->lookups, SPF_LOOKUP_MAX, c->voids,
	    SPF_VOID_MAX);
}

/* Evaluate a parsed record for <domain> (RFC 7208 4.6, 4.7). */
static enum verdict
eval_record(struct ctx *c, const struct spf_record *rec, const char *domain)
{
	for (size_t i = 0; i < rec->ndir; i++) {
		const struct spf_term *t = &rec->dir[i];
		enum mres r = eval_mech(c, t, domain);

		trace_term(c, i, t, r);
		if (r == M_PERM)
			return VERDICT_PERMERROR;
		if (r == M_TEMP)
			return VERDICT_TEMPERROR;
		if (r == M_NOMATCH)
			continue;
		decide(c, t->text, t->textlen, domain);
		if (qual_verdict(t->qual) == VERDICT_FAIL && !c->in_include) {
			c->exp = rec->exp;	/* RFC 7208 6.2 */
			buf_reset(&c->exp_domain);
			buf_adds(&c->exp_domain, domain);
		}
		return qual_verdict(t->qual);
	}
	if (rec->redirect) {	/* has_all: "all" always matched above */
		tracef(c, "  no mechanism matched: following %.*s",
		    (int)rec->redirect->textlen, rec->redirect->text);
		return follow_redirect(c, rec->redirect, domain);
	}
	decide(c, "default", 7, domain);
	return VERDICT_NEUTRAL;	/* RFC 7208 4.7 */
}

/* A parsed record for text, parsed once per check (keyed by its text). */
static const struct spf_record *
parse_cached(struct ctx *c, const char *text, size_t len, const char *domain)
{
	char why[SPF_WHY_MAX], esc[300];
	struct cached *k;

	for (k = c->cache; k; k = k->next)
		if (k->key == text)
			return &k->rec;
	k = xcalloc(1, sizeof(*k));
	k->key = text;
	if (spf_record_parse(&k->rec, text, len, why, sizeof(why)) == 0) {
		k->next = c->cache;
		c->cache = k;
		return &k->rec;
	}
	spf_record_free(&k->rec);	/* not cached: errors end the check */
	free(k);
	diag_escape(esc, sizeof(esc), domain, strlen(domain));
	set_why(c, "record of %s: %s", esc, why);
	return NULL;
}

/* The one v=spf1 TXT record of domain (RFC 7208 4.4, 4.5); *v set
 * when there is none to evaluate. */
static const struct spf_record *
fetch_record(struct ctx *c, const char *domain, enum verdict *v)
{
	const struct dns_answer *a;
	const struct dns_rr *found = NULL;
	char esc[300];

	diag_escape(esc, sizeof(esc), domain, strlen(domain));
	if (c->req->record && strcasecmp(domain, c->record_domain) == 0) {
		trace_text(c, "  record (--record): ", c->req->record,
		    strlen(c->req->record));
		*v = VERDICT_PERMERROR;
		return parse_cached(c, c->req->record, strlen(c->req->record),
		    domain);
	}
	a = query(c, domain, DNS_T_TXT);
	if (dns_error(a)) {
		temp(c, domain, DNS_T_TXT, a);
		*v = VERDICT_TEMPERROR;
		return NULL;
	}
	for (size_t i = 0; i < a->n; i++) {
		if (!spf_is_record((const char *)a->rr[i].data, a->rr[i].len))
			continue;
		if (found) {
			set_why(c, "RFC 7208 4.5: more than one v=spf1 "
			    "record at %s", esc);
			*v = VERDICT_PERMERROR;
			return NULL;
		}
		found = &a->rr[i];
	}
	if (found == NULL) {
		set_why(c, "RFC 7208 4.5: no v=spf1 record at %s (%s)", esc,
		    dns_void(a) ? dns_status_name(a->status) :
		    "other TXT only");
		*v = VERDICT_NONE;
		return NULL;
	}
	trace_text(c, "  record: ", (const char *)found->data, found->len);
	*v = VERDICT_PERMERROR;
	return parse_cached(c, (const char *)found->data, found->len, domain);
}

/* check_host(<ip>, <domain>, <sender>) (RFC 7208 4). */
static enum verdict
check_host(struct ctx *c, const char *domain)
{
	const struct spf_record *rec;
	enum verdict v;
	char esc[300];

	diag_escape(esc, sizeof(esc), domain, strlen(domain));
	tracef(c, "check_host(%s) for %s", esc, c->sender);
	if (!spf_domain_ok(domain)) {	/* RFC 7208 4.3 */
		set_why(c, "RFC 7208 4.3: \"%s\" is not a valid multi-label "
		    "domain name", esc);
		return VERDICT_NONE;
	}
	rec = fetch_record(c, domain, &v);
	if (rec == NULL)
		return v;
	v = eval_record(c, rec, domain);
	tracef(c, "check_host(%s): %s", esc, verdict_name(v));
	return v;
}

/* The explanation string (RFC 7208 6.2) from exp=, or NULL. */
static char *
explain_exp(struct ctx *c)
{
	struct spf_macro_env env;
	struct buf name = { 0 }, out = { 0 };
	const struct dns_answer *a;
	char why[SPF_WHY_MAX];
	char *res = NULL;

	macro_env(c, c->exp_domain.p, &env);
	if (spf_macro_expand(&env, c->exp->spec, c->exp->speclen, 0,
	    &name) == -1 || !spf_target_name(&name))
		goto out;
	a = dns_query(c->dns, name.p, DNS_T_TXT);
	if (a->status != DNS_OK || a->n != 1) {
		tracef(c, "exp=%s: %s, %zu records: ignored", name.p,
		    dns_status_name(a->status), a->n);
		goto out;
	}
	if (!spf_macro_check((const char *)a->rr[0].data, a->rr[0].len,
	    SPF_MS_EXP, why, sizeof(why))) {
		tracef(c, "exp=%s: %s: ignored", name.p, why);
		goto out;
	}
	if (spf_macro_expand(&env, (const char *)a->rr[0].data, a->rr[0].len,
	    SPF_MS_EXP, &out) == 0)
		res = buf_steal(&out);
out:
	buf_free(&name);
	buf_free(&out);
	return res;
}

/* US-ASCII only (RFC 7208 6.2), at most SPF_EXPLANATION_MAX octets. */
static char *
clean_explanation(char *s)
{
	size_t n = strlen(s);

	if (n > SPF_EXPLANATION_MAX)
		s[n = SPF_EXPLANATION_MAX] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			s[i] = '?';
	return s;
}

static char *
explain(struct ctx *c)
{
	struct spf_macro_env env;
	struct buf out = { 0 };
	char *s = NULL;

	if (c->exp)
		s = explain_exp(c);
	if (s == NULL && c->req->default_exp) {
		macro_env(c, c->exp_domain.len ? c->exp_domain.p : c->sdomain,
		    &env);
		if (spf_macro_expand(&env, c->req->default_exp,
		    strlen(c->req->default_exp), SPF_MS_EXP, &out) == 0)
			s = buf_steal(&out);
		buf_free(&out);
	}
	return s ? clean_explanation(s) : NULL;
}

static void
ctx_free(struct ctx *c)
{
	while (c->cache) {
		struct cached *k = c->cache;

		c->cache = k->next;
		spf_record_free(&k->rec);
		free(k);
	}
	buf_free(&c->tline);
	buf_free(&c->why);
	buf_free(&c->mech);
	buf_free(&c->where);
	buf_free(&c->exp_domain);
	buf_free(&c->pname);
}

static char *
xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The reason line for res from what c recorded. */
static char *
make_reason(const struct ctx *c, enum verdict v, const char *domain)
{
	struct buf b = { 0 };

	if (v == VERDICT_NONE || v == VERDICT_PERMERROR ||
	    v == VERDICT_TEMPERROR) {
		buf_adds(&b, c->why.len ? c->why.p : verdict_name(v));
		return buf_steal(&b);
	}
	if (strcmp(c->mech.p, "default") == 0)
		buf_adds(&b, "no mechanism matched (RFC 7208 4.7 default)");
	else {
		buf_adds(&b, "mechanism ");
		add_escaped(&b, c->mech.p, c->mech.len);
		buf_adds(&b, " matched");
	}
	if (strcasecmp(c->where.p, domain) != 0) {
		buf_adds(&b, " in the record of ");
		add_escaped(&b, c->where.p, c->where.len);
	}
	return buf_steal(&b);
}

/* The <sender>, local-part and <domain> of an identity (RFC 7208 2.3,
 * 2.4, 4.3), in *parts (owned strings). */
struct ident {
	char	*sender;
	char	*local;
	char	*domain;
};

static bool
null_sender(const char *mf)
{
	return mf[0] == '\0' || strcmp(mf, "<>") == 0;
}

static void
ident_make(const struct spf_request *req, enum spf_identity id,
    struct ident *p)
{
	const char *mf = req->mail_from, *at;
	size_t n;

	if (id == SPF_ID_HELO || null_sender(mf)) {
		p->local = xstrdup("postmaster");
		p->domain = xstrdup(req->helo ? req->helo : "");
	} else {
		n = strlen(mf);
		if (n >= 2 && mf[0] == '<' && mf[n - 1] == '>')
			mf++, n -= 2;
		for (at = mf + n; at > mf && at[-1] != '@'; at--)
			;
		at = at > mf ? at - 1 : NULL;
		p->local = at && at > mf ? xstrndup(mf, (size_t)(at - mf)) :
		    xstrdup("postmaster");
		p->domain = at ? xstrndup(at + 1, n - (size_t)(at - mf) - 1) :
		    xstrndup(mf, n);
	}
	p->sender = xmalloc(strlen(p->local) + strlen(p->domain) + 2);
	sprintf(p->sender, "%s@%s", p->local, p->domain);
}

static void
ident_free(struct ident *p)
{
	free(p->sender);
	free(p->local);
	free(p->domain);
}

/* check_host() for one identity, into *res. */
static void
run_identity(struct dns *dns, const struct spf_request *req,
    const struct spf_ip *ip, enum spf_identity id, const char *record_domain,
    struct spf_result *res, spf_trace_fn *trace, void *arg)
{
	struct ctx c;
	struct ident p;
	enum verdict v;

	memset(&c, 0, sizeof(c));
	ident_make(req, id, &p);
	c.dns = dns;
	c.req = req;
	c.ip = *ip;
	c.sender = p.sender;
	c.local = p.local;
	c.sdomain = p.domain;
	c.record_domain = record_domain;
	c.trace = trace;
	c.targ = arg;
	clock_gettime(CLOCK_MONOTONIC, &c.start);
	tracef(&c, "identity %s: <sender> %s",
	    id == SPF_ID_HELO ? "helo" : "mailfrom", p.sender);
	v = check_host(&c, p.domain);
	res->verdict = v;
	res->identity = id;
	res->sender = xstrdup(p.sender);
	res->domain = xstrdup(p.domain);
	res->mechanism = c.mech.len && v != VERDICT_NONE &&
	    v != VERDICT_PERMERROR && v != VERDICT_TEMPERROR ?
	    xstrdup(c.mech.p) : NULL;
	res->reason = make_reason(&c, v, p.domain);
	res->problem = v == VERDICT_PERMERROR || v == VERDICT_TEMPERROR ?
	    xstrdup_or_null(c.why.p) : NULL;
	res->explanation = v == VERDICT_FAIL ? explain(&c) : NULL;
	res->lookups = c.lookups;
	res->voids = c.voids;
	tracef(&c, "identity %s: %s, decided by %s (lookups %u/%d, void "
	    "%u/%d): %s", id == SPF_ID_HELO ? "helo" : "mailfrom",
	    verdict_name(v), res->mechanism ? res->mechanism : "no term",
	    c.lookups, SPF_LOOKUP_MAX, c.voids, SPF_VOID_MAX, res->reason);
	ctx_free(&c);
	ident_free(&p);
}

/* The request's own errors (not verdicts). */
static int
check_request(const struct spf_request *req, struct spf_ip *ip,
    struct diag *d)
{
	char why[SPF_WHY_MAX];

	if (req->ip == NULL || !spf_ip_parse(req->ip, ip))
		return diag_set(d, "not an IPv4 or IPv6 address: %s",
		    req->ip ? req->ip : "(none)");
	if (req->mail_from == NULL && req->helo == NULL)
		return diag_set(d, "no identity: give a MAIL FROM or a HELO");
	if (req->scope == SPF_SCOPE_HELO && req->helo == NULL)
		return diag_set(d, "HELO check without a HELO name");
	if (req->scope == SPF_SCOPE_MAILFROM && req->mail_from == NULL)
		return diag_set(d, "MAIL FROM check without a MAIL FROM");
	if (req->mail_from && null_sender(req->mail_from) && req->helo == NULL)
		return diag_set(d, "null MAIL FROM needs the HELO name "
		    "(RFC 7208 2.4)");
	if (req->record && !spf_is_record(req->record, strlen(req->record)))
		return diag_set(d, "record does not begin with \"v=spf1\"");
	if (req->default_exp && !spf_macro_check(req->default_exp,
	    strlen(req->default_exp), SPF_MS_EXP, why, sizeof(why)))
		return diag_set(d, "default explanation: %s", why);
	return 0;
}

char *
spf_mailfrom_domain(const struct spf_request *req)
{
	struct ident p;
	char *d;

	ident_make(req, SPF_ID_MAILFROM, &p);
	d = p.domain;
	p.domain = NULL;
	ident_free(&p);
	return d;
}

int
spf_check(struct dns *dns, const struct spf_request *req,
    struct spf_result *res, spf_trace_fn *trace, void *arg, struct diag *d)
{
	struct spf_result helo;
	struct spf_ip ip;
	char *rd;
	bool mf, he;

	memset(res, 0, sizeof(*res));
	if (check_request(req, &ip, d) == -1)
		return -1;
	mf = req->scope != SPF_SCOPE_HELO && req->mail_from;
	he = req->scope != SPF_SCOPE_MAILFROM && req->helo;
	rd = req->record_domain ? xstrdup(req->record_domain) :
	    req->mail_from ? spf_mailfrom_domain(req) : xstrdup(req->helo);
	/* a null MAIL FROM is postmaster@HELO: the same check (2.4) */
	if (mf && he && null_sender(req->mail_from))
		he = false;
	if (!he) {
		run_identity(dns, req, &ip, SPF_ID_MAILFROM, rd, res, trace,
		    arg);
	} else {
		/* RFC 7208 2.3: HELO first; only its fail is definitive */
		run_identity(dns, req, &ip, SPF_ID_HELO, rd, res, trace, arg);
		if (mf && res->verdict != VERDICT_FAIL) {
			helo = *res;
			run_identity(dns, req, &ip, SPF_ID_MAILFROM, rd, res,
			    trace, arg);
			res->helo_checked = true;
			res->helo_verdict = helo.verdict;
			spf_result_free(&helo);
		}
	}
	free(rd);
	return 0;
}

void
spf_result_free(struct spf_result *res)
{
	if (res == NULL)
		return;
	free(res->sender);
	free(res->domain);
	free(res->mechanism);
	free(res->reason);
	free(res->problem);
	free(res->explanation);
	memset(res, 0, sizeof(*res));
}
