#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arc.h"
#include "authres.h"
#include "buf.h"
#include "canon.h"
#include "crypto.h"
#include "crypto_sign.h"
#include "diag.h"
#include "dkim.h"
#include "dkim_impl.h"
#include "kv.h"
#include "msg.h"
#include "tags.h"

#define AS_NAME		"ARC-Seal"
#define AMS_NAME	"ARC-Message-Signature"
#define AAR_NAME	"ARC-Authentication-Results"
#define T_DIGITS_MAX	12	/* RFC 6376 3.5 sig-t-tag */
#define LINE_MAX_COLS	78	/* characters a line (RFC 5322 2.1.1) */
#define B_FIRST_LINE	70	/* b= characters after "b=" */
#define B_LINE		72	/* b= characters a line after that */
/*
 * Folds in the signatures start their line with a space, not a tab:
 * dkimpy finds the AMS of an instance by the text " i=N;" in the raw
 * field, and so cannot validate a set whose "i=" begins a line after
 * a tab.
 */
#define FOLD_WSP	' '


enum kind { K_AAR, K_AMS, K_AS, K_COUNT };

static const char *const kind_name[K_COUNT] = { AAR_NAME, AMS_NAME,
    AS_NAME };

/* One ARC-Seal, parsed (RFC 8617 4.1.3). */
struct seal {
	struct tags	 tl;
	enum dkim_alg	 alg;
	enum arc_cv	 cv;
	struct buf	 b;		/* decoded b= */
	char		*d, *s;
};

struct arc_msg {
	struct dkim_verifier	*v;
	const struct msg	*m;
	FILE			*trace;
	struct arc_result	 r;
	bool			 done;		/* r settled early */
	/* field index of each set's fields, by instance; -1 none */
	long			 idx[K_COUNT][ARC_SETS_MAX + 1];
	struct seal		 seals[ARC_SETS_MAX + 1];
	size_t			 aar_payload[ARC_SETS_MAX + 1];	/* offset
						 * in the AAR value */
	struct dkim_msg		*ams;		/* AMS verification */
	bool			 from_ar;	/* sealing: r.cv is our arc=
						 * result, not validated here */
	struct canon_body	 cb;		/* sealing: relaxed body */
	struct crypto_hash	*bh;		/* NULL unless sealing */
};

const char *const arc_default_sign[] = {
	"From", "Reply-To", "Subject", "Date", "To", "Cc",
	"Resent-Date", "Resent-From", "Resent-To", "Resent-Cc",
	"In-Reply-To", "References",
	"List-Id", "List-Help", "List-Unsubscribe", "List-Unsubscribe-Post",
	"List-Subscribe", "List-Post", "List-Owner", "List-Archive",
	"Message-ID", "Sender",
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding",
	"DKIM-Signature",	/* RFC 8617 4.1.2: SHOULD */
	NULL
};

const char *
arc_cv_name(enum arc_cv cv)
{
	switch (cv) {
	case ARC_CV_PASS:
		return "pass";
	case ARC_CV_FAIL:
		return "fail";
	default:
		return "none";
	}
}

