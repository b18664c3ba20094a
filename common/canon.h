/*
 * canon: DKIM canonicalization (RFC 6376 3.4), "simple" and "relaxed",
 * for header fields and, streaming, for the body.
 *
 * Line endings: RFC 6376 works on CRLF lines as seen on the wire; a
 * message stored with bare LF (Maildir, procmail) is read as a receiver
 * sees it, so a bare LF counts as CRLF, in header fields and body alike.
 * A bare CR (not followed by LF) is an ordinary character.
 */
#ifndef MAUTH_CANON_H
#define MAUTH_CANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

enum canon_alg {
	CANON_SIMPLE,
	CANON_RELAXED,
};

/* "simple" / "relaxed". */
const char	*canon_name(enum canon_alg a);

/* Parse a canonicalization name s[0..n) (case-sensitive, RFC 6376 3.5
 * c=); false if unknown. */
bool		 canon_parse(const char *s, size_t n, enum canon_alg *a);

/*
 * Append the canonical form of one header field to out (RFC 6376 3.4.1
 * simple, 3.4.2 relaxed).  raw[0..rawlen) is the whole field as in the
 * message: name, colon, value, folding, final line ending (struct
 * msg_field raw/rawlen).  The result always ends in CRLF (added if raw
 * has no final line ending); the DKIM-Signature being verified or signed
 * is hashed without it (RFC 6376 3.7): the caller drops those 2 bytes.
 */
void		 canon_header(enum canon_alg a, const char *raw, size_t rawlen,
		    struct buf *out);

/* Where canonical body bytes go (a hash update, a dump file...). */
typedef void	(*canon_sink)(void *arg, const void *p, size_t n);

#define CANON_NO_LIMIT	UINT64_MAX	/* no l= */
#define CANON_OUTBUF	4096		/* bytes batched per sink call */

/* Variants for diagnosis (--explain), never for a verdict. */
#define CANON_F_RAW_LF		0x1	/* a bare LF is not a line end */
#define CANON_F_KEEP_TRAILING	0x2	/* trailing empty lines are kept */
#define CANON_F_LF_ONLY		0x4	/* CRLF read as a bare LF, and every
					 * LF hashed as it is (a signer that
					 * saw the message before CRLF) */

/*
 * A streaming body canonicalizer.  Fields are private to canon.c; the
 * struct is public so it can live on the stack or inside another struct.
 */
struct canon_body {
	enum canon_alg	 alg;
	uint64_t	 limit;		/* l=, or CANON_NO_LIMIT */
	uint64_t	 total;		/* canonical bytes produced, all */
	uint64_t	 sent;		/* of them, given to the sink */
	uint64_t	 crlfs;		/* empty lines held back (3.4.3/3.4.4) */
	bool		 cr;		/* last input byte was a CR */
	bool		 wsp;		/* relaxed: WSP held back */
	bool		 any;		/* relaxed: non-empty body so far */
	unsigned	 flags;		/* CANON_F_* */
	canon_sink	 sink;
	void		*arg;
	size_t		 outlen;
	unsigned char	 out[CANON_OUTBUF];
};

/*
 * Start canonicalizing a body with algorithm a; the canonical bytes go to
 * sink(arg, ...), at most limit of them (RFC 6376 3.5 l=; CANON_NO_LIMIT
 * for all).  sink may be NULL (count only).
 */
void		 canon_body_init(struct canon_body *cb, enum canon_alg a,
		    uint64_t limit, canon_sink sink, void *arg);

/* Set CANON_F_* flags, after init and before the first update. */
void		 canon_body_set_flags(struct canon_body *cb, unsigned flags);

/* Feed the next n body bytes; chunk boundaries may fall anywhere,
 * including between a CR and its LF. */
void		 canon_body_update(struct canon_body *cb, const void *p,
		    size_t n);

/* End of body: emit what is held back (the final CRLF, RFC 6376 3.4.3
 * and 3.4.4) and flush to the sink.  Call once. */
void		 canon_body_final(struct canon_body *cb);

/* After final: the length of the whole canonical body (may exceed the
 * limit: there is unsigned content after l=), and the bytes hashed. */
uint64_t	 canon_body_total(const struct canon_body *cb);
uint64_t	 canon_body_sent(const struct canon_body *cb);

#endif
