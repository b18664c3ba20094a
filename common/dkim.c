#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "canon.h"
#include "crypto.h"
#include "diag.h"
#include "dkim.h"
#include "dkim_impl.h"
#include "dns.h"
#include "kv.h"
#include "msg.h"
#include "tags.h"

#define T_DIGITS_MAX	12	/* RFC 6376 3.5 sig-t-tag: 1*12DIGIT */
#define L_DIGITS_MAX	76	/* RFC 6376 3.5 sig-l-tag: 1*76DIGIT */
#define VARIANTS_MAX	6	/* --explain body hash variants */

/* A parsed key record, kept by the verifier for the answer it came from:
 * the record's tags, and the key (NULL if p= is no usable key: bad). */
struct key_entry {
	const void		*rrdata;	/* DNS answer bytes: identity */
	struct dkim_key		 key;		/* der freed */
	struct crypto_pubkey	*pk;		/* NULL: revoked or bad */
	char			 bad[DKIM_REASON_MAX];
};

struct dkim_verifier {
	struct dns		*dns;
	struct dkim_opts	 o;
	struct key_entry	 keys[DKIM_KEYS_CACHED];
	size_t			 nkeys;
	size_t			 nextkey;	/* round-robin replacement */
};

/* One body canonicalizer and hash, shared by signatures that agree on
 * (c= body, l=, hash) and, for --explain variants, a signature's own. */
struct body {
	enum canon_alg		 alg;
	uint64_t		 limit;
	enum crypto_hash_alg	 halg;
	unsigned		 flags;
	struct canon_body	 cb;
	struct crypto_hash	*h;
	unsigned char		 digest[CRYPTO_HASH_MAX];
	size_t			 dlen;
	FILE			*dump;		/* tmpfile for --canon-dump */
	const struct buf	*want;		/* prefix search: bh to find */
	uint64_t		 hashed;	/* bytes given to h */
	uint64_t		 match;		/* prefix length that matched */
	bool			 matched;
	bool			 own;		/* a variant: never shared */
};

struct variant {
	size_t			 body;
	const char		*what;
};

struct sig {
	struct dkim_result	 r;
	bool			 done;		/* verdict already final */
	bool			 ams;		/* an ARC-Message-Signature */
	enum dkim_alg		 alg;
	enum crypto_hash_alg	 halg;
	enum canon_alg		 hc, bc;
	bool			 has_l;
	uint64_t		 l;
	char			*idom;		/* domain of i= */
	struct buf		 bh, b;		/* decoded */
	unsigned char		 hdigest[CRYPTO_HASH_MAX];
	size_t			 hdlen;
	size_t			 body;
	struct variant		 var[VARIANTS_MAX];
	size_t			 nvar;
};

struct dkim_msg {
	struct dkim_verifier	*v;
	struct sig		*sigs;
	size_t			 nsigs;
	struct body		*bodies;
	size_t			 nbodies;
};

/* Views of the h= names. */
struct hnames {
	const char		*p[DKIM_HFIELDS_MAX];
	size_t			 n[DKIM_HFIELDS_MAX];
	size_t			 count;
};

const char *
dkim_alg_name(enum dkim_alg a)
{
	switch (a) {
	case DKIM_A_RSA_SHA1:
		return "rsa-sha1";
	case DKIM_A_ED25519_SHA256:
		return "ed25519-sha256";
	default:
		return "rsa-sha256";
	}
}

/* Set the verdict and reason of s once; later calls are ignored.
 * Returns -1, for "return settle(...)" on error paths. */
