/*
 * dns: cache -> zone files -> network (libresolv), see dns.h.
 *
 * Every answer dns_query() returns lives in a cache entry, allocated once
 * and never moved, so callers may keep the pointer until dns_free().  The
 * cache and the zone are chained hash tables keyed by the lowercased name
 * (and the type, for the cache): a hit costs one hash and one compare.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <limits.h>
#include <math.h>	/* isfinite(), a macro: no libm */
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "dns.h"
#include "zone.h"

#define DNS_NAME_MAX		253	/* RFC 1035 2.3.4, no final dot */
#define DNS_LABEL_MAX		63
#define DNS_CNAME_MAX		8	/* CNAMEs followed per query */
#define DNS_TRACE_MAX		480	/* bytes per trace line */
#define DNS_TIMEOUT_DEFAULT	5.0
#define DNS_PACKET_MAX		65536	/* a TCP answer, RFC 1035 4.2.2 */
#define DNS_DEFAULT_PORT	53
#define HASH_MIN_BUCKETS	64

/* The header of every hash-table node: chains, and the cached hash. */
struct hnode {
	struct hnode	*next;
	uint32_t	 hash;
};

struct htab {
	struct hnode	**b;
	size_t		  nb;
	size_t		  n;
};

/* A name the zone files hold: its records and its fault markers. */
struct znode {
	struct hnode	 h;
	unsigned	 gen;		/* which dns_add_zone_* call made it */
	struct dns_rr	*rr;
	size_t		 nrr;
	size_t		 caprr;
	struct zfault {
		uint16_t	 type;	/* 0: any type without records */
		enum dns_status	 status;
	}		*fault;
	size_t		 nfault;
	size_t		 namelen;
	char		 name[];
};

/* A cached answer for (name, type). */
struct centry {
	struct hnode		 h;
	uint16_t		 type;
	struct dns_answer	 ans;
	bool			 own_rr;	/* rr[] is ours to free */
	const char		*why;		/* for the trace: a failure's cause */
	unsigned char		*blob;		/* RDATA storage we own */
	size_t			 namelen;
	char			 name[];
};

struct dns {
	struct htab		 zone;
	struct htab		 cache;
	unsigned		 gen;
	bool			 wild;		/* a zone holds a "*." name */
	bool			 offline;
	double			 timeout;
	struct __res_state	*res;		/* made by the first query out */
	bool			 have_server;
	struct sockaddr_storage	 server;
	char			 server_name[INET6_ADDRSTRLEN + 8];
	unsigned char		*pkt;		/* answer buffer */
	int			 wait;		/* seconds a silent server costs */
	void			(*trace)(void *, const char *);
	void			*trace_arg;
	size_t			 nqueries;
	size_t			 nnetwork;
};

static const struct dns_answer badname = { DNS_BADNAME, 0, NULL, "check" };

static void apply_timeout(struct dns *dns);

/* ---- hash tables ---- */

/* FNV-1a over the (already lowercased) name, then the type. */
static uint32_t
hash_name(const char *s, size_t n, uint16_t type)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	h = (h ^ (type & 0xff)) * 16777619u;
	h = (h ^ (type >> 8)) * 16777619u;
	return h;
}

