/*
 * Unit tests of the DNS layer (common/dns.c, common/zone.c): zone parsing,
 * fault markers, NODATA vs NXDOMAIN, CNAMEs, name checks, the cache.
 *
 * With arguments it is a tiny query tool for tests/dns.bats:
 *   test-dns --query NAME TYPE [--resolver ADDR#PORT] [--timeout S]
 *            [--zone FILE]... [--offline] [--trace]
 * printing "STATUS N source" then one line per record.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "diag.h"
#include "dns.h"
#include "zone.h"

static int passed, failed;

#define CHECK(cond) check((cond), #cond, __FILE__, __LINE__)

static bool
check(bool ok, const char *what, const char *file, int line)
{
	if (ok)
		passed++;
	else {
		failed++;
		printf("FAIL %s:%d: %s\n", file, line, what);
	}
	return ok;
}

static struct dns *
zone(const char *text)
{
	struct dns *dns = dns_new();
	struct diag d = { { 0 } };

	dns_set_offline(dns, true);
	if (dns_add_zone_text(dns, "t.zone", text, strlen(text), &d) == -1)
		printf("zone error: %s\n", d.msg);
	return dns;
}

/* The error message a zone gives, "" if it loads. */
static const char *
zone_error(const char *text)
{
	static struct diag d;
	struct dns *dns = dns_new();

	d.msg[0] = '\0';
	if (dns_add_zone_text(dns, "t.zone", text, strlen(text), &d) == 0)
		d.msg[0] = '\0';
	dns_free(dns);
	return d.msg;
}

static bool
txt_is(const struct dns_answer *a, size_t i, const char *s, size_t len)
{
	return a->status == DNS_OK && i < a->n && a->rr[i].len == len &&
	    memcmp(a->rr[i].data, s, len) == 0 && a->rr[i].data[len] == '\0';
}

static bool
addr_is(const struct dns_answer *a, size_t i, int af, const char *s)
{
	unsigned char want[16];

	if (a->status != DNS_OK || i >= a->n || inet_pton(af, s, want) != 1)
		return false;
	return a->rr[i].len == (af == AF_INET ? 4u : 16u) &&
	    memcmp(a->rr[i].data, want, a->rr[i].len) == 0;
}

