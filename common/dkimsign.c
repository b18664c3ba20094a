#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "canon.h"
#include "crypto.h"
#include "crypto_sign.h"
#include "diag.h"
#include "dkim.h"
#include "dkimsign.h"
#include "dns.h"
#include "msg.h"

#define TAB_WIDTH	8	/* columns a folding HTAB may take */
#define LABEL_MAX	63	/* RFC 1035 2.3.4 */
#define NAME_MAX_LEN	253	/* RFC 1035 2.3.4, presentation form */
#define TAG_MAX		(NAME_MAX_LEN + 8)	/* bytes of a formatted tag */

/*
 * RFC 6376 5.4.1's recommended fields, with Message-ID, Sender, the MIME
 * fields and List-Unsubscribe-Post (RFC 8058 3.3: MUST be signed) added.
 */
const char *const dkimsign_default_sign[] = {
	"From", "Reply-To", "Subject", "Date", "To", "Cc",
	"Resent-Date", "Resent-From", "Resent-To", "Resent-Cc",
	"In-Reply-To", "References",
	"List-Id", "List-Help", "List-Unsubscribe", "List-Unsubscribe-Post",
	"List-Subscribe", "List-Post", "List-Owner", "List-Archive",
	"Message-ID", "Sender",
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding",
	NULL
};

/*
 * Fields a message has at most once (RFC 5322 3.6), listed once more than
 * present so that a copy added in transit breaks the signature (5.4.2).
 */
const char *const dkimsign_default_oversign[] = {
	"From", "Reply-To", "Subject", "Date", "To", "Cc", "Sender",
	"Message-ID", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding",
	NULL
};

struct dkimsign {
	const struct dkimsign_opts *o;
	struct canon_body	 cb;
	struct crypto_hash	*bhash;		/* body hash, RFC 6376 3.7 */
	struct crypto_hash	*hhash;		/* header hash */
	struct buf		 hdata;		/* canonical signed fields */
	struct buf		 hlist;		/* h= value, unfolded */
	struct buf		 field;		/* the field being made */
	struct buf		 tmp;
	size_t			 col;		/* column after "b=" */
	const char		*plan[2 * DKIMSIGN_NAMES_MAX];	/* h= names */
	bool			 over[2 * DKIMSIGN_NAMES_MAX];	/* oversigned */
	size_t			 nplan;
};

static void	make_plan(struct dkimsign *s);

static size_t
list_len(const char *const *l)
{
	size_t n = 0;

	while (l[n] != NULL)
		n++;
	return n;
}

void
dkimsign_opts_init(struct dkimsign_opts *o, long long now)
{
	memset(o, 0, sizeof(*o));
	o->hcanon = CANON_RELAXED;
	o->bcanon = CANON_RELAXED;
	o->sign = dkimsign_default_sign;
	o->nsign = list_len(dkimsign_default_sign);
	o->oversign = dkimsign_default_oversign;
	o->noversign = list_len(dkimsign_default_oversign);
	o->time = now;
}

static bool
is_letdig(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * RFC 6376 3.5 d= and s=: sub-domain *("." sub-domain), where
 * sub-domain = Let-dig [Ldh-str] (RFC 5321 4.1.2); labels of at most 63
 * octets, names of at most 253.
 */
static bool
domain_ok(const char *s)
{
	size_t n = strlen(s), start = 0;

	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!is_letdig((unsigned char)s[i]) && s[i] != '-')
				return false;
			continue;
		}
		if (i == start || i - start > LABEL_MAX ||
		    s[start] == '-' || s[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

/* RFC 5322 3.6.8 field-name = 1*ftext, ftext = %d33-57 / %d59-126. */
static bool
field_name_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 33 || (unsigned char)*s > 126 ||
		    *s == ':')
			return false;
	return true;
}

/* RFC 6376 3.5 i=: the domain part equals d= or is a subdomain of it. */
static bool
identity_in(const char *id, const char *domain)
{
	const char *at = strrchr(id, '@');
	size_t n, dn = strlen(domain);

	if (at == NULL)
		return false;
	at++;
	n = strlen(at);
	if (n == dn)
		return strcasecmp(at, domain) == 0;
	return n > dn && at[n - dn - 1] == '.' &&
	    strcasecmp(at + n - dn, domain) == 0;
}

