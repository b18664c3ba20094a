/*
 * Unit tests of the RFC 5322 address-list parser (common/addr.c) and the
 * Author Domain extraction on top of it (dmarc_authors_text): every form
 * RFC 5322 3.4 and 4.4 allow, and hostile input that must give an error,
 * never a guess.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "diag.h"
#include "dmarc.h"

#include "check.h"

/* s parses; its domains, joined with ",", are want. */
static void
ok_n(const char *s, size_t len, const char *want)
{
	struct addr_list l;
	struct diag d = { { 0 } };
	struct buf b = { 0 };
	int rc = addr_parse(s, len, &l, &d);

	if (rc != 0)
		fprintf(stderr, "  %s: %s\n", s, d.msg);
	CHECK(rc == 0);
	for (size_t i = 0; i < l.n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", l.mb[i].domain);
	if (rc == 0 && strcmp(b.p ? b.p : "", want) != 0)
		fprintf(stderr, "  %s: got \"%s\", want \"%s\"\n", s,
		    b.p ? b.p : "", want);
	CHECK(rc != 0 || strcmp(b.p ? b.p : "", want) == 0);
	buf_free(&b);
	addr_list_free(&l);
}

static void
ok(const char *s, const char *want)
{
	ok_n(s, strlen(s), want);
}

/* s does not parse; the message mentions why. */
static void
bad_n(const char *s, size_t len, const char *why)
{
	struct addr_list l;
	struct diag d = { { 0 } };
	int rc = addr_parse(s, len, &l, &d);

	if (rc == 0)
		fprintf(stderr, "  parsed, should not: %.60s\n", s);
	CHECK(rc == -1);
	if (rc == -1 && why != NULL && strstr(d.msg, why) == NULL)
		fprintf(stderr, "  %.60s: \"%s\" lacks \"%s\"\n", s, d.msg,
		    why);
	CHECK(rc == 0 || why == NULL || strstr(d.msg, why) != NULL);
	addr_list_free(&l);
}

static void
bad(const char *s, const char *why)
{
	bad_n(s, strlen(s), why);
}

static void
test_forms(void)
{
	ok("alice@example.org", "example.org");
	ok("Alice <alice@example.org>", "example.org");
	ok("\"Alice Example\" <alice@example.org>", "example.org");
	ok("\"Test, User\" <test@example.com>", "example.com");
	ok("(Joe Johnson) joe@joe.com", "joe.com");
	ok("joe@joe.com (Joe)", "joe.com");
	ok("(,) joe@joe.com", "joe.com");
	ok("<joe@joe.com>", "joe.com");
	ok("\"quoted local\"@example.org", "example.org");
	ok("a.b.c@example.org", "example.org");
	ok("Alice (nested (comment (three))) <a@example.org>", "example.org");
	ok("\"with \\\" quote\" <a@example.org>", "example.org");
	ok("a@[192.0.2.1]", "[192.0.2.1]");
	ok("a@example.org, b@example.net", "example.org,example.net");
	ok("Alice <a@example.org>,Bob <b@example.net>",
	    "example.org,example.net");
	/* RFC 2047 encoded words are atoms of the display-name */
	ok("=?UTF-8?B?QmVkIEJhdGggJiBCZXlvbmQ=?=<BdBth&Byond@example.com>",
	    "example.com");
	ok("=?utf-8?q?Alice?= <a@example.org>", "example.org");
	/* RFC 6532: UTF-8 in display names and local parts */
	ok("J\xc3\xb6rg <j\xc3\xb6rg@example.org>", "example.org");
}

static void
test_folding(void)
{
	ok("Alice\r\n <alice@example.org>", "example.org");
	ok("Alice\n\t<alice@example.org>", "example.org");
	ok("\r\n alice@example.org\r\n ", "example.org");
	bad("Alice\r\n<alice@example.org>", NULL);	/* no WSP: not folding */
	bad("alice@exa\rmple.org", NULL);
}

static void
test_obsolete(void)
{
	/* obs-local-part, obs-domain: CFWS around dots */
	ok("alice . smith @ example . org", "example.org");
	/* obs-phrase: dots in the display name */
	ok("A. Smith <a@example.org>", "example.org");
	/* obs-route */
	ok("<@relay.example,@other.example:a@example.org>", "example.org");
	/* obs-mbox-list: empty elements */
	ok(", , a@example.org, ,", "example.org");
	/* groups (RFC 6854 allows them in From) */
	ok("Team: a@example.org, b@example.net;", "example.org,example.net");
	ok("undisclosed-recipients:;", "");
	ok("", "");
	ok("   ", "");
}

static void
test_hostile(void)
{
	char *s;
	struct buf b = { 0 };

	bad("<<<><joe@joe.com>>>", "expected");
	bad("\"Johnson, Joe <joe@joe.com>\" joe@joe.com", NULL);
	bad("Mail From:<joe@joe.com>", NULL);
	bad("From: Davide D'Marco <user@blah.com>", NULL);
	bad("Alice <alice@example.org", "expected '>'");
	bad("Alice alice@example.org>", NULL);
	bad("(unterminated comment alice@example.org", "unterminated comment");
	bad("\"unterminated <alice@example.org>", "unterminated quoted");
	bad("alice@", NULL);
	bad("@example.org", NULL);
	bad("alice@example.org.", NULL);
	bad("alice@.example.org", NULL);
	bad("alice@example..org", NULL);
	bad("a@example.org b@example.net", "expected ','");
	bad("Team: a@example.org", NULL);		/* group without ';' */
	bad("a@example.org\\", NULL);
	/* NUL and 8-bit that is not UTF-8 */
	bad_n("alice@exa\0mple.org", 18, "NUL");
	bad_n("Al\0ice <alice@example.org>", 26, "NUL");
	bad("\xff <alice@example.org>", "not UTF-8");
	bad("\xc3 <alice@example.org>", "not UTF-8");
	bad("\xed\xa0\x80 <alice@example.org>", "not UTF-8");	/* surrogate */
	bad("\xc0\xaf <alice@example.org>", "not UTF-8");	/* overlong */
	/* comments nested deeper than the limit */
	for (int i = 0; i <= ADDR_COMMENT_DEPTH; i++)
		buf_addc(&b, '(');
	for (int i = 0; i <= ADDR_COMMENT_DEPTH; i++)
		buf_addc(&b, ')');
	buf_adds(&b, " a@example.org");
	bad(b.p, "nested too deep");
	buf_reset(&b);
	for (int i = 0; i < ADDR_COMMENT_DEPTH; i++)
		buf_addc(&b, '(');
	for (int i = 0; i < ADDR_COMMENT_DEPTH; i++)
		buf_addc(&b, ')');
	buf_adds(&b, " a@example.org");
	ok(b.p, "example.org");
	/* a million open parentheses: refused at once */
	s = malloc(1000001);
	memset(s, '(', 1000000);
	s[1000000] = '\0';
	bad(s, "nested too deep");
	free(s);
	/* 1,000 addresses: over ADDR_MAX */
	buf_reset(&b);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%su%d@d%d.example", i ? ", " : "", i, i);
	bad(b.p, "too many addresses");
	buf_reset(&b);
	for (int i = 0; i < ADDR_MAX; i++)
		buf_printf(&b, "%su%d@example.org", i ? ", " : "", i);
	{
		struct addr_list l;
		struct diag d;

		CHECK(addr_parse(b.p, b.len, &l, &d) == 0 && l.n == ADDR_MAX);
		addr_list_free(&l);
	}
	buf_free(&b);
}

/* Author Domains: lowercased, distinct, errors for what DMARC cannot
 * use (RFC 9989 5.3.1, 11.5). */
static void
test_authors(void)
{
	struct dmarc_authors a;
	struct diag d = { { 0 } };
	struct buf b = { 0 };
	const char *s;

	s = "A <a@Example.ORG>, b@example.org, c@EXAMPLE.org";
	CHECK(dmarc_authors_text(s, strlen(s), &a, &d) == 0);
	CHECK(a.n == 1 && strcmp(a.domain[0], "example.org") == 0);
	CHECK(a.addresses == 3);
	dmarc_authors_free(&a);

	s = "a@example.org, b@example.net";
	CHECK(dmarc_authors_text(s, strlen(s), &a, &d) == 0);
	CHECK(a.n == 2 && strcmp(a.domain[1], "example.net") == 0);
	dmarc_authors_free(&a);

	s = "undisclosed-recipients:;";
	CHECK(dmarc_authors_text(s, strlen(s), &a, &d) == -1);
	CHECK(strstr(d.msg, "no address") != NULL);
	dmarc_authors_free(&a);

	s = "a@[192.0.2.1]";
	CHECK(dmarc_authors_text(s, strlen(s), &a, &d) == -1);
	CHECK(strstr(d.msg, "domain-literal") != NULL);
	dmarc_authors_free(&a);

	for (int i = 0; i <= DMARC_AUTHORS_MAX; i++)
		buf_printf(&b, "%sa@d%d.example", i ? "," : "", i);
	CHECK(dmarc_authors_text(b.p, b.len, &a, &d) == -1);
	CHECK(strstr(d.msg, "11.5") != NULL);
	dmarc_authors_free(&a);
	buf_free(&b);

	/* a 64-octet label is no DNS name */
	s = "a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".example";
	CHECK(dmarc_authors_text(s, strlen(s), &a, &d) == -1);
	dmarc_authors_free(&a);
}

int
main(void)
{
	test_forms();
	test_folding();
	test_obsolete();
	test_hostile();
	test_authors();
	return CHECK_DONE("addr");
}