static void
test_types(void)
{
	struct dns *dns = zone(
	    "$ORIGIN example.org.\n"
	    "$TTL 300\n"
	    "@ IN A 192.0.2.1\n"
	    "@ IN AAAA 2001:db8::1\n"
	    "@ 600 IN MX 10 mx\n"
	    "@ IN MX 20 mx2.example.net.\n"
	    "www IN CNAME @\n"
	    "ns IN NS ns1.example.net.\n"
	    "1.2.0.192.in-addr.arpa. PTR host.example.org.\n"
	    "@ TXT \"v=spf1 -all\"\n"
	    "old IN SPF \"v=spf1 +all\"\n"
	    "_25._tcp IN TLSA 3 1 1 ( 0102\n 0304 )\n"
	    "gen IN TYPE65280 \\# 3 abcdef\n"
	    "gena IN A \\# 4 C0000202\n"
	    "gent IN TXT \\# 7 02616203636465\n"
	    "soa IN SOA ns hostmaster 1 2 3 4 5\n");
	const struct dns_answer *a;

	CHECK(addr_is(dns_query(dns, "example.org", DNS_T_A), 0, AF_INET,
	    "192.0.2.1"));
	CHECK(addr_is(dns_query(dns, "example.org", DNS_T_AAAA), 0, AF_INET6,
	    "2001:db8::1"));
	a = dns_query(dns, "example.org", DNS_T_MX);
	CHECK(a->status == DNS_OK && a->n == 2);
	CHECK(a->n == 2 && a->rr[0].pref == 10 &&
	    strcmp((char *)a->rr[0].data, "mx.example.org") == 0 &&
	    a->rr[0].ttl == 600);
	CHECK(a->n == 2 && a->rr[1].pref == 20 && a->rr[1].ttl == 300 &&
	    strcmp((char *)a->rr[1].data, "mx2.example.net") == 0);
	a = dns_query(dns, "ns.example.org", DNS_T_NS);
	CHECK(a->n == 1 && strcmp((char *)a->rr[0].data,
	    "ns1.example.net") == 0);
	a = dns_query(dns, "1.2.0.192.in-addr.arpa", DNS_T_PTR);
	CHECK(a->n == 1 && strcmp((char *)a->rr[0].data,
	    "host.example.org") == 0);
	a = dns_query(dns, "www.example.org", DNS_T_CNAME);
	CHECK(a->n == 1 && strcmp((char *)a->rr[0].data, "example.org") == 0);
	CHECK(txt_is(dns_query(dns, "example.org", DNS_T_TXT), 0,
	    "v=spf1 -all", 11));
	a = dns_query(dns, "old.example.org", DNS_T_SPF);
	CHECK(txt_is(a, 0, "v=spf1 +all", 11) && a->rr[0].type == DNS_T_SPF);
	CHECK(dns_query(dns, "old.example.org", DNS_T_TXT)->status ==
	    DNS_NODATA);
	a = dns_query(dns, "_25._tcp.example.org", DNS_T_TLSA);
	CHECK(a->n == 1 && a->rr[0].len == 7 &&
	    memcmp(a->rr[0].data, "\3\1\1\1\2\3\4", 7) == 0);
	a = dns_query(dns, "gen.example.org", 65280);
	CHECK(a->n == 1 && a->rr[0].len == 3 &&
	    memcmp(a->rr[0].data, "\xab\xcd\xef", 3) == 0);
	CHECK(addr_is(dns_query(dns, "gena.example.org", DNS_T_A), 0, AF_INET,
	    "192.0.2.2"));
	a = dns_query(dns, "gent.example.org", DNS_T_TXT);
	CHECK(txt_is(a, 0, "abcde", 5) && a->rr[0].nstrings == 2);
	a = dns_query(dns, "soa.example.org", DNS_T_SOA);
	CHECK(a->n == 1 && a->rr[0].len == 16 + 24 + 20);
	dns_free(dns);
}

static void
test_txt(void)
{
	struct dns *dns = zone(
	    "$ORIGIN example.com.\n"
	    "multi TXT \"v=spf1 \" \"ip4:192.0.2.1\" \" -all\"\n"
	    "esc TXT \"a\\\"b\\\\c\\065\\000z\"\n"
	    "bare TXT v=spf1 -all\n"
	    "empty TXT \"\"\n"
	    "hosed TXT \"v=spf1 a:\\239\\187\\191garbage.example.net -all\"\n"
	    "semi TXT \"a;b (c)\" ; comment\n"
	    "paren TXT ( \"one\"\n"
	    "  \"two\" ; comment inside\n"
	    "  \"three\" )\n");
	const struct dns_answer *a;
	char big[301];

	a = dns_query(dns, "multi.example.com", DNS_T_TXT);
	CHECK(txt_is(a, 0, "v=spf1 ip4:192.0.2.1 -all", 25));
	CHECK(a->n == 1 && a->rr[0].nstrings == 3);
	CHECK(txt_is(dns_query(dns, "esc.example.com", DNS_T_TXT), 0,
	    "a\"b\\cA\0z", 8));
	a = dns_query(dns, "bare.example.com", DNS_T_TXT);
	CHECK(txt_is(a, 0, "v=spf1-all", 10) && a->rr[0].nstrings == 2);
	a = dns_query(dns, "empty.example.com", DNS_T_TXT);
	CHECK(txt_is(a, 0, "", 0) && a->rr[0].nstrings == 1);
	CHECK(txt_is(dns_query(dns, "hosed.example.com", DNS_T_TXT), 0,
	    "v=spf1 a:\xef\xbb\xbfgarbage.example.net -all", 36));
	CHECK(txt_is(dns_query(dns, "semi.example.com", DNS_T_TXT), 0,
	    "a;b (c)", 7));
	a = dns_query(dns, "paren.example.com", DNS_T_TXT);
	CHECK(txt_is(a, 0, "onetwothree", 11) && a->rr[0].nstrings == 3);
	dns_free(dns);

	/* A string over 255 octets is cut into 255-octet strings. */
	memset(big, 'x', 300);
	big[300] = '\0';
	{
		struct buf b = { 0 };

		buf_printf(&b, "big.example. TXT \"%s\"\n", big);
		dns = zone(b.p);
		a = dns_query(dns, "big.example", DNS_T_TXT);
		CHECK(txt_is(a, 0, big, 300) && a->rr[0].nstrings == 2);
		dns_free(dns);
		buf_free(&b);
	}
}