static int
check_names(const char *what, const char *const *l, size_t n,
    struct diag *d)
{
	char esc[128];

	if (n > DKIMSIGN_NAMES_MAX)
		return diag_set(d, "%s: more than %d header field names",
		    what, DKIMSIGN_NAMES_MAX);
	for (size_t i = 0; i < n; i++)
		if (!field_name_ok(l[i]))
			return diag_set(d, "%s: not a header field name: "
			    "\"%s\" (RFC 5322 3.6.8)", what,
			    diag_escape(esc, sizeof(esc) - 1, l[i],
			    strlen(l[i])));
	return 0;
}

static bool
list_has(const char *const *l, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(l[i], name) == 0)
			return true;
	return false;
}

static int
check_key(const struct dkimsign_opts *o, const struct dkimsign_key *k,
    struct diag *d)
{
	char esc[300];

	if (k->domain == NULL || k->selector == NULL)
		return diag_set(d, "a key has no %s", k->domain == NULL ?
		    "domain (-d)" : "selector (-s)");
	if (!domain_ok(k->domain))
		return diag_set(d, "not a domain name: \"%s\" (RFC 6376 3.5 "
		    "d=)", diag_escape(esc, sizeof(esc) - 1, k->domain,
		    strlen(k->domain)));
	if (!domain_ok(k->selector))
		return diag_set(d, "not a selector: \"%s\" (RFC 6376 3.5 s=)",
		    diag_escape(esc, sizeof(esc) - 1, k->selector,
		    strlen(k->selector)));
	if (o->identity != NULL && !identity_in(o->identity, k->domain))
		return diag_set(d, "identity %s: RFC 6376 3.5: the domain "
		    "of i= must be d= (%s) or a subdomain of it",
		    diag_escape(esc, sizeof(esc) - 1, o->identity,
		    strlen(o->identity)), k->domain);
	return 0;
}

int
dkimsign_check(const struct dkimsign_opts *o, const struct dkimsign_key *keys,
    size_t nkeys, struct diag *d)
{
	if (nkeys == 0)
		return diag_set(d, "no key (-k)");
	if (nkeys > DKIMSIGN_KEYS_MAX)
		return diag_set(d, "more than %d keys", DKIMSIGN_KEYS_MAX);
	if (check_names("-H", o->sign, o->nsign, d) < 0 ||
	    check_names("-O", o->oversign, o->noversign, d) < 0)
		return -1;
	if (!list_has(o->sign, o->nsign, "From"))
		return diag_set(d, "the signed fields must include From "
		    "(RFC 6376 5.4)");
	if (o->identity != NULL && strlen(o->identity) > DKIMSIGN_IDENTITY_MAX)
		return diag_set(d, "identity longer than %d bytes",
		    DKIMSIGN_IDENTITY_MAX);
	if (o->expire < 0 || o->time < 0)
		return diag_set(d, "negative time");
	for (size_t i = 0; i < nkeys; i++)
		if (check_key(o, &keys[i], d) < 0)
			return -1;
	return 0;
}

struct dkimsign *
dkimsign_new(const struct dkimsign_opts *o)
{
	struct dkimsign *s = xcalloc(1, sizeof(*s));

	s->o = o;
	s->bhash = crypto_hash_new(CRYPTO_SHA256);
	s->hhash = crypto_hash_new(CRYPTO_SHA256);
	make_plan(s);
	dkimsign_reset(s);
	return s;
}

void
dkimsign_free(struct dkimsign *s)
{
	if (s == NULL)
		return;
	crypto_hash_free(s->bhash);
	crypto_hash_free(s->hhash);
	buf_free(&s->hdata);
	buf_free(&s->hlist);
	buf_free(&s->field);
	buf_free(&s->tmp);
	free(s);
}