static void
htab_grow(struct htab *t)
{
	size_t nb = t->nb ? t->nb * 2 : HASH_MIN_BUCKETS;
	struct hnode **b = xcalloc(nb, sizeof(*b));

	for (size_t i = 0; i < t->nb; i++) {
		struct hnode *e = t->b[i], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
}

static void
htab_insert(struct htab *t, struct hnode *e)
{
	if (t->n + 1 > t->nb - t->nb / 4 || t->nb == 0)
		htab_grow(t);
	e->next = t->b[e->hash & (t->nb - 1)];
	t->b[e->hash & (t->nb - 1)] = e;
	t->n++;
}

static struct hnode *
htab_first(const struct htab *t, uint32_t hash)
{
	return t->nb ? t->b[hash & (t->nb - 1)] : NULL;
}

static void
htab_free(struct htab *t, void (*fn)(struct hnode *))
{
	for (size_t i = 0; i < t->nb; i++) {
		struct hnode *e = t->b[i], *next;

		for (; e; e = next) {
			next = e->next;
			fn(e);
		}
	}
	free(t->b);
	memset(t, 0, sizeof(*t));
}

/* ---- names ---- */

/*
 * Copy name, lowercased and without its final dot, into out (at least
 * DNS_NAME_MAX + 1 bytes); false if it is not a valid query name
 * (RFC 1035 2.3.4: labels of 1..63 octets, 253 in all).
 */
static bool
name_key(const char *name, char *out, size_t *len)
{
	size_t n = strlen(name), lab = 0;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > DNS_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (c == '.') {
			if (lab == 0)
				return false;
			lab = 0;
		} else if (++lab > DNS_LABEL_MAX)
			return false;
		out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[n] = '\0';
	*len = n;
	return lab > 0;
}

const char *
dns_type_name(enum dns_type type)
{
	static const char *names[] = {
		[DNS_T_A] = "A", [DNS_T_NS] = "NS", [DNS_T_CNAME] = "CNAME",
		[DNS_T_SOA] = "SOA", [DNS_T_PTR] = "PTR", [DNS_T_MX] = "MX",
		[DNS_T_TXT] = "TXT", [DNS_T_AAAA] = "AAAA",
		[DNS_T_TLSA] = "TLSA", [DNS_T_SPF] = "SPF",
	};
	static _Thread_local char other[16];

	if ((unsigned)type < sizeof(names) / sizeof(names[0]) &&
	    names[type] != NULL)
		return names[type];
	snprintf(other, sizeof(other), "TYPE%u", (unsigned)type & 0xffff);
	return other;
}

const char *
dns_status_name(enum dns_status status)
{
	switch (status) {
	case DNS_OK:		return "NOERROR";
	case DNS_NODATA:	return "NODATA";
	case DNS_NXDOMAIN:	return "NXDOMAIN";
	case DNS_TIMEOUT:	return "TIMEOUT";
	case DNS_SERVFAIL:	return "SERVFAIL";
	case DNS_BADNAME:	return "BADNAME";
	}
	return "UNKNOWN";
}

/* ---- life cycle ---- */

struct dns *
dns_new(void)
{
	struct dns *dns = xcalloc(1, sizeof(*dns));

	dns->timeout = DNS_TIMEOUT_DEFAULT;
	return dns;
}

static void
znode_free(struct hnode *h)
{
	struct znode *z = (struct znode *)h;

	for (size_t i = 0; i < z->nrr; i++)
		free(z->rr[i].data);
	free(z->rr);
	free(z->fault);
	free(z);
}

static void
centry_free(struct hnode *h)
{
	struct centry *e = (struct centry *)h;

	if (e->own_rr)
		free(e->ans.rr);
	free(e->blob);
	free(e);
}

void
dns_free(struct dns *dns)
{
	if (dns == NULL)
		return;
	htab_free(&dns->zone, znode_free);
	htab_free(&dns->cache, centry_free);
	if (dns->res) {
		res_nclose(dns->res);
		free(dns->res);
	}
	free(dns->pkt);
	free(dns);
}

void
dns_set_timeout(struct dns *dns, double seconds)
{
	if (seconds > 0 && isfinite(seconds) && seconds <= INT_MAX) {
		dns->timeout = seconds;
		if (dns->res)
			apply_timeout(dns);
	}
}

void
dns_set_offline(struct dns *dns, bool offline)
{
	dns->offline = offline;
}

void
dns_set_trace(struct dns *dns, void (*fn)(void *arg, const char *line),
    void *arg)
{
	dns->trace = fn;
	dns->trace_arg = arg;
}

void
dns_stats(const struct dns *dns, size_t *queries, size_t *network)
{
	if (queries)
		*queries = dns->nqueries;
	if (network)
		*network = dns->nnetwork;
}

/* ---- zone layer ---- */

static struct znode *
zone_find(const struct dns *dns, const char *name, size_t len)
{
	uint32_t hash = hash_name(name, len, 0);

	for (struct hnode *h = htab_first(&dns->zone, hash); h; h = h->next) {
		struct znode *z = (struct znode *)h;

		if (h->hash == hash && z->namelen == len &&
		    memcmp(z->name, name, len) == 0)
			return z;
	}
	return NULL;
}

static void
znode_add_rr(struct znode *z, const struct zone_rec *r)
{
	struct dns_rr *rr;

	if (z->nrr == z->caprr) {
		z->caprr = z->caprr ? z->caprr * 2 : 2;
		z->rr = xreallocarray(z->rr, z->caprr, sizeof(*z->rr));
	}
	rr = &z->rr[z->nrr++];
	rr->type = r->type;
	rr->pref = r->pref;
	rr->ttl = r->ttl;
	rr->len = r->len;
	rr->nstrings = r->nstrings;
	rr->data = xmalloc(r->len + 1);
	memcpy(rr->data, r->data, r->len);
	rr->data[r->len] = '\0';
}

/* The zone callback: file the record under its owner. */
static int
zone_store(void *arg, const struct zone_rec *r, struct diag *d)
{
	struct dns *dns = arg;
	struct znode *z;

	(void)d;
	z = zone_find(dns, r->owner, r->ownerlen);
	if (z == NULL) {
		z = xcalloc(1, sizeof(*z) + r->ownerlen + 1);
		memcpy(z->name, r->owner, r->ownerlen);
		z->namelen = r->ownerlen;
		z->gen = dns->gen;
		z->h.hash = hash_name(r->owner, r->ownerlen, 0);
		htab_insert(&dns->zone, &z->h);
		if (r->ownerlen >= 2 && r->owner[0] == '*' &&
		    r->owner[1] == '.')
			dns->wild = true;
	} else if (z->gen != dns->gen)
		return 0;	/* an earlier file holds this name: it wins */
	if (!r->fault) {
		znode_add_rr(z, r);
		return 0;
	}
	z->fault = xreallocarray(z->fault, z->nfault + 1, sizeof(*z->fault));
	z->fault[z->nfault].type = r->type;
	z->fault[z->nfault].status = r->status;
	z->nfault++;
	return 0;
}

int
dns_add_zone_file(struct dns *dns, const char *path, struct diag *d)
{
	dns->gen++;
	return zone_parse_file(path, zone_store, dns, d);
}

int
dns_add_zone_text(struct dns *dns, const char *name, const char *text,
    size_t len, struct diag *d)
{
	dns->gen++;
	return zone_parse(name, text, len, zone_store, dns, d);
}

/*
 * RFC 4592 basics: for a name the zones do not hold, the wildcard
 * "*.<closest encloser>", where the closest encloser is the longest
 * ancestor the zones hold.
 */
static struct znode *
zone_wild(const struct dns *dns, const char *name, size_t len)
{
	char w[DNS_NAME_MAX + 3];

	for (size_t i = 0; i < len; i++) {
		struct znode *z;
		size_t rest;

		if (name[i] != '.')
			continue;
		rest = len - i - 1;
		w[0] = '*';
		memcpy(w + 1, name + i, rest + 1);
		if ((z = zone_find(dns, w, rest + 2)) != NULL)
			return z;
		if (zone_find(dns, name + i + 1, rest) != NULL)
			return NULL;
	}
	return NULL;
}

/* ---- cache ---- */

static struct centry *
cache_find(const struct dns *dns, const char *name, size_t len,
    uint16_t type, uint32_t hash)
{
	for (struct hnode *h = htab_first(&dns->cache, hash); h;
	    h = h->next) {
		struct centry *e = (struct centry *)h;

		if (h->hash == hash && e->type == type && e->namelen == len &&
		    memcmp(e->name, name, len) == 0)
			return e;
	}
	return NULL;
}

static struct centry *
centry_new(const char *name, size_t len, uint16_t type,
    enum dns_status status, const char *source)
{
	struct centry *e = xcalloc(1, sizeof(*e) + len + 1);

	memcpy(e->name, name, len);
	e->namelen = len;
	e->type = type;
	e->h.hash = hash_name(name, len, type);
	e->ans.status = status;
	e->ans.source = source;
	return e;
}

/*
 * File e in the cache, unless a nested lookup (a CNAME loop) already
 * did for the same key: then e is dropped and that one returned.
 */
static struct centry *
cache_put(struct dns *dns, struct centry *e)
{
	struct centry *old = cache_find(dns, e->name, e->namelen, e->type,
	    e->h.hash);

	if (old) {
		centry_free(&e->h);
		return old;
	}
	htab_insert(&dns->cache, &e->h);
	return e;
}

/* ---- trace ---- */

static void
trace_rr(struct buf *b, const struct dns_rr *rr)
{
	char tmp[DNS_TRACE_MAX];

	switch (rr->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		if (rr->len == 4 || rr->len == 16) {
			inet_ntop(rr->len == 4 ? AF_INET : AF_INET6, rr->data,
			    tmp, sizeof(tmp));
			buf_adds(b, tmp);
			return;
		}
		break;
	case DNS_T_TXT:
	case DNS_T_SPF:
		buf_addc(b, '"');
		buf_adds(b, diag_escape(tmp, sizeof(tmp),
		    (const char *)rr->data, rr->len));
		buf_addc(b, '"');
		return;
	case DNS_T_MX:
		buf_printf(b, "%u ", rr->pref);
		/* FALLTHROUGH */
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
		buf_adds(b, diag_escape(tmp, sizeof(tmp),
		    (const char *)rr->data, rr->len));
		return;
	}
	buf_printf(b, "\\# %zu ", rr->len);
	for (size_t i = 0; i < rr->len && i < sizeof(tmp) / 2; i++)
		buf_printf(b, "%02x", rr->data[i]);
}

static void
trace_emit(struct dns *dns, struct buf *b)
{
	if (b->len > DNS_TRACE_MAX) {
		b->len = DNS_TRACE_MAX - 3;
		buf_adds(b, "...");
	}
	dns->trace(dns->trace_arg, b->p);
	buf_free(b);
}

static void
trace_query(struct dns *dns, const char *name, uint16_t type)
{
	struct buf b = { 0 };
	char esc[DNS_TRACE_MAX];

	buf_printf(&b, "query %s %s", dns_type_name(type),
	    diag_escape(esc, sizeof(esc), name, strlen(name)));
	trace_emit(dns, &b);
}

static void
trace_answer(struct dns *dns, const char *name, uint16_t type,
    const struct dns_answer *a, const char *source, const char *why)
{
	struct buf b = { 0 };
	char esc[DNS_TRACE_MAX];

	buf_printf(&b, "answer %s %s: ", dns_type_name(type),
	    diag_escape(esc, sizeof(esc), name, strlen(name)));
	if (a->status == DNS_TIMEOUT && strcmp(a->source, "network") == 0)
		buf_printf(&b, "timeout after %ds", dns->wait);
	else if (a->status == DNS_TIMEOUT)
		buf_adds(&b, "timeout");
	else
		buf_adds(&b, dns_status_name(a->status));
	if (why)
		buf_printf(&b, ", %s", why);
	if (a->status == DNS_OK)
		buf_printf(&b, " %zu record%s", a->n, a->n == 1 ? "" : "s");
	if (strcmp(source, "network") == 0)
		buf_printf(&b, " (network %s)", dns->have_server ?
		    dns->server_name : "system resolver");
	else
		buf_printf(&b, " (%s)", source);
	for (size_t i = 0; i < a->n && b.len < DNS_TRACE_MAX; i++) {
		buf_addc(&b, ' ');
		trace_rr(&b, &a->rr[i]);
	}
	trace_emit(dns, &b);
}

/* ---- lookups ---- */

static struct centry *lookup(struct dns *dns, const char *name, size_t len,
    uint16_t type, int depth);
static struct centry *net_query(struct dns *dns, const char *name,
    size_t len, uint16_t type);

/* An answer for name that copies another's records (a CNAME's target). */
static struct centry *
alias_answer(const char *name, size_t len, uint16_t type,
    const struct centry *target, const char *source)
{
	struct centry *e = centry_new(name, len, type, target->ans.status,
	    source);

	if (target->ans.n > 0) {
		e->ans.rr = xreallocarray(NULL, target->ans.n,
		    sizeof(*e->ans.rr));
		memcpy(e->ans.rr, target->ans.rr,
		    target->ans.n * sizeof(*e->ans.rr));
		e->ans.n = target->ans.n;
		e->own_rr = true;
	}
	return e;
}

static enum dns_status
zone_fault(const struct znode *z, uint16_t type)
{
	enum dns_status any = DNS_NODATA;

	for (size_t i = 0; i < z->nfault; i++) {
		if (z->fault[i].type == type)
			return z->fault[i].status;
		if (z->fault[i].type == 0)
			any = z->fault[i].status;
	}
	return any;
}

/*
 * Answer from zone node z: its records of the type; else its CNAME,
 * followed (RFC 1034 3.6.2) through the whole stack; else its fault
 * markers; else NODATA.
 */
static struct centry *
zone_answer(struct dns *dns, const struct znode *z, const char *name,
    size_t len, uint16_t type, int depth)
{
	struct centry *e;
	size_t n = 0;

	for (size_t i = 0; i < z->nrr; i++)
		n += z->rr[i].type == type;
	if (n == 0 && type != DNS_T_CNAME) {
		for (size_t i = 0; i < z->nrr; i++) {
			const struct dns_rr *c = &z->rr[i];
			char target[DNS_NAME_MAX + 2];
			size_t tlen;

			if (c->type != DNS_T_CNAME)
				continue;
			/* A CNAME to the root: that name exists, empty. */
			if (c->len == 0)
				return centry_new(name, len, type,
				    DNS_NODATA, "zone");
			if (depth >= DNS_CNAME_MAX ||
			    !name_key((const char *)c->data, target, &tlen))
				return centry_new(name, len, type,
				    DNS_SERVFAIL, "zone");
			return alias_answer(name, len, type, lookup(dns,
			    target, tlen, type, depth + 1), "zone");
		}
	}
	e = centry_new(name, len, type, n ? DNS_OK : zone_fault(z, type),
	    "zone");
	if (n == 0)
		return e;
	e->ans.rr = xreallocarray(NULL, n, sizeof(*e->ans.rr));
	e->own_rr = true;
	for (size_t i = 0; i < z->nrr; i++)
		if (z->rr[i].type == type)
			e->ans.rr[e->ans.n++] = z->rr[i];
	return e;
}

/* The answer for a lowercased, validated name: cache, zone, network. */
static struct centry *
lookup(struct dns *dns, const char *name, size_t len, uint16_t type,
    int depth)
{
	uint32_t hash = hash_name(name, len, type);
	struct centry *e;
	struct znode *z;

	if ((e = cache_find(dns, name, len, type, hash)) != NULL)
		return e;
	z = zone_find(dns, name, len);
	if (z == NULL && dns->wild)
		z = zone_wild(dns, name, len);
	if (z)
		e = zone_answer(dns, z, name, len, type, depth);
	else if (dns->offline)
		e = centry_new(name, len, type, DNS_NXDOMAIN, "zone");
	else
		e = net_query(dns, name, len, type);
	return cache_put(dns, e);
}

const struct dns_answer *
dns_query(struct dns *dns, const char *name, enum dns_type type)
{
	char key[DNS_NAME_MAX + 2];
	size_t len, before;
	struct centry *e;

	dns->nqueries++;
	if (dns->trace)
		trace_query(dns, name, (uint16_t)type);
	if (!name_key(name, key, &len)) {
		if (dns->trace)
			trace_answer(dns, name, (uint16_t)type, &badname,
			    "not asked: invalid name", NULL);
		return &badname;
	}
	before = dns->cache.n;
	e = lookup(dns, key, len, (uint16_t)type, 0);
	if (dns->trace)
		trace_answer(dns, name, (uint16_t)type, &e->ans,
		    dns->cache.n == before ? "cache" : e->ans.source, e->why);
	return &e->ans;
}

/* ---- network layer (libresolv) ---- */

/* ADDR[#PORT], ADDR an IPv4 or IPv6 literal. */
static int
parse_server(const char *spec, struct sockaddr_storage *ss, struct diag *d)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *hash = strchr(spec, '#');
	size_t alen = hash ? (size_t)(hash - spec) : strlen(spec);
	unsigned long port = DNS_DEFAULT_PORT;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (alen == 0 || alen >= sizeof(addr))
		return diag_set(d, "%s: not an IP address[#port]", spec);
	memcpy(addr, spec, alen);
	addr[alen] = '\0';
	if (hash) {
		char *end;

		errno = 0;
		port = strtoul(hash + 1, &end, 10);
		if (errno || end == hash + 1 || *end || port == 0 ||
		    port > 65535 || hash[1] == '-' || hash[1] == '+')
			return diag_set(d, "%s: bad port", spec);
	}
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
	} else
		return diag_set(d, "%s: not an IP address[#port]", spec);
	return 0;
}

