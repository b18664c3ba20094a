/*
 * zone: the RFC 1035 section 5 master-file reader behind --zone
 * (format and fault markers: mauth-zone(5)).  It turns text into records
 * and hands each one to a callback; storing them is the caller's job
 * (dns.c keeps them in a hash table).
 */
#ifndef MAUTH_ZONE_H
#define MAUTH_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"

struct diag;

/* Limits, listed in mauth-zone(5). */
#define ZONE_MAX_FILE		(64u * 1024 * 1024)	/* bytes per file */
#define ZONE_MAX_RECORDS	1000000		/* records per file */
#define ZONE_MAX_RDATA		65535		/* RFC 1035 3.2.1 RDLENGTH */
#define ZONE_MAX_STRING		255		/* RFC 1035 3.3 <character-string> */
#define ZONE_MAX_INCLUDE	8		/* $INCLUDE nesting depth */
#define ZONE_MAX_TTL		2147483647u	/* RFC 2181 8 */

/*
 * One record as read.  owner: lowercase, no final dot.  For a fault marker
 * (fault true), status is what a query gets and type is the type it
 * applies to (0: every type the name has no record of).  data is the
 * decoded RDATA as dns.h's struct dns_rr describes it, NUL-terminated
 * (the NUL not counted in len).  Everything is valid during the callback
 * only.
 */
struct zone_rec {
	const char		*owner;
	size_t			 ownerlen;
	uint16_t		 type;
	uint16_t		 pref;
	uint32_t		 ttl;
	bool			 fault;
	enum dns_status		 status;
	const unsigned char	*data;
	size_t			 len;
	size_t			 nstrings;
	const char		*file;
	size_t			 line;
};

/*
 * Parse the master-file text[0..len), calling fn for each record; name
 * labels error messages ("name:12: bad AAAA address").  fn returns 0, or
 * -1 after filling d to stop the parse.  Returns 0, or -1 with d set.
 */
int	zone_parse(const char *name, const char *text, size_t len,
	    int (*fn)(void *arg, const struct zone_rec *r, struct diag *d),
	    void *arg, struct diag *d);

/* The same, reading the file at path (at most ZONE_MAX_FILE bytes). */
int	zone_parse_file(const char *path,
	    int (*fn)(void *arg, const struct zone_rec *r, struct diag *d),
	    void *arg, struct diag *d);

/* The type number for a name ("TXT", "type16"), 0 if unknown. */
uint16_t zone_type_number(const char *s, size_t len);

#endif