void
dkimsign_reset(struct dkimsign *s)
{
	crypto_hash_reset(s->bhash);
	canon_body_init(&s->cb, s->o->bcanon, CANON_NO_LIMIT,
	    crypto_hash_sink, s->bhash);
	buf_reset(&s->hdata);
	buf_reset(&s->hlist);
}

void
dkimsign_body(struct dkimsign *s, const void *p, size_t n)
{
	canon_body_update(&s->cb, p, n);
}

/*
 * Sign name count times (RFC 6376 5.4.2): the instances from the bottom
 * of the header block up; listing it more often than it occurs
 * (oversigning) adds nothing to the hash but to h=.
 */
static void
select_name(struct dkimsign *s, const struct msg *m, const char *name,
    size_t present, size_t count)
{
	for (size_t j = 0; j < count; j++) {
		if (s->hlist.len > 0)
			buf_addc(&s->hlist, ':');
		buf_adds(&s->hlist, name);
		if (j < present) {
			const struct msg_field *f =
			    &m->f[msg_find(m, name, present - 1 - j)];

			canon_header(s->o->hcanon, f->raw, f->rawlen,
			    &s->hdata);
		}
	}
}

/* The first of l[0..i) equal to l[i], ignoring case: a repeat. */
static bool
seen_before(const char *const *l, size_t i)
{
	return list_has(l, i, l[i]);
}

/*
 * Which names h= lists, once for the run: the signed ones in their order,
 * then those only oversigned; repeats dropped, case ignored.
 */
static void
make_plan(struct dkimsign *s)
{
	const struct dkimsign_opts *o = s->o;

	for (size_t i = 0; i < o->nsign; i++) {
		if (seen_before(o->sign, i))
			continue;
		s->plan[s->nplan] = o->sign[i];
		s->over[s->nplan++] = list_has(o->oversign, o->noversign,
		    o->sign[i]);
	}
	for (size_t i = 0; i < o->noversign; i++) {
		if (seen_before(o->oversign, i) ||
		    list_has(o->sign, o->nsign, o->oversign[i]))
			continue;
		s->plan[s->nplan] = o->oversign[i];
		s->over[s->nplan++] = true;
	}
}

/* h= and the header hash input, RFC 6376 5.4 and 3.7. */
static void
select_fields(struct dkimsign *s, const struct msg *m)
{
	for (size_t i = 0; i < s->nplan; i++) {
		size_t present = msg_count(m, s->plan[i]);

		select_name(s, m, s->plan[i], present, present + s->over[i]);
	}
}

/* Line folding of the new field: lines stay under DKIMSIGN_LINE_MAX. */
struct fold {
	struct buf	*b;
	size_t		 col;
	const char	*eol;
};

static bool
fits(const struct fold *f, size_t n)
{
	return f->col + n < DKIMSIGN_LINE_MAX;
}

/* FWS: a line break and an HTAB (RFC 5322 3.2.2 folding). */
static void
fold_break(struct fold *f)
{
	buf_adds(f->b, f->eol);
	buf_addc(f->b, '\t');
	f->col = TAB_WIDTH;
}

static void
fold_add(struct fold *f, const char *p, size_t n)
{
	buf_add(f->b, p, n);
	f->col += n;
}

/* Space or a break before a tag of which n bytes must stay together. */
static void
fold_space(struct fold *f, size_t n)
{
	if (fits(f, 1 + n)) {
		fold_add(f, " ", 1);
		return;
	}
	fold_break(f);
}

/* A tag that is never split: "d=example.org;". */
static void
fold_tag(struct fold *f, const char *text)
{
	size_t n = strlen(text);

	fold_space(f, n);
	fold_add(f, text, n);
}