static void
test_names(void)
{
	struct dns *dns = zone(
	    "abs.example.net. A 192.0.2.1\n"
	    "norigin A 192.0.2.2\n"
	    "$ORIGIN example.net.\n"
	    "rel A 192.0.2.3\n"
	    "          A 192.0.2.4\n"
	    "MiXeD.Example.NET. 60 IN TXT \"case\"\n"
	    "ttlclass IN 60 A 192.0.2.5\n"
	    "$ORIGIN sub\n"
	    "deep A 192.0.2.6\n");
	const struct dns_answer *a;

	CHECK(addr_is(dns_query(dns, "abs.example.net", DNS_T_A), 0, AF_INET,
	    "192.0.2.1"));
	CHECK(addr_is(dns_query(dns, "norigin", DNS_T_A), 0, AF_INET,
	    "192.0.2.2"));
	a = dns_query(dns, "rel.example.net.", DNS_T_A);
	CHECK(a->n == 2 && addr_is(a, 1, AF_INET, "192.0.2.4"));
	CHECK(txt_is(dns_query(dns, "mixed.EXAMPLE.net", DNS_T_TXT), 0,
	    "case", 4));
	a = dns_query(dns, "ttlclass.example.net", DNS_T_A);
	CHECK(a->n == 1 && a->rr[0].ttl == 60);
	CHECK(addr_is(dns_query(dns, "deep.sub.example.net", DNS_T_A), 0,
	    AF_INET, "192.0.2.6"));
	dns_free(dns);
}

