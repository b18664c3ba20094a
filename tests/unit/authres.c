/*
 * Unit tests of common/authres.c: the library calls the other tools use
 * (authres_build for their -a modes, authres_ours and authres_set_find for
 * dmarceval), and the parser's struct.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "buf.h"
#include "diag.h"
#include "msg.h"

#include "check.h"

static bool
eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* RFC 8601 2.2: the field our tools prepend, LF and CRLF. */
static void
test_build(void)
{
	const char *lines[] = {
		"spf=pass smtp.mailfrom=example.org",
		"dkim=fail reason=\"bad; sig\" header.d=example.net",
	};
	struct diag d = { { 0 } };
	char *s;

	s = authres_build("mx.example.com", lines, 2, "\r\n", &d);
	CHECK(eq(s, "Authentication-Results: mx.example.com;\r\n"
	    "\tspf=pass smtp.mailfrom=example.org;\r\n"
	    "\tdkim=fail reason=\"bad; sig\" header.d=example.net\r\n"));
	free(s);
	s = authres_build("mx.example.com", lines, 0, "\n", &d);
	CHECK(eq(s, "Authentication-Results: mx.example.com; none\n"));
	free(s);
	/* an authserv-id that is not a token is quoted (RFC 8601 2.5) */
	s = authres_build("a b", lines, 0, "\n", &d);
	CHECK(eq(s, "Authentication-Results: \"a b\"; none\n"));
	free(s);
	lines[0] = "=pass";
	CHECK(authres_build("x", lines, 1, "\n", &d) == NULL);
	CHECK(strstr(d.msg, "result line 1") != NULL);
}

/* RFC 8601 2.2, B.7: comments everywhere; the struct as documented. */
static void
test_parse(void)
{
	const char *v = " foo.example.net (foobar) 1 (baz);\r\n"
	    "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
	    "      policy (A dot can go here) . (like that) expired\r\n"
	    "      (this surprised me) = (as I wasn't expecting it) 1362471462";
	struct authres ar;
	struct diag d = { { 0 } };

	CHECK(authres_parse(v, strlen(v), &ar, &d) == 0);
	CHECK(eq(ar.authserv_id, "foo.example.net"));
	CHECK(eq(ar.version, "1"));
	CHECK(ar.nonconformant == 0 && ar.what == NULL);
	CHECK(ar.nresults == 1);
	if (ar.nresults == 1) {
		const struct authres_result *r = &ar.results[0];

		CHECK(eq(r->method, "dkim") && eq(r->method_version, "1"));
		CHECK(eq(r->result, "fail"));
		CHECK(r->nprops == 1);
		CHECK(eq(authres_prop(r, "POLICY", "Expired"), "1362471462"));
		CHECK(r->nprops == 1 &&
		    eq(r->props[0].comment, "as I wasn't expecting it"));
	}
	authres_free(&ar);
	authres_free(&ar);	/* freed twice: a no-op the second time */
	authres_free(NULL);

	v = " example.com; spf=pass;";
	CHECK(authres_parse(v, strlen(v), &ar, &d) == 0);
	CHECK(ar.nonconformant == AUTHRES_NC_TRAILING_SEMI);
	CHECK(ar.what != NULL && strstr(ar.what, "RFC 8601 2.2") != NULL);
	authres_free(&ar);
}

/* authres_kv writes a line that authres_build reads back. */
static void
test_kv(void)
{
	const char *v = " x; dkim=pass (good) reason=\"a b\" header.d=example.org";
	struct authres ar;
	struct buf b = { 0 };

	authres_parse(v, strlen(v), &ar, NULL);
	CHECK(ar.nresults == 1);
	if (ar.nresults == 1)
		authres_kv(&b, &ar.results[0]);
	CHECK(eq(b.p, "dkim=pass reason=\"a b\" header.d=example.org "
	    "comment=good"));
	buf_free(&b);
	authres_free(&ar);
}

/*
 * DESIGN.md / RFC 8601 5: ours = our authserv-id above the topmost
 * Received:.  What dmarceval asks: our spf result with its smtp.mailfrom,
 * our dkim results with header.d.
 */
static void
test_ours(void)
{
	const char *h =
	    "Authentication-Results: mx.example.com; dkim=pass header.d=a.example\n"
	    "Authentication-Results: other.example; spf=pass smtp.mailfrom=evil.example\n"
	    "Authentication-Results: MX.EXAMPLE.COM; spf=fail smtp.mailfrom=b.example;\n"
	    "\tdkim=fail header.d=c.example\n"
	    "Authentication-Results: mx.example.com; spf=pass;\n"
	    "Received: from x by y; Mon, 23 Nov 2026 10:00:00 +0000\n"
	    "Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=forged.example\n"
	    "\n";
	struct msg m;
	struct authres_set set;
	const struct authres_result *r;
	struct diag d = { { 0 } };
	size_t pos = 0;

	CHECK(msg_parse_header(&m, h, strlen(h), &d) == 0);
	authres_ours(&m, "mx.example.com", &set);
	CHECK(set.n == 2 && set.forged == 1 && set.bad == 1);
	CHECK(set.n == 2 && set.f[0].index == 0 && set.f[1].index == 2);
	CHECK(authres_above_received(&m, 4) && !authres_above_received(&m, 6));
	msg_free(&m);		/* the set outlives the message */
	r = authres_set_find(&set, "spf", &pos);
	CHECK(r != NULL && eq(authres_prop(r, "smtp", "mailfrom"), "b.example"));
	CHECK(authres_set_find(&set, "spf", &pos) == NULL);
	pos = 0;
	r = authres_set_find(&set, "dkim", &pos);
	CHECK(r != NULL && eq(authres_prop(r, "header", "d"), "a.example"));
	r = authres_set_find(&set, "dkim", &pos);
	CHECK(r != NULL && eq(authres_prop(r, "header", "d"), "c.example"));
	CHECK(authres_set_find(&set, "dkim", &pos) == NULL);
	CHECK(authres_set_find(&set, "dkim", &pos) == NULL);
	pos = 0;
	CHECK(authres_set_find(&set, "dmarc", &pos) == NULL);
	authres_set_free(&set);
	authres_set_free(&set);
}

int
main(void)
{
	test_build();
	test_parse();
	test_kv();
	test_ours();
	return CHECK_DONE("authres");
}
