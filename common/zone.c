/*
 * zone: RFC 1035 section 5 master files, plus mauth's fault markers
 * (mauth-zone(5)).  A lexer cuts the text into logical records (RFC 1035
 * 5.1: parentheses continue a record over lines, ';' starts a comment,
 * a line that starts with a blank repeats the previous owner); each record
 * is decoded into RDATA and handed to the caller's callback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <resolv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "zone.h"

/* Tokens in one logical record: bounded by what RDATA can hold. */
#define ZONE_MAX_TOKENS	(ZONE_MAX_RDATA + 16)
#define NAME_MAX_LEN	253	/* RFC 1035 2.3.4, without the final dot */
#define LABEL_MAX_LEN	63

struct tok {
	const char	*s;	/* raw text: quotes removed, escapes kept */
	size_t		 len;
	bool		 quoted;
};

struct zparse {
	const char	*file;
	const char	*p;
	const char	*end;
	size_t		 line;		/* current physical line */
	size_t		 recline;	/* where the current record began */
	bool		 bol;		/* at the beginning of a line */
	struct tok	*tok;
	size_t		 ntok;
	size_t		 captok;
	struct buf	 origin;	/* $ORIGIN without final dot; "" = root */
	struct buf	 owner;		/* the last owner name */
	bool		 have_owner;
	uint32_t	 ttl;		/* $TTL */
	size_t		*nrec;		/* shared with $INCLUDEd files */
	int		 depth;
	struct buf	 scratch;
	struct buf	 rdata;
	int (*fn)(void *, const struct zone_rec *, struct diag *);
	void		*arg;
	struct diag	*d;
};

struct type_name {
	const char	*name;
	uint16_t	 type;
};

static const struct type_name types[] = {
	{ "A", DNS_T_A }, { "NS", DNS_T_NS }, { "CNAME", DNS_T_CNAME },
	{ "SOA", DNS_T_SOA }, { "PTR", DNS_T_PTR }, { "MX", DNS_T_MX },
	{ "TXT", DNS_T_TXT }, { "AAAA", DNS_T_AAAA },
	{ "TLSA", DNS_T_TLSA }, { "SPF", DNS_T_SPF },
};

struct fault_name {
	const char	*name;
	enum dns_status	 status;
};

static const struct fault_name faults[] = {
	{ "TIMEOUT", DNS_TIMEOUT }, { "SERVFAIL", DNS_SERVFAIL },
	{ "NXDOMAIN", DNS_NXDOMAIN }, { "NODATA", DNS_NODATA },
};

static int parse_text(struct zparse *z);

