#include <string.h>

#include "buf.h"
#include "canon.h"

const char *
canon_name(enum canon_alg a)
{
	return a == CANON_RELAXED ? "relaxed" : "simple";
}

bool
canon_parse(const char *s, size_t n, enum canon_alg *a)
{
	if (n == 6 && memcmp(s, "simple", 6) == 0)
		*a = CANON_SIMPLE;
	else if (n == 7 && memcmp(s, "relaxed", 7) == 0)
		*a = CANON_RELAXED;
	else
		return false;
	return true;
}

static bool
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 6376 3.4.1: no change, except that a bare LF is the CRLF a
 * receiver sees, and the field ends in CRLF. */
static void
header_simple(const char *raw, size_t n, struct buf *out)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		if (raw[i] != '\n' || (i > 0 && raw[i - 1] == '\r'))
			continue;
		buf_add(out, raw + start, i - start);
		buf_add(out, "\r\n", 2);
		start = i + 1;
	}
	buf_add(out, raw + start, n - start);
	if (out->len < 2 || memcmp(out->p + out->len - 2, "\r\n", 2) != 0)
		buf_add(out, "\r\n", 2);
}

/* Length of raw without its final line ending. */
static size_t
strip_eol(const char *raw, size_t n)
{
	if (n > 0 && raw[n - 1] == '\n')
		n--;
	if (n > 0 && raw[n - 1] == '\r')
		n--;
	return n;
}

/*
 * RFC 6376 3.4.2: lowercase the name, unfold (drop the CRLF, or bare LF,
 * of each continuation), WSP runs to one SP, no WSP at the end of the
 * value nor around the colon.
 */
static void
header_relaxed(const char *raw, size_t n, struct buf *out)
{
	size_t i, colon, nend;
	bool wsp = false, start = true;

	n = strip_eol(raw, n);
	for (colon = 0; colon < n && raw[colon] != ':'; colon++)
		;
	for (nend = colon; nend > 0 && is_wsp((unsigned char)raw[nend - 1]);
	    nend--)
		;
	for (i = 0; i < nend; i++) {
		unsigned char c = (unsigned char)raw[i];

		buf_addc(out, c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	buf_addc(out, ':');
	for (i = colon + 1; i < n; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c == '\n' || (c == '\r' && i + 1 < n && raw[i + 1] == '\n'))
			continue;
		if (is_wsp(c)) {
			wsp = true;
			continue;
		}
		/* leading WSP of the value goes (no WSP after the colon) */
		if (wsp && !start)
			buf_addc(out, ' ');
		wsp = start = false;
		buf_addc(out, c);
	}
	buf_add(out, "\r\n", 2);
}

void
canon_header(enum canon_alg a, const char *raw, size_t rawlen,
    struct buf *out)
{
	if (a == CANON_RELAXED)
		header_relaxed(raw, rawlen, out);
	else
		header_simple(raw, rawlen, out);
}

/* Body output: count every canonical byte, pass those within l= on. */
static void
flush(struct canon_body *cb)
{
	if (cb->outlen > 0 && cb->sink != NULL)
		cb->sink(cb->arg, cb->out, cb->outlen);
	cb->outlen = 0;
}

static void
emit(struct canon_body *cb, const void *p, size_t n)
{
	const unsigned char *s = p;

	cb->total += n;
	if (cb->sent >= cb->limit)
		return;
	if (n > cb->limit - cb->sent)
		n = (size_t)(cb->limit - cb->sent);
	cb->sent += n;
	while (n > 0) {
		size_t k = sizeof(cb->out) - cb->outlen;

		if (k > n)
			k = n;
		memcpy(cb->out + cb->outlen, s, k);
		cb->outlen += k;
		s += k;
		n -= k;
		if (cb->outlen == sizeof(cb->out))
			flush(cb);
	}
}

/* Empty lines are held back until a later line shows they are not at
 * the end of the body (RFC 6376 3.4.3, 3.4.4). */
static void
emit_held(struct canon_body *cb)
{
	for (; cb->crlfs > 0; cb->crlfs--)
		emit(cb, "\r\n", 2);
	if (cb->wsp)
		emit(cb, " ", 1);
	cb->wsp = false;
}

void
canon_body_init(struct canon_body *cb, enum canon_alg a, uint64_t limit,
    canon_sink sink, void *arg)
{
	memset(cb, 0, offsetof(struct canon_body, out));
	cb->alg = a;
	cb->limit = limit;
	cb->sink = sink;
	cb->arg = arg;
}

void
canon_body_set_flags(struct canon_body *cb, unsigned flags)
{
	cb->flags = flags;
}

static void
line_end(struct canon_body *cb)
{
	cb->crlfs++;
	cb->wsp = false;	/* relaxed: no WSP at the end of a line */
}

/* A run of line content s[0..n) (no CR, LF; relaxed: no WSP). */
static void
content(struct canon_body *cb, const unsigned char *s, size_t n)
{
	if (n == 0)
		return;
	emit_held(cb);
	emit(cb, s, n);
	cb->any = true;
}

/* The span of ordinary content bytes starting at s[0]. */
static size_t
content_span(const struct canon_body *cb, const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '\r' || (c == '\n' && !(cb->flags & CANON_F_RAW_LF)))
			break;
		if (cb->alg == CANON_RELAXED && is_wsp(c))
			break;
	}
	return i;
}

void
canon_body_update(struct canon_body *cb, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];

		if (cb->cr) {
			cb->cr = false;
			if (c == '\n') {
				line_end(cb);
				i++;
				continue;
			}
			content(cb, (const unsigned char *)"\r", 1);
		}
		if (c == '\r') {
			cb->cr = true;
			i++;
		} else if (c == '\n' && !(cb->flags & CANON_F_RAW_LF)) {
			line_end(cb);	/* bare LF: the CRLF of the wire */
			i++;
		} else if (cb->alg == CANON_RELAXED && is_wsp(c)) {
			cb->wsp = true;	/* RFC 6376 3.4.4: WSP runs to one SP */
			i++;
		} else {
			size_t k = content_span(cb, s + i, n - i);

			content(cb, s + i, k);
			i += k;
		}
	}
}

void
canon_body_final(struct canon_body *cb)
{
	if (cb->cr)			/* a CR ending the body is content */
		content(cb, (const unsigned char *)"\r", 1);
	cb->cr = false;
	/*
	 * simple (3.4.3): trailing empty lines go, and the body ends in one
	 * CRLF, an empty body included.  relaxed (3.4.4): the same, but an
	 * empty body stays empty (erratum 1384 wording: "if the body is
	 * non-empty").
	 */
	cb->wsp = false;
	if ((cb->flags & CANON_F_KEEP_TRAILING) && cb->crlfs > 0)
		emit_held(cb);
	else if (cb->alg == CANON_SIMPLE || cb->any)
		emit(cb, "\r\n", 2);
	cb->crlfs = 0;
	flush(cb);
}

uint64_t
canon_body_total(const struct canon_body *cb)
{
	return cb->total;
}

uint64_t
canon_body_sent(const struct canon_body *cb)
{
	return cb->sent;
}