/*
 * Point res at our one server.  An IPv6 server lives in _u._ext.nsaddrs
 * with nsaddr_list's family 0, as glibc's res_send expects; glibc frees
 * those copies in res_nclose.
 */
static void
apply_server(struct dns *dns)
{
	struct __res_state *res = dns->res;

	for (int i = 0; i < MAXNS; i++) {
		free(res->_u._ext.nsaddrs[i]);
		res->_u._ext.nsaddrs[i] = NULL;
	}
	memset(res->nsaddr_list, 0, sizeof(res->nsaddr_list));
	res->_u._ext.nscount = 0;
	if (dns->server.ss_family == AF_INET)
		memcpy(&res->nsaddr_list[0], &dns->server,
		    sizeof(struct sockaddr_in));
	else {
		struct sockaddr_in6 *sa6 = xmalloc(sizeof(*sa6));

		memcpy(sa6, &dns->server, sizeof(*sa6));
		res->_u._ext.nsaddrs[0] = sa6;
	}
	res->nscount = 1;
}

int
dns_set_resolver(struct dns *dns, const char *spec, struct diag *d)
{
	struct sockaddr_storage ss;

	if (parse_server(spec, &ss, d) == -1)
		return -1;
	dns->server = ss;
	dns->have_server = true;
	snprintf(dns->server_name, sizeof(dns->server_name), "%s", spec);
	if (dns->res)
		apply_server(dns);
	return 0;
}

