#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
	char *o;

	n = strip_eol(raw, n);
	buf_reserve(out, n + 3);	/* never longer than raw, plus CRLF */
	o = out->p + out->len;
	for (colon = 0; colon < n && raw[colon] != ':'; colon++)
		;
	for (nend = colon; nend > 0 && is_wsp((unsigned char)raw[nend - 1]);
	    nend--)
		;
	for (i = 0; i < nend; i++) {
		unsigned char c = (unsigned char)raw[i];

		*o++ = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	*o++ = ':';
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
			*o++ = ' ';
		wsp = start = false;
		*o++ = (char)c;
	}
	*o++ = '\r';
	*o++ = '\n';
	out->len = (size_t)(o - out->p);
	out->p[out->len] = '\0';
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

/* Body output: bytes are batched in cb->out; a flush counts them all and
 * passes on those within l= (RFC 6376 3.5). */
static void
flush(struct canon_body *cb)
{
	size_t n = cb->outlen;

	cb->total += n;
	if (cb->sent < cb->limit) {
		if (n > cb->limit - cb->sent)
			n = (size_t)(cb->limit - cb->sent);
		cb->sent += n;
		if (n > 0 && cb->sink != NULL)
			cb->sink(cb->arg, cb->out, n);
	}
	cb->outlen = 0;
}

static void
emit(struct canon_body *cb, const void *p, size_t n)
{
	const unsigned char *s = p;

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

/* Byte classes for the body scanner. */
#define C_CR	1
#define C_LF	2
#define C_WSP	4

static const unsigned char cls[256] = {
	['\r'] = C_CR, ['\n'] = C_LF, [' '] = C_WSP, ['\t'] = C_WSP,
};

/* The classes that end a run of content, for cb's algorithm and flags. */
static unsigned
stop_mask(const struct canon_body *cb)
{
	unsigned mask = C_CR | C_LF;

	if (cb->flags & (CANON_F_RAW_LF | CANON_F_LF_ONLY))
		mask &= ~(unsigned)C_LF;
	if (cb->alg == CANON_RELAXED)
		mask |= C_WSP;
	return mask;
}

/*
 * The run of content bytes at s[0..n).  In relaxed mode a lone SP between
 * two content bytes is its own canonical form, so it stays in the run:
 * ordinary text then goes out a line at a time, not a word at a time.
 */
#ifdef __SSE2__
/* Bit k set: byte k of v is in one of mask's classes. */
static inline unsigned
stop_bits(__m128i v, unsigned mask)
{
	__m128i m = _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'));

	if (mask & C_LF)
		m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
	if (mask & C_WSP)
		m = _mm_or_si128(m, _mm_or_si128(
		    _mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
		    _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))));
	return (unsigned)_mm_movemask_epi8(m);
}
#endif

static size_t
content_span(const unsigned char *s, size_t n, unsigned mask)
{
	size_t i = 0;

#ifdef __SSE2__
	/*
	 * 16 bytes at a time, the same rule: s[0] is content (the caller
	 * saw to it), so every byte before the first stop is content, and
	 * an SP there stays in the run when the byte after it is content
	 * too.  The byte after the block is read, hence i + 17 <= n.
	 */
	for (; i + 17 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(s + i));
		unsigned stop = stop_bits(v, mask);

		if (stop == 0)
			continue;
		if (mask & C_WSP) {
			unsigned next = stop_bits(_mm_loadu_si128(
			    (const __m128i *)(s + i + 1)), mask);
			unsigned sp = (unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));

			stop &= ~(sp & ~next);
			if (stop == 0)
				continue;
		}
		return i + (size_t)__builtin_ctz(stop);
	}
#endif
	for (;;) {
		while (i < n && s[i] > ' ')	/* no stop byte is above SP */
			i++;
		if (i >= n)
			return i;
		if (!(cls[s[i]] & mask)) {	/* a control byte, or WSP in
						 * simple: content */
			i++;
			continue;
		}
		if (i == 0 || i + 1 >= n || s[i] != ' ' ||
		    (cls[s[i + 1]] & mask))
			return i;
		i += 2;
	}
}

void
canon_body_update(struct canon_body *cb, const void *p, size_t n)
{
	const unsigned char *s = p;
	unsigned mask = stop_mask(cb);
	size_t i = 0, k;

	while (i < n) {
		if (cb->cr) {
			cb->cr = false;
			if (s[i] == '\n' && (cb->flags & CANON_F_LF_ONLY)) {
				content(cb, s + i, 1);
				i++;
				continue;
			}
			if (s[i] == '\n') {
				line_end(cb);
				i++;
				continue;
			}
			content(cb, (const unsigned char *)"\r", 1);
		}
		switch (cls[s[i]] & mask) {
		case C_CR:
			cb->cr = true;	/* a line end if LF follows */
			i++;
			break;
		case C_LF:
			line_end(cb);	/* bare LF: the CRLF of the wire */
			i++;
			break;
		case C_WSP:
			cb->wsp = true;	/* RFC 6376 3.4.4: WSP runs to one SP */
			i++;
			break;
		default:
			k = content_span(s + i, n - i, mask);
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