static void
test_status(void)
{
	struct dns *dns = zone(
	    "$ORIGIN example.net.\n"
	    "slow IN TIMEOUT\n"
	    "broken IN SERVFAIL\n"
	    "half TXT \"v=spf1 -all\"\n"
	    "half TIMEOUT\n"
	    "typed A 192.0.2.1\n"
	    "typed SERVFAIL TXT\n"
	    "none SPF \"v=spf1 -all\"\n"
	    "none NODATA TXT\n"
	    "none TIMEOUT\n"
	    "gone NXDOMAIN\n"
	    "www CNAME target\n"
	    "target A 192.0.2.9\n"
	    "loop1 CNAME LOOP2\n"
	    "loop2 CNAME Loop1\n"
	    "tonx CNAME nowhere.example.net.\n"
	    "null CNAME .\n"
	    "*.wild TXT \"wildcard\"\n"
	    "exists.wild A 192.0.2.7\n");
	const struct dns_answer *a;

	CHECK(dns_query(dns, "slow.example.net", DNS_T_TXT)->status ==
	    DNS_TIMEOUT);
	CHECK(dns_query(dns, "broken.example.net", DNS_T_MX)->status ==
	    DNS_SERVFAIL);
	CHECK(dns_query(dns, "half.example.net", DNS_T_TXT)->status == DNS_OK);
	CHECK(dns_query(dns, "half.example.net", DNS_T_A)->status ==
	    DNS_TIMEOUT);
	CHECK(dns_query(dns, "typed.example.net", DNS_T_TXT)->status ==
	    DNS_SERVFAIL);
	CHECK(dns_query(dns, "typed.example.net", DNS_T_MX)->status ==
	    DNS_NODATA);
	CHECK(dns_query(dns, "none.example.net", DNS_T_TXT)->status ==
	    DNS_NODATA);
	CHECK(dns_query(dns, "none.example.net", DNS_T_SPF)->status == DNS_OK);
	CHECK(dns_query(dns, "none.example.net", DNS_T_A)->status ==
	    DNS_TIMEOUT);
	CHECK(dns_query(dns, "gone.example.net", DNS_T_A)->status ==
	    DNS_NXDOMAIN);
	CHECK(dns_query(dns, "target.example.net", DNS_T_MX)->status ==
	    DNS_NODATA);
	CHECK(dns_query(dns, "absent.example.net", DNS_T_A)->status ==
	    DNS_NXDOMAIN);
	a = dns_query(dns, "www.example.net", DNS_T_A);
	CHECK(addr_is(a, 0, AF_INET, "192.0.2.9") && a->n == 1);
	CHECK(dns_query(dns, "loop1.example.net", DNS_T_A)->status ==
	    DNS_SERVFAIL);
	CHECK(dns_query(dns, "LOOP2.example.net", DNS_T_PTR)->status ==
	    DNS_SERVFAIL);
	CHECK(dns_query(dns, "tonx.example.net", DNS_T_A)->status ==
	    DNS_NXDOMAIN);
	/* A CNAME to the root: the root exists, with no A (pyspf null-cname) */
	CHECK(dns_query(dns, "null.example.net", DNS_T_A)->status ==
	    DNS_NODATA);
	CHECK(txt_is(dns_query(dns, "a.wild.example.net", DNS_T_TXT), 0,
	    "wildcard", 8));
	CHECK(txt_is(dns_query(dns, "b.c.wild.example.net", DNS_T_TXT), 0,
	    "wildcard", 8));
	CHECK(dns_query(dns, "exists.wild.example.net", DNS_T_TXT)->status ==
	    DNS_NODATA);
	CHECK(dns_query(dns, "x.exists.wild.example.net", DNS_T_TXT)->status
	    == DNS_NXDOMAIN);
	dns_free(dns);
}

static void
test_badname(void)
{
	struct dns *dns = zone("a.example. A 192.0.2.1\n");
	char name[300];
	size_t q, net;

	CHECK(dns_query(dns, "", DNS_T_A)->status == DNS_BADNAME);
	CHECK(dns_query(dns, ".", DNS_T_A)->status == DNS_BADNAME);
	CHECK(dns_query(dns, "a..example", DNS_T_A)->status == DNS_BADNAME);
	CHECK(dns_query(dns, ".a.example", DNS_T_A)->status == DNS_BADNAME);
	memset(name, 'a', 64);
	strcpy(name + 64, ".example");
	CHECK(dns_query(dns, name, DNS_T_A)->status == DNS_BADNAME);
	CHECK(dns_query(dns, name + 1, DNS_T_A)->status == DNS_NXDOMAIN);
	/* 254 octets: 127 labels of one letter.  253 is still fine. */
	for (int i = 0; i < 127; i++)
		memcpy(name + 2 * i, "a.", 2);
	name[253] = '\0';
	CHECK(strlen(name) == 253 &&
	    dns_query(dns, name, DNS_T_A)->status == DNS_NXDOMAIN);
	name[253] = 'b';
	name[254] = '\0';
	CHECK(dns_query(dns, name, DNS_T_A)->status == DNS_BADNAME);
	name[254] = '.';
	name[255] = '\0';
	CHECK(dns_query(dns, name, DNS_T_A)->status == DNS_BADNAME);
	CHECK(dns_query(dns, "a.example.", DNS_T_A)->status == DNS_OK);
	dns_stats(dns, &q, &net);
	CHECK(q == 10 && net == 0);
	dns_free(dns);
}

