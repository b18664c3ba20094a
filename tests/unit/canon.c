/*
 * Unit tests of canon (RFC 6376 3.4), with tags (3.2) and base64 (crypto)
 * on the side.  Without arguments: run the tests, print "N passed, N
 * failed", exit 1 on a failure.  As a filter, for the conformance runner
 * (tests/dkim_suite.py, dkimpy's canonicalization pairs):
 *
 *   test-canon body simple|relaxed      stdin body -> canonical body
 *   test-canon header simple|relaxed    stdin header fields -> canonical
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "canon.h"
#include "crypto.h"
#include "diag.h"
#include "msg.h"
#include "tags.h"

static int npass, nfail;

static void
ok(bool cond, const char *what)
{
	if (cond)
		npass++;
	else {
		nfail++;
		printf("FAIL %s\n", what);
	}
}

static void
to_buf(void *arg, const void *p, size_t n)
{
	buf_add(arg, p, n);
}

/* Canonical body of s[0..n) fed in chunks of size step (0: at once). */
static void
body(enum canon_alg a, const char *s, size_t n, size_t step, uint64_t limit,
    struct buf *out)
{
	struct canon_body cb;

	canon_body_init(&cb, a, limit, to_buf, out);
	if (step == 0)
		step = n ? n : 1;
	for (size_t i = 0; i < n; i += step)
		canon_body_update(&cb, s + i, n - i < step ? n - i : step);
	canon_body_final(&cb);
}

static bool
body_is(enum canon_alg a, const char *in, const char *want)
{
	struct buf out = { 0 };
	bool r;

	body(a, in, strlen(in), 0, CANON_NO_LIMIT, &out);
	r = out.len == strlen(want) && (out.len == 0 ||
	    memcmp(out.p, want, out.len) == 0);
	if (!r)
		printf("  %s body: got \"%.*s\"\n", canon_name(a), (int)out.len,
		    out.p ? out.p : "");
	buf_free(&out);
	return r;
}

static bool
header_is(enum canon_alg a, const char *in, const char *want)
{
	struct buf out = { 0 };
	bool r;

	canon_header(a, in, strlen(in), &out);
	r = out.len == strlen(want) && (out.len == 0 ||
	    memcmp(out.p, want, out.len) == 0);
	if (!r)
		printf("  %s header: got \"%.*s\"\n", canon_name(a),
		    (int)out.len, out.p ? out.p : "");
	buf_free(&out);
	return r;
}

static void
test_body_rules(void)
{
	ok(body_is(CANON_SIMPLE, "a\r\n\r\n\r\n", "a\r\n"),
	    "RFC 6376 3.4.3: simple ignores trailing empty lines");
	ok(body_is(CANON_SIMPLE, "", "\r\n"),
	    "RFC 6376 3.4.3: simple empty body is CRLF");
	ok(body_is(CANON_SIMPLE, "a  \r\n \r\n", "a  \r\n \r\n"),
	    "RFC 6376 3.4.3: simple keeps white space and WSP-only lines");
	ok(body_is(CANON_SIMPLE, "a", "a\r\n"),
	    "RFC 6376 3.4.3: simple adds the missing final CRLF");
	ok(body_is(CANON_RELAXED, "a \t b \t\r\n", "a b\r\n"),
	    "RFC 6376 3.4.4: relaxed reduces WSP runs, drops line-end WSP");
	ok(body_is(CANON_RELAXED, " \r\n\t\r\n", ""),
	    "RFC 6376 3.4.4: relaxed body of blank lines is empty");
	ok(body_is(CANON_RELAXED, "", ""),
	    "RFC 6376 3.4.4: relaxed empty body stays empty");
	ok(body_is(CANON_RELAXED, "  a\r\n \r\nb", " a\r\n\r\nb\r\n"),
	    "RFC 6376 3.4.4: relaxed keeps inner blank lines, leading WSP");
	ok(body_is(CANON_SIMPLE, "a\nb\n\n", "a\r\nb\r\n"),
	    "bare LF is the CRLF a receiver sees (simple)");
	ok(body_is(CANON_RELAXED, "a \nb\n\n", "a\r\nb\r\n"),
	    "bare LF is the CRLF a receiver sees (relaxed)");
	ok(body_is(CANON_SIMPLE, "a\rb\r\n", "a\rb\r\n"),
	    "a bare CR is an ordinary character");
	ok(body_is(CANON_SIMPLE, "a\r", "a\r\r\n"),
	    "a CR ending the body is content");
}

