/*
 * SPF macros (RFC 7208 7): syntax of macro-strings and domain-specs,
 * expansion with transformers, delimiters and URL escaping, and the
 * target-name rules (RFC 7208 4.3, 4.8, 7.3).  Every expansion is bounded
 * by SPF_EXPAND_MAX octets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spf.h"
#include "spf_impl.h"

#define DOMAIN_LETTERS	"slodipvh"	/* RFC 7208 7.2 */
#define EXP_LETTERS	"slodipvhcrt"	/* c, r, t: exp text only */
#define DELIMITERS	".-+,/_="	/* RFC 7208 7.1 delimiter */
#define PARTS_STACK	64

static bool
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/*
 * "%{" macro-letter transformers *delimiter "}" starting at s[i] == '{'.
 * Returns the index past '}', or 0 with why filled.
 */
static size_t
scan_expand(const char *s, size_t n, size_t i, int flags, char *why,
    size_t cap)
{
	const char *letters = flags & (SPF_MS_EXP | SPF_MS_ANY) ?
	    EXP_LETTERS : DOMAIN_LETTERS;
	unsigned long digits = 0;
	size_t ndigits = 0;

	i++;
	if (i >= n || s[i] == '\0' || !strchr(letters, lower((unsigned char)s[i]))) {
		snprintf(why, cap, "RFC 7208 7.2: %s macro letter", i < n &&
		    strchr(EXP_LETTERS, lower((unsigned char)s[i])) && s[i] ?
		    "exp-only" : "unknown");
		return 0;
	}
	for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, ndigits++)
		digits = digits > 1000 ? digits : digits * 10 +
		    (unsigned long)(s[i] - '0');
	if (ndigits > 0 && digits == 0) {
		snprintf(why, cap, "RFC 7208 7.3: DIGIT transformer is zero");
		return 0;
	}
	if (i < n && (s[i] == 'r' || s[i] == 'R'))
		i++;
	while (i < n && s[i] != '\0' && strchr(DELIMITERS, s[i]))
		i++;
	if (i >= n || s[i] != '}') {
		snprintf(why, cap, "RFC 7208 7.1: malformed macro-expand");
		return 0;
	}
	return i + 1;
}

/* Check s[0..n) as a macro-string; *last_end: the index past the last
 * macro-expand (0 if none). */
static bool
scan(const char *s, size_t n, int flags, size_t *last_end, char *why,
    size_t cap)
{
	*last_end = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 1 < n && s[i + 1] == '{')
				i = scan_expand(s, n, i + 1, flags, why, cap);
			else if (i + 1 < n && strchr("%_-", s[i + 1]) &&
			    s[i + 1] != '\0')
				i += 2;
			else {
				snprintf(why, cap, "RFC 7208 7.3: '%%' not "
				    "followed by '{', '%%', '-' or '_'");
				return false;
			}
			if (i == 0)
				return false;
			*last_end = i;
			continue;
		}
		if ((c < 0x21 || c > 0x7e) && !(c == ' ' && flags & SPF_MS_EXP)) {
			snprintf(why, cap, "RFC 7208 7.1: byte 0x%02x is not a "
			    "macro-literal", c);
			return false;
		}
		i++;
	}
	return true;
}

bool
spf_macro_check(const char *s, size_t n, int flags, char *why, size_t cap)
{
	size_t last;

	return scan(s, n, flags, &last, why, cap);
}

/* toplabel (RFC 7208 7.1): LDH, not all-numeric, no hyphen at an end. */
static bool
is_toplabel(const char *s, size_t n)
{
	bool alpha = false, dash = false;

	if (n == 0 || !is_alnum((unsigned char)s[0]) ||
	    !is_alnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '-')
			dash = true;
		else if (!is_alnum(c))
			return false;
		else if (c > '9')
			alpha = true;
	}
	return alpha || dash;
}

bool
spf_domain_spec_check(const char *s, size_t n, char *why, size_t cap)
{
	size_t last, end = n, dot;

	if (n == 0) {
		snprintf(why, cap, "RFC 7208 4.8: empty domain-spec");
		return false;
	}
	if (!scan(s, n, 0, &last, why, cap))
		return false;
	if (last == n)				/* domain-end = macro-expand */
		return true;
	if (s[end - 1] == '.')			/* "." toplabel [ "." ] */
		end--;
	for (dot = end; dot > last && s[dot - 1] != '.'; dot--)
		;
	if (dot > last && is_toplabel(s + dot, end - dot))
		return true;
	snprintf(why, cap, "RFC 7208 7.1: domain-spec does not end in a "
	    "toplabel or a macro");
	return false;
}

/* The value of one macro letter (RFC 7208 7.2, 7.3). */
static void
letter_value(const struct spf_macro_env *env, int letter, struct buf *v)
{
	buf_reset(v);
	switch (letter) {
	case 's': buf_adds(v, env->sender); break;
	case 'l': buf_adds(v, env->local); break;
	case 'o': buf_adds(v, env->sdomain); break;
	case 'd': buf_adds(v, env->domain); break;
	case 'i': spf_ip_dotted(env->ip, v); break;
	case 'c': spf_ip_text(env->ip, v); break;
	case 'v': buf_adds(v, env->ip->v6 ? "ip6" : "in-addr"); break;
	case 'h': buf_adds(v, env->helo ? env->helo : "unknown"); break;
	case 'r': buf_adds(v, env->receiver ? env->receiver : "unknown");
		break;
	case 't': buf_printf(v, "%lld", env->now); break;
	case 'p': buf_adds(v, env->ptr_name ? env->ptr_name(env->ptr_arg) :
		    "unknown");
		break;
	}
}