/*
 * glibc waits retrans whole seconds per try and server; two tries share
 * the time-out, so a server that never answers costs at most the
 * time-out (at least one second).
 */
static void
apply_timeout(struct dns *dns)
{
	struct __res_state *res = dns->res;

	if (dns->timeout < 2) {
		res->retry = 1;
		res->retrans = 1;
	} else {
		res->retry = 2;
		res->retrans = (int)(dns->timeout / 2);
	}
	dns->wait = res->retrans * res->retry;
}

/*
 * The resolver state, made on the first query that leaves the process
 * (start-up cost: most runs never get here).
 */
static struct __res_state *
res_get(struct dns *dns)
{
	struct __res_state *res = dns->res;

	if (res)
		return res;
	res = dns->res = xcalloc(1, sizeof(*res));
	(void)res_ninit(res);	/* on failure glibc still sets defaults */
	if (dns->have_server)
		apply_server(dns);
	/*
	 * RES_IGNTC: a truncated answer comes back to us, and we retry
	 * over TCP ourselves (tcp_send), with the time-out glibc's TCP
	 * code lacks.
	 */
	res->options &= ~(unsigned long)(RES_DNSRCH | RES_DEFNAMES);
	res->options |= RES_RECURSE | RES_IGNTC;
	/*
	 * glibc's res_send swallows SERVFAIL, REFUSED and NOTIMP answers
	 * (trying the next server, then failing with an errno that cannot
	 * tell them from a time-out) unless pfcode is set, as for dig: then
	 * the answer comes back and its rcode is read below.
	 */
	res->pfcode = RES_PRF_HEAD1;
	apply_timeout(dns);
	dns->pkt = xmalloc(DNS_PACKET_MAX);
	return res;
}