static int
zerr(struct zparse *z, const char *fmt, ...)
{
	char msg[DIAG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return diag_set(z->d, "%s:%zu: %s", z->file, z->recline, msg);
}

static bool
tok_is(const struct tok *t, const char *s)
{
	return !t->quoted && t->len == strlen(s) &&
	    strncasecmp(t->s, s, t->len) == 0;
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* ---- lexer: RFC 1035 5.1 ---- */

static int
push_tok(struct zparse *z, const char *s, size_t len, bool quoted)
{
	if (z->ntok >= ZONE_MAX_TOKENS)
		return zerr(z, "record has more than %d fields",
		    ZONE_MAX_TOKENS);
	if (z->ntok == z->captok) {
		z->captok = z->captok ? z->captok * 2 : 16;
		z->tok = xreallocarray(z->tok, z->captok, sizeof(*z->tok));
	}
	z->tok[z->ntok].s = s;
	z->tok[z->ntok].len = len;
	z->tok[z->ntok].quoted = quoted;
	z->ntok++;
	return 0;
}

/* Step over a backslash escape at z->p, counting an escaped newline. */
static void
skip_escape(struct zparse *z)
{
	z->p++;
	if (z->p < z->end) {
		if (*z->p == '\n')
			z->line++;
		z->p++;
	}
}

static int
lex_quoted(struct zparse *z)
{
	const char *start = ++z->p;

	while (z->p < z->end && *z->p != '"') {
		if (*z->p == '\\') {
			skip_escape(z);
			continue;
		}
		if (*z->p == '\n')
			return zerr(z, "unterminated quoted string");
		z->p++;
	}
	if (z->p >= z->end)
		return zerr(z, "unterminated quoted string");
	z->p++;
	return push_tok(z, start, (size_t)(z->p - 1 - start), true);
}

/* Bytes that end an unquoted field (RFC 1035 5.1), and the backslash. */
static const bool stop[256] = {
	[' '] = true, ['\t'] = true, ['\r'] = true, ['\n'] = true,
	[';'] = true, ['('] = true, [')'] = true, ['"'] = true,
	['\\'] = true,
};

static int
lex_word(struct zparse *z)
{
	const char *start = z->p;

	while (z->p < z->end) {
		if (!stop[(unsigned char)*z->p])
			z->p++;
		else if (*z->p == '\\')
			skip_escape(z);
		else
			break;
	}
	if (z->p > z->end)
		z->p = z->end;
	return push_tok(z, start, (size_t)(z->p - start), false);
}

static void
start_line(struct zparse *z, int paren, bool *indented)
{
	z->bol = false;
	if (z->ntok == 0 && paren == 0) {
		*indented = *z->p == ' ' || *z->p == '\t';
		z->recline = z->line;
	}
}

static int
lex_char(struct zparse *z, int *paren)
{
	switch (*z->p) {
	case ' ': case '\t': case '\r':
		do
			z->p++;
		while (z->p < z->end && (*z->p == ' ' || *z->p == '\t'));
		return 0;
	case ';': {
		const char *nl = memchr(z->p, '\n', (size_t)(z->end - z->p));

		z->p = nl ? nl : z->end;
		return 0;
	}
	case '(':
		(*paren)++;
		z->p++;
		return 0;
	case ')':
		if (*paren == 0)
			return zerr(z, "unbalanced parentheses");
		(*paren)--;
		z->p++;
		return 0;
	case '"':
		return lex_quoted(z);
	default:
		return lex_word(z);
	}
}

/*
 * Read the next logical record into z->tok.  Returns 1 if there is one,
 * 0 at the end of the text, -1 on a lexical error.
 */
static int
read_record(struct zparse *z, bool *indented)
{
	int paren = 0;

	z->ntok = 0;
	while (z->p < z->end) {
		if (z->bol)
			start_line(z, paren, indented);
		if (*z->p == '\n') {
			z->p++;
			z->line++;
			z->bol = true;
			if (paren == 0 && z->ntok > 0)
				return 1;
			continue;
		}
		if (lex_char(z, &paren) == -1)
			return -1;
	}
	if (paren > 0)
		return zerr(z, "unbalanced parentheses");
	return z->ntok > 0;
}

/* ---- field decoders ---- */

/* One escape at t->s[*i] (after the backslash) into *c. */
static int
unescape(struct zparse *z, const struct tok *t, size_t *i, unsigned char *c)
{
	const char *s = t->s;

	if (*i >= t->len)
		return zerr(z, "backslash at end of field");
	if (*i + 2 < t->len && is_digit(s[*i]) && is_digit(s[*i + 1]) &&
	    is_digit(s[*i + 2])) {
		int v = (s[*i] - '0') * 100 + (s[*i + 1] - '0') * 10 +
		    (s[*i + 2] - '0');

		if (v > 255)
			return zerr(z, "bad escape \\%.3s", s + *i);
		*c = (unsigned char)v;
		*i += 3;
		return 0;
	}
	if (is_digit(s[*i]))
		return zerr(z, "bad escape: \\DDD needs three digits");
	*c = (unsigned char)s[(*i)++];
	return 0;
}

/* RFC 1035 5.1: \X is X, \DDD is the octet DDD.  Plain runs are copied
 * whole: zone loading is on every tool's start-up path. */
static int
decode(struct zparse *z, const struct tok *t, struct buf *out, bool name)
{
	size_t i = 0;

	buf_reset(out);
	buf_reserve(out, t->len);
	while (i < t->len) {
		const char *bs = memchr(t->s + i, '\\', t->len - i);
		size_t run = bs ? (size_t)(bs - t->s) - i : t->len - i;
		unsigned char c = 0;

		if (name && memchr(t->s + i, '\0', run) != NULL)
			return zerr(z, "NUL byte in a name");
		buf_add(out, t->s + i, run);
		i += run;
		if (i == t->len)
			break;
		i++;
		if (unescape(z, t, &i, &c) == -1)
			return -1;
		if (name && (c == '.' || c == '\0'))
			return zerr(z, "escaped dot or NUL in a name is not "
			    "supported");
		buf_addc(out, c);
	}
	out->p[out->len] = '\0';	/* reserved above, even when empty */
	return 0;
}

static void
lowercase(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

/* RFC 1035 2.3.4: labels of 1..63 octets, 253 for the whole name. */
static bool
name_valid(const char *s, size_t n)
{
	size_t lab = 0;

	if (n > NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '.') {
			if (++lab > LABEL_MAX_LEN)
				return false;
			continue;
		}
		if (lab == 0)
			return false;
		lab = 0;
	}
	return n == 0 || lab > 0;
}

/*
 * A domain name field into out: "@" is the origin, a name without a final
 * dot is relative to it (RFC 1035 5.1).  "." gives the empty root name.
 */
static int
make_name(struct zparse *z, const struct tok *t, struct buf *out)
{
	if (t->quoted)
		return zerr(z, "bad name \"%.*s\": quoted", (int)t->len, t->s);
	if (t->len == 1 && t->s[0] == '@') {
		buf_reset(out);
		buf_add(out, z->origin.p ? z->origin.p : "", z->origin.len);
		return 0;
	}
	if (decode(z, t, out, true) == -1)
		return -1;
	if (out->len > 0 && out->p[out->len - 1] == '.')
		out->p[--out->len] = '\0';
	else if (z->origin.len > 0) {
		buf_addc(out, '.');
		buf_add(out, z->origin.p, z->origin.len);
	}
	lowercase(out->p, out->len);
	if (!name_valid(out->p, out->len)) {
		char esc[128];

		return zerr(z, "bad name %s", diag_escape(esc, sizeof(esc),
		    t->s, t->len));
	}
	return 0;
}

static bool
parse_uint(const struct tok *t, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (t->quoted || t->len == 0 || t->len > 10)
		return false;
	for (size_t i = 0; i < t->len; i++) {
		if (!is_digit(t->s[i]))
			return false;
		v = v * 10 + (unsigned long)(t->s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static unsigned long
ttl_unit(int c)
{
	switch (c | 0x20) {
	case 's': return 1;
	case 'm': return 60;
	case 'h': return 3600;
	case 'd': return 86400;
	case 'w': return 604800;
	}
	return 0;
}

/* A TTL: seconds, or BIND's units ("1h30m"). */
static bool
parse_ttl(const struct tok *t, uint32_t *out)
{
	unsigned long long total = 0, v = 0;
	bool digits = false;

	if (t->quoted || t->len == 0 || t->len > 32)
		return false;
	for (size_t i = 0; i < t->len; i++) {
		int c = (unsigned char)t->s[i];

		if (is_digit(c)) {
			v = v * 10 + (unsigned long long)(c - '0');
			digits = true;
		} else if (digits && ttl_unit(c)) {
			total += v * ttl_unit(c);
			v = 0;
			digits = false;
		} else
			return false;
		if (v > ZONE_MAX_TTL || total > ZONE_MAX_TTL)
			return false;
	}
	if (!digits && total == 0 && v == 0 && !is_digit(t->s[0]))
		return false;
	total += v;
	if (total > ZONE_MAX_TTL)
		return false;
	*out = (uint32_t)total;
	return true;
}

uint16_t
zone_type_number(const char *s, size_t len)
{
	unsigned long v = 0;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strlen(types[i].name) == len &&
		    strncasecmp(types[i].name, s, len) == 0)
			return types[i].type;
	if (len < 5 || len > 9 || strncasecmp(s, "TYPE", 4) != 0)
		return 0;
	for (size_t i = 4; i < len; i++) {
		if (!is_digit(s[i]))
			return 0;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v <= 65535 ? (uint16_t)v : 0;
}

/* ---- RDATA ---- */

static int
need_fields(struct zparse *z, size_t have, size_t want, const char *type)
{
	if (have == want)
		return 0;
	return zerr(z, "%s record needs %zu field%s, not %zu", type, want,
	    want == 1 ? "" : "s", have);
}

static int
rdata_addr(struct zparse *z, const struct tok *t, size_t n, int af)
{
	const char *tn = af == AF_INET ? "A" : "AAAA";
	unsigned char a[16];

	if (need_fields(z, n, 1, tn) == -1)
		return -1;
	if (decode(z, t, &z->scratch, false) == -1)
		return -1;
	if (strlen(z->scratch.p) != z->scratch.len ||
	    inet_pton(af, z->scratch.p, a) != 1)
		return zerr(z, "bad %s address", tn);
	buf_add(&z->rdata, a, af == AF_INET ? 4 : 16);
	return 0;
}

static int
rdata_name(struct zparse *z, const struct tok *t, size_t n, const char *tn)
{
	if (need_fields(z, n, 1, tn) == -1)
		return -1;
	if (make_name(z, t, &z->scratch) == -1)
		return -1;
	buf_add(&z->rdata, z->scratch.p, z->scratch.len);
	return 0;
}

static int
rdata_mx(struct zparse *z, const struct tok *t, size_t n,
    struct zone_rec *r)
{
	unsigned long pref;

	if (need_fields(z, n, 2, "MX") == -1)
		return -1;
	if (!parse_uint(&t[0], 65535, &pref))
		return zerr(z, "bad MX preference");
	r->pref = (uint16_t)pref;
	return rdata_name(z, &t[1], 1, "MX");
}

/*
 * TXT and SPF: one or more <character-string>s, joined (RFC 7208 3.3).
 * A string longer than 255 octets is cut into 255-octet strings, as the
 * wire format requires.
 */
static int
rdata_txt(struct zparse *z, const struct tok *t, size_t n,
    struct zone_rec *r)
{
	size_t wire = 0;

	if (n == 0)
		return zerr(z, "TXT record needs at least one string");
	for (size_t i = 0; i < n; i++) {
		if (decode(z, &t[i], &z->scratch, false) == -1)
			return -1;
		size_t chunks = z->scratch.len == 0 ? 1 :
		    (z->scratch.len + ZONE_MAX_STRING - 1) / ZONE_MAX_STRING;
		wire += chunks + z->scratch.len;
		if (wire > ZONE_MAX_RDATA)
			return zerr(z, "TXT record longer than %d octets",
			    ZONE_MAX_RDATA);
		r->nstrings += chunks;
		buf_add(&z->rdata, z->scratch.p, z->scratch.len);
	}
	return 0;
}

static int
hexval(int c)
{
	if (is_digit(c))
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex digits spread over fields, appended to z->rdata. */
static int
add_hex(struct zparse *z, const struct tok *t, size_t n)
{
	int hi = -1;

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < t[i].len; j++) {
			int v = hexval((unsigned char)t[i].s[j]);

			if (v < 0 || t[i].quoted)
				return zerr(z, "bad hex data");
			if (hi < 0)
				hi = v;
			else {
				buf_addc(&z->rdata, hi << 4 | v);
				hi = -1;
			}
		}
		if (z->rdata.len > ZONE_MAX_RDATA)
			return zerr(z, "RDATA longer than %d octets",
			    ZONE_MAX_RDATA);
	}
	if (hi >= 0)
		return zerr(z, "odd number of hex digits");
	return 0;
}

/* RFC 6698 2.2: usage selector matching-type hex. */
static int
rdata_tlsa(struct zparse *z, const struct tok *t, size_t n)
{
	unsigned long v;

	if (n < 4)
		return zerr(z, "TLSA record needs 4 fields");
	for (size_t i = 0; i < 3; i++) {
		if (!parse_uint(&t[i], 255, &v))
			return zerr(z, "bad TLSA field");
		buf_addc(&z->rdata, (int)v);
	}
	return add_hex(z, t + 3, n - 3);
}

static void
name_to_wire(const char *s, size_t n, struct buf *out)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && s[j] != '.')
			j++;
		buf_addc(out, (int)(j - i));
		buf_add(out, s + i, j - i);
		i = j + 1;
	}
	buf_addc(out, 0);
}

/* RFC 1035 3.3.13, kept as wire RDATA. */
static int
rdata_soa(struct zparse *z, const struct tok *t, size_t n)
{
	unsigned long v;

	if (need_fields(z, n, 7, "SOA") == -1)
		return -1;
	for (size_t i = 0; i < 2; i++) {
		if (make_name(z, &t[i], &z->scratch) == -1)
			return -1;
		name_to_wire(z->scratch.p, z->scratch.len, &z->rdata);
	}
	for (size_t i = 2; i < 7; i++) {
		uint32_t u;

		if (parse_uint(&t[i], 4294967295ul, &v))
			u = (uint32_t)v;
		else if (!parse_ttl(&t[i], &u))
			return zerr(z, "bad SOA number");
		unsigned char b[4] = { u >> 24, u >> 16 & 255, u >> 8 & 255,
		    u & 255 };
		buf_add(&z->rdata, b, 4);
	}
	return 0;
}

/* Wire-format TXT RDATA (from \#) into joined strings. */
static int
wire_txt(struct zparse *z, struct zone_rec *r)
{
	const unsigned char *w = (const unsigned char *)z->scratch.p;
	size_t n = z->scratch.len, i = 0;

	if (n == 0)
		return zerr(z, "TXT RDATA is empty");
	while (i < n) {
		size_t l = w[i++];

		if (l > n - i)
			return zerr(z, "TXT RDATA: string runs past the end");
		buf_add(&z->rdata, w + i, l);
		i += l;
		r->nstrings++;
	}
	return 0;
}

static int
wire_name(struct zparse *z, size_t off)
{
	const unsigned char *w = (const unsigned char *)z->scratch.p;
	char name[NS_MAXDNAME];
	int k;

	k = dn_expand(w, w + z->scratch.len, w + off, name, sizeof(name));
	if (k < 0 || (size_t)k + off != z->scratch.len)
		return zerr(z, "bad domain name in RDATA");
	lowercase(name, strlen(name));
	buf_adds(&z->rdata, strcmp(name, ".") == 0 ? "" : name);
	return 0;
}

/*
 * Convert generic RDATA (now in z->rdata, wire format) to the form
 * dns.h gives for known types.
 */
static int
wire_convert(struct zparse *z, struct zone_rec *r)
{
	size_t n = z->rdata.len;

	buf_reset(&z->scratch);
	buf_add(&z->scratch, z->rdata.p ? z->rdata.p : "", n);
	buf_reset(&z->rdata);
	switch (r->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		if (n != (r->type == DNS_T_A ? 4u : 16u))
			return zerr(z, "bad %s RDATA length",
			    r->type == DNS_T_A ? "A" : "AAAA");
		break;
	case DNS_T_TXT:
	case DNS_T_SPF:
		return wire_txt(z, r);
	case DNS_T_MX:
		if (n < 3)
			return zerr(z, "bad MX RDATA");
		r->pref = (uint16_t)((unsigned char)z->scratch.p[0] << 8 |
		    (unsigned char)z->scratch.p[1]);
		return wire_name(z, 2);
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
		return wire_name(z, 0);
	}
	buf_add(&z->rdata, z->scratch.p, n);
	return 0;
}

/* RFC 3597 5: \# LENGTH HEX... */
static int
rdata_generic(struct zparse *z, const struct tok *t, size_t n,
    struct zone_rec *r)
{
	unsigned long len;

	if (n < 2 || !parse_uint(&t[1], ZONE_MAX_RDATA, &len))
		return zerr(z, "bad \\# RDATA length");
	if (add_hex(z, t + 2, n - 2) == -1)
		return -1;
	if (z->rdata.len != len)
		return zerr(z, "\\# RDATA: %zu octets given, %lu declared",
		    z->rdata.len, len);
	return wire_convert(z, r);
}

static int
parse_rdata(struct zparse *z, const struct tok *t, size_t n,
    struct zone_rec *r)
{
	if (n > 0 && !t[0].quoted && t[0].len == 2 && t[0].s[0] == '\\' &&
	    t[0].s[1] == '#')
		return rdata_generic(z, t, n, r);
	switch (r->type) {
	case DNS_T_A:
		return rdata_addr(z, t, n, AF_INET);
	case DNS_T_AAAA:
		return rdata_addr(z, t, n, AF_INET6);
	case DNS_T_MX:
		return rdata_mx(z, t, n, r);
	case DNS_T_NS:
		return rdata_name(z, t, n, "NS");
	case DNS_T_CNAME:
		return rdata_name(z, t, n, "CNAME");
	case DNS_T_PTR:
		return rdata_name(z, t, n, "PTR");
	case DNS_T_TXT:
	case DNS_T_SPF:
		return rdata_txt(z, t, n, r);
	case DNS_T_SOA:
		return rdata_soa(z, t, n);
	case DNS_T_TLSA:
		return rdata_tlsa(z, t, n);
	}
	return zerr(z, "TYPE%u needs RFC 3597 \\# RDATA", r->type);
}

/* ---- records and directives ---- */

static int
emit(struct zparse *z, struct zone_rec *r)
{
	if (++*z->nrec > ZONE_MAX_RECORDS)
		return zerr(z, "more than %d records", ZONE_MAX_RECORDS);
	if (z->rdata.p == NULL)
		buf_reserve(&z->rdata, 0);
	r->owner = z->owner.p;
	r->ownerlen = z->owner.len;
	r->data = (const unsigned char *)z->rdata.p;
	r->len = z->rdata.len;
	r->file = z->file;
	r->line = z->recline;
	return z->fn(z->arg, r, z->d);
}

static const struct fault_name *
fault_word(const struct tok *t)
{
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		if (tok_is(t, faults[i].name))
			return &faults[i];
	return NULL;
}

/* name [ttl] [IN] TIMEOUT|SERVFAIL|NXDOMAIN|NODATA [TYPE] */
static int
parse_fault(struct zparse *z, const struct fault_name *f,
    const struct tok *t, size_t n, struct zone_rec *r)
{
	r->fault = true;
	r->status = f->status;
	r->type = 0;
	if (n > 1)
		return zerr(z, "%s takes at most one type", f->name);
	if (n == 1 && (t->quoted ||
	    (r->type = zone_type_number(t->s, t->len)) == 0))
		return zerr(z, "%s: unknown type", f->name);
	if (f->status == DNS_NODATA && r->type == 0)
		return zerr(z, "NODATA needs a type");
	buf_reset(&z->rdata);
	return emit(z, r);
}

/* Optional TTL and class, in either order (RFC 1035 5.1). */
static int
ttl_class(struct zparse *z, size_t *i, struct zone_rec *r)
{
	bool ttl = false, cls = false;

	r->ttl = z->ttl;
	for (; *i < z->ntok; (*i)++) {
		const struct tok *t = &z->tok[*i];

		if (!t->quoted && t->len > 0 && is_digit(t->s[0])) {
			if (ttl || !parse_ttl(t, &r->ttl))
				return zerr(z, "bad TTL");
			ttl = true;
		} else if (tok_is(t, "IN")) {
			if (cls)
				return zerr(z, "class given twice");
			cls = true;
		} else if (tok_is(t, "CH") || tok_is(t, "HS") ||
		    tok_is(t, "CS"))
			return zerr(z, "only class IN is supported");
		else
			return 0;
	}
	return 0;
}

static int
parse_rr(struct zparse *z, bool indented)
{
	struct zone_rec r;
	const struct fault_name *f;
	const struct tok *t;
	size_t i = 0;

	memset(&r, 0, sizeof(r));
	if (indented && !z->have_owner)
		return zerr(z, "no owner name");
	if (!indented) {
		if (make_name(z, &z->tok[0], &z->owner) == -1)
			return -1;
		if (z->owner.len == 0)
			return zerr(z, "the root cannot own records here");
		z->have_owner = true;
		i = 1;
	}
	if (ttl_class(z, &i, &r) == -1)
		return -1;
	if (i >= z->ntok)
		return zerr(z, "missing type");
	t = &z->tok[i++];
	if ((f = fault_word(t)) != NULL)
		return parse_fault(z, f, t + 1, z->ntok - i, &r);
	if (t->quoted || (r.type = zone_type_number(t->s, t->len)) == 0) {
		char esc[64];

		return zerr(z, "unknown type %s", diag_escape(esc,
		    sizeof(esc), t->s, t->len));
	}
	buf_reset(&z->rdata);
	if (parse_rdata(z, t + 1, z->ntok - i, &r) == -1)
		return -1;
	return emit(z, &r);
}

/* Read a whole file of at most ZONE_MAX_FILE bytes; NULL and *err. */
static char *
slurp(const char *path, size_t *len, const char **err)
{
	struct stat st;
	char *text = NULL;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1) {
		*err = strerror(errno);
		return NULL;
	}
	if (fstat(fd, &st) == -1)
		*err = strerror(errno);
	else if (st.st_size > ZONE_MAX_FILE)
		*err = "file too large";
	else {
		*len = (size_t)st.st_size;
		text = xmalloc(*len + 1);
		if (read(fd, text, *len) != (ssize_t)*len) {
			*err = "short read";
			free(text);
			text = NULL;
		}
	}
	close(fd);
	return text;
}

