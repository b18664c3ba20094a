/*
 * mbox: many messages in one stream, each after a "From " line (the
 * From_ line of the mbox format; RFC 4155).
 *
 * A From_ line starts the stream, and a later one is a "From " line
 * that follows an empty line; the bytes between belong to the message,
 * that empty line included (writers add it; as trailing empty lines it
 * changes no DKIM hash, RFC 6376 3.4.3/3.4.4).  Lines of the message
 * that read ">From ", ">>From "... are mboxrd-quoted: the message itself
 * has one '>' fewer; mbox_unquote() undoes that for a hash, while the
 * bytes stay as they are for output.  The stream is read in blocks and
 * never held whole.
 */
#ifndef MAUTH_MBOX_H
#define MAUTH_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct buf;
struct diag;

#define MBOX_FROM_LINE_MAX	4096	/* bytes of a From_ line */

struct mbox;

/* Read an mbox from fd (not closed by mbox_free). */
struct mbox	*mbox_new(int fd);
void		 mbox_free(struct mbox *mb);	/* NULL: no-op */

/*
 * Go to the next message (what is left of the current one is skipped):
 * its From_ line, with its line ending, replaces the contents of from.
 * Returns 1, 0 at the end of the stream, -1 with d filled (a read error,
 * a stream that does not start with a From_ line, a From_ line over
 * MBOX_FROM_LINE_MAX bytes).
 */
int		 mbox_next(struct mbox *mb, struct buf *from, struct diag *d);

/*
 * The current message's bytes, after its From_ line, as a stream that
 * ends with the message (fread returns 0, feof is true).  Valid until
 * mbox_free; the same FILE serves every message.
 */
FILE		*mbox_message(struct mbox *mb);

/*
 * The current message whole, in place, when it fits in the read-ahead
 * buffer (most do): *p and *n stay valid until the next mbox call, and
 * the message counts as read.  False when it is larger: read it from
 * mbox_message() then; -1 with d filled on a read error.
 */
int		 mbox_message_mem(struct mbox *mb, const char **p, size_t *n,
		    struct diag *d);

/* The last failure was a read error (not the stream's contents). */
bool		 mbox_read_error(const struct mbox *mb);

/* The message count so far: 1 for the first message. */
size_t		 mbox_count(const struct mbox *mb);

/*
 * mboxrd unquoting, streaming: message bytes in, in chunks cut
 * anywhere, the message as it was before it was quoted out to
 * sink(arg, ...).  Start each message with mbox_unquote_init; end it
 * with mbox_unquote_final (a quoted prefix held back at the end is
 * given out).
 */
struct mbox_unquote {
	bool	 linestart;
	size_t	 gt;		/* '>' held back at a line start */
	size_t	 from;		/* of them followed by this much of "From " */
};

typedef void	(*mbox_sink)(void *arg, const void *p, size_t n);

void		 mbox_unquote_init(struct mbox_unquote *u);
void		 mbox_unquote(struct mbox_unquote *u, const void *p, size_t n,
		    mbox_sink sink, void *arg);
void		 mbox_unquote_final(struct mbox_unquote *u, mbox_sink sink,
		    void *arg);

#endif
