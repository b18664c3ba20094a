/*
 * Recording an SPF result (RFC 7208 9): the key=value line that becomes
 * Authentication-Results (9.2, RFC 8601 2.7.2) and the Received-SPF
 * field (9.1).  Sender-controlled bytes never reach a header unescaped.
 */
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "spf.h"
#include "spf_impl.h"

#define FOLD_COLUMNS	78	/* RFC 5322 2.1.1 */
#define VALUE_MAX	256	/* octets of one Received-SPF value kept */

static bool
null_sender(const char *mf)
{
	return mf[0] == '\0' || strcmp(mf, "<>") == 0;
}

/* Whether a HELO check decided although a non-null MAIL FROM was given
 * (RFC 7208 2.3: a HELO fail ends the evaluation). */
static bool
helo_decided(const struct spf_request *req, const struct spf_result *res)
{
	return res->identity == SPF_ID_HELO && req->mail_from != NULL &&
	    req->scope == SPF_SCOPE_BOTH;
}

void
spf_result_kv(const struct spf_request *req, const struct spf_result *res,
    int flags, struct buf *b)
{
	struct buf r = { 0 };
	char *dom;

	kv_add(b, "spf", verdict_name(res->verdict));
	if (res->verdict != VERDICT_PASS && res->reason) {
		if (helo_decided(req, res))
			buf_adds(&r, "HELO identity: ");
		buf_adds(&r, res->reason);
		kv_add(b, "reason", r.p);
		buf_free(&r);
	}
	/* smtp.mailfrom names the identity the result is for (RFC 8601
	 * 2.7.2): not when the HELO check decided and the MAIL FROM was
	 * never evaluated, or a reader (DMARC, RFC 9989 4.4) would take a
	 * HELO verdict for the MAIL FROM domain's. */
	if (req->mail_from && req->scope != SPF_SCOPE_HELO &&
	    !helo_decided(req, res)) {
		dom = spf_mailfrom_domain(req);
		kv_add(b, "smtp.mailfrom", dom);
		free(dom);
	}
	if (req->helo)
		kv_add(b, "smtp.helo", req->helo);
	if (flags & SPF_KV_EXPLANATION && res->explanation)
		kv_add(b, "explanation", res->explanation);
}

/* Header text from untrusted bytes: printable ASCII only, at most max
 * octets; in comments '(' ')' '\' are quoted (RFC 5322 3.2.2). */
static void
add_clean(struct buf *b, const char *s, size_t max, bool comment)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e)
			c = '?';
		if (c == '\\' || c == '"' || (comment && (c == '(' ||
		    c == ')')))
			buf_addc(b, '\\');
		buf_addc(b, c);
	}
	if (n > max)
		buf_adds(b, "...");
}

/* dot-atom (RFC 5322 3.2.3) */
static bool
is_dot_atom(const char *s)
{
	static const char specials[] = "!#$%&'*+-/=?^_`{|}~";
	size_t n = strlen(s);

	if (n == 0 || n > VALUE_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.' && s[i + 1] == '.')
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || strchr(specials, c)))
			return false;
	}
	return true;
}

/* Words of a field, folded before a word that would pass the margin. */
struct fold {
	struct buf	 b;
	size_t		 col;
	const char	*eol;
};

static void
fold_word(struct fold *f, const char *w, size_t n)
{
	if (f->col > 0 && f->col + 1 + n > FOLD_COLUMNS) {
		buf_adds(&f->b, f->eol);
		buf_addc(&f->b, '\t');
		f->col = 8;
	} else if (f->col > 0) {
		buf_addc(&f->b, ' ');
		f->col++;
	}
	buf_add(&f->b, w, n);
	f->col += n;
}

/* Fold every space-separated word of s (a comment or plain text). */
static void
fold_text(struct fold *f, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, " ");

		if (n > 0)
			fold_word(f, s, n);
		s += n;
		s += strspn(s, " ");
	}
}

static void
fold_pair(struct fold *f, const char *key, const char *value, bool last)
{
	struct buf w = { 0 };

	buf_adds(&w, key);
	buf_addc(&w, '=');
	if (is_dot_atom(value))
		buf_adds(&w, value);
	else {
		buf_addc(&w, '"');
		add_clean(&w, value, VALUE_MAX, false);
		buf_addc(&w, '"');
	}
	if (!last)
		buf_addc(&w, ';');
	fold_word(f, w.p, w.len);
	buf_free(&w);
}

/* The comment after the result (RFC 7208 9.1), in the words Mail::SPF
 * and pyspf use. */
static void
comment(const struct spf_request *req, const struct spf_result *res,
    const char *ip, struct buf *c)
{
	static const char *const fmt[] = {
		[VERDICT_PASS] = "domain of S designates I as permitted sender",
		[VERDICT_FAIL] = "domain of S does not designate I as "
		    "permitted sender",
		[VERDICT_SOFTFAIL] = "domain of transitioning S does not "
		    "designate I as permitted sender",
		[VERDICT_NEUTRAL] = "I is neither permitted nor denied by "
		    "domain of S",
		[VERDICT_POLICY] = "domain of S: local policy",
		[VERDICT_PERMERROR] = "permanent error in processing domain "
		    "of S",
		[VERDICT_TEMPERROR] = "temporary error in processing during "
		    "lookup of S",
		[VERDICT_NONE] = "domain of S does not designate permitted "
		    "sender hosts",
	};

	buf_addc(c, '(');
	add_clean(c, req->receiver ? req->receiver : "unknown", VALUE_MAX,
	    true);
	buf_adds(c, ": ");
	for (const char *p = fmt[res->verdict]; *p; p++) {
		if (*p == 'S')
			add_clean(c, res->sender ? res->sender : "", VALUE_MAX,
			    true);
		else if (*p == 'I')
			buf_adds(c, ip);
		else
			buf_addc(c, *p);
	}
	buf_addc(c, ')');
}

char *
spf_received_spf(const struct spf_request *req,
    const struct spf_result *res, const char *eol)
{
	struct fold f = { { 0 }, 0, eol };
	struct buf ipb = { 0 }, c = { 0 };
	struct spf_ip ip;
	bool err = res->problem != NULL;

	if (spf_ip_parse(req->ip, &ip))
		spf_ip_text(&ip, &ipb);
	else
		buf_adds(&ipb, req->ip);
	fold_word(&f, "Received-SPF:", 13);
	fold_text(&f, verdict_name(res->verdict));
	comment(req, res, ipb.p, &c);
	fold_text(&f, c.p);
	fold_pair(&f, "client-ip", ipb.p, false);
	if (req->mail_from && req->scope != SPF_SCOPE_HELO)
		fold_pair(&f, "envelope-from", null_sender(req->mail_from) ?
		    "<>" : req->mail_from, false);
	if (req->helo)
		fold_pair(&f, "helo", req->helo, false);
	fold_pair(&f, "receiver", req->receiver ? req->receiver : "unknown",
	    false);
	fold_pair(&f, "identity", res->identity == SPF_ID_HELO ? "helo" :
	    "mailfrom", res->mechanism == NULL && !err);
	if (res->mechanism)
		fold_pair(&f, "mechanism", res->mechanism, !err);
	if (err)
		fold_pair(&f, "problem", res->problem, true);
	buf_adds(&f.b, eol);
	buf_free(&ipb);
	buf_free(&c);
	return buf_steal(&f.b);
}
