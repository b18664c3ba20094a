/*
 * SPF record syntax (RFC 7208 4.5, 4.6.1, 5, 6, 12): the whole record is
 * checked before any of it is evaluated (RFC 7208 4.6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "spf.h"
#include "spf_impl.h"

#define VERSION		"v=spf1"
#define VERSION_LEN	6

bool
spf_is_record(const char *text, size_t len)
{
	/* RFC 7208 4.5: exactly "v=spf1", ended by SP or the end */
	if (len < VERSION_LEN || strncasecmp(text, VERSION, VERSION_LEN) != 0)
		return false;
	return len == VERSION_LEN || text[VERSION_LEN] == ' ';
}

static bool
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* RFC 7208 4.6.1: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
static size_t
modifier_name_len(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !is_alpha((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++) {
		int c = (unsigned char)s[i];

		if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_' &&
		    c != '.')
			break;
	}
	return i;
}

/*
 * A CIDR length: "0" / %x31-39 0*(maxdigits-1)DIGIT, at most max
 * (RFC 7208 5.6).  Returns false if s[0..n) is not one.
 */
static bool
parse_cidr(const char *s, size_t n, size_t maxdigits, unsigned max,
    uint8_t *out)
{
	unsigned v = 0;

	if (n == 0 || n > maxdigits || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = (uint8_t)v;
	return true;
}

/* The length of the run of digits that ends s[0..n). */
static size_t
trailing_digits(const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && is_digit((unsigned char)s[n - 1 - k]))
		k++;
	return k;
}

/*
 * Strip a dual-cidr-length (RFC 7208 5.6) from the end of s[0..*n),
 * setting t->cidr4/cidr6.  Returns false on a malformed length.
 */
static bool
strip_dual_cidr(const char *s, size_t *n, struct spf_term *t, char *why,
    size_t cap)
{
	size_t k = trailing_digits(s, *n);

	if (k > 0 && k + 2 <= *n && s[*n - k - 1] == '/' &&
	    s[*n - k - 2] == '/') {
		if (!parse_cidr(s + *n - k, k, 3, 128, &t->cidr6)) {
			snprintf(why, cap, "RFC 7208 5.6: bad ip6-cidr-length");
			return false;
		}
		*n -= k + 2;
		k = trailing_digits(s, *n);
	}
	if (k > 0 && k + 1 <= *n && s[*n - k - 1] == '/') {
		if (!parse_cidr(s + *n - k, k, 2, 32, &t->cidr4)) {
			snprintf(why, cap, "RFC 7208 5.6: bad ip4-cidr-length");
			return false;
		}
		*n -= k + 1;
	}
	return true;
}

/* ip4-network (RFC 7208 5.6): four qnums, no leading zeros. */
static bool
parse_ip4(const char *s, size_t n, unsigned char *out)
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0;
		size_t start = i;

		if (part > 0 && (i >= n || s[i++] != '.'))
			return false;
		start = i;
		while (i < n && is_digit((unsigned char)s[i]) && i - start < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
			return false;
		out[part] = (unsigned char)v;
	}
	return i == n;
}

static bool
parse_ip6(const char *s, size_t n, unsigned char *out)
{
	char tmp[64];
	struct spf_ip ip;

	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (strchr(tmp, ':') == NULL || !spf_ip_parse(tmp, &ip))
		return false;
	/* ip6:::ffff:1.2.3.4 keeps its IPv6 form: rebuild the mapped form */
	if (!ip.v6) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, ip.a, 4);
	} else
		memcpy(out, ip.a, 16);
	return true;
}