/* The same, formatted; the values are checked, so TAG_MAX holds them. */
static void
fold_tagf(struct fold *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fold_tagf(struct fold *f, const char *fmt, ...)
{
	char text[TAG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fold_tag(f, text);
}

/*
 * h=: FWS may come around each ":" (RFC 6376 3.5 sig-h-tag); lines are
 * broken before a ":", so the line ends in a name, not in a colon.
 */
static void
fold_hlist(struct fold *f, const char *list)
{
	const char *p = list;

	while (*p != '\0') {
		const char *colon = strchr(p + 1, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		size_t need = n + (colon ? 0 : 1);	/* the final ";" */

		if (p == list) {
			fold_space(f, 2 + need);
			fold_add(f, "h=", 2);
		} else if (!fits(f, need))
			fold_break(f);
		fold_add(f, p, n);
		p += n;
	}
	fold_add(f, ";", 1);
}

/*
 * base64, split anywhere (RFC 6376 3.5 base64string allows FWS between
 * its characters), except that the "=" padding stays with the last
 * character before it, for verifiers less lenient than the grammar.
 */
static void
fold_base64(struct fold *f, const char *p, size_t n)
{
	size_t pad = 0, body;

	while (pad < n && p[n - 1 - pad] == '=')
		pad++;
	body = n - pad;

	/* every character but the last: as many as the line holds */
	for (size_t i = 0; i + 1 < body;) {
		size_t k;

		if (!fits(f, 1))
			fold_break(f);
		k = DKIMSIGN_LINE_MAX - 1 - f->col;
		if (k > body - 1 - i)
			k = body - 1 - i;
		fold_add(f, p + i, k);
		i += k;
	}
	if (body > 0) {
		if (!fits(f, 1 + pad))
			fold_break(f);
		fold_add(f, p + body - 1, 1 + pad);
	} else
		fold_add(f, p, pad);
}

/* RFC 6376 2.11 dkim-quoted-printable, for i=. */
static void
add_qp(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c > 0x20 && c < 0x7f && c != ';' && c != '=')
			buf_addc(b, c);
		else
			buf_printf(b, "=%02X", c);
	}
}

/*
 * The field up to and including "b=", in the fixed tag order v a c d s
 * t x l i h bh b.  b= always starts a line, so the text signed (with b=
 * empty, RFC 6376 3.7) is exactly this prefix.
 */
static void
format_prefix(struct dkimsign *s, const struct dkimsign_key *k,
    const char *bh, const char *eol, uint64_t blen)
{
	const struct dkimsign_opts *o = s->o;
	struct fold f = { &s->field, 0, eol };
	struct buf *t = &s->tmp;

	buf_reset(&s->field);
	fold_add(&f, "DKIM-Signature:", 15);
	fold_tag(&f, "v=1;");
	fold_tagf(&f, "a=%s;", crypto_key_alg_name(k->key));
	fold_tagf(&f, "c=%s/%s;", canon_name(o->hcanon),
	    canon_name(o->bcanon));
	fold_tagf(&f, "d=%s;", k->domain);
	fold_tagf(&f, "s=%s;", k->selector);
	fold_tagf(&f, "t=%lld;", o->time);
	if (o->expire > 0)
		fold_tagf(&f, "x=%lld;", o->time + o->expire);
	if (o->body_length)
		fold_tagf(&f, "l=%llu;", (unsigned long long)blen);
	if (o->identity != NULL) {
		buf_reset(t);
		buf_adds(t, "i=");
		add_qp(t, o->identity);
		buf_addc(t, ';');
		fold_tag(&f, t->p);
	}
	fold_hlist(&f, s->hlist.p);
	fold_tagf(&f, "bh=%s;", bh);
	fold_break(&f);
	fold_add(&f, "b=", 2);
	s->col = f.col;
}

/* Sign the prefix in s->field and append the whole field to out. */
static int
sign_one(struct dkimsign *s, const struct dkimsign_key *k, const char *eol,
    struct buf *out, struct diag *d)
{
	unsigned char dg[CRYPTO_HASH_MAX];
	size_t dn;
	struct fold f = { out, s->col, eol };

	/* RFC 6376 3.7: the signature field last, canonicalized, b= empty,
	 * without its final CRLF */
	crypto_hash_reset(s->hhash);
	crypto_hash_update(s->hhash, s->hdata.p, s->hdata.len);
	buf_reset(&s->tmp);
	canon_header(s->o->hcanon, s->field.p, s->field.len, &s->tmp);
	crypto_hash_update(s->hhash, s->tmp.p, s->tmp.len - 2);
	dn = crypto_hash_final(s->hhash, dg);
	buf_reset(&s->tmp);
	if (crypto_key_sign(k->key, dg, dn, &s->tmp, d) < 0)
		return -1;
	buf_add(out, s->field.p, s->field.len);
	fold_base64(&f, s->tmp.p, s->tmp.len);
	buf_adds(out, eol);
	return 0;
}

int
dkimsign_final(struct dkimsign *s, const struct msg *m,
    const struct dkimsign_key *keys, size_t nkeys, struct buf *out,
    struct diag *d)
{
	unsigned char dg[CRYPTO_HASH_MAX];
	struct buf bh = { 0 };
	size_t n, from = msg_count(m, "From");
	int rc = 0;

	if (from != 1)
		return diag_set(d, from == 0 ? "no From field: RFC 6376 5.4 "
		    "requires signing it" : "several From fields: RFC 5322 "
		    "3.6 allows one");
	canon_body_final(&s->cb);
	n = crypto_hash_final(s->bhash, dg);
	crypto_base64_encode(&bh, dg, n);
	select_fields(s, m);
	for (size_t i = 0; i < nkeys && rc == 0; i++) {
		format_prefix(s, &keys[i], bh.p, m->eol,
		    canon_body_total(&s->cb));
		rc = sign_one(s, &keys[i], m->eol, out, d);
	}
	buf_free(&bh);
	return rc;
}

void
dkimsign_key_record(const struct crypto_key *k, struct buf *out)
{
	buf_printf(out, "v=DKIM1; k=%s; p=",
	    crypto_key_type_name(crypto_key_type(k)));
	crypto_key_public_b64(k, out);
}

/*
 * The value as quoted character-strings: the tags before p= in the first,
 * then p= in pieces of at most DKIMSIGN_TXT_STRING_MAX octets (the value
 * has no '"' or '\\' to escape: RFC 6376 3.6.1 tags and base64).
 */
void
dkimsign_zone_record(const char *owner, const char *value, struct buf *out)
{
	const char *p = strstr(value, "p=");
	size_t n = strlen(value), off = 0;

	buf_printf(out, "%s IN TXT (\n", owner);
	if (p != NULL && (size_t)(p - value) <= DKIMSIGN_TXT_STRING_MAX &&
	    p > value) {
		buf_printf(out, "\t\"%.*s\"\n", (int)(p - value), value);
		off = (size_t)(p - value);
	}
	while (off < n) {
		size_t len = n - off;

		if (len > DKIMSIGN_TXT_STRING_MAX)
			len = DKIMSIGN_TXT_STRING_MAX;
		buf_printf(out, "\t\"%.*s\"\n", (int)len, value + off);
		off += len;
	}
	buf_adds(out, ")\n");
}

static void
keycheck_set(struct dkimsign_keycheck *out, enum dkimsign_keystate st,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
keycheck_set(struct dkimsign_keycheck *out, enum dkimsign_keystate st,
    const char *fmt, ...)
{
	va_list ap;

	out->state = st;
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
}

/* The TXT answer: exactly one record (RFC 6376 3.6.2.2). */
static const struct dns_rr *
keycheck_answer(const struct dns_answer *a, struct dkimsign_keycheck *out)
{
	switch (a->status) {
	case DNS_OK:
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		keycheck_set(out, DKIMSIGN_KEY_NONE, "no key record: no TXT "
		    "record there (%s)", dns_status_name(a->status));
		return NULL;
	case DNS_BADNAME:
		keycheck_set(out, DKIMSIGN_KEY_BROKEN, "not a valid DNS name");
		return NULL;
	default:
		keycheck_set(out, DKIMSIGN_KEY_TEMP, "unreachable: the DNS "
		    "did not answer (%s); try again later",
		    dns_status_name(a->status));
		return NULL;
	}
	if (a->n > 1) {
		keycheck_set(out, DKIMSIGN_KEY_BROKEN, "%zu TXT records: "
		    "verifiers may pick any (RFC 6376 3.6.2.2); publish one",
		    a->n);
		return NULL;
	}
	return &a->rr[0];
}

/* A usable record: DKIM1 syntax, for email, with sha256 (3.6.1). */
static bool
keycheck_usable(const struct dkim_key *kr, const struct diag *d,
    struct dkimsign_keycheck *out, int rc)
{
	if (rc < 0)
		keycheck_set(out, DKIMSIGN_KEY_BROKEN, "the record is broken: "
		    "%s", d->msg);
	else if (kr->revoked)
		keycheck_set(out, DKIMSIGN_KEY_BROKEN, "the key is revoked: "
		    "the record has an empty p= (RFC 6376 3.6.1)");
	else if (!kr->s_email)
		keycheck_set(out, DKIMSIGN_KEY_BROKEN, "the record's s= does "
		    "not allow email (RFC 6376 3.6.1)");
	else if (!kr->h_sha256)
		keycheck_set(out, DKIMSIGN_KEY_BROKEN, "the record's h= does "
		    "not allow sha256 (RFC 6376 3.6.1)");
	else
		return true;
	return false;
}

/* The published key itself: its type and size (RFC 8301 3.2). */
static bool
keycheck_pub(const struct dkim_key *kr, const struct crypto_key *k,
    struct dkimsign_keycheck *out)
{
	enum crypto_key_type t = kr->k_ed25519 ? CRYPTO_KEY_ED25519 :
	    CRYPTO_KEY_RSA;
	struct diag d = { { 0 } };
	struct crypto_pubkey *pk;

	if ((pk = crypto_pubkey_parse(t, kr->der, kr->derlen, &d)) == NULL) {
		keycheck_set(out, DKIMSIGN_KEY_BROKEN, "the record's p= is "
		    "not a k=%s key: %s", crypto_key_type_name(t), d.msg);
		return false;
	}
	out->bits = crypto_pubkey_bits(pk);
	crypto_pubkey_free(pk);
	if (t == CRYPTO_KEY_RSA && out->bits < CRYPTO_RSA_MIN_BITS) {
		keycheck_set(out, DKIMSIGN_KEY_BROKEN, "the published key is "
		    "too short: %u-bit RSA; verifiers refuse keys under %d "
		    "bits (RFC 8301 3.2)", out->bits, CRYPTO_RSA_MIN_BITS);
		return false;
	}
	out->weak = t == CRYPTO_KEY_RSA && out->bits < CRYPTO_RSA_WEAK_BITS;
	if (t != crypto_key_type(k)) {
		keycheck_set(out, DKIMSIGN_KEY_MISMATCH, "does not match: the "
		    "record has a k=%s key, the private key is %s",
		    crypto_key_type_name(t),
		    crypto_key_type_name(crypto_key_type(k)));
		return false;
	}
	return true;
}

void
dkimsign_key_check(struct dns *dns, const struct crypto_key *k,
    const char *domain, const char *selector, char *name, size_t namecap,
    struct dkimsign_keycheck *out)
{
	const struct dns_answer *a;
	const struct dns_rr *rr;
	struct dkim_key kr;
	struct diag d = { { 0 } };
	int rc;

	memset(out, 0, sizeof(*out));
	/* RFC 6376 3.6.2.1: selector._domainkey.domain */
	snprintf(name, namecap, "%s._domainkey.%s", selector, domain);
	a = dns_query(dns, name, DNS_T_TXT);
	if ((rr = keycheck_answer(a, out)) == NULL)
		return;
	rc = dkim_key_parse(&kr, (const char *)rr->data, rr->len, &d);
	out->testing = rc == 0 && kr.t_y;
	out->strict = rc == 0 && kr.t_s;
	if (keycheck_usable(&kr, &d, out, rc) && keycheck_pub(&kr, k, out)) {
		if (crypto_key_public_matches(k, kr.der, kr.derlen))
			keycheck_set(out, DKIMSIGN_KEY_MATCH, "matches the "
			    "private key");
		else
			keycheck_set(out, DKIMSIGN_KEY_MISMATCH, "does not "
			    "match the private key: the record holds another "
			    "%s key", crypto_key_type_name(crypto_key_type(k)));
	}
	if (rc == 0)
		dkim_key_clear(&kr);
}