struct netans {
	const unsigned char	*pkt;
	size_t			 len;
	ns_msg			 msg;
	char			 names[DNS_CNAME_MAX + 1][NS_MAXDNAME];
	size_t			 nnames;
	struct buf		 blob;
	size_t			*off;
	struct dns_rr		*rr;
	size_t			 n;
};

static bool
owner_in_chain(const struct netans *na, const char *owner)
{
	for (size_t i = 0; i < na->nnames; i++)
		if (strcasecmp(na->names[i], owner) == 0)
			return true;
	return false;
}

/*
 * The chain starts at the question's name as the packet spells it, the
 * form ns_rr_name() gives the owners in, odd bytes escaped alike.
 */
static void
chain_start(struct netans *na, const char *name, size_t len)
{
	ns_rr q;

	if (ns_msg_count(na->msg, ns_s_qd) == 1 &&
	    ns_parserr(&na->msg, ns_s_qd, 0, &q) == 0)
		snprintf(na->names[0], NS_MAXDNAME, "%s", ns_rr_name(q));
	else
		memcpy(na->names[0], name, len + 1);
	na->nnames = 1;
}

/* RFC 1034 3.6.2: the answer may hold the CNAME chain; follow it. */
static void
follow_cnames(struct netans *na, uint16_t type)
{
	uint16_t count = ns_msg_count(na->msg, ns_s_an);
	bool more = type != DNS_T_CNAME;

	while (more && na->nnames <= DNS_CNAME_MAX) {
		const char *last = na->names[na->nnames - 1];
		ns_rr rr;

		more = false;
		for (uint16_t i = 0; i < count && !more; i++) {
			if (ns_parserr(&na->msg, ns_s_an, i, &rr) == -1 ||
			    ns_rr_type(rr) != ns_t_cname ||
			    strcasecmp(ns_rr_name(rr), last) != 0)
				continue;
			if (na->nnames == DNS_CNAME_MAX + 1 ||
			    ns_name_uncompress(na->pkt, na->pkt + na->len,
			    ns_rr_rdata(rr), na->names[na->nnames],
			    NS_MAXDNAME) < 0)
				return;
			if (owner_in_chain(na, na->names[na->nnames]))
				return;	/* a loop */
			na->nnames++;
			more = true;
		}
	}
}

