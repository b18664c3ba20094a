#include <string.h>
#include <strings.h>

#include "buf.h"
#include "diag.h"
#include "tags.h"

static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* FWS and the bare line breaks of LF-only messages. */
static bool
is_fws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 6376 3.2 VALCHAR = %x21-3A / %x3C-7E; 8-bit bytes admitted for
 * UTF-8 identities (RFC 8616 4). */
static bool
is_valchar(unsigned char c)
{
	return (c >= 0x21 && c <= 0x7e && c != ';') || c >= 0x80;
}

static size_t
skip_fws(const char *s, size_t i, size_t len)
{
	while (i < len && is_fws((unsigned char)s[i]))
		i++;
	return i;
}

/* tag-name = ALPHA *ALNUMPUNC; returns the index past it (== i: none). */
static size_t
scan_name(const char *s, size_t i, size_t len)
{
	if (i >= len || !is_alpha((unsigned char)s[i]))
		return i;
	for (i++; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_alpha(c) && !is_digit(c) && c != '_')
			break;
	}
	return i;
}

/* tag-value up to ';' or the end: VALCHARs and FWS; trailing FWS is
 * trimmed from the view.  Returns the index of ';' / end, or (size_t)-1
 * on a byte that is neither. */
static size_t
scan_value(const char *s, size_t i, size_t len, struct tag *t)
{
	size_t end = i;

	t->value = s + i;
	for (; i < len && s[i] != ';'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_valchar(c))
			end = i + 1;
		else if (!is_fws(c))
			return (size_t)-1;
	}
	t->valuelen = end - (size_t)(t->value - s);
	return i;
}

static bool
has_tag(const struct tags *tl, const char *name, size_t n)
{
	for (size_t i = 0; i < tl->n; i++)
		if (tl->t[i].namelen == n && memcmp(tl->t[i].name, name, n) == 0)
			return true;
	return false;
}

/* One tag-spec at s[i..]; returns the index past it (at ';' or end), or
 * (size_t)-1 with d filled. */
static size_t
parse_spec(struct tags *tl, const char *what, const char *s, size_t i,
    size_t len, struct diag *d)
{
	struct tag t;
	size_t e;
	char esc[64];

	i = skip_fws(s, i, len);
	e = scan_name(s, i, len);
	if (e == i) {
		diag_set(d, "%s: RFC 6376 3.2: malformed tag name at \"%s\"",
		    what, diag_escape(esc, sizeof(esc), s + i,
		    len - i < 16 ? len - i : 16));
		return (size_t)-1;
	}
	t.name = s + i;
	t.namelen = e - i;
	diag_escape(esc, sizeof(esc), t.name, t.namelen < 32 ? t.namelen : 32);
	i = skip_fws(s, e, len);
	if (i >= len || s[i] != '=') {
		diag_set(d, "%s: RFC 6376 3.2: tag %s has no \"=\"", what, esc);
		return (size_t)-1;
	}
	i = skip_fws(s, i + 1, len);
	if ((i = scan_value(s, i, len, &t)) == (size_t)-1) {
		diag_set(d, "%s: RFC 6376 3.2: invalid character in tag %s",
		    what, esc);
		return (size_t)-1;
	}
	if (has_tag(tl, t.name, t.namelen)) {
		diag_set(d, "%s: RFC 6376 3.2: duplicate tag %s", what, esc);
		return (size_t)-1;
	}
	if (tl->n == TAGS_MAX) {
		diag_set(d, "%s: more than %d tags", what, TAGS_MAX);
		return (size_t)-1;
	}
	tl->t[tl->n++] = t;
	return i;
}

int
tags_parse(struct tags *tl, const char *what, const char *s, size_t len,
    struct diag *d)
{
	size_t i = 0;

	tl->n = 0;
	for (;;) {
		/* an optional final ";" (RFC 6376 3.2), possibly followed
		 * by FWS, ends the list */
		if (tl->n > 0 && skip_fws(s, i, len) == len)
			return 0;
		if ((i = parse_spec(tl, what, s, i, len, d)) == (size_t)-1)
			return -1;
		if (i == len)
			return 0;
		i++;			/* the ';' */
	}
}

const struct tag *
tags_get(const struct tags *tl, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < tl->n; i++)
		if (tl->t[i].namelen == n &&
		    memcmp(tl->t[i].name, name, n) == 0)
			return &tl->t[i];
	return NULL;
}

const struct tag *
tags_get_ci(const struct tags *tl, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < tl->n; i++)
		if (tl->t[i].namelen == n &&
		    strncasecmp(tl->t[i].name, name, n) == 0)
			return &tl->t[i];
	return NULL;
}

bool
tags_value_is(const struct tag *t, const char *s)
{
	return t->valuelen == strlen(s) && memcmp(t->value, s, t->valuelen) == 0;
}

bool
tags_value_is_ci(const struct tag *t, const char *s)
{
	return t->valuelen == strlen(s) &&
	    strncasecmp(t->value, s, t->valuelen) == 0;
}

void
tags_value_nows(const struct tag *t, struct buf *out)
{
	for (size_t i = 0; i < t->valuelen; i++)
		if (!is_fws((unsigned char)t->value[i]))
			buf_addc(out, t->value[i]);
}
