/*
 * Unit tests of the RFC 5322 message reader (common/msg.c): header block
 * boundaries, folding, line endings, and byte-exact reproduction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "msg.h"

#include "check.h"

/* Read s through a FILE, as the tools do; fill m and the body in *body. */
static int
read_all(const char *s, size_t n, struct msg *m, struct buf *body)
{
	FILE *f = fmemopen((void *)s, n, "r");
	struct diag d;
	char chunk[7];		/* tiny chunks: exercise boundaries */
	ssize_t got;
	int rc;

	if (n == 0)
		f = fopen("/dev/null", "r");
	rc = msg_read_header(m, f, &d);
	if (rc == 0)
		while ((got = msg_read_body(m, chunk, sizeof(chunk))) > 0)
			buf_add(body, chunk, (size_t)got);
	fclose(f);
	return rc;
}

/* The header block plus the body reproduce the input byte for byte. */
static void
roundtrip(const char *s, size_t n)
{
	struct msg m;
	struct buf body = { 0 };

	CHECK(read_all(s, n, &m, &body) == 0);
	CHECK(m.hdrlen + body.len == n);
	CHECK(memcmp(m.hdr, s, m.hdrlen) == 0);
	CHECK(body.len == 0 || memcmp(body.p, s + m.hdrlen, body.len) == 0);
	msg_free(&m);
	buf_free(&body);
}

static void
test_crlf_fields(void)
{
	static const char s[] = "From: a@example.org\r\nSubject: hi\r\n"
	    " there\r\nTo: b@example.org\r\n\r\nbody\r\n";
	struct msg m;
	struct buf body = { 0 };
	char *v;

	CHECK(read_all(s, sizeof(s) - 1, &m, &body) == 0);
	CHECK(m.nf == 3);
	CHECK(strcmp(m.eol, "\r\n") == 0);
	CHECK(m.has_sep);
	CHECK(msg_field_is(&m.f[1], "subject"));
	v = msg_value_unfold(&m.f[1]);
	CHECK(strcmp(v, "hi there") == 0);
	free(v);
	CHECK(m.f[1].rawlen == strlen("Subject: hi\r\n there\r\n"));
	CHECK(body.len == 6 && memcmp(body.p, "body\r\n", 6) == 0);
	CHECK(msg_count(&m, "FROM") == 1);
	CHECK(msg_find(&m, "to", 0) == 2);
	CHECK(msg_find(&m, "to", 1) == -1);
	msg_free(&m);
	buf_free(&body);
}

static void
test_lf(void)
{
	static const char s[] = "From: a@example.org\nX:\ty\n\nline\n";
	struct msg m;
	struct buf body = { 0 };

	CHECK(read_all(s, sizeof(s) - 1, &m, &body) == 0);
	CHECK(strcmp(m.eol, "\n") == 0);
	CHECK(m.nf == 2);
	CHECK(m.f[1].valuelen == 2);
	CHECK(body.len == 5);
	msg_free(&m);
	buf_free(&body);
}

static void
test_no_body_no_newline(void)
{
	static const char s[] = "From: a@example.org";
	struct msg m;
	struct buf body = { 0 };

	CHECK(read_all(s, sizeof(s) - 1, &m, &body) == 0);
	CHECK(!m.has_sep);
	CHECK(m.nf == 1);
	CHECK(m.f[0].valuelen == strlen(" a@example.org"));
	CHECK(body.len == 0);
	msg_free(&m);
	buf_free(&body);
}

static void
test_bad_fields(void)
{
	static const char s[] = "From someone Mon Jan 1\n: empty name\n"
	    "Good: yes\n\n";
	struct msg m;
	struct buf body = { 0 };

	CHECK(read_all(s, sizeof(s) - 1, &m, &body) == 0);
	CHECK(m.nf == 3);
	CHECK(m.f[0].bad && m.f[1].bad && !m.f[2].bad);
	CHECK(!msg_field_is(&m.f[0], "From"));
	msg_free(&m);
	buf_free(&body);
}

static void
test_empty_header(void)
{
	static const char s[] = "\r\nbody only\r\n";
	struct msg m;
	struct buf body = { 0 };

	CHECK(read_all(s, sizeof(s) - 1, &m, &body) == 0);
	CHECK(m.nf == 0 && m.has_sep && m.hdrlen == 2);
	CHECK(body.len == sizeof(s) - 3);
	msg_free(&m);
	buf_free(&body);
}

static void
test_roundtrips(void)
{
	static const char nul[] = "A: b\r\n\r\nx\0y\rz\n\r\r\n";
	static const char *const cases[] = {
		"A: b\r\n\r\n",
		"A: b\n\n\n\n",
		"A: b\r\nC: d\r\n\r\nno final newline",
		"A: b\r\n\rC: d\r\n\r\n",	/* bare CR inside the header */
		"",
		"\n",
		"A: b",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		roundtrip(cases[i], strlen(cases[i]));
	roundtrip(nul, sizeof(nul) - 1);
}

static void
test_large(void)
{
	struct buf s = { 0 };

	for (int i = 0; i < 5000; i++)
		buf_printf(&s, "X-Field-%d: %0200d\r\n", i, i);
	buf_adds(&s, "\r\n");
	for (int i = 0; i < 100000; i++)
		buf_adds(&s, "0123456789");
	roundtrip(s.p, s.len);
	buf_free(&s);
}

static void
test_limit(void)
{
	struct buf s = { 0 };
	struct msg m;
	struct buf body = { 0 };

	while (s.len <= MSG_HEADER_MAX)
		buf_adds(&s, "X: 0123456789012345678901234567890123456789\n");
	CHECK(read_all(s.p, s.len, &m, &body) == -1);
	msg_free(&m);
	buf_free(&s);
	buf_free(&body);
}

int
main(void)
{
	test_crlf_fields();
	test_lf();
	test_no_body_no_newline();
	test_bad_fields();
	test_empty_header();
	test_roundtrips();
	test_large();
	test_limit();
	return CHECK_DONE("msg");
}
