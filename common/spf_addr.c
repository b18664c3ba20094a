/*
 * Client addresses for SPF (RFC 7208 5, 5.5, 5.6, 7.3): parsing (an
 * IPv4-mapped IPv6 address is IPv4), CIDR comparison, and the text forms
 * the macros and the reverse lookup need.
 */
#include <arpa/inet.h>
#include <string.h>

#include "spf_impl.h"

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

bool
spf_ip_parse(const char *s, struct spf_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->a) == 1)
		return true;
	if (inet_pton(AF_INET6, s, ip->a) != 1)
		return false;
	if (memcmp(ip->a, v4mapped, sizeof(v4mapped)) == 0) {
		/* RFC 7208 5: IPv4-mapped clients are IPv4 clients */
		memmove(ip->a, ip->a + 12, 4);
		memset(ip->a + 4, 0, 12);
		return true;
	}
	ip->v6 = true;
	return true;
}

bool
spf_ip_match(const struct spf_ip *ip, const unsigned char *net,
    unsigned prefix)
{
	size_t whole = prefix / 8;
	unsigned rest = prefix % 8;
	unsigned char mask;

	if (memcmp(ip->a, net, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (ip->a[whole] & mask) == (net[whole] & mask);
}

static void
add_nibbles(const struct spf_ip *ip, bool reverse, struct buf *b)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		int k = reverse ? 31 - i : i;
		unsigned char byte = ip->a[k / 2];

		if (i > 0)
			buf_addc(b, '.');
		buf_addc(b, hex[k % 2 ? byte & 15 : byte >> 4]);
	}
}

void
spf_ip_dotted(const struct spf_ip *ip, struct buf *b)
{
	if (ip->v6)
		add_nibbles(ip, false, b);
	else
		buf_printf(b, "%u.%u.%u.%u", ip->a[0], ip->a[1], ip->a[2],
		    ip->a[3]);
}

void
spf_ip_text(const struct spf_ip *ip, struct buf *b)
{
	char text[INET6_ADDRSTRLEN];

	if (!ip->v6) {
		spf_ip_dotted(ip, b);
		return;
	}
	inet_ntop(AF_INET6, ip->a, text, sizeof(text));
	buf_adds(b, text);
}

void
spf_ip_reverse(const struct spf_ip *ip, struct buf *b)
{
	if (ip->v6) {
		add_nibbles(ip, true, b);
		buf_adds(b, ".ip6.arpa");
	} else
		buf_printf(b, "%u.%u.%u.%u.in-addr.arpa", ip->a[3], ip->a[2],
		    ip->a[1], ip->a[0]);
}