static void
dir_name(const char *file, struct buf *out)
{
	const char *slash = strrchr(file, '/');

	buf_reset(out);
	if (slash)
		buf_add(out, file, (size_t)(slash - file) + 1);
}

/* $INCLUDE file [origin] (RFC 1035 5.1), relative to this file's dir. */
static int
include(struct zparse *z)
{
	struct buf path = { 0 };
	struct zparse sub;
	const char *err = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc = -1;

	if (z->ntok < 2 || z->ntok > 3)
		return zerr(z, "$INCLUDE needs a file name");
	if (z->depth >= ZONE_MAX_INCLUDE)
		return zerr(z, "$INCLUDE nested deeper than %d",
		    ZONE_MAX_INCLUDE);
	if (decode(z, &z->tok[1], &z->scratch, false) == -1)
		return -1;
	if (z->scratch.p[0] != '/')
		dir_name(z->file, &path);
	buf_adds(&path, z->scratch.p);
	memset(&sub, 0, sizeof(sub));
	sub.file = path.p;
	sub.depth = z->depth + 1;
	sub.nrec = z->nrec;
	sub.ttl = z->ttl;
	sub.fn = z->fn;
	sub.arg = z->arg;
	sub.d = z->d;
	buf_add(&sub.origin, z->origin.p ? z->origin.p : "", z->origin.len);
	if (z->ntok == 3 && make_name(z, &z->tok[2], &sub.origin) == -1)
		goto out;
	if ((text = slurp(path.p, &len, &err)) == NULL) {
		zerr(z, "$INCLUDE %s: %s", path.p, err);
		goto out;
	}
	sub.p = text;
	sub.end = text + len;
	rc = parse_text(&sub);
out:
	free(text);
	free(sub.tok);
	buf_free(&sub.origin);
	buf_free(&sub.owner);
	buf_free(&sub.scratch);
	buf_free(&sub.rdata);
	buf_free(&path);
	return rc;
}