static void
test_cache(void)
{
	struct dns *dns = zone("a.example. TXT \"x\"\nc.example. CNAME a.example.\n");
	const struct dns_answer *a, *b;
	size_t q, net;

	a = dns_query(dns, "a.example", DNS_T_TXT);
	b = dns_query(dns, "A.EXAMPLE.", DNS_T_TXT);
	CHECK(a == b);
	CHECK(dns_query(dns, "nx.example", DNS_T_TXT) ==
	    dns_query(dns, "nx.example", DNS_T_TXT));
	CHECK(dns_query(dns, "a.example", DNS_T_A) != a);
	b = dns_query(dns, "c.example", DNS_T_TXT);
	CHECK(b != a && txt_is(b, 0, "x", 1));
	/* Many more names: the table grows, answers do not move. */
	for (int i = 0; i < 5000; i++) {
		char n[32];

		snprintf(n, sizeof(n), "n%d.example", i);
		dns_query(dns, n, DNS_T_TXT);
	}
	CHECK(dns_query(dns, "a.example", DNS_T_TXT) == a &&
	    txt_is(a, 0, "x", 1));
	/* Hits are cheap: 150,000 a second is what 50,000 SPF checks of a
	 * 3-lookup record need; ask for far more, sanitizers included. */
	{
		clock_t t0 = clock();
		size_t got = 0;

		for (int i = 0; i < 300000; i++)
			got += dns_query(dns, "a.example", DNS_T_TXT)->n;
		double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
		CHECK(got == 300000 && s < 1.0);
		printf("300000 cache hits in %.3f s\n", s);
	}
	dns_stats(dns, &q, &net);
	CHECK(q == 305007 && net == 0);
	dns_free(dns);
	dns_free(NULL);
}

static void
test_precedence(void)
{
	struct dns *dns = dns_new();
	struct diag d;
	const char *z1 = "a.example. TXT \"first\"\n";
	const char *z2 = "a.example. TXT \"second\"\nb.example. TXT \"b\"\n";

	dns_set_offline(dns, true);
	CHECK(dns_add_zone_text(dns, "1", z1, strlen(z1), &d) == 0);
	CHECK(dns_add_zone_text(dns, "2", z2, strlen(z2), &d) == 0);
	const struct dns_answer *a = dns_query(dns, "a.example", DNS_T_TXT);
	CHECK(a->n == 1 && txt_is(a, 0, "first", 5));
	CHECK(txt_is(dns_query(dns, "b.example", DNS_T_TXT), 0, "b", 1));
	dns_free(dns);
}

static void
test_errors(void)
{
#define ERR(text, want) CHECK(strcmp(zone_error(text), want) == 0 || \
	(printf("  got: %s\n", zone_error(text)), 0))
	ERR("a. A 192.0.2.1\n\nb. AAAA 1.2.3.4\n",
	    "t.zone:3: bad AAAA address");
	ERR("a. A 300.1.1.1\n", "t.zone:1: bad A address");
	ERR("a. A\n", "t.zone:1: A record needs 1 field, not 0");
	ERR("a. FOO x\n", "t.zone:1: unknown type FOO");
	ERR("a. TXT \"open\n", "t.zone:1: unterminated quoted string");
	ERR("a. TXT ( \"x\"\n\n", "t.zone:1: unbalanced parentheses");
	ERR("a. TXT x )\n", "t.zone:1: unbalanced parentheses");
	ERR("a. TXT\n", "t.zone:1: TXT record needs at least one string");
	ERR("a. MX x y.\n", "t.zone:1: bad MX preference");
	ERR("a..b. A 192.0.2.1\n", "t.zone:1: bad name a..b.");
	ERR("  A 192.0.2.1\n", "t.zone:1: no owner name");
	ERR("a. TXT \"\\300\"\n", "t.zone:1: bad escape \\300");
	ERR("a. IN IN A 192.0.2.1\n", "t.zone:1: class given twice");
	ERR("a. CH A 192.0.2.1\n", "t.zone:1: only class IN is supported");
	ERR("a. TYPE99 x\n", "");
	ERR("a. TYPE65280 \\# 2 ab\n",
	    "t.zone:1: \\# RDATA: 1 octets given, 2 declared");
	ERR("a. TYPE65280 xx\n", "t.zone:1: TYPE65280 needs RFC 3597 \\# RDATA");
	ERR("a. NODATA\n", "t.zone:1: NODATA needs a type");
	ERR("a. TIMEOUT BOGUS\n", "t.zone:1: TIMEOUT: unknown type");
	ERR("$BOGUS x\n", "t.zone:1: unknown directive $BOGUS");
	ERR("$ORIGIN example.\n@@ A 192.0.2.1\n"
	    "x A 1.2.3.4\n( y A 1.2.3.4 )\nz TXT ( \"a\"\n\"b\" )\nw BAD\n",
	    "t.zone:7: unknown type BAD");
	ERR("a. 1x A 192.0.2.1\n", "t.zone:1: bad TTL");
	ERR("a. $INCLUDE\n", "t.zone:1: unknown type $INCLUDE");
	/* an empty field (fuzzer find: decode left it unterminated) */
	ERR("$INCLUDE\r\"\"\n", "t.zone:1: $INCLUDE : No such file or "
	    "directory");
	ERR("$INCLUDE /nonexistent/zone\n",
	    "t.zone:1: $INCLUDE /nonexistent/zone: No such file or directory");