static bool
rdata_name(struct netans *na, const unsigned char *p)
{
	char name[NS_MAXDNAME];

	if (ns_name_uncompress(na->pkt, na->pkt + na->len, p, name,
	    sizeof(name)) < 0)
		return false;
	if (strcmp(name, ".") != 0)
		buf_adds(&na->blob, name);
	return true;
}

/* TXT RDATA (RFC 1035 3.3.14): character-strings, joined. */
static bool
rdata_txt(struct netans *na, const unsigned char *p, size_t len,
    size_t *nstrings)
{
	size_t i = 0;

	*nstrings = 0;
	while (i < len) {
		size_t l = p[i++];

		if (l > len - i)
			return false;
		buf_add(&na->blob, p + i, l);
		i += l;
		(*nstrings)++;
	}
	return *nstrings > 0;
}

/* Append one record's data to the blob in dns.h's form. */
static bool
add_rr(struct netans *na, const ns_rr *rr, struct dns_rr *out)
{
	const unsigned char *p = ns_rr_rdata(*rr);
	size_t len = ns_rr_rdlen(*rr), start = na->blob.len;
	bool ok = true;

	memset(out, 0, sizeof(*out));
	out->type = ns_rr_type(*rr);
	out->ttl = ns_rr_ttl(*rr);
	switch (out->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		ok = len == (out->type == DNS_T_A ? 4u : 16u);
		buf_add(&na->blob, p, len);
		break;
	case DNS_T_TXT:
	case DNS_T_SPF:
		ok = rdata_txt(na, p, len, &out->nstrings);
		break;
	case DNS_T_MX:
		ok = len >= 3 && rdata_name(na, p + 2);
		out->pref = len >= 2 ? (uint16_t)(p[0] << 8 | p[1]) : 0;
		break;
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
		ok = rdata_name(na, p);
		break;
	default:
		buf_add(&na->blob, p, len);
	}
	if (!ok) {
		na->blob.len = start;
		return false;
	}
	out->len = na->blob.len - start;
	buf_addc(&na->blob, '\0');
	return true;
}