/* ip4 / ip6 (RFC 7208 5.6): ":" network [ "/" length ] */
static int
parse_ipnet(struct spf_term *t, const char *rest, size_t n, bool v6,
    char *why, size_t cap)
{
	const char *slash;
	size_t netlen;

	if (n < 2 || rest[0] != ':') {
		snprintf(why, cap, "RFC 7208 5.6: %s needs an address",
		    v6 ? "ip6" : "ip4");
		return -1;
	}
	rest++, n--;
	slash = memchr(rest, '/', n);
	netlen = slash ? (size_t)(slash - rest) : n;
	if (v6 ? !parse_ip6(rest, netlen, t->net) :
	    !parse_ip4(rest, netlen, t->net)) {
		snprintf(why, cap, "RFC 7208 5.6: bad %s-network",
		    v6 ? "ip6" : "ip4");
		return -1;
	}
	if (slash && !(v6 ? parse_cidr(slash + 1, n - netlen - 1, 3, 128,
	    &t->cidr6) : parse_cidr(slash + 1, n - netlen - 1, 2, 32,
	    &t->cidr4))) {
		snprintf(why, cap, "RFC 7208 5.6: bad %s-cidr-length",
		    v6 ? "ip6" : "ip4");
		return -1;
	}
	return 0;
}

static int
set_spec(struct spf_term *t, const char *s, size_t n, char *why, size_t cap)
{
	if (!spf_domain_spec_check(s, n, why, cap))
		return -1;
	t->spec = s;
	t->speclen = n;
	return 0;
}

/* a / mx (RFC 7208 5.3, 5.4): [ ":" domain-spec ] [ dual-cidr-length ] */
static int
parse_host_mech(struct spf_term *t, const char *rest, size_t n, char *why,
    size_t cap)
{
	size_t m = n;

	if (!strip_dual_cidr(rest, &m, t, why, cap))
		return -1;
	if (m == 0)
		return 0;
	if (rest[0] != ':') {
		snprintf(why, cap, "RFC 7208 5.3: bad dual-cidr-length");
		return -1;
	}
	return set_spec(t, rest + 1, m - 1, why, cap);
}

/* include / exists / ptr: ":" domain-spec, optional for ptr only. */
static int
parse_spec_mech(struct spf_term *t, const char *rest, size_t n,
    bool optional, char *why, size_t cap)
{
	if (n == 0 && optional)
		return 0;
	if (n == 0 || rest[0] != ':') {
		snprintf(why, cap, "RFC 7208 5: %.*s needs \":\" domain-spec",
		    (int)(t->textlen - n), t->text);
		return -1;
	}
	return set_spec(t, rest + 1, n - 1, why, cap);
}

static const struct {
	const char	*name;
	enum spf_kind	 kind;
} mechs[] = {
	{ "all", SPF_K_ALL }, { "include", SPF_K_INCLUDE },
	{ "a", SPF_K_A }, { "mx", SPF_K_MX }, { "ptr", SPF_K_PTR },
	{ "ip4", SPF_K_IP4 }, { "ip6", SPF_K_IP6 },
	{ "exists", SPF_K_EXISTS },
};

static int
mech_kind(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (strlen(mechs[i].name) == n &&
		    strncasecmp(mechs[i].name, s, n) == 0)
			return (int)mechs[i].kind;
	return -1;
}

/* directive = [ qualifier ] mechanism (RFC 7208 4.6.1, 5) */
static int
parse_directive(struct spf_term *t, const char *s, size_t n, char *why,
    size_t cap)
{
	size_t i = 0, namelen;
	int kind;

	t->qual = '+';
	if (n > 0 && strchr("+-~?", s[0])) {
		t->qual = s[0];
		i = 1;
	}
	for (namelen = 0; i + namelen < n; namelen++) {
		int c = (unsigned char)s[i + namelen];

		if (c == ':' || c == '/')
			break;
	}
	kind = mech_kind(s + i, namelen);
	if (kind < 0) {
		snprintf(why, cap, "RFC 7208 4.6.1: unknown mechanism");
		return -1;
	}
	t->kind = (enum spf_kind)kind;
	s += i + namelen;
	n -= i + namelen;
	switch (t->kind) {
	case SPF_K_ALL:
		if (n == 0)
			return 0;
		snprintf(why, cap, "RFC 7208 5.1: all takes no argument");
		return -1;
	case SPF_K_A:
	case SPF_K_MX:
		return parse_host_mech(t, s, n, why, cap);
	case SPF_K_IP4:
	case SPF_K_IP6:
		return parse_ipnet(t, s, n, t->kind == SPF_K_IP6, why, cap);
	default:
		return parse_spec_mech(t, s, n, t->kind == SPF_K_PTR, why,
		    cap);
	}
}