struct part {
	size_t	off;
	size_t	len;
};

/* Split v on delims, reverse if asked, keep the rightmost keep parts,
 * join with "." (RFC 7208 7.3); appended to out. */
static void
transform(const char *v, size_t n, const char *delims, size_t ndelims,
    bool rev, unsigned long keep, struct buf *out)
{
	struct part stack[PARTS_STACK], *p = stack;
	size_t np = 1, k = 0, first;

	for (size_t i = 0; i < n; i++)
		if (memchr(delims, v[i], ndelims))
			np++;
	if (np > PARTS_STACK)
		p = xreallocarray(NULL, np, sizeof(*p));
	p[0].off = 0;
	for (size_t i = 0; i < n; i++)
		if (memchr(delims, v[i], ndelims)) {
			p[k].len = i - p[k].off;
			p[++k].off = i + 1;
		}
	p[k].len = n - p[k].off;
	first = keep > 0 && keep < np ? np - keep : 0;
	for (size_t j = first; j < np; j++) {
		const struct part *q = &p[rev ? np - 1 - j : j];

		if (j > first)
			buf_addc(out, '.');
		buf_add(out, v + q->off, q->len);
	}
	if (p != stack)
		free(p);
}

/* URL-escape (RFC 3986 unreserved kept) v into out (RFC 7208 7.3). */
static void
url_escape(const char *v, size_t n, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (is_alnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~')
			buf_addc(out, c);
		else {
			buf_addc(out, '%');
			buf_addc(out, hex[c >> 4]);
			buf_addc(out, hex[c & 15]);
		}
	}
}

/* Expand the macro-expand at s[i] == '{' (checked); returns index past '}'. */
static size_t
expand_one(const struct spf_macro_env *env, const char *s, size_t i,
    struct buf *val, struct buf *tmp, struct buf *out)
{
	int letter = (unsigned char)s[++i];
	unsigned long keep = 0;
	bool rev = false, upper = letter >= 'A' && letter <= 'Z';
	size_t dstart;

	letter_value(env, lower(letter), val);
	for (i++; s[i] >= '0' && s[i] <= '9'; i++)
		keep = keep > 1000 ? keep : keep * 10 +
		    (unsigned long)(s[i] - '0');
	if (s[i] == 'r' || s[i] == 'R')
		rev = true, i++;
	for (dstart = i; s[i] != '}'; i++)
		;
	buf_reset(tmp);
	if (keep || rev || i > dstart)
		transform(val->p, val->len, i > dstart ? s + dstart : ".",
		    i > dstart ? i - dstart : 1, rev, keep, tmp);
	else
		buf_add(tmp, val->p, val->len);
	if (upper)
		url_escape(tmp->p, tmp->len, out);
	else
		buf_add(out, tmp->p, tmp->len);
	return i + 1;
}

int
spf_macro_expand(const struct spf_macro_env *env, const char *s, size_t n,
    int flags, struct buf *out)
{
	struct buf val = { 0 }, tmp = { 0 };
	int rc = 0;

	(void)flags;
	buf_reset(out);
	buf_reserve(out, n);
	for (size_t i = 0; i < n && rc == 0;) {
		if (s[i] != '%') {
			buf_addc(out, s[i++]);
		} else if (s[i + 1] == '{') {
			i = expand_one(env, s, i + 1, &val, &tmp, out);
		} else {
			if (s[i + 1] == '-')
				buf_adds(out, "%20");
			else
				buf_addc(out, s[i + 1] == '_' ? ' ' : '%');
			i += 2;
		}
		if (out->len > SPF_EXPAND_MAX)
			rc = -1;
	}
	buf_free(&val);
	buf_free(&tmp);
	return rc;
}

/* Labels of name[0..n): none empty, none over SPF_LABEL_MAX. */
static bool
labels_ok(const char *name, size_t n, size_t *nlabels)
{
	size_t start = 0;

	*nlabels = 0;
	if (n == 0)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && name[i] != '.')
			continue;
		if (i == start || i - start > SPF_LABEL_MAX)
			return false;
		(*nlabels)++;
		start = i + 1;
	}
	return true;
}

bool
spf_target_name(struct buf *name)
{
	size_t nlabels, cut = 0;

	if (name->len > 0 && name->p[name->len - 1] == '.')
		name->p[--name->len] = '\0';
	/* RFC 7208 7.3: remove labels from the left until it fits */
	while (name->len - cut > SPF_DOMAIN_MAX) {
		const char *dot = memchr(name->p + cut, '.', name->len - cut);

		if (dot == NULL)
			return false;
		cut = (size_t)(dot - name->p) + 1;
	}
	if (cut > 0) {
		memmove(name->p, name->p + cut, name->len - cut + 1);
		name->len -= cut;
	}
	return labels_ok(name->p, name->len, &nlabels);
}

bool
spf_domain_ok(const char *d)
{
	size_t n = strlen(d), nlabels, last;

	if (n > 0 && d[n - 1] == '.')
		n--;
	if (n == 0 || n > SPF_DOMAIN_MAX || !labels_ok(d, n, &nlabels) ||
	    nlabels < 2)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)d[i] < 0x21 || (unsigned char)d[i] > 0x7e)
			return false;
	for (last = n; last > 0 && d[last - 1] != '.'; last--)
		;
	return is_toplabel(d + last, n - last);
}

bool
spf_name_within(const char *name, const char *dom)
{
	size_t n = strlen(name), m = strlen(dom);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (m > 0 && dom[m - 1] == '.')
		m--;
	if (m == 0 || n < m || strncasecmp(name + n - m, dom, m) != 0)
		return false;
	return n == m || name[n - m - 1] == '.';
}