/* Collect the answer-section records of the type owned by the chain. */
static void
collect(struct netans *na, uint16_t type)
{
	uint16_t count = ns_msg_count(na->msg, ns_s_an);
	ns_rr rr;

	na->rr = xreallocarray(NULL, count ? count : 1, sizeof(*na->rr));
	na->off = xreallocarray(NULL, count ? count : 1, sizeof(*na->off));
	for (uint16_t i = 0; i < count; i++) {
		size_t start = na->blob.len;

		if (ns_parserr(&na->msg, ns_s_an, i, &rr) == -1 ||
		    ns_rr_type(rr) != type || ns_rr_class(rr) != ns_c_in ||
		    !owner_in_chain(na, ns_rr_name(rr)))
			continue;
		if (add_rr(na, &rr, &na->rr[na->n]))
			na->off[na->n++] = start;
	}
}

static struct centry *
net_fail(const char *name, size_t len, uint16_t type, enum dns_status st,
    const char *why)
{
	struct centry *e = centry_new(name, len, type, st, "network");

	e->why = why;
	return e;
}

/* RFC 1035 4.1.1 and RFC 6895 2.3 rcodes, for the trace. */
static const char *
rcode_name(int rcode)
{
	switch (rcode) {
	case ns_r_formerr:	return "rcode FORMERR";
	case ns_r_servfail:	return "rcode SERVFAIL";
	case ns_r_notimpl:	return "rcode NOTIMP";
	case ns_r_refused:	return "rcode REFUSED";
	}
	return "unexpected rcode";
}

/* Turn a response into a cache entry (RFC 1035 4.1.1 rcode). */
static struct centry *
net_answer(struct netans *na, const char *name, size_t len, uint16_t type)
{
	struct centry *e;
	int rcode;

	if (ns_initparse(na->pkt, (int)na->len, &na->msg) == -1)
		return net_fail(name, len, type, DNS_SERVFAIL,
		    "malformed answer");
	rcode = ns_msg_getflag(na->msg, ns_f_rcode);
	if (rcode == ns_r_nxdomain)
		return centry_new(name, len, type, DNS_NXDOMAIN, "network");
	if (rcode != ns_r_noerror)
		return net_fail(name, len, type, DNS_SERVFAIL,
		    rcode_name(rcode));
	chain_start(na, name, len);
	follow_cnames(na, type);
	collect(na, type);
	e = centry_new(name, len, type, na->n ? DNS_OK : DNS_NODATA,
	    "network");
	if (na->n == 0) {
		free(na->rr);
		free(na->off);
		buf_free(&na->blob);
		return e;
	}
	e->blob = (unsigned char *)buf_steal(&na->blob);
	for (size_t i = 0; i < na->n; i++)
		na->rr[i].data = e->blob + na->off[i];
	e->ans.rr = na->rr;
	e->ans.n = na->n;
	e->own_rr = true;
	free(na->off);
	return e;
}

/* ---- TCP with a deadline (RFC 1035 4.2.2, RFC 7766) ---- */

static int
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Wait until fd is ready for ev; false with errno on time-out/error. */
static bool
wait_fd(int fd, short ev, const struct timespec *deadline)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int n;

	do
		n = poll(&p, 1, ms_left(deadline));
	while (n == -1 && errno == EINTR);
	if (n == 0)
		errno = ETIMEDOUT;
	return n == 1;
}

/* Send or receive exactly len bytes before the deadline. */
static bool
tcp_io(int fd, unsigned char *p, size_t len, bool out,
    const struct timespec *deadline)
{
	while (len > 0) {
		ssize_t k;

		if (!wait_fd(fd, out ? POLLOUT : POLLIN, deadline))
			return false;
		k = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (k == 0) {
			errno = ECONNRESET;
			return false;
		}
		if (k < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return false;
		}
		p += k;
		len -= (size_t)k;
	}
	return true;
}