#undef ERR
}

/* Hostile input: never a crash, a clean error or a load. */
static void
test_hostile(void)
{
	struct buf b = { 0 };
	unsigned seed = 12345;
	char *big;
	clock_t t0;

	/* A 1 MB string: too long for one TXT record. */
	big = xmalloc(1 << 20);
	memset(big, 'x', 1 << 20);
	buf_adds(&b, "a. TXT \"");
	buf_add(&b, big, 1 << 20);
	buf_adds(&b, "\"\n");
	CHECK(strcmp(zone_error(b.p), "t.zone:1: TXT record longer than "
	    "65535 octets") == 0);
	buf_reset(&b);

	/* 10,000 records load in milliseconds. */
	for (int i = 0; i < 10000; i++)
		buf_printf(&b, "h%d.example. IN TXT \"v=spf1 ip4:192.0.2.%d "
		    "-all\"\n", i, i % 256);
	t0 = clock();
	struct dns *dns = zone(b.p);
	double ms = (double)(clock() - t0) * 1000 / CLOCKS_PER_SEC;
	CHECK(ms < 500);
	CHECK(txt_is(dns_query(dns, "h9999.example", DNS_T_TXT), 0,
	    "v=spf1 ip4:192.0.2.15 -all", 26));
	dns_free(dns);
	printf("10000-record zone loaded in %.1f ms\n", ms);

	/* Binary garbage. */
	for (int round = 0; round < 200; round++) {
		buf_reset(&b);
		for (int i = 0; i < 2000; i++) {
			seed = seed * 1103515245u + 12345u;
			buf_addc(&b, (int)(seed >> 16 & 0xff));
		}
		zone_error(b.p);
	}
	/* Valid zones with bytes flipped: deeper paths of the parser. */
	for (int round = 0; round < 3000; round++) {
		static const char base[] =
		    "$ORIGIN example.org.\n$TTL 1h\n@ IN MX 10 mx\n"
		    "mx 60 IN A 192.0.2.1\nmx AAAA 2001:db8::1\n"
		    "t TXT ( \"a\\\"b\" \"\\065\" ) ; c\n"
		    "c CNAME t\ng TYPE65280 \\# 2 abcd\n"
		    "s SOA ns h 1 2 3 4 5\nf TIMEOUT TXT\n"
		    "l TLSA 3 1 1 abcd\n$INCLUDE /dev/null\n";
		char text[sizeof(base)];
		struct dns *fz;
		struct diag d;

		memcpy(text, base, sizeof(base));
		for (int k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			text[(seed >> 8) % (sizeof(base) - 1)] =
			    (char)(seed >> 20);
		}
		fz = dns_new();
		dns_set_offline(fz, true);
		if (dns_add_zone_text(fz, "f", text, sizeof(base) - 1,
		    &d) == 0) {
			dns_query(fz, "t.example.org", DNS_T_TXT);
			dns_query(fz, "c.example.org", DNS_T_TXT);
		}
		dns_free(fz);
	}
	CHECK(true);
	free(big);
	buf_free(&b);
}