/* Every chunking gives the same bytes as one update. */
static void
test_chunking(void)
{
	static const char *const bodies[] = {
		"Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\n"
		"Joe.\r\n\r\n\r\n",
		"x \t\r\n\r\n \r\ny\r\r\n\n\n\t \n",
		"\r\n\r\n\r",
	};

	for (size_t k = 0; k < sizeof(bodies) / sizeof(bodies[0]); k++)
		for (int a = CANON_SIMPLE; a <= CANON_RELAXED; a++) {
			struct buf whole = { 0 };
			size_t n = strlen(bodies[k]);
			bool same = true;

			body(a, bodies[k], n, 0, CANON_NO_LIMIT, &whole);
			for (size_t step = 1; step < n; step++) {
				struct buf part = { 0 };

				body(a, bodies[k], n, step, CANON_NO_LIMIT,
				    &part);
				same &= part.len == whole.len &&
				    memcmp(part.p, whole.p, part.len) == 0;
				buf_free(&part);
			}
			ok(same, "chunk boundaries anywhere (between CR and "
			    "LF too) change nothing");
			buf_free(&whole);
		}
}

/*
 * The body rules of RFC 6376 3.4.3 and 3.4.4 written the plain way, a
 * whole body at once: lines end in CRLF or a bare LF, a bare CR is
 * content; relaxed turns WSP runs into one SP and drops WSP at line
 * ends; trailing empty lines go; simple makes an empty body one CRLF.
 */