static void
trace(struct arc_msg *am, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
trace(struct arc_msg *am, const char *fmt, ...)
{
	va_list ap;

	if (am->trace == NULL)
		return;
	fputs("arc: ", am->trace);
	va_start(ap, fmt);
	vfprintf(am->trace, fmt, ap);
	va_end(ap);
	fputc('\n', am->trace);
}

/* Settle the chain as failed, once (RFC 8617 5.2: "the algorithm stops
 * here"); later calls are ignored. */
static void
fail(struct arc_msg *am, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail(struct arc_msg *am, const char *fmt, ...)
{
	va_list ap;

	if (am->done)
		return;
	am->done = true;
	am->r.cv = ARC_CV_FAIL;
	va_start(ap, fmt);
	vsnprintf(am->r.reason, sizeof(am->r.reason), fmt, ap);
	va_end(ap);
	trace(am, "fail: %s", am->r.reason);
}

static bool
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skip CFWS (RFC 5322 3.2.2): white space, folds and comments. */
static size_t
skip_cfws(const char *s, size_t i, size_t n)
{
	for (;;) {
		while (i < n && is_wsp((unsigned char)s[i]))
			i++;
		if (i >= n || s[i] != '(')
			return i;
		for (int depth = 0; i < n; i++) {
			if (s[i] == '\\' && i + 1 < n)
				i++;
			else if (s[i] == '(')
				depth++;
			else if (s[i] == ')' && --depth == 0) {
				i++;
				break;
			}
		}
	}
}

/*
 * The instance of an AAR: arc-info = instance [CFWS] ";" authres-payload,
 * instance = [CFWS] "i" [CFWS] "=" [CFWS] 1*2DIGIT (RFC 8617 4.1.1,
 * 4.2.1; ABNF literals are case-insensitive).  0 if malformed.
 */
static unsigned
aar_instance(const struct msg_field *f, size_t *payload)
{
	const char *s = f->value;
	size_t n = f->valuelen, i;
	unsigned v = 0, digits = 0;

	i = skip_cfws(s, 0, n);
	if (i >= n || (s[i] | 0x20) != 'i')
		return 0;
	i = skip_cfws(s, i + 1, n);
	if (i >= n || s[i] != '=')
		return 0;
	i = skip_cfws(s, i + 1, n);
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		v = v * 10 + (unsigned)(s[i] - '0');
	if (digits == 0 || digits > 2)
		return 0;
	i = skip_cfws(s, i, n);
	if (i >= n || s[i] != ';')
		return 0;
	*payload = i + 1;
	return v;
}

/* The i= of an AMS or AS tag list, 0 if missing or malformed. */
static unsigned
tag_instance(const struct tags *tl)
{
	const struct tag *t = tags_get(tl, "i");
	uint64_t v;

	if (t == NULL || !dkim_parse_uint(t, 2, &v))
		return 0;
	return (unsigned)v;
}

/*
 * RFC 8617 5.2 steps 1-3: collect the sets, check that instances 1..N
 * each have exactly one field of each kind.  Returns false when the chain
 * is settled (none, or fail).
 */
static bool
collect(struct arc_msg *am)
{
	const struct msg *m = am->m;
	size_t count[K_COUNT][ARC_SETS_MAX + 1];
	size_t total = 0;
	unsigned n = 0;

	memset(count, 0, sizeof(count));
	for (int k = 0; k < K_COUNT; k++)
		for (unsigned i = 0; i <= ARC_SETS_MAX; i++)
			am->idx[k][i] = -1;
	for (size_t j = 0; j < m->nf; j++) {
		const struct msg_field *f = &m->f[j];
		struct tags tl;
		struct diag d;
		size_t payload = 0;
		unsigned inst;
		int k;

		for (k = 0; k < K_COUNT; k++)
			if (!f->bad && msg_field_is(f, kind_name[k]))
				break;
		if (k == K_COUNT)
			continue;
		total++;
		if (k == K_AAR)
			inst = aar_instance(f, &payload);
		else if (tags_parse(&tl, kind_name[k], f->value, f->valuelen,
		    &d) < 0) {
			fail(am, "%s", d.msg);
			continue;
		} else
			inst = tag_instance(&tl);
		if (inst < 1 || inst > ARC_SETS_MAX) {
			fail(am, "RFC 8617 4.2.1: %s without a valid instance "
			    "i= (1 to %d)", kind_name[k], ARC_SETS_MAX);
			continue;
		}
		count[k][inst]++;
		am->idx[k][inst] = (long)j;
		if (k == K_AAR)
			am->aar_payload[inst] = payload;
		if (inst > n)
			n = inst;
	}
	am->r.n = n;
	if (total == 0) {
		am->r.cv = ARC_CV_NONE;
		am->done = true;
		trace(am, "no ARC set: none");
		return false;
	}
	if (am->done)
		return false;
	for (unsigned i = 1; i <= n; i++)
		for (int k = 0; k < K_COUNT; k++)
			if (count[k][i] != 1) {
				/* step 3 A and B */
				fail(am, "RFC 8617 5.2 step 3: ARC set %u has "
				    "%zu %s fields, not one", i, count[k][i],
				    kind_name[k]);
				return false;
			}
	am->r.structure_ok = true;
	return true;
}

/*
 * Parse ARC-Seal i (RFC 8617 4.1.3): the DKIM tags i, a, b, d, s, t and
 * cv; h= is an error; other tags are ignored (RFC 6376 3.2).
 */
static int
parse_seal(struct arc_msg *am, unsigned i)
{
	const struct msg_field *f = &am->m->f[am->idx[K_AS][i]];
	struct seal *se = &am->seals[i];
	static const char *const req[] = { "a", "b", "cv", "d", "s" };
	const struct tag *t;
	struct diag d;
	uint64_t tv;

	if (tags_parse(&se->tl, AS_NAME, f->value, f->valuelen, &d) < 0) {
		fail(am, "%s", d.msg);
		return -1;
	}
	for (size_t k = 0; k < sizeof(req) / sizeof(req[0]); k++)
		if (tags_get(&se->tl, req[k]) == NULL) {
			fail(am, "RFC 8617 4.1.3: ARC-Seal i=%u has no %s=", i,
			    req[k]);
			return -1;
		}
	if (tags_get(&se->tl, "h") != NULL) {
		fail(am, "RFC 8617 4.1.3: ARC-Seal i=%u has h=", i);
		return -1;
	}
	t = tags_get(&se->tl, "cv");
	if (tags_value_is(t, "none"))
		se->cv = ARC_CV_NONE;
	else if (tags_value_is(t, "pass"))
		se->cv = ARC_CV_PASS;
	else if (tags_value_is(t, "fail"))
		se->cv = ARC_CV_FAIL;
	else {
		fail(am, "RFC 8617 4.4: ARC-Seal i=%u: unknown cv= value", i);
		return -1;
	}
	if (!dkim_alg_parse(tags_get(&se->tl, "a"), &se->alg)) {
		fail(am, "RFC 6376 3.5: ARC-Seal i=%u: unsupported "
		    "algorithm a=", i);
		return -1;
	}
	t = tags_get(&se->tl, "d");
	if (!dkim_domain_ok(t->value, t->valuelen)) {
		fail(am, "RFC 6376 3.5: ARC-Seal i=%u: malformed d=", i);
		return -1;
	}
	se->d = xstrndup(t->value, t->valuelen);
	t = tags_get(&se->tl, "s");
	if (!dkim_domain_ok(t->value, t->valuelen)) {
		fail(am, "RFC 6376 3.5: ARC-Seal i=%u: malformed s=", i);
		return -1;
	}
	se->s = xstrndup(t->value, t->valuelen);
	t = tags_get(&se->tl, "t");
	if (t != NULL && !dkim_parse_uint(t, T_DIGITS_MAX, &tv)) {
		fail(am, "RFC 6376 3.5: ARC-Seal i=%u: malformed t=", i);
		return -1;
	}
	t = tags_get(&se->tl, "b");
	if (crypto_base64_decode(t->value, t->valuelen, &se->b) < 0 ||
	    se->b.len == 0) {
		fail(am, "RFC 6376 3.5: ARC-Seal i=%u: b= is not base64", i);
		return -1;
	}
	return 0;
}

static enum arc_cv sealed_cv(const struct arc_msg *am,
		    const struct authres_set *set, bool *from_ar);

struct arc_msg *
arc_msg_new(struct dkim_verifier *v, const struct msg *m,
    const char *seal_for, FILE *trace_to)
{
	struct authres_set set;
	enum arc_cv cv;
	struct arc_msg *am = xcalloc(1, sizeof(*am));
	unsigned n;

	am->v = v;
	am->m = m;
	am->trace = trace_to;
	if (seal_for != NULL) {
		am->bh = crypto_hash_new(CRYPTO_SHA256);
		canon_body_init(&am->cb, CANON_RELAXED, CANON_NO_LIMIT,
		    crypto_hash_sink, am->bh);
	}
	if (!collect(am))
		return am;
	n = am->r.n;
	trace(am, "%u ARC set%s", n, n == 1 ? "" : "s");
	/* step 2: the newest seal already says the chain failed; its own
	 * tags must parse for that to be read */
	if (parse_seal(am, n) < 0)
		return am;
	if (am->seals[n].cv == ARC_CV_FAIL) {
		am->r.sealed_fail = true;
		fail(am, "RFC 8617 5.2 step 2: the newest ARC-Seal (i=%u) "
		    "says cv=fail", n);
		return am;
	}
	for (unsigned i = n - 1; i >= 1; i--)
		if (parse_seal(am, i) < 0)
			return am;
	/* step 3 C */
	for (unsigned i = 1; i <= n; i++) {
		enum arc_cv want = i == 1 ? ARC_CV_NONE : ARC_CV_PASS;

		if (am->seals[i].cv != want) {
			fail(am, "RFC 8617 5.2 step 3: ARC-Seal i=%u has "
			    "cv=%s, not %s", i, arc_cv_name(am->seals[i].cv),
			    arc_cv_name(want));
			return am;
		}
	}
	/* a sealer whose own arc= result describes this chain seals that
	 * (arcverify -a ran before it): no second validation, no second
	 * round of key lookups */
	if (seal_for != NULL) {
		authres_ours(m, seal_for, &set);
		cv = sealed_cv(am, &set, &am->from_ar);
		authres_set_free(&set);
		if (am->from_ar) {
			am->r.cv = cv;
			am->done = true;
			trace(am, "arc=%s from our Authentication-Results",
			    arc_cv_name(cv));
			return am;
		}
	}
	am->ams = dkim_msg_new_ams(v, m);
	return am;
}

void
arc_msg_body(struct arc_msg *am, const void *p, size_t n)
{
	if (am->ams != NULL)
		dkim_msg_body(am->ams, p, n);
	if (am->bh != NULL)
		canon_body_update(&am->cb, p, n);
}

int
arc_msg_feed(struct arc_msg *am, struct msg *m, FILE *spool)
{
	static char chunk[65536];
	ssize_t k;

	while ((k = msg_read_body(m, chunk, sizeof(chunk))) > 0) {
		arc_msg_body(am, chunk, (size_t)k);
		if (spool != NULL && fwrite(chunk, 1, (size_t)k, spool) !=
		    (size_t)k)
			return -1;
	}
	return k < 0 ? -1 : 0;
}

/* The AMS result of instance i. */
static const struct dkim_result *
ams_result(const struct arc_msg *am, unsigned i)
{
	for (size_t k = 0; k < dkim_msg_count(am->ams); k++) {
		const struct dkim_result *r = dkim_msg_result(am->ams, k);

		if (r->instance == i)
			return r;
	}
	return NULL;
}

/* Append field f, relaxed (RFC 6376 3.4.2), to hash h. */
static void
hash_field(struct crypto_hash *h, struct buf *tmp, const struct msg_field *f)
{
	dkim_hash_field(h, tmp, CANON_RELAXED, f->raw, f->rawlen, false,
	    NULL);
}

/* Hash the AS signing scope for seal i, as RFC 8617 5.1.1 says: the sets
 * 1..i in order AAR, AMS, AS, the AS of set i with b= empty and without
 * its final CRLF (RFC 6376 3.7). */
static size_t
seal_digest(struct arc_msg *am, unsigned i, unsigned char *out)
{
	const struct msg *m = am->m;
	struct crypto_hash *h = crypto_hash_new(CRYPTO_SHA256);
	struct buf tmp = { 0 }, self = { 0 };
	size_t n;

	for (unsigned k = 1; k <= i; k++) {
		hash_field(h, &tmp, &m->f[am->idx[K_AAR][k]]);
		hash_field(h, &tmp, &m->f[am->idx[K_AMS][k]]);
		if (k < i)
			hash_field(h, &tmp, &m->f[am->idx[K_AS][k]]);
	}
	dkim_strip_b(&m->f[am->idx[K_AS][i]], tags_get(&am->seals[i].tl, "b"),
	    &self);
	dkim_hash_field(h, &tmp, CANON_RELAXED, self.p, self.len, true, NULL);
	n = crypto_hash_final(h, out);
	crypto_hash_free(h);
	buf_free(&tmp);
	buf_free(&self);
	return n;
}

/* RFC 8617 5.2 step 6 for seal i. */
static bool
verify_seal(struct arc_msg *am, unsigned i)
{
	struct seal *se = &am->seals[i];
	const struct crypto_pubkey *pk;
	unsigned char dg[CRYPTO_HASH_MAX];
	char why[DKIM_REASON_MAX];
	enum verdict vd;
	size_t n;

	/* RFC 8301 3.1: rsa-sha1 MUST NOT be used for verifying */
	if (se->alg == DKIM_A_RSA_SHA1) {
		fail(am, "RFC 8301 3.1: ARC-Seal i=%u is rsa-sha1", i);
		return false;
	}
	if ((pk = dkim_verifier_key(am->v, se->d, se->s, se->alg, &vd,
	    why)) == NULL) {
		/* RFC 8617 5.2.1: every error is permanent, DNS included */
		fail(am, "ARC-Seal i=%u: %s", i, why);
		return false;
	}
	n = seal_digest(am, i, dg);
	if (!crypto_verify(pk, CRYPTO_SHA256, dg, n,
	    (const unsigned char *)se->b.p, se->b.len)) {
		fail(am, "ARC-Seal i=%u (d=%s s=%s) did not verify", i, se->d,
		    se->s);
		return false;
	}
	trace(am, "ARC-Seal i=%u d=%s s=%s cv=%s: pass", i, se->d, se->s,
	    arc_cv_name(se->cv));
	return true;
}

void
arc_msg_final(struct arc_msg *am)
{
	const struct dkim_result *r;
	unsigned n = am->r.n;

	if (am->bh != NULL)
		canon_body_final(&am->cb);
	if (am->ams == NULL || am->done)
		return;
	dkim_msg_final(am->ams);
	/* step 4: the newest AMS */
	r = ams_result(am, n);
	if (r == NULL || r->verdict != VERDICT_PASS) {
		fail(am, "ARC-Message-Signature i=%u: %s", n,
		    r == NULL ? "malformed" : r->reason);
		return;
	}
	trace(am, "ARC-Message-Signature i=%u d=%s s=%s: pass", n, r->d,
	    r->s);
	/* step 5: oldest-pass */
	am->r.oldest_pass = 0;
	for (unsigned i = n - 1; i >= 1; i--) {
		r = ams_result(am, i);
		if (r == NULL || r->verdict != VERDICT_PASS) {
			trace(am, "ARC-Message-Signature i=%u: %s (oldest-pass "
			    "%u)", i, r == NULL ? "malformed" : r->reason,
			    i + 1);
			am->r.oldest_pass = i + 1;
			break;
		}
		trace(am, "ARC-Message-Signature i=%u d=%s s=%s: pass", i,
		    r->d, r->s);
	}
	/* step 6 */
	for (unsigned i = n; i >= 1; i--)
		if (!verify_seal(am, i))
			return;
	am->done = true;
	am->r.cv = ARC_CV_PASS;
	trace(am, "chain of %u: pass", n);
}

bool
arc_msg_set(const struct arc_msg *am, unsigned i, const char **d,
    const char **s, const char **aar, size_t *aarlen)
{
	const struct msg_field *f;

	if (i < 1 || i > am->r.n || !am->r.structure_ok ||
	    am->seals[i].d == NULL)
		return false;
	f = &am->m->f[am->idx[K_AAR][i]];
	*d = am->seals[i].d;
	*s = am->seals[i].s;
	*aar = f->value + am->aar_payload[i];
	*aarlen = f->valuelen - am->aar_payload[i];
	return true;
}

const struct arc_result *
arc_msg_result(const struct arc_msg *am)
{
	return &am->r;
}

void
arc_msg_free(struct arc_msg *am)
{
	if (am == NULL)
		return;
	for (unsigned i = 0; i <= ARC_SETS_MAX; i++) {
		buf_free(&am->seals[i].b);
		free(am->seals[i].d);
		free(am->seals[i].s);
	}
	dkim_msg_free(am->ams);
	crypto_hash_free(am->bh);
	free(am);
}

void
arc_result_format(const struct arc_result *r, const char *remote_ip,
    struct buf *b)
{
	char num[16];

	kv_add(b, "arc", arc_cv_name(r->cv));
	if (r->cv == ARC_CV_FAIL && r->reason[0] != '\0')
		kv_add(b, "reason", r->reason);
	if (remote_ip != NULL)
		kv_add(b, "smtp.remote-ip", remote_ip);
	if (r->cv == ARC_CV_PASS) {
		snprintf(num, sizeof(num), "%u", r->oldest_pass);
		kv_add(b, "header.oldest-pass", num);
	}
}

/* ---- sealing (RFC 8617 5.1) ---- */

/* Whether name is one an AMS must not sign (RFC 8617 4.1.2). */
static bool
unsignable(const char *name)
{
	return strcasecmp(name, AS_NAME) == 0 ||
	    strcasecmp(name, AMS_NAME) == 0 ||
	    strcasecmp(name, AAR_NAME) == 0 ||
	    strcasecmp(name, AUTHRES_FIELD) == 0;
}

int
arc_seal_check(const struct arc_seal_opts *o, struct diag *d)
{
	bool from = false;

	if (!dkim_domain_ok(o->domain, strlen(o->domain)))
		return diag_set(d, "domain \"%s\" is not a domain name",
		    o->domain);
	if (!dkim_domain_ok(o->selector, strlen(o->selector)))
		return diag_set(d, "selector \"%s\" is not a selector",
		    o->selector);
	if (o->authserv_id == NULL || o->authserv_id[0] == '\0')
		return diag_set(d, "an authserv-id is needed");
	if (crypto_key_type(o->key) == CRYPTO_KEY_RSA &&
	    crypto_key_bits(o->key) < CRYPTO_RSA_MIN_BITS)
		return diag_set(d, "RFC 8301 3.2: an RSA key of %u bits is "
		    "refused (under %d)", crypto_key_bits(o->key),
		    CRYPTO_RSA_MIN_BITS);
	for (size_t k = 0; k < o->nsign; k++) {
		const char *p = o->sign[k];

		if (*p == '\0' || strpbrk(p, ": \t;") != NULL)
			return diag_set(d, "\"%s\" is not a field name", p);
		if (unsignable(p))
			return diag_set(d, "RFC 8617 4.1.2: the "
			    "ARC-Message-Signature must not sign %s", p);
		from |= strcasecmp(p, "From") == 0;
	}
	/* RFC 8617 4.1.2 gives the AMS DKIM's rules: RFC 6376 5.4 */
	if (!from)
		return diag_set(d, "RFC 6376 5.4: From must be signed");
	return 0;
}

/* Folding writer for the fields we make: tag=value items joined by "; ",
 * a line broken before an item that would pass LINE_MAX_COLS. */
struct fold {
	struct buf	*out;
	const char	*eol;
	size_t		 col;
	bool		 first;
};

static void
fold_start(struct fold *f, struct buf *out, const char *name,
    const char *eol)
{
	f->out = out;
	f->eol = eol;
	buf_adds(out, name);
	buf_adds(out, ":");
	f->col = strlen(name) + 1;
	f->first = true;
}

/*
 * An item too long for a line of its own (a long h=) is broken after a
 * ':' (FWS is allowed there, RFC 6376 3.5); where depends only on the
 * item, so the text hashed with b= empty and the text written fold it
 * alike.
 */
static void
fold_item(struct fold *f, const char *item)
{
	size_t n = strlen(item);

	if (!f->first) {
		buf_addc(f->out, ';');
		f->col++;
	}
	if (!f->first && f->col + 1 + n > LINE_MAX_COLS) {
		buf_adds(f->out, f->eol);
		buf_addc(f->out, FOLD_WSP);
		f->col = 1;
	} else {
		buf_addc(f->out, ' ');
		f->col++;
	}
	while (f->col + n > LINE_MAX_COLS && f->col == 1) {
		const char *cut = NULL;

		for (const char *p = item; p < item + n &&
		    f->col + (size_t)(p - item) < LINE_MAX_COLS; p++)
			if (*p == ':')
				cut = p + 1;
		if (cut == NULL)
			break;
		buf_add(f->out, item, (size_t)(cut - item));
		buf_adds(f->out, f->eol);
		buf_addc(f->out, FOLD_WSP);
		n -= (size_t)(cut - item);
		item = cut;
	}
	buf_add(f->out, item, n);
	f->col += n;
	f->first = false;
}

/*
 * b= on lines of its own: "b=" and 70 characters, then 72 a line.  The
 * folds are removed with b= when this field's own signature is checked,
 * but not when a later ARC-Seal hashes the AMS (relaxed: each fold is a
 * space), so they sit where other sealers put them (dkimpy; the ARC
 * suite's expected seals depend on it).
 */
static void
fold_b(struct fold *f, const char *b64, size_t n)
{
	size_t room = B_FIRST_LINE;

	buf_addc(f->out, ';');
	buf_adds(f->out, f->eol);
	buf_adds(f->out, " b=");
	f->col = 3;
	while (n > 0) {
		if (room > n)
			room = n;
		buf_add(f->out, b64, room);
		b64 += room;
		n -= room;
		f->col += room;
		if (n > 0) {
			buf_adds(f->out, f->eol);
			buf_addc(f->out, FOLD_WSP);
			f->col = 1;
		}
		room = B_LINE;
	}
	f->first = false;
}

/*
 * The resinfo of one of our Authentication-Results fields, in its own
 * words (comments, folds): everything after the authserv-id and its
 * ";", cut at the ";" outside comments and quoted strings, each piece
 * trimmed; "none" (RFC 8601 2.2: no result) is dropped, and so is an
 * arc= result when drop_arc.
 */
static void
aar_pieces(const struct msg_field *f, struct buf *out, const char *eol,
    bool drop_arc, bool *has_arc)
{
	const char *s = f->value;
	size_t n = f->valuelen, i = 0, start;
	int depth = 0;
	bool quote = false;

	/* past the authserv-id [version] ";" (a quoted id may hold ';') */
	while (i < n && s[i] != ';') {
		if (s[i] == '(')
			i = skip_cfws(s, i, n);
		else if (s[i] == '"') {
			for (i++; i < n && s[i] != '"'; i++)
				if (s[i] == '\\' && i + 1 < n)
					i++;
			i++;
		} else
			i++;
	}
	if (i >= n)
		return;
	start = ++i;
	for (; i <= n; i++) {
		bool cut = i == n;

		if (!cut && quote) {
			if (s[i] == '\\' && i + 1 < n)
				i++;
			else if (s[i] == '"')
				quote = false;
			continue;
		}
		if (!cut) {
			if (s[i] == '"' && depth == 0)
				quote = true;
			else if (s[i] == '\\' && depth > 0 && i + 1 < n)
				i++;
			else if (s[i] == '(')
				depth++;
			else if (s[i] == ')' && depth > 0)
				depth--;
			cut = s[i] == ';' && depth == 0;
		}
		if (cut) {
			size_t a = start, e = i < n ? i : n;

			while (a < e && is_wsp((unsigned char)s[a]))
				a++;
			while (e > a && is_wsp((unsigned char)s[e - 1]))
				e--;
			bool arc = e - a > 4 && strncasecmp(s + a, "arc", 3) ==
			    0 && (s[a + 3] == '=' || is_wsp(
			    (unsigned char)s[a + 3]) || s[a + 3] == '(');

			if (e > a && !(e - a == 4 &&
			    strncasecmp(s + a, "none", 4) == 0) &&
			    !(arc && drop_arc)) {
				*has_arc |= arc;
				buf_addc(out, ';');
				buf_adds(out, eol);
				buf_addc(out, '\t');
				buf_add(out, s + a, e - a);
			}
			start = i + 1;
		}
	}
}

/*
 * The chain status to seal: our arc= result if there is one that can
 * describe this message (none for no chain, pass or fail for one: an
 * arc=none above a chain was written before the chain was, by an
 * earlier hop that used the same authserv-id), else am's own status.
 * *from_ar says which.
 */
static enum arc_cv
sealed_cv(const struct arc_msg *am, const struct authres_set *set,
    bool *from_ar)
{
	size_t pos = 0;
	const struct authres_result *r = authres_set_find(set, "arc", &pos);
	enum arc_cv cv;

	*from_ar = false;
	if (r == NULL)
		return am->r.cv;
	if (strcmp(r->result, "pass") == 0)
		cv = ARC_CV_PASS;
	else if (strcmp(r->result, "none") == 0)
		cv = ARC_CV_NONE;
	else
		cv = ARC_CV_FAIL;
	if ((cv == ARC_CV_NONE) != (am->r.n == 0))
		return am->r.cv;
	*from_ar = true;
	return cv;
}

/* The AAR value (RFC 8617 4.1.1): every result of ours, in message
 * order, an arc= first when none says it. */
static void
make_aar(const struct msg *m, const struct arc_seal_opts *o,
    const struct authres_set *set, unsigned inst, enum arc_cv cv,
    bool drop_arc, struct buf *out)
{
	struct buf pieces = { 0 };
	bool has_arc = false;

	for (size_t k = 0; k < set->n; k++)
		aar_pieces(&m->f[set->f[k].index], &pieces, m->eol, drop_arc,
		    &has_arc);
	buf_printf(out, "%s: i=%u; ", AAR_NAME, inst);
	authres_add_id(out, o->authserv_id);
	if (!has_arc)
		buf_printf(out, ";%s\tarc=%s", m->eol, arc_cv_name(cv));
	buf_add(out, pieces.p, pieces.len);
	buf_adds(out, m->eol);
	buf_free(&pieces);
}

static const char *
alg_name(const struct crypto_key *k)
{
	return crypto_key_type(k) == CRYPTO_KEY_ED25519 ? "ed25519-sha256" :
	    "rsa-sha256";
}

/* Sign digest dg into a field: head (with "b=" empty, items after) is
 * rebuilt with b= filled. */
static int
sign_into(const struct arc_seal_opts *o, const unsigned char *dg, size_t n,
    const char *name, const char *eol, const char *const *items,
    size_t nitems, struct buf *out, struct diag *d)
{
	struct buf b64 = { 0 };
	struct fold f;

	if (crypto_key_sign(o->key, dg, n, &b64, d) < 0) {
		buf_free(&b64);
		return -1;
	}
	fold_start(&f, out, name, eol);
	fold_item(&f, items[0]);	/* a= */
	fold_b(&f, b64.p, b64.len);
	for (size_t k = 1; k < nitems; k++)
		fold_item(&f, items[k]);
	buf_adds(out, eol);
	buf_free(&b64);
	return 0;
}

/* The field text with b= empty, as it is hashed: name, then the items
 * with "b=" second, in the order and folding sign_into writes them. */
static void
unsigned_text(const char *name, const char *eol, const char *const *items,
    size_t nitems, struct buf *out)
{
	struct fold f;

	fold_start(&f, out, name, eol);
	fold_item(&f, items[0]);
	fold_item(&f, "b=");
	for (size_t k = 1; k < nitems; k++)
		fold_item(&f, items[k]);
	buf_adds(out, eol);
}

int
arc_seal(struct arc_msg *am, const struct msg *m,
    const struct arc_seal_opts *o, struct buf *out, enum arc_cv *cvp,
    struct diag *d)
{
	struct authres_set set;
	struct buf aar = { 0 }, ams = { 0 }, tmp = { 0 }, txt = { 0 };
	struct buf hlist = { 0 }, b64bh = { 0 };
	char it_a[32], it_bh[64], it_c[32], it_d[300];
	char it_i[16], it_s[300], it_t[32], it_cv[16];
	unsigned char dg[CRYPTO_HASH_MAX];
	struct crypto_hash *h;
	bool *used;
	enum arc_cv cv, ar_cv;
	bool from_ar;
	unsigned inst = am->r.n + 1;
	size_t dn;
	int rc = -1;

	if (am->bh == NULL)
		return diag_set(d, "internal error: the chain was read for "
		    "validation only");
	if (am->r.sealed_fail) {
		diag_set(d, "RFC 8617 5.1 step 2: the newest ARC-Seal (i=%u) "
		    "says cv=fail: no set added", am->r.n);
		return 1;
	}
	if (inst > ARC_SETS_MAX)
		return diag_set(d, "RFC 8617 4.2.1: the chain already has "
		    "%d sets", ARC_SETS_MAX);
	if (msg_count(m, "From") == 0)
		return diag_set(d, "RFC 6376 5.4: no From field to sign");
	authres_ours(m, o->authserv_id, &set);
	cv = am->r.cv;
	/* a chain of unknown shape cannot be sealed over (5.1.2) */
	if (am->r.n > 0 && !am->r.structure_ok)
		cv = ARC_CV_FAIL;
	*cvp = cv;
	/* our arc= result stays in the AAR, as written, when it is the
	 * status sealed; else it gives way to the status found here */
	ar_cv = sealed_cv(am, &set, &from_ar);
	make_aar(m, o, &set, inst, cv, !(from_ar && ar_cv == cv), &aar);
	authres_set_free(&set);

	/* the AMS: DKIM over the fields named, the body relaxed */
	used = xcalloc(m->nf + 1, sizeof(*used));
	h = crypto_hash_new(CRYPTO_SHA256);
	buf_adds(&hlist, "h=");
	for (size_t k = 0; k < o->nsign; k++) {
		/* present_only: each instance the message has, none else */
		size_t times = o->present_only ? msg_count(m, o->sign[k]) : 1;

		for (size_t t = 0; t < times; t++) {
			long j = dkim_pick_field(m, o->sign[k],
			    strlen(o->sign[k]), used);

			if (hlist.len > 2)
				buf_addc(&hlist, ':');
			buf_adds(&hlist, o->sign[k]);
			if (j >= 0)
				hash_field(h, &tmp, &m->f[j]);
		}
	}
	free(used);
	dn = crypto_hash_final(am->bh, dg);
	crypto_base64_encode(&b64bh, dg, dn);
	snprintf(it_a, sizeof(it_a), "a=%s", alg_name(o->key));
	snprintf(it_bh, sizeof(it_bh), "bh=%.*s", (int)b64bh.len, b64bh.p);
	snprintf(it_c, sizeof(it_c), "c=relaxed/relaxed");
	snprintf(it_d, sizeof(it_d), "d=%s", o->domain);
	snprintf(it_i, sizeof(it_i), "i=%u", inst);
	snprintf(it_s, sizeof(it_s), "s=%s", o->selector);
	snprintf(it_t, sizeof(it_t), "t=%lld", o->time);
	snprintf(it_cv, sizeof(it_cv), "cv=%s", arc_cv_name(cv));
	{
		const char *items[] = { it_a, it_bh, it_c, it_d, hlist.p, it_i,
		    it_s, it_t };
		size_t ni = sizeof(items) / sizeof(items[0]);

		unsigned_text(AMS_NAME, m->eol, items, ni, &txt);
		dkim_hash_field(h, &tmp, CANON_RELAXED, txt.p, txt.len, true,
		    NULL);
		dn = crypto_hash_final(h, dg);
		if (sign_into(o, dg, dn, AMS_NAME, m->eol, items, ni, &ams,
		    d) < 0)
			goto out;
	}

	/* the AS: sets 1..N (none when the chain failed, 5.1.2), then ours */
	crypto_hash_reset(h);
	if (cv != ARC_CV_FAIL)
		for (unsigned k = 1; k < inst; k++) {
			hash_field(h, &tmp, &m->f[am->idx[K_AAR][k]]);
			hash_field(h, &tmp, &m->f[am->idx[K_AMS][k]]);
			hash_field(h, &tmp, &m->f[am->idx[K_AS][k]]);
		}
	dkim_hash_field(h, &tmp, CANON_RELAXED, aar.p, aar.len, false, NULL);
	dkim_hash_field(h, &tmp, CANON_RELAXED, ams.p, ams.len, false, NULL);
	{
		const char *items[] = { it_a, it_cv, it_d, it_i, it_s, it_t };
		size_t ni = sizeof(items) / sizeof(items[0]);

		buf_reset(&txt);
		unsigned_text(AS_NAME, m->eol, items, ni, &txt);
		dkim_hash_field(h, &tmp, CANON_RELAXED, txt.p, txt.len, true,
		    NULL);
		dn = crypto_hash_final(h, dg);
		if (sign_into(o, dg, dn, AS_NAME, m->eol, items, ni, out,
		    d) < 0)
			goto out;
	}
	buf_add(out, ams.p, ams.len);
	buf_add(out, aar.p, aar.len);
	rc = 0;
out:
	crypto_hash_free(h);
	buf_free(&aar);
	buf_free(&ams);
	buf_free(&tmp);
	buf_free(&txt);
	buf_free(&hlist);
	buf_free(&b64bh);
	return rc;
}