static void
collect(void *arg, const char *line)
{
	struct buf *b = arg;

	buf_adds(b, line);
	buf_addc(b, '\n');
}

static void
test_trace(void)
{
	struct dns *dns = zone("a.example. TXT \"v=spf1 -all\"\n"
	    "b.example. TXT \"\\001\"\n");
	struct buf b = { 0 };
	char name[80];

	dns_set_trace(dns, collect, &b);
	dns_query(dns, "a.example", DNS_T_TXT);
	dns_query(dns, "a.example", DNS_T_TXT);
	dns_query(dns, "nx.example", DNS_T_A);
	dns_query(dns, "b.example", DNS_T_TXT);
	memset(name, 'x', 70);
	name[70] = '\0';
	dns_query(dns, name, DNS_T_A);
	CHECK(strcmp(b.p,
	    "query TXT a.example\n"
	    "answer TXT a.example: NOERROR 1 record (zone) \"v=spf1 -all\"\n"
	    "query TXT a.example\n"
	    "answer TXT a.example: NOERROR 1 record (cache) \"v=spf1 -all\"\n"
	    "query A nx.example\n"
	    "answer A nx.example: NXDOMAIN (zone)\n"
	    "query TXT b.example\n"
	    "answer TXT b.example: NOERROR 1 record (zone) \"\\x01\"\n"
	    "query A xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxx\n"
	    "answer A xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxx: BADNAME (not asked: invalid name)\n") == 0 ||
	    (printf("%s", b.p), 0));
	dns_free(dns);
	buf_free(&b);
}

/* $INCLUDE: relative to the including file, with its own origin. */
static void
test_include(void)
{
	char dir[] = "/tmp/test-dns.XXXXXX", path[64], inc[64];
	struct dns *dns = dns_new();
	struct diag d = { { 0 } };
	FILE *f;

	dns_set_offline(dns, true);
	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	snprintf(path, sizeof(path), "%s/main.zone", dir);
	snprintf(inc, sizeof(inc), "%s/inc.zone", dir);
	f = fopen(path, "w");
	fputs("$ORIGIN example.org.\n$INCLUDE inc.zone sub.example.org.\n"
	    "after TXT \"origin restored\"\n", f);
	fclose(f);
	f = fopen(inc, "w");
	fputs("a TXT \"included\"\n", f);
	fclose(f);
	CHECK(dns_add_zone_file(dns, path, &d) == 0 ||
	    (printf("  %s\n", d.msg), 0));
	CHECK(txt_is(dns_query(dns, "a.sub.example.org", DNS_T_TXT), 0,
	    "included", 8));
	CHECK(txt_is(dns_query(dns, "after.example.org", DNS_T_TXT), 0,
	    "origin restored", 15));
	f = fopen(inc, "w");
	fputs("a TXT \"x\"\nb AAAA nope\n", f);
	fclose(f);
	CHECK(dns_add_zone_file(dns, path, &d) == -1);
	CHECK(strcmp(d.msg + strlen(dir), "/inc.zone:2: bad AAAA address")
	    == 0 || (printf("  %s\n", d.msg), 0));
	remove(inc);
	remove(path);
	remove(dir);
	dns_free(dns);
}