static int
directive(struct zparse *z)
{
	const struct tok *t = &z->tok[0];

	if (tok_is(t, "$ORIGIN")) {
		if (z->ntok != 2)
			return zerr(z, "$ORIGIN needs one name");
		if (make_name(z, &z->tok[1], &z->scratch) == -1)
			return -1;
		buf_reset(&z->origin);
		buf_add(&z->origin, z->scratch.p, z->scratch.len);
		return 0;
	}
	if (tok_is(t, "$TTL")) {
		if (z->ntok != 2 || !parse_ttl(&z->tok[1], &z->ttl))
			return zerr(z, "$TTL needs one TTL");
		return 0;
	}
	if (tok_is(t, "$INCLUDE"))
		return include(z);
	return zerr(z, "unknown directive %.*s", (int)(t->len > 20 ? 20 :
	    t->len), t->s);
}

static int
parse_text(struct zparse *z)
{
	bool indented = false;
	int rc;

	z->line = 1;
	z->bol = true;
	while ((rc = read_record(z, &indented)) == 1) {
		const struct tok *t = &z->tok[0];

		if (!indented && !t->quoted && t->len > 0 && t->s[0] == '$')
			rc = directive(z);
		else
			rc = parse_rr(z, indented);
		if (rc == -1)
			return -1;
	}
	return rc;
}

int
zone_parse(const char *name, const char *text, size_t len,
    int (*fn)(void *arg, const struct zone_rec *r, struct diag *d),
    void *arg, struct diag *d)
{
	struct zparse z;
	size_t nrec = 0;
	int rc;

	memset(&z, 0, sizeof(z));
	z.file = name;
	z.p = text;
	z.end = text + len;
	z.nrec = &nrec;
	z.ttl = 3600;
	z.fn = fn;
	z.arg = arg;
	z.d = d;
	rc = parse_text(&z);
	free(z.tok);
	buf_free(&z.origin);
	buf_free(&z.owner);
	buf_free(&z.scratch);
	buf_free(&z.rdata);
	return rc;
}

int
zone_parse_file(const char *path,
    int (*fn)(void *arg, const struct zone_rec *r, struct diag *d),
    void *arg, struct diag *d)
{
	const char *err;
	char *text;
	size_t len;
	int rc;

	if ((text = slurp(path, &len, &err)) == NULL)
		return diag_set(d, "%s: %s", path, err);
	rc = zone_parse(path, text, len, fn, arg, d);
	free(text);
	return rc;
}