/* Our server, else the first of resolv.conf. */
static const struct sockaddr *
tcp_server(const struct dns *dns, socklen_t *slen)
{
	const struct __res_state *res = dns->res;

	if (dns->have_server) {
		*slen = dns->server.ss_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		return (const struct sockaddr *)&dns->server;
	}
	if (res->nscount < 1)
		return NULL;
	if (res->nsaddr_list[0].sin_family == AF_INET) {
		*slen = sizeof(struct sockaddr_in);
		return (const struct sockaddr *)&res->nsaddr_list[0];
	}
	*slen = sizeof(struct sockaddr_in6);
	return (const struct sockaddr *)res->_u._ext.nsaddrs[0];
}

static bool
tcp_connect(int fd, const struct sockaddr *sa, socklen_t slen,
    const struct timespec *deadline)
{
	int err = 0;
	socklen_t elen = sizeof(err);

	if (connect(fd, sa, slen) == 0)
		return true;
	if (errno != EINPROGRESS || !wait_fd(fd, POLLOUT, deadline))
		return false;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1)
		return false;
	errno = err;
	return err == 0;
}

/*
 * The query q over TCP, the whole exchange within the time-out; the
 * answer (its ID checked) in dns->pkt.  Returns its length, or -1 with
 * errno (ETIMEDOUT on time-out).
 */
static int
tcp_send(struct dns *dns, const unsigned char *q, int qlen)
{
	unsigned char msg[2 + NS_PACKETSZ], hdr[2];
	const struct sockaddr *sa;
	struct timespec deadline;
	socklen_t slen = 0;
	int fd, save, rc = -1;
	size_t n;

	if ((sa = tcp_server(dns, &slen)) == NULL) {
		errno = ECONNREFUSED;
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)dns->timeout;
	deadline.tv_nsec += (long)((dns->timeout - (double)(time_t)
	    dns->timeout) * 1e9);
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd == -1)
		return -1;
	msg[0] = (unsigned char)(qlen >> 8);
	msg[1] = (unsigned char)qlen;
	memcpy(msg + 2, q, (size_t)qlen);
	if (!tcp_connect(fd, sa, slen, &deadline) ||
	    !tcp_io(fd, msg, (size_t)qlen + 2, true, &deadline) ||
	    !tcp_io(fd, hdr, 2, false, &deadline))
		goto out;
	n = (size_t)hdr[0] << 8 | hdr[1];
	errno = EPROTO;
	if (n < NS_HFIXEDSZ || !tcp_io(fd, dns->pkt, n, false, &deadline))
		goto out;
	errno = EPROTO;
	if (memcmp(dns->pkt, q, 2) != 0 || (dns->pkt[2] & 0x80) == 0)
		goto out;
	rc = (int)n;
out:
	save = errno;
	close(fd);
	errno = save;
	return rc;
}

/*
 * Ask the network over UDP with res_nsend, then over TCP when the answer
 * is truncated (TC, RFC 1035 4.1.1), so long TXT records come back whole.
 * glibc reports a time-out as ETIMEDOUT, and no usable server as
 * ECONNREFUSED.
 */
static struct centry *
net_query(struct dns *dns, const char *name, size_t len, uint16_t type)
{
	struct __res_state *res = res_get(dns);
	unsigned char q[NS_PACKETSZ];
	struct netans *na;
	struct centry *e;
	int qlen, n;

	dns->nnetwork++;
	qlen = res_nmkquery(res, ns_o_query, name, ns_c_in, type, NULL, 0,
	    NULL, q, sizeof(q));
	if (qlen < 0)
		return net_fail(name, len, type, DNS_SERVFAIL,
		    "cannot encode the name");
	errno = 0;
	n = res_nsend(res, q, qlen, dns->pkt, DNS_PACKET_MAX);
	if (n < 0 && errno == ETIMEDOUT)
		return net_fail(name, len, type, DNS_TIMEOUT, NULL);
	if (n < 0)
		return net_fail(name, len, type, DNS_SERVFAIL,
		    "no server answered");
	if (n >= NS_HFIXEDSZ && (dns->pkt[2] & 0x02) != 0) {
		errno = 0;
		n = tcp_send(dns, q, qlen);
		if (n < 0 && errno == ETIMEDOUT)
			return net_fail(name, len, type, DNS_TIMEOUT,
			    "truncated over UDP, no answer over TCP");
		if (n < 0)
			return net_fail(name, len, type, DNS_SERVFAIL,
			    "truncated over UDP, TCP failed");
	}
	na = xcalloc(1, sizeof(*na));
	na->pkt = dns->pkt;
	na->len = (size_t)n;
	e = net_answer(na, name, len, type);
	free(na);
	return e;
}