/* Trace lines stay bounded: a long record is cut with "...". */
static void
test_trace_long(void)
{
	struct buf z = { 0 }, b = { 0 };
	struct dns *dns;

	buf_adds(&z, "long.example. TXT \"");
	for (int i = 0; i < 2000; i++)
		buf_addc(&z, i % 7 ? 'a' : '\t');
	buf_adds(&z, "\"\n");
	dns = zone(z.p);
	dns_set_trace(dns, collect, &b);
	dns_query(dns, "long.example", DNS_T_TXT);
	char *nl = strchr(b.p, '\n'), *end = strchr(nl + 1, '\n');
	CHECK(end - nl - 1 <= 480);
	CHECK(end - nl - 1 > 400 && memcmp(end - 3, "...", 3) == 0);
	CHECK(strstr(nl, "\\x09") != NULL && strchr(nl, '\t') == NULL);
	dns_free(dns);
	buf_free(&z);
	buf_free(&b);
}

static void
print_rr(const struct dns_rr *rr)
{
	char tmp[INET6_ADDRSTRLEN];

	printf("%s ttl=%u ", dns_type_name(rr->type), rr->ttl);
	switch (rr->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		if (inet_ntop(rr->len == 4 ? AF_INET : AF_INET6, rr->data,
		    tmp, sizeof(tmp)))
			printf("%s\n", tmp);
		return;
	case DNS_T_TXT:
	case DNS_T_SPF:
		printf("strings=%zu len=%zu ", rr->nstrings, rr->len);
		fwrite(rr->data, 1, rr->len, stdout);
		putchar('\n');
		return;
	case DNS_T_MX:
		printf("%u ", rr->pref);
		break;
	}
	printf("%s\n", rr->data);
}

static void
trace_stderr(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "dns: %s\n", line);
}

/* One option of the query tool; returns 0, or an exit code. */
static int
query_option(struct dns *dns, const char *o, const char *v)
{
	struct diag d = { { 0 } };

	if (strcmp(o, "--resolver") == 0) {
		if (dns_set_resolver(dns, v, &d) == -1) {
			fprintf(stderr, "test-dns: %s\n", d.msg);
			return 64;
		}
	} else if (strcmp(o, "--timeout") == 0)
		dns_set_timeout(dns, atof(v));
	else if (strcmp(o, "--zone") == 0) {
		if (dns_add_zone_file(dns, v, &d) == -1) {
			fprintf(stderr, "test-dns: %s\n", d.msg);
			return 65;
		}
	} else {
		fprintf(stderr, "test-dns: unknown option %s\n", o);
		return 64;
	}
	return 0;
}

static int
query_tool(int argc, char **argv)
{
	struct dns *dns = dns_new();
	const struct dns_answer *a;
	const char *name = NULL;
	uint16_t type = 0;
	int rc = 0;

	for (int i = 1; i < argc && rc == 0; i++) {
		const char *o = argv[i];

		if (strcmp(o, "--offline") == 0)
			dns_set_offline(dns, true);
		else if (strcmp(o, "--trace") == 0)
			dns_set_trace(dns, trace_stderr, NULL);
		else if (strcmp(o, "--query") == 0 && i + 2 < argc) {
			name = argv[i + 1];
			type = zone_type_number(argv[i + 2],
			    strlen(argv[i + 2]));
			i += 2;
		} else if (i + 1 < argc && strcmp(o, "--query") != 0)
			rc = query_option(dns, o, argv[++i]);
		else {
			fprintf(stderr, "test-dns: %s needs an argument\n", o);
			rc = 64;
		}
	}
	if (rc == 0 && (name == NULL || type == 0)) {
		fprintf(stderr, "usage: test-dns --query NAME TYPE ...\n");
		rc = 64;
	}
	if (rc == 0) {
		a = dns_query(dns, name, type);
		printf("%s %zu %s\n", dns_status_name(a->status), a->n,
		    a->source);
		for (size_t i = 0; i < a->n; i++)
			print_rr(&a->rr[i]);
	}
	dns_free(dns);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		return query_tool(argc, argv);
	test_types();
	test_txt();
	test_names();
	test_status();
	test_badname();
	test_cache();
	test_precedence();
	test_errors();
	test_hostile();
	test_trace();
	test_trace_long();
	test_include();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
