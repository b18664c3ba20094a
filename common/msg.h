/*
 * msg: the RFC 5322 message reader.  The header block is read into memory
 * verbatim (bounded by MSG_HEADER_MAX bytes and MSG_FIELDS_MAX fields) and
 * split into fields; the body is then streamed by the caller in chunks, so
 * a message of any size is handled in bounded memory.
 *
 * Line endings: LF or CRLF, whatever the message uses; the header block
 * ends at the first empty line ("\n" or "\r\n" at a line start).  Bytes are
 * never altered: writing hdr[0..hdrlen) and then every body chunk
 * reproduces the input exactly (NUL bytes, bare CR, a missing final
 * newline included).
 */
#ifndef MAUTH_MSG_H
#define MAUTH_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct diag;

#define MSG_HEADER_MAX	(4 * 1024 * 1024)	/* bytes in the header block */
#define MSG_FIELDS_MAX	10000			/* fields in the header block */

/*
 * One header field, pointing into msg.hdr (valid until msg_free).
 * raw/rawlen: the whole field, folding and final line ending included.
 * name/namelen: the field name, without trailing white space.
 * value/valuelen: after the colon up to, not including, the final line
 * ending (folding line breaks kept).
 * bad: the first line has no colon or an empty/invalid name (an mbox
 * "From " line, garbage); name/value are then empty.
 */
struct msg_field {
	const char	*raw;
	size_t		 rawlen;
	const char	*name;
	size_t		 namelen;
	const char	*value;
	size_t		 valuelen;
	bool		 bad;
};

struct msg {
	char		*hdr;		/* header block, separator line included */
	size_t		 hdrlen;
	size_t		 sepoff;	/* offset of the separator (== hdrlen if none) */
	struct msg_field *f;
	size_t		 nf;
	const char	*eol;		/* "\r\n" or "\n": the first line's ending */
	bool		 has_sep;	/* an empty line ended the header block */
	FILE		*in;
	char		*pend;		/* body bytes read ahead with the header */
	size_t		 npend;
	size_t		 pendoff;
	bool		 eof;
};

/*
 * Read the header block of the message on in.  Returns 0, or -1 with d
 * filled (I/O error, header block over the limits).  The body is left to
 * msg_read_body().  Free with msg_free() in every case.
 */
int	msg_read_header(struct msg *m, FILE *in, struct diag *d);

/* Parse a header block held in memory (copied); no body. */
int	msg_parse_header(struct msg *m, const char *text, size_t len,
	    struct diag *d);

/* The size of the header block at the start of text[0..len), its
 * separator line included; len if it has none. */
size_t	msg_header_size(const char *text, size_t len);

/*
 * Read up to cap body bytes into buf.  Returns the count, 0 at the end of
 * the message, -1 on a read error (errno set).
 */
ssize_t	msg_read_body(struct msg *m, char *buf, size_t cap);

/* Write the header block, then copy the rest of the body to out.
 * Returns 0, or -1 on a read or write error. */
int	msg_write_rest(struct msg *m, FILE *out);

void	msg_free(struct msg *m);

/*
 * Whether the input held no byte at all.  Filter modes refuse such input
 * (exit 65): an earlier stage of a pipeline that failed leaves it empty,
 * and passing on only added header fields would lose the message.
 */
bool	msg_empty(const struct msg *m);

/* Field name comparison, case-insensitive. */
bool	msg_field_is(const struct msg_field *f, const char *name);

/* Number of fields named name; index of the i-th (0-based, top to bottom)
 * or -1. */
size_t	msg_count(const struct msg *m, const char *name);
long	msg_find(const struct msg *m, const char *name, size_t i);

/*
 * The value unfolded: CR and LF of folding removed, leading and trailing
 * white space trimmed.  Returns a malloc'ed string (NUL bytes inside
 * become spaces); caller frees.
 */
char	*msg_value_unfold(const struct msg_field *f);

#endif