/* modifier = redirect / explanation / unknown-modifier (RFC 7208 6) */
static int
parse_modifier(struct spf_record *r, struct spf_term *t, size_t namelen,
    char *why, size_t cap)
{
	const char *v = t->text + namelen + 1;
	size_t vn = t->textlen - namelen - 1;
	bool redir = namelen == 8 && strncasecmp(t->text, "redirect", 8) == 0;
	bool exp = namelen == 3 && strncasecmp(t->text, "exp", 3) == 0;

	if (!redir && !exp) {
		t->kind = SPF_K_UNKNOWN;
		return spf_macro_check(v, vn, SPF_MS_ANY, why, cap) ? 0 : -1;
	}
	if ((redir && r->redirect) || (exp && r->exp)) {
		snprintf(why, cap, "RFC 7208 6: %s= appears twice",
		    redir ? "redirect" : "exp");
		return -1;
	}
	t->kind = redir ? SPF_K_REDIRECT : SPF_K_EXP;
	if (set_spec(t, v, vn, why, cap) == -1)
		return -1;
	r->mod[redir ? 0 : 1] = *t;
	if (redir)
		r->redirect = &r->mod[0];
	else
		r->exp = &r->mod[1];
	return 0;
}

/* Every byte of a term is a visible ASCII character (RFC 7208 12). */
static bool
term_chars_ok(const char *s, size_t n, char *why, size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e) {
			snprintf(why, cap, "RFC 7208 3.1, 4.6.1: byte 0x%02x "
			    "in a term (records are ASCII, terms separated "
			    "by SP only)", c);
			return false;
		}
	}
	return true;
}

static int
parse_term(struct spf_record *r, const char *s, size_t n, char *why,
    size_t cap)
{
	struct spf_term t;
	size_t namelen;

	if (!term_chars_ok(s, n, why, cap))
		return -1;
	memset(&t, 0, sizeof(t));
	t.text = s;
	t.textlen = n;
	t.cidr4 = 32;
	t.cidr6 = 128;
	namelen = modifier_name_len(s, n);
	if (namelen > 0 && namelen < n && s[namelen] == '=')
		return parse_modifier(r, &t, namelen, why, cap);
	if (parse_directive(&t, s, n, why, cap) == -1)
		return -1;
	if (t.kind == SPF_K_ALL)
		r->has_all = true;
	if (r->ndir % 16 == 0)
		r->dir = xreallocarray(r->dir, r->ndir + 16, sizeof(*r->dir));
	r->dir[r->ndir++] = t;
	return 0;
}

/* Prefix "term N (...): " to why, keeping what is already there. */
static void
name_term(char *why, size_t cap, const char *s, size_t n)
{
	char esc[80], tmp[SPF_WHY_MAX];

	snprintf(tmp, sizeof(tmp), "%s", why);
	diag_escape(esc, sizeof(esc), s, n > 40 ? 40 : n);
	snprintf(why, cap, "%s%s: %s", esc, n > 40 ? "..." : "", tmp);
}

int
spf_record_parse(struct spf_record *r, const char *text, size_t len,
    char *why, size_t cap)
{
	size_t i = VERSION_LEN;

	memset(r, 0, sizeof(*r));
	if (!spf_is_record(text, len)) {
		snprintf(why, cap, "RFC 7208 4.5: not a v=spf1 record");
		return -1;
	}
	while (i < len) {
		size_t start, n;

		while (i < len && text[i] == ' ')	/* terms = *(1*SP ...) */
			i++;
		start = i;
		while (i < len && text[i] != ' ')
			i++;
		n = i - start;
		if (n > 0 && parse_term(r, text + start, n, why, cap) == -1) {
			name_term(why, cap, text + start, n);
			return -1;
		}
	}
	return 0;
}

void
spf_record_free(struct spf_record *r)
{
	free(r->dir);
	memset(r, 0, sizeof(*r));
}