static void
ref_body(enum canon_alg a, const unsigned char *s, size_t n, struct buf *out)
{
	size_t i = 0;

	while (i < n) {
		bool wsp = false;

		for (; i < n && s[i] != '\n' &&
		    !(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n'); i++) {
			if (a == CANON_RELAXED && (s[i] == ' ' ||
			    s[i] == '\t')) {
				wsp = true;
				continue;
			}
			if (wsp)
				buf_addc(out, ' ');
			wsp = false;
			buf_addc(out, (char)s[i]);
		}
		buf_add(out, "\r\n", 2);
		if (i < n)
			i += s[i] == '\r' ? 2 : 1;
	}
	for (;;) {	/* trailing empty lines */
		if (out->len == 2 && memcmp(out->p, "\r\n", 2) == 0)
			out->len = 0;
		else if (out->len >= 4 &&
		    memcmp(out->p + out->len - 4, "\r\n\r\n", 4) == 0)
			out->len -= 2;
		else
			break;
	}
	if (a == CANON_SIMPLE && out->len == 0)
		buf_add(out, "\r\n", 2);
}

/* A deterministic generator, so a failure can be replayed. */
static uint32_t
next_rand(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

/*
 * Random bodies, rich in what the rules care about (SP, HT, CR, LF,
 * control and 8-bit bytes), long enough for the 16-byte scanner: the
 * streaming canonicalizer, fed at once and in random chunks, against
 * the plain rules; with the --explain variants, fed at once against fed
 * a byte at a time.
 */
static void
test_reference(void)
{
	static const unsigned char alphabet[] = "aZ9 \t\r\n \x01\x80\xff.";
	static const unsigned flags[] = { CANON_F_RAW_LF,
	    CANON_F_KEEP_TRAILING, CANON_F_LF_ONLY };
	uint32_t st = 6376;
	int bad = 0, badflags = 0;

	for (int round = 0; round < 20000; round++) {
		unsigned char in[300];
		size_t n = next_rand(&st) % sizeof(in);
		size_t text = 1 + next_rand(&st) % 40;	/* text-rich or not */
		enum canon_alg a = round & 1 ? CANON_RELAXED : CANON_SIMPLE;
		struct buf want = { 0 }, whole = { 0 }, part = { 0 };
		struct canon_body cb;
		size_t step = 1 + next_rand(&st) % 64;

		for (size_t i = 0; i < n; i++) {
			uint32_t r = next_rand(&st);

			in[i] = r % 64 < text ? (unsigned char)('a' + r % 26) :
			    alphabet[r % (sizeof(alphabet) - 1)];
		}
		ref_body(a, in, n, &want);
		body(a, (const char *)in, n, 0, CANON_NO_LIMIT, &whole);
		body(a, (const char *)in, n, step, CANON_NO_LIMIT, &part);
		if (whole.len != want.len || (want.len > 0 &&
		    memcmp(whole.p, want.p, want.len) != 0) ||
		    part.len != want.len || (want.len > 0 &&
		    memcmp(part.p, want.p, want.len) != 0))
			bad++;
		buf_free(&whole);
		buf_free(&part);
		buf_free(&want);

		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
			struct buf one = { 0 }, all = { 0 };

			canon_body_init(&cb, a, CANON_NO_LIMIT, to_buf, &all);
			canon_body_set_flags(&cb, flags[f]);
			canon_body_update(&cb, in, n);
			canon_body_final(&cb);
			canon_body_init(&cb, a, CANON_NO_LIMIT, to_buf, &one);
			canon_body_set_flags(&cb, flags[f]);
			for (size_t i = 0; i < n; i++)
				canon_body_update(&cb, in + i, 1);
			canon_body_final(&cb);
			if (one.len != all.len || (one.len > 0 &&
			    memcmp(one.p, all.p, one.len) != 0))
				badflags++;
			buf_free(&one);
			buf_free(&all);
		}
	}
	ok(bad == 0, "20,000 random bodies: the streaming canonicalizer, "
	    "at once and in chunks, gives what RFC 6376 3.4.3/3.4.4 say");
	ok(badflags == 0, "20,000 random bodies: the --explain variants give "
	    "the same at once as a byte at a time");
}

static void
test_limit(void)
{
	struct buf out = { 0 };
	struct canon_body cb;

	canon_body_init(&cb, CANON_SIMPLE, 5, to_buf, &out);
	canon_body_update(&cb, "abc\r\ndef\r\n", 10);
	canon_body_final(&cb);
	ok(out.len == 5 && memcmp(out.p, "abc\r\n", 5) == 0 &&
	    canon_body_sent(&cb) == 5 && canon_body_total(&cb) == 10,
	    "RFC 6376 3.5 l=: only l= bytes hashed, the total still known");
	buf_free(&out);
	canon_body_init(&cb, CANON_SIMPLE, CANON_NO_LIMIT, NULL, NULL);
	canon_body_update(&cb, "ab\n\n", 4);
	canon_body_final(&cb);
	ok(canon_body_total(&cb) == 4, "a NULL sink counts only");
}

static void
test_headers(void)
{
	ok(header_is(CANON_SIMPLE, "Foo  : bar\n baz\n",
	    "Foo  : bar\r\n baz\r\n"),
	    "RFC 6376 3.4.1: simple changes nothing but LF to CRLF");
	ok(header_is(CANON_RELAXED, "SUBJect \t:  a \r\n\t b  \r\n",
	    "subject:a b\r\n"),
	    "RFC 6376 3.4.2: relaxed header: name, unfolding, WSP");
	ok(header_is(CANON_RELAXED, "h: from : to\r\n", "h:from : to\r\n"),
	    "RFC 6376 3.4.2: WSP inside the value stays (one SP)");
	ok(header_is(CANON_RELAXED, "X:\r\n", "x:\r\n"),
	    "RFC 6376 3.4.2: empty value");
	ok(header_is(CANON_SIMPLE, "X: y", "X: y\r\n"),
	    "a field without its line end gets CRLF");
}

static void
test_tags(void)
{
	struct tags tl;
	struct diag d;
	const char *s = " v = 1 ; a=rsa-sha256;\r\n b = ab\r\n cd ; ";
	const struct tag *b;

	ok(tags_parse(&tl, "t", s, strlen(s), &d) == 0 && tl.n == 3,
	    "RFC 6376 3.2: FWS around names, values, a final ';'");
	b = tags_get(&tl, "b");
	ok(b != NULL && b->valuelen == 7 && memcmp(b->value, "ab\r\n cd", 7)
	    == 0, "RFC 6376 3.2: value trimmed, inner FWS kept");
	ok(tags_get(&tl, "V") == NULL, "RFC 6376 3.2: names case-sensitive");
	ok(tags_parse(&tl, "t", "a=1; a=2", 8, &d) < 0 &&
	    strstr(d.msg, "duplicate") != NULL,
	    "RFC 6376 3.2: a duplicate tag is an error");
	ok(tags_parse(&tl, "t", "a=1;; b=2", 9, &d) < 0,
	    "RFC 6376 3.2: an empty tag-spec is an error");
	ok(tags_parse(&tl, "t", "a=1; t; p=", 10, &d) < 0,
	    "RFC 6376 3.2: a tag without '=' is an error");
	ok(tags_parse(&tl, "t", "1a=1", 4, &d) < 0,
	    "RFC 6376 3.2: a tag name starts with ALPHA");
	ok(tags_parse(&tl, "t", "x1_=; p=", 8, &d) == 0 && tl.n == 2 &&
	    tl.t[0].valuelen == 0, "RFC 6376 3.2: empty values, ALNUMPUNC");
}

static void
test_base64(void)
{
	struct buf b = { 0 }, e = { 0 };

	ok(crypto_base64_decode("Zm9v YmE=\r\n", 11, &b) == 0 && b.len == 5 &&
	    memcmp(b.p, "fooba", 5) == 0, "base64 with FWS inside");
	crypto_base64_encode(&e, b.p, b.len);
	ok(e.len == 8 && memcmp(e.p, "Zm9vYmE=", 8) == 0, "base64 encode");
	buf_reset(&b);
	ok(crypto_base64_decode("Zm9=v", 5, &b) < 0,
	    "base64: data after padding is an error");
	buf_reset(&b);
	ok(crypto_base64_decode("Zm9*", 4, &b) < 0,
	    "base64: a character outside the alphabet is an error");
	buf_reset(&b);
	ok(crypto_base64_decode("Z", 1, &b) < 0,
	    "base64: a lone sextet is an error");
	buf_free(&b);
	buf_free(&e);
}

static struct buf
read_all(FILE *f)
{
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	return b;
}

static void
emit(void *arg, const void *p, size_t n)
{
	(void)arg;
	fwrite(p, 1, n, stdout);
}

/* Filter mode for the conformance runner. */
static int
filter(const char *kind, const char *alg)
{
	enum canon_alg a;
	struct buf in = read_all(stdin), out = { 0 };
	struct diag d;
	struct msg m;

	if (!canon_parse(alg, strlen(alg), &a))
		return 2;
	if (strcmp(kind, "body") == 0) {
		struct canon_body cb;

		canon_body_init(&cb, a, CANON_NO_LIMIT, emit, NULL);
		canon_body_update(&cb, in.p, in.len);
		canon_body_final(&cb);
	} else if (strcmp(kind, "header") == 0) {
		if (msg_parse_header(&m, in.p ? in.p : "", in.len, &d) < 0)
			return 2;
		for (size_t i = 0; i < m.nf; i++)
			canon_header(a, m.f[i].raw, m.f[i].rawlen, &out);
		fwrite(out.p, 1, out.len, stdout);
		msg_free(&m);
	} else
		return 2;
	buf_free(&in);
	buf_free(&out);
	return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 3)
		return filter(argv[1], argv[2]);
	test_body_rules();
	test_chunking();
	test_reference();
	test_limit();
	test_headers();
	test_tags();
	test_base64();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail > 0;
}