static int
settle(struct sig *s, enum verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
settle(struct sig *s, enum verdict v, const char *fmt, ...)
{
	va_list ap;

	if (s->done)
		return -1;
	s->done = true;
	s->r.verdict = v;
	va_start(ap, fmt);
	vsnprintf(s->r.reason, sizeof(s->r.reason), fmt, ap);
	va_end(ap);
	return -1;
}

static char *
tag_dup(const struct tag *t)
{
	return t == NULL ? NULL : xstrndup(t->value, t->valuelen);
}

static bool
is_fws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Split a colon-separated list at the next ':' (FWS around items is
 * dropped).  Sets p and n to the item; returns the index after it. */
static size_t
list_next(const char *s, size_t len, size_t i, const char **p, size_t *n)
{
	size_t e;

	while (i < len && is_fws((unsigned char)s[i]))
		i++;
	for (e = i; e < len && s[e] != ':'; e++)
		;
	*p = s + i;
	*n = e - i;
	while (*n > 0 && is_fws((unsigned char)(*p)[*n - 1]))
		(*n)--;
	return e < len ? e + 1 : e;
}

/* Whether the colon-separated list of tag t holds item (or an asterisk
 * when star); case-insensitive. */
static bool
list_has(const struct tag *t, const char *item, bool star)
{
	size_t i = 0, n, len = strlen(item);
	const char *p;

	while (i < t->valuelen) {
		i = list_next(t->value, t->valuelen, i, &p, &n);
		if ((n == len && strncasecmp(p, item, n) == 0) ||
		    (star && n == 1 && *p == '*'))
			return true;
	}
	return false;
}

/* Unsigned decimal of at most maxdigits digits; saturates at UINT64_MAX
 * (l= may be 76 digits: anything that large is beyond any body). */
bool
dkim_parse_uint(const struct tag *t, size_t maxdigits, uint64_t *out)
{
	uint64_t v = 0;

	if (t->valuelen == 0 || t->valuelen > maxdigits)
		return false;
	for (size_t i = 0; i < t->valuelen; i++) {
		unsigned d = (unsigned char)t->value[i] - '0';

		if (d > 9)
			return false;
		v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
	}
	*out = v;
	return true;
}

/* A domain name (d=) or selector (s=): dot-separated non-empty labels of
 * letters, digits, '-' and '_' (or 8-bit bytes of U-labels, RFC 8616). */
bool
dkim_domain_ok(const char *s, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '_' && c < 0x80)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* dkim-quoted-printable (RFC 6376 2.11) of i=: "=XX" decoded (upper-case
 * hex), FWS dropped.  Returns a malloc'ed string, NULL if malformed. */
static char *
qp_decode(const struct tag *t)
{
	struct buf b = { 0 };

	buf_reserve(&b, t->valuelen + 1);
	for (size_t i = 0; i < t->valuelen; i++) {
		unsigned char c = (unsigned char)t->value[i];
		int hi, lo;

		if (is_fws(c))
			continue;
		if (c != '=') {
			buf_addc(&b, c);
			continue;
		}
		if (i + 2 >= t->valuelen ||
		    (hi = hexval(t->value[i + 1])) < 0 ||
		    (lo = hexval(t->value[i + 2])) < 0) {
			buf_free(&b);
			return NULL;
		}
		buf_addc(&b, hi << 4 | lo);
		i += 2;
	}
	return buf_steal(&b);
}

/* Whether dom is d or a subdomain of it (case-insensitive). */
static bool
under_domain(const char *dom, const char *d)
{
	size_t n = strlen(dom), m = strlen(d);

	if (n == m)
		return strcasecmp(dom, d) == 0;
	return n > m && dom[n - m - 1] == '.' && strcasecmp(dom + n - m, d) == 0;
}

/* RFC 6376 3.5 a= */
bool
dkim_alg_parse(const struct tag *t, enum dkim_alg *a)
{
	if (tags_value_is(t, "rsa-sha256"))
		*a = DKIM_A_RSA_SHA256;
	else if (tags_value_is(t, "rsa-sha1"))
		*a = DKIM_A_RSA_SHA1;
	else if (tags_value_is(t, "ed25519-sha256"))	/* RFC 8463 3 */
		*a = DKIM_A_ED25519_SHA256;
	else
		return false;
	return true;
}

static bool
parse_alg(const struct tag *t, struct sig *s)
{
	if (!dkim_alg_parse(t, &s->alg))
		return false;
	s->halg = s->alg == DKIM_A_RSA_SHA1 ? CRYPTO_SHA1 : CRYPTO_SHA256;
	return true;
}

/*
 * RFC 6376 3.5 c=: header[/body], each simple or relaxed; default
 * simple/simple, and "relaxed" alone is relaxed/simple.  An
 * ARC-Message-Signature without c= is relaxed/relaxed: RFC 8617 is
 * silent, ARC uses relaxed throughout (4.1.3), and so do its
 * validators (dkimpy; the ARC suite's ams_fields_c_na passes).
 */
static bool
parse_c(const struct tag *t, struct sig *s)
{
	const char *slash;

	s->hc = s->bc = CANON_SIMPLE;
	if (t == NULL && s->ams)
		s->hc = s->bc = CANON_RELAXED;
	if (t == NULL)
		return true;
	slash = memchr(t->value, '/', t->valuelen);
	if (slash == NULL)
		return canon_parse(t->value, t->valuelen, &s->hc);
	return canon_parse(t->value, (size_t)(slash - t->value), &s->hc) &&
	    canon_parse(slash + 1, t->valuelen - (size_t)(slash - t->value) - 1,
	    &s->bc);
}

/*
 * RFC 6376 3.5 h=: colon-separated field names, From among them.  For
 * an ARC-Message-Signature, ARC validators insist on neither: the ARC
 * suite passes an empty h= and an empty name in the list
 * (ams_fields_h_empty, ams_fields_h_mis_hdr), which signs nothing.
 * (arcsign itself always signs From, RFC 6376 5.4.)
 */
static int
parse_h(const struct tag *t, struct hnames *hn, struct sig *s)
{
	size_t i = 0;
	bool from = false;

	hn->count = 0;
	while (i < t->valuelen || (hn->count == 0 && !s->ams)) {
		const char *p;
		size_t n;

		i = list_next(t->value, t->valuelen, i, &p, &n);
		if (n == 0 && s->ams)
			continue;
		if (n == 0 || memchr(p, ' ', n) || memchr(p, '\t', n)) {
			settle(s, VERDICT_PERMERROR,
			    "RFC 6376 3.5: malformed h= field list");
			return -1;
		}
		if (hn->count == DKIM_HFIELDS_MAX) {
			settle(s, VERDICT_PERMERROR,
			    "more than %d names in h=", DKIM_HFIELDS_MAX);
			return -1;
		}
		/* RFC 8617 4.1.2: ARC-Seal fields are never signed (the ARC
		 * suite's ams_fields_h_includes_as; dkimpy refuses it too) */
		if (s->ams && n == 8 && strncasecmp(p, "ARC-Seal", 8) == 0) {
			settle(s, VERDICT_PERMERROR,
			    "RFC 8617 4.1.2: h= names ARC-Seal");
			return -1;
		}
		hn->p[hn->count] = p;
		hn->n[hn->count++] = n;
		from |= n == 4 && strncasecmp(p, "from", 4) == 0;
	}
	if (!from && !s->ams) {
		settle(s, VERDICT_PERMERROR,
		    "RFC 6376 6.1.1: From field not signed");
		return -1;
	}
	return 0;
}

/* RFC 6376 3.5 i=: [local-part] "@" domain, the domain d= or under it. */
static int
parse_i(const struct tag *t, struct sig *s)
{
	char *at;
	uint64_t inst;

	if (s->ams) {
		/* RFC 8617 4.2.1: the instance, 1 to 50, in place of the
		 * AUID; the key's t=s has no identity to compare */
		if (!dkim_parse_uint(t, 2, &inst) || inst < 1 ||
		    inst > DKIM_AMS_MAX) {
			settle(s, VERDICT_PERMERROR,
			    "RFC 8617 4.2.1: malformed instance i=");
			return -1;
		}
		s->r.instance = (unsigned)inst;
		s->idom = xstrdup(s->r.d);
		return 0;
	}
	if (t == NULL) {
		s->r.i = xmalloc(strlen(s->r.d) + 2);
		s->r.i[0] = '@';
		strcpy(s->r.i + 1, s->r.d);
		s->idom = xstrdup(s->r.d);
		return 0;
	}
	if ((s->r.i = qp_decode(t)) == NULL ||
	    (at = strrchr(s->r.i, '@')) == NULL ||
	    !dkim_domain_ok(at + 1, strlen(at + 1))) {
		settle(s, VERDICT_PERMERROR, "RFC 6376 3.5: malformed i=");
		return -1;
	}
	s->idom = xstrdup(at + 1);
	if (!under_domain(s->idom, s->r.d)) {
		settle(s, VERDICT_PERMERROR,
		    "RFC 6376 6.1.1: i= domain is not d= nor under it");
		return -1;
	}
	return 0;
}

/* The tags RFC 6376 6.1.1 requires; v= first, "1" only. */
static int
check_required(const struct tags *tl, struct sig *s)
{
	static const char *const req[] = { "v", "a", "b", "bh", "d", "h",
	    "s" };
	/* RFC 8617 4.1.2: no v= (ignored if there), i= the instance */
	static const char *const areq[] = { "i", "a", "b", "bh", "d", "h",
	    "s" };
	const char *const *r = s->ams ? areq : req;
	const struct tag *v;

	for (size_t k = 0; k < sizeof(req) / sizeof(req[0]); k++)
		if (tags_get(tl, r[k]) == NULL) {
			settle(s, VERDICT_PERMERROR, "RFC %s: missing tag %s",
			    s->ams ? "8617 4.1.2" : "6376 6.1.1", r[k]);
			return -1;
		}
	if (s->ams)
		return 0;
	v = tags_get(tl, "v");
	if (!tags_value_is(v, "1")) {
		settle(s, VERDICT_PERMERROR,
		    "RFC 6376 6.1.1: unsupported version v=%.*s",
		    (int)(v->valuelen < 8 ? v->valuelen : 8), v->value);
		return -1;
	}
	return 0;
}

/* b=, bh= base64 (RFC 6376 3.5, FWS allowed). */
static int
parse_b64(const struct tags *tl, struct sig *s)
{
	const struct tag *b = tags_get(tl, "b"), *bh = tags_get(tl, "bh");
	size_t k = 0;
	int rc = 0;

	/* header.b: the first 8 characters, FWS skipped (RFC 6008 2) */
	for (size_t i = 0; i < b->valuelen && k < sizeof(s->r.b8) - 1; i++)
		if (!is_fws((unsigned char)b->value[i]))
			s->r.b8[k++] = b->value[i];
	s->r.b8[k] = '\0';
	if (crypto_base64_decode(b->value, b->valuelen, &s->b) < 0 ||
	    s->b.len == 0)
		rc = settle(s, VERDICT_PERMERROR,
		    "RFC 6376 3.5: b= is not base64");
	else if (crypto_base64_decode(bh->value, bh->valuelen, &s->bh) < 0 ||
	    s->bh.len == 0)
		rc = settle(s, VERDICT_PERMERROR,
		    "RFC 6376 3.5: bh= is not base64");
	return rc;
}

/* q=, l= (RFC 6376 3.5). */
static int
parse_q_l(const struct tags *tl, struct sig *s)
{
	const struct tag *q = tags_get(tl, "q"), *l = tags_get(tl, "l");

	if (q != NULL && !list_has(q, "dns/txt", false)) {
		settle(s, VERDICT_PERMERROR,
		    "RFC 6376 3.5: no supported query method in q=");
		return -1;
	}
	s->has_l = l != NULL;
	if (l != NULL && !dkim_parse_uint(l, L_DIGITS_MAX, &s->l)) {
		settle(s, VERDICT_PERMERROR, "RFC 6376 3.5: malformed l=");
		return -1;
	}
	return 0;
}

/* t=, x= against now (RFC 6376 3.5, 6.1.1). */
static int
check_times(const struct tags *tl, struct sig *s, long long now)
{
	const struct tag *t = tags_get(tl, "t"), *x = tags_get(tl, "x");
	uint64_t tv = 0, xv = 0;

	if ((t != NULL && !dkim_parse_uint(t, T_DIGITS_MAX, &tv)) ||
	    (x != NULL && !dkim_parse_uint(x, T_DIGITS_MAX, &xv))) {
		settle(s, VERDICT_PERMERROR, "RFC 6376 3.5: malformed %s=",
		    t != NULL && !dkim_parse_uint(t, T_DIGITS_MAX, &tv) ?
		    "t" : "x");
		return -1;
	}
	if (t != NULL && x != NULL && xv <= tv) {
		settle(s, VERDICT_PERMERROR,
		    "RFC 6376 3.5: x= is not after t=");
		return -1;
	}
	if (x != NULL && now > 0 && (uint64_t)now > xv) {
		settle(s, VERDICT_PERMERROR,
		    "RFC 6376 6.1.1: signature expired (x=)");
		return -1;
	}
	if (t != NULL && now > 0 && tv > (uint64_t)now + DKIM_FUTURE_SKEW) {
		settle(s, VERDICT_PERMERROR,
		    "RFC 6376 3.5: signature timestamp t= in the future");
		return -1;
	}
	return 0;
}

/* The identity tags, kept for the result line even when a later check
 * fails. */
static int
parse_ids(const struct tags *tl, struct sig *s)
{
	const struct tag *a = tags_get(tl, "a"), *d = tags_get(tl, "d");
	const struct tag *sel = tags_get(tl, "s");

	s->r.d = tag_dup(d);
	s->r.s = tag_dup(sel);
	s->r.a = tag_dup(a);
	if (check_required(tl, s) < 0)
		return -1;
	if (!dkim_domain_ok(d->value, d->valuelen)) {
		settle(s, VERDICT_PERMERROR, "RFC 6376 3.5: malformed d=");
		return -1;
	}
	if (!dkim_domain_ok(sel->value, sel->valuelen)) {
		settle(s, VERDICT_PERMERROR, "RFC 6376 3.5: malformed s=");
		return -1;
	}
	if (!parse_alg(a, s)) {
		settle(s, VERDICT_PERMERROR,
		    "RFC 6376 3.5: unsupported algorithm a=%s", s->r.a);
		return -1;
	}
	return 0;
}

/*
 * Parse and validate one DKIM-Signature (RFC 6376 3.5, 6.1.1).  On a
 * failure s is settled (permerror) and -1 returned; hn gets h=.
 */
static int
parse_sig(struct sig *s, struct tags *tl, const struct msg_field *f,
    struct hnames *hn, long long now)
{
	const char *what = s->ams ? "ARC-Message-Signature" :
	    "DKIM-Signature";
	struct diag d;

	if (tags_parse(tl, what, f->value, f->valuelen, &d) < 0) {
		settle(s, VERDICT_PERMERROR, "%s", d.msg + strlen(what) + 2);
		return -1;
	}
	if (parse_ids(tl, s) < 0 || parse_i(tags_get(tl, "i"), s) < 0 ||
	    parse_b64(tl, s) < 0)
		return -1;
	if (!parse_c(tags_get(tl, "c"), s)) {
		settle(s, VERDICT_PERMERROR,
		    "RFC 6376 3.5: unsupported canonicalization c=");
		return -1;
	}
	if (parse_h(tags_get(tl, "h"), hn, s) < 0 || parse_q_l(tl, s) < 0 ||
	    check_times(tl, s, now) < 0)
		return -1;
	/* RFC 8301 3.1: rsa-sha1 MUST NOT be used for verifying */
	if (s->alg == DKIM_A_RSA_SHA1)
		settle(s, VERDICT_POLICY,
		    "RFC 8301 3.1: rsa-sha1 is not accepted");
	return 0;
}

/* Append the canonical field to the header hash (and the dump). */
void
dkim_hash_field(struct crypto_hash *h, struct buf *tmp, enum canon_alg c,
    const char *raw, size_t n, bool last, FILE *dump)
{
	buf_reset(tmp);
	canon_header(c, raw, n, tmp);
	if (last)
		tmp->len -= 2;	/* RFC 6376 3.7: the signature without CRLF */
	crypto_hash_update(h, tmp->p, tmp->len);
	if (dump != NULL)
		fwrite(tmp->p, 1, tmp->len, dump);
}

/*
 * The signature field with the value of b= deleted, surrounding white
 * space included (RFC 6376 3.7): raw up to "b=", then from the ';' that
 * ends the tag (or the end of the value).
 */
void
dkim_strip_b(const struct msg_field *f, const struct tag *b, struct buf *out)
{
	const char *p = b->name + b->namelen, *end = f->value + f->valuelen;
	const char *q;

	while (*p != '=')
		p++;
	p++;
	for (q = p; q < end && *q != ';'; q++)
		;
	buf_add(out, f->raw, (size_t)(p - f->raw));
	buf_add(out, q, (size_t)(f->raw + f->rawlen - q));
}

/* Bottom-most field named p[0..n) not used yet, or -1 (RFC 6376 5.4.2). */
long
dkim_pick_field(const struct msg *m, const char *p, size_t n, bool *used)
{
	for (size_t k = m->nf; k-- > 0;) {
		const struct msg_field *f = &m->f[k];

		if (!used[k] && !f->bad && f->namelen == n &&
		    strncasecmp(f->name, p, n) == 0) {
			used[k] = true;
			return (long)k;
		}
	}
	return -1;
}

/* The header hash of signature s at field index self (RFC 6376 3.7). */
static void
header_hash(struct sig *s, const struct msg *m, size_t self,
    const struct hnames *hn, const struct tag *b, FILE *dump)
{
	struct crypto_hash *h = crypto_hash_new(s->halg);
	struct buf tmp = { 0 }, sigf = { 0 };
	bool *used = xcalloc(m->nf + 1, sizeof(*used));

	used[self] = true;	/* never signs itself through h= */
	for (size_t k = 0; k < hn->count; k++) {
		long idx = dkim_pick_field(m, hn->p[k], hn->n[k], used);

		if (idx >= 0)	/* a name not present contributes nothing */
			dkim_hash_field(h, &tmp, s->hc, m->f[idx].raw,
			    m->f[idx].rawlen, false, dump);
	}
	dkim_strip_b(&m->f[self], b, &sigf);
	dkim_hash_field(h, &tmp, s->hc, sigf.p, sigf.len, true, dump);
	s->hdlen = crypto_hash_final(h, s->hdigest);
	crypto_hash_free(h);
	buf_free(&tmp);
	buf_free(&sigf);
	free(used);
}

/* Body sink: hash, dump, and for --explain look for a prefix of the
 * canonical body that matches bh= (content appended after signing). */
static void
prefix_check(struct body *bd)
{
	struct crypto_hash *c = crypto_hash_dup(bd->h);
	unsigned char dg[CRYPTO_HASH_MAX];
	size_t n = crypto_hash_final(c, dg);

	crypto_hash_free(c);
	if (n == bd->want->len && memcmp(dg, bd->want->p, n) == 0) {
		bd->matched = true;
		bd->match = bd->hashed;
	}
}

static void
body_sink(void *arg, const void *p, size_t n)
{
	struct body *bd = arg;
	const char *s = p;

	if (bd->dump != NULL)
		fwrite(p, 1, n, bd->dump);
	if (bd->want == NULL || bd->matched) {
		crypto_hash_update(bd->h, p, n);
		bd->hashed += n;
		return;
	}
	/* a line end in canonical data is always CRLF: check after each */
	while (n > 0 && !bd->matched) {
		const char *nl = memchr(s, '\n', n);
		size_t k = nl ? (size_t)(nl - s) + 1 : n;

		crypto_hash_update(bd->h, s, k);
		bd->hashed += k;
		if (nl != NULL)
			prefix_check(bd);
		s += k;
		n -= k;
	}
}

/* The body index for (alg, limit, hash, flags): shared when plain. */
static size_t
get_body(struct dkim_msg *dm, enum canon_alg alg, uint64_t limit,
    enum crypto_hash_alg halg, unsigned flags, bool own)
{
	struct body *bd;

	for (size_t k = 0; k < dm->nbodies && !own; k++) {
		bd = &dm->bodies[k];
		if (bd->alg == alg && bd->limit == limit && bd->halg == halg &&
		    bd->flags == flags && !bd->own)
			return k;
	}
	dm->bodies = xreallocarray(dm->bodies, dm->nbodies + 1,
	    sizeof(*dm->bodies));
	bd = &dm->bodies[dm->nbodies];
	memset(bd, 0, sizeof(*bd));
	bd->alg = alg;
	bd->limit = limit;
	bd->halg = halg;
	bd->flags = flags;
	bd->own = own;
	bd->h = crypto_hash_new(halg);
	return dm->nbodies++;
}

/* Bodies of a signature: its own, and with --explain the variants that
 * usually explain a body hash failure. */
static void
setup_bodies(struct dkim_msg *dm, struct sig *s)
{
	uint64_t lim = s->has_l ? s->l : CANON_NO_LIMIT;
	enum canon_alg other = s->bc == CANON_SIMPLE ? CANON_RELAXED :
	    CANON_SIMPLE;
	struct variant *v = s->var;

	s->body = get_body(dm, s->bc, lim, s->halg, 0, false);
	if (!dm->v->o.explain)
		return;
	v[0] = (struct variant){ get_body(dm, s->bc, lim, s->halg,
	    CANON_F_RAW_LF, true), "bare LF line ends hashed as they are" };
	v[1] = (struct variant){ get_body(dm, s->bc, lim, s->halg,
	    CANON_F_LF_ONLY, true), "line ends hashed as bare LF (signed "
	    "before conversion to CRLF)" };
	v[2] = (struct variant){ get_body(dm, s->bc, lim, s->halg,
	    CANON_F_KEEP_TRAILING, true), "trailing empty lines kept" };
	v[3] = (struct variant){ get_body(dm, other, lim, s->halg, 0, true),
	    other == CANON_RELAXED ? "relaxed body canonicalization" :
	    "simple body canonicalization" };
	/* with l=: the whole body; without: the longest signed prefix */
	v[4] = (struct variant){ get_body(dm, s->bc, s->has_l ?
	    CANON_NO_LIMIT : lim, s->halg, 0, true), s->has_l ?
	    "the whole body, ignoring l=" : NULL };
	s->nvar = 5;
}

/* Link the prefix searches to their signature's bh= (after every
 * realloc of the bodies array is done). */
static void
start_bodies(struct dkim_msg *dm)
{
	for (size_t k = 0; k < dm->nsigs; k++) {
		struct sig *s = &dm->sigs[k];

		if (s->nvar > 0 && s->var[s->nvar - 1].what == NULL)
			dm->bodies[s->var[s->nvar - 1].body].want = &s->bh;
	}
	for (size_t k = 0; k < dm->nbodies; k++) {
		struct body *bd = &dm->bodies[k];

		canon_body_init(&bd->cb, bd->alg, bd->limit, body_sink, bd);
		canon_body_set_flags(&bd->cb, bd->flags);
		if (dm->v->o.dump != NULL && !bd->own)
			bd->dump = tmpfile();
	}
}

struct dkim_verifier *
dkim_verifier_new(struct dns *dns, const struct dkim_opts *o)
{
	struct dkim_verifier *v = xcalloc(1, sizeof(*v));

	v->dns = dns;
	if (o != NULL)
		v->o = *o;
	return v;
}

void
dkim_verifier_free(struct dkim_verifier *v)
{
	if (v == NULL)
		return;
	for (size_t k = 0; k < v->nkeys; k++)
		crypto_pubkey_free(v->keys[k].pk);
	free(v);
}

static void
dump_section(FILE *dump, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
dump_section(FILE *dump, const char *fmt, ...)
{
	va_list ap;

	if (dump == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(dump, fmt, ap);
	va_end(ap);
}

/* Set up signature number k (0-based) from field self. */
static void
start_sig(struct dkim_msg *dm, struct sig *s, const struct msg *m,
    size_t self, size_t k)
{
	struct tags *tl = xmalloc(sizeof(*tl));
	struct hnames *hn = xmalloc(sizeof(*hn));
	FILE *dump = dm->v->o.dump;

	if (parse_sig(s, tl, &m->f[self], hn, dm->v->o.now) == 0 &&
	    !s->done) {
		dump_section(dump, "--- %s %zu: header data, c=%s ---\n",
		    s->ams ? "ARC-Message-Signature" : "DKIM-Signature", k + 1,
		    canon_name(s->hc));
		header_hash(s, m, self, hn, tags_get(tl, "b"), dump);
		dump_section(dump, "\n");
		setup_bodies(dm, s);
	}
	free(tl);
	free(hn);
}

static struct dkim_msg *
msg_new(struct dkim_verifier *v, const struct msg *m, bool ams)
{
	struct dkim_msg *dm = xcalloc(1, sizeof(*dm));
	const char *name = ams ? "ARC-Message-Signature" : "DKIM-Signature";
	size_t n = msg_count(m, name);
	size_t max = ams ? DKIM_AMS_MAX : DKIM_SIGS_MAX;

	dm->v = v;
	dm->nsigs = n;
	dm->sigs = xcalloc(n + 1, sizeof(*dm->sigs));
	for (size_t k = 0; k < n; k++) {
		struct sig *s = &dm->sigs[k];

		s->ams = ams;
		if (k >= max) {
			settle(s, VERDICT_NEUTRAL, "not verified: more than "
			    "%zu signatures", max);
			continue;
		}
		start_sig(dm, s, m, (size_t)msg_find(m, name, k), k);
	}
	start_bodies(dm);
	return dm;
}

struct dkim_msg *
dkim_msg_new(struct dkim_verifier *v, const struct msg *m)
{
	return msg_new(v, m, false);
}

struct dkim_msg *
dkim_msg_new_ams(struct dkim_verifier *v, const struct msg *m)
{
	return msg_new(v, m, true);
}

void
dkim_msg_body(struct dkim_msg *dm, const void *p, size_t n)
{
	for (size_t k = 0; k < dm->nbodies; k++)
		canon_body_update(&dm->bodies[k].cb, p, n);
}

static void
finish_bodies(struct dkim_msg *dm)
{
	for (size_t k = 0; k < dm->nbodies; k++) {
		struct body *bd = &dm->bodies[k];

		canon_body_final(&bd->cb);
		bd->dlen = crypto_hash_final(bd->h, bd->digest);
	}
}

/* RFC 6376 3.6.1 h=, s=, t= of a key record. */
static void
key_lists(struct dkim_key *k, const struct tags *tl)
{
	const struct tag *h = tags_get(tl, "h"), *s = tags_get(tl, "s");
	const struct tag *t = tags_get(tl, "t");

	k->h_sha1 = h == NULL || list_has(h, "sha1", false);
	k->h_sha256 = h == NULL || list_has(h, "sha256", false);
	k->s_email = s == NULL || list_has(s, "email", true);
	k->t_y = t != NULL && list_has(t, "y", false);
	k->t_s = t != NULL && list_has(t, "s", false);
}

int
dkim_key_parse(struct dkim_key *k, const char *txt, size_t len,
    struct diag *d)
{
	struct tags tl;
	const struct tag *v, *kt, *p;
	struct buf der = { 0 };

	memset(k, 0, sizeof(*k));
	if (len > DKIM_KEYREC_MAX)
		return diag_set(d, "key record: over %d bytes",
		    DKIM_KEYREC_MAX);
	while (len > 0 && (txt[len - 1] == ' ' || txt[len - 1] == '\t'))
		len--;
	if (len == 0)
		return diag_set(d, "key record: RFC 6376 3.6.1: empty record");
	if (tags_parse(&tl, "key record", txt, len, d) < 0)
		return -1;
	v = tags_get(&tl, "v");
	if (v != NULL && (v != &tl.t[0] || !tags_value_is(v, "DKIM1")))
		return diag_set(d, "key record: RFC 6376 3.6.1: v= must be "
		    "DKIM1 and come first");
	kt = tags_get(&tl, "k");
	if (kt != NULL && !tags_value_is(kt, "rsa") &&
	    !tags_value_is(kt, "ed25519"))
		return diag_set(d, "key record: RFC 6376 3.6.1: unknown key "
		    "type k=");
	k->k_ed25519 = kt != NULL && tags_value_is(kt, "ed25519");
	if ((p = tags_get(&tl, "p")) == NULL)
		return diag_set(d, "key record: RFC 6376 3.6.1: missing "
		    "tag p");
	if (crypto_base64_decode(p->value, p->valuelen, &der) < 0) {
		buf_free(&der);
		return diag_set(d, "key record: RFC 6376 3.6.1: p= is not "
		    "base64");
	}
	key_lists(k, &tl);
	k->revoked = der.len == 0;
	k->derlen = der.len;
	k->der = (unsigned char *)buf_steal(&der);
	return 0;
}

void
dkim_key_clear(struct dkim_key *k)
{
	free(k->der);
	k->der = NULL;
	k->derlen = 0;
}

/* Parse rr into a cache slot (replacing the oldest when full); NULL with
 * d filled if the record is no key record at all. */
static struct key_entry *
cache_key(struct dkim_verifier *v, const struct dns_rr *rr, struct diag *d)
{
	struct key_entry *e;
	struct dkim_key k;
	struct crypto_pubkey *pk = NULL;
	struct diag pd = { { 0 } };

	if (dkim_key_parse(&k, (const char *)rr->data, rr->len, d) < 0)
		return NULL;
	if (!k.revoked)
		pk = crypto_pubkey_parse(k.k_ed25519 ? CRYPTO_KEY_ED25519 :
		    CRYPTO_KEY_RSA, k.der, k.derlen, &pd);
	dkim_key_clear(&k);
	if (v->nkeys < DKIM_KEYS_CACHED)
		e = &v->keys[v->nkeys++];
	else {
		e = &v->keys[v->nextkey++ % DKIM_KEYS_CACHED];
		crypto_pubkey_free(e->pk);
	}
	e->rrdata = rr->data;
	e->key = k;
	e->pk = pk;
	/* RFC 6376 6.1.2 step 8: key data unsuitable for k= */
	snprintf(e->bad, sizeof(e->bad), "RFC 6376 6.1.2: %.120s", pd.msg);
	return e;
}

static const struct key_entry *
find_key(struct dkim_verifier *v, const struct dns_rr *rr, struct diag *d)
{
	for (size_t k = 0; k < v->nkeys; k++)
		if (v->keys[k].rrdata == rr->data)
			return &v->keys[k];
	return cache_key(v, rr, d);
}

/* The key of s (RFC 6376 6.1.2 steps 1-5), or NULL with s settled. */
static const struct key_entry *
get_key(struct dkim_verifier *v, struct sig *s)
{
	const struct dns_answer *a;
	const struct key_entry *e = NULL;
	struct buf name = { 0 };
	struct diag d, first;

	buf_printf(&name, "%s._domainkey.%s", s->r.s, s->r.d);
	a = dns_query(v->dns, name.p, DNS_T_TXT);
	buf_free(&name);
	if (a->status == DNS_TIMEOUT || a->status == DNS_SERVFAIL) {
		settle(s, VERDICT_TEMPERROR, "key lookup: %s",
		    dns_status_name(a->status));
		return NULL;
	}
	if (a->status != DNS_OK) {
		settle(s, VERDICT_PERMERROR,
		    "RFC 6376 6.1.2: no key for signature (%s)",
		    dns_status_name(a->status));
		return NULL;
	}
	/* step 4: several records: the first that is a valid key */
	for (size_t k = 0; k < a->n && e == NULL; k++)
		if ((e = find_key(v, &a->rr[k], &d)) == NULL && k == 0)
			first = d;
	if (e == NULL)
		settle(s, VERDICT_PERMERROR, "%s", first.msg);
	return e;
}

/* RFC 6376 6.1.2 steps 6-8 and RFC 8301 3.2 for key e and signature s. */
static int
check_key(struct sig *s, const struct key_entry *e)
{
	const struct dkim_key *k = &e->key;
	unsigned bits;

	s->r.testing = k->t_y;
	if (k->revoked)
		return settle(s, VERDICT_PERMERROR,
		    "RFC 6376 6.1.2: key revoked");
	if (k->k_ed25519 != (s->alg == DKIM_A_ED25519_SHA256))
		return settle(s, VERDICT_PERMERROR,
		    "RFC 6376 6.1.2: key type k= does not match a=");
	if (!(s->halg == CRYPTO_SHA1 ? k->h_sha1 : k->h_sha256))
		return settle(s, VERDICT_PERMERROR,
		    "RFC 6376 6.1.2: key h= excludes the hash of a=");
	if (!k->s_email)
		return settle(s, VERDICT_PERMERROR,
		    "RFC 6376 3.6.1: key service type s= excludes email");
	if (k->t_s && strcasecmp(s->idom, s->r.d) != 0)
		return settle(s, VERDICT_PERMERROR,
		    "RFC 6376 3.6.1: key t=s requires the i= domain be d="),
		    -1;
	if (e->pk == NULL)
		return settle(s, VERDICT_PERMERROR, "%s", e->bad);
	bits = crypto_pubkey_bits(e->pk);
	if (!k->k_ed25519 && bits < DKIM_RSA_MIN_BITS)
		return settle(s, VERDICT_POLICY,
		    "RFC 8301 3.2: RSA key of %u bits, under %d", bits,
		    DKIM_RSA_MIN_BITS);
	if (!k->k_ed25519 && bits > DKIM_RSA_MAX_BITS)
		return settle(s, VERDICT_PERMERROR,
		    "RSA key of %u bits, over %d", bits, DKIM_RSA_MAX_BITS);
	return 0;
}

const struct crypto_pubkey *
dkim_verifier_key(struct dkim_verifier *v, const char *d, const char *sel,
    enum dkim_alg alg, enum verdict *vd, char reason[DKIM_REASON_MAX])
{
	struct sig s;
	const struct key_entry *e;

	memset(&s, 0, sizeof(s));
	s.r.d = (char *)d;
	s.r.s = (char *)sel;
	s.alg = alg;
	s.halg = alg == DKIM_A_RSA_SHA1 ? CRYPTO_SHA1 : CRYPTO_SHA256;
	s.idom = (char *)d;
	if ((e = get_key(v, &s)) != NULL && check_key(&s, e) == 0)
		return e->pk;
	*vd = s.r.verdict;
	memcpy(reason, s.r.reason, DKIM_REASON_MAX);
	return NULL;
}

static bool
body_matches(const struct body *bd, const struct sig *s)
{
	return bd->dlen == s->bh.len && memcmp(bd->digest, s->bh.p,
	    bd->dlen) == 0;
}

/* --explain: which variant of the body would give bh=. */
static void
explain(struct dkim_msg *dm, struct sig *s)
{
	struct buf b = { 0 };

	for (size_t k = 0; k < s->nvar; k++) {
		const struct body *bd = &dm->bodies[s->var[k].body];

		if (s->var[k].what == NULL && bd->matched)
			buf_printf(&b, "%sbody hash matches the first %llu "
			    "canonical body bytes (content added after "
			    "signing)", b.len ? "; " : "",
			    (unsigned long long)bd->match);
		else if (s->var[k].what != NULL && body_matches(bd, s))
			buf_printf(&b, "%sbody hash matches with %s",
			    b.len ? "; " : "", s->var[k].what);
	}
	if (b.len == 0)
		buf_adds(&b, "no variant of the body matches bh=");
	s->r.explain = buf_steal(&b);
}

/* RFC 6376 6.1.2, 6.1.3 for one signature. */
static void
verify_sig(struct dkim_msg *dm, struct sig *s)
{
	const struct key_entry *e;
	const struct body *bd;

	if (s->done || (e = get_key(dm->v, s)) == NULL || check_key(s, e) < 0)
		return;
	bd = &dm->bodies[s->body];
	if (s->has_l && canon_body_total(&bd->cb) < s->l) {
		settle(s, VERDICT_PERMERROR,
		    "RFC 6376 3.5: l= is larger than the body");
		return;
	}
	if (!body_matches(bd, s)) {
		settle(s, VERDICT_FAIL, "body hash did not verify");
		if (dm->v->o.explain)
			explain(dm, s);
		return;
	}
	if (!crypto_verify(e->pk, s->halg, s->hdigest, s->hdlen,
	    (const unsigned char *)s->b.p, s->b.len)) {
		settle(s, VERDICT_FAIL, "signature did not verify");
		return;
	}
	if (dm->v->o.strict_l && s->has_l && canon_body_total(&bd->cb) > s->l)
		settle(s, VERDICT_FAIL,
		    "RFC 6376 8.2: unsigned content after l=");
	settle(s, VERDICT_PASS, "%s", "");
}

/* --canon-dump: each signature's canonical body, after the headers. */
static void
dump_bodies(struct dkim_msg *dm)
{
	FILE *dump = dm->v->o.dump;
	char chunk[CANON_OUTBUF];
	size_t n;

	for (size_t k = 0; k < dm->nsigs && k < DKIM_SIGS_MAX; k++) {
		struct sig *s = &dm->sigs[k];
		struct body *bd;

		if (s->r.verdict == VERDICT_PERMERROR && s->hdlen == 0)
			continue;
		if (s->hdlen == 0)
			continue;
		bd = &dm->bodies[s->body];
		if (bd->dump == NULL)
			continue;
		dump_section(dump, "--- DKIM-Signature %zu: body data, c=%s, "
		    "%llu bytes ---\n", k + 1, canon_name(s->bc),
		    (unsigned long long)canon_body_sent(&bd->cb));
		rewind(bd->dump);
		while ((n = fread(chunk, 1, sizeof(chunk), bd->dump)) > 0)
			fwrite(chunk, 1, n, dump);
		dump_section(dump, "\n");
	}
}

void
dkim_msg_final(struct dkim_msg *dm)
{
	finish_bodies(dm);
	for (size_t k = 0; k < dm->nsigs; k++)
		verify_sig(dm, &dm->sigs[k]);
	if (dm->v->o.dump != NULL)
		dump_bodies(dm);
}

size_t
dkim_msg_count(const struct dkim_msg *dm)
{
	return dm->nsigs;
}

const struct dkim_result *
dkim_msg_result(const struct dkim_msg *dm, size_t i)
{
	return i < dm->nsigs ? &dm->sigs[i].r : NULL;
}

enum verdict
dkim_msg_verdict(const struct dkim_msg *dm)
{
	enum verdict v = VERDICT_NONE;

	for (size_t k = 0; k < dm->nsigs; k++)
		v = k == 0 ? dm->sigs[k].r.verdict :
		    verdict_best(v, dm->sigs[k].r.verdict);
	return v;
}

void
dkim_msg_free(struct dkim_msg *dm)
{
	if (dm == NULL)
		return;
	for (size_t k = 0; k < dm->nsigs; k++) {
		struct sig *s = &dm->sigs[k];

		free(s->r.d);
		free(s->r.i);
		free(s->r.s);
		free(s->r.a);
		free(s->r.explain);
		free(s->idom);
		buf_free(&s->bh);
		buf_free(&s->b);
	}
	for (size_t k = 0; k < dm->nbodies; k++) {
		crypto_hash_free(dm->bodies[k].h);
		if (dm->bodies[k].dump != NULL)
			fclose(dm->bodies[k].dump);
	}
	free(dm->bodies);
	free(dm->sigs);
	free(dm);
}

static void
add_opt(struct buf *b, const char *key, const char *value)
{
	if (value != NULL)
		kv_add(b, key, value);
}

void
dkim_result_format(const struct dkim_result *r, struct buf *b)
{
	kv_add(b, "dkim", verdict_name(r->verdict));
	if (r->verdict != VERDICT_PASS && r->reason[0] != '\0')
		kv_add(b, "reason", r->reason);
	add_opt(b, "header.d", r->d);
	add_opt(b, "header.i", r->i);
	add_opt(b, "header.s", r->s);
	add_opt(b, "header.a", r->a);
	if (r->b8[0] != '\0')
		kv_add(b, "header.b", r->b8);
	add_opt(b, "explain", r->explain);
}

int
dkim_msg_feed(struct dkim_msg *dm, struct msg *m, FILE *spool)
{
	static char chunk[65536];
	ssize_t k;

	while ((k = msg_read_body(m, chunk, sizeof(chunk))) > 0) {
		dkim_msg_body(dm, chunk, (size_t)k);
		if (spool != NULL && fwrite(chunk, 1, (size_t)k, spool) !=
		    (size_t)k)
			return -1;
	}
	return k < 0 ? -1 : 0;
}
