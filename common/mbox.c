#define _GNU_SOURCE		/* fopencookie */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "mbox.h"

#define MBOX_BUF	(128 * 1024)	/* bytes read ahead */
#define MBOX_STDIO_BUF	(64 * 1024)	/* the message stream's buffer */
#define FROM_		"From "
#define FROM_LEN	5
#define SEP_LEN		(1 + FROM_LEN)	/* "\nFrom " */
#define HISTORY		2		/* bytes kept before pos: the empty
					 * line check looks back that far */

struct mbox {
	int		 fd;
	char		*b;
	size_t		 pos;		/* next byte to hand out */
	size_t		 len;		/* bytes in b */
	size_t		 scan;		/* separator search resumes here */
	size_t		 end;		/* the message ends here, if found */
	bool		 found;
	bool		 inmsg;		/* a message is open, not yet ended */
	bool		 eof;
	int		 err;		/* errno of a read error */
	size_t		 count;
	FILE		*f;
	char		*fbuf;		/* f's buffer */
};

/* Move what is still needed to the front, then read more. */
static int
fill(struct mbox *mb)
{
	size_t keep = mb->pos < HISTORY ? mb->pos : HISTORY;
	size_t drop = mb->pos - keep;
	ssize_t n;

	if (drop > 0) {
		memmove(mb->b, mb->b + drop, mb->len - drop);
		mb->len -= drop;
		mb->pos -= drop;
		mb->scan = mb->scan > drop ? mb->scan - drop : 0;
		if (mb->found)
			mb->end -= drop;
	}
	if (mb->len == MBOX_BUF)
		return 0;	/* full: the caller sees no progress */
	do
		n = read(mb->fd, mb->b + mb->len, MBOX_BUF - mb->len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		mb->err = errno;
		return -1;
	}
	if (n == 0)
		mb->eof = true;
	mb->len += (size_t)n;
	return 0;
}

/* The line ending at b[j] (a LF) is empty. */
static bool
empty_line_before(const struct mbox *mb, size_t j)
{
	const char *b = mb->b;

	return j >= 1 && (b[j - 1] == '\n' ||
	    (b[j - 1] == '\r' && j >= 2 && b[j - 2] == '\n'));
}

/* Look for the current message's end: "\nFrom " after an empty line. */
static void
find_end(struct mbox *mb)
{
	size_t s = mb->scan > mb->pos ? mb->scan : mb->pos;

	while (s + SEP_LEN <= mb->len) {
		const char *hit = memmem(mb->b + s, mb->len - s, "\n" FROM_,
		    SEP_LEN);
		size_t j;

		if (hit == NULL)
			break;
		j = (size_t)(hit - mb->b);
		if (empty_line_before(mb, j)) {
			mb->found = true;
			mb->end = j + 1;
			return;
		}
		s = j + 1;
	}
	/* a separator may start in the last SEP_LEN - 1 bytes */
	mb->scan = mb->len >= SEP_LEN ? mb->len - (SEP_LEN - 1) : 0;
}

/* fopencookie read function: the current message, then 0. */
static ssize_t
message_read(void *cookie, char *out, size_t size)
{
	struct mbox *mb = cookie;

	while (mb->inmsg) {
		size_t limit;

		if (!mb->found)
			find_end(mb);
		if (mb->found)
			limit = mb->end;
		else if (mb->eof)
			limit = mb->len;
		else
			limit = mb->len >= SEP_LEN ? mb->len - (SEP_LEN - 1) :
			    0;
		if (limit > mb->pos) {
			size_t n = limit - mb->pos < size ? limit - mb->pos :
			    size;

			memcpy(out, mb->b + mb->pos, n);
			mb->pos += n;
			return (ssize_t)n;
		}
		if (mb->found || mb->eof) {
			mb->inmsg = false;
			break;
		}
		if (fill(mb) < 0) {
			errno = mb->err;
			return -1;
		}
	}
	return 0;
}

struct mbox *
mbox_new(int fd)
{
	static const cookie_io_functions_t io = { .read = message_read };
	struct mbox *mb = xcalloc(1, sizeof(*mb));

	mb->fd = fd;
	mb->b = xmalloc(MBOX_BUF);
	mb->f = fopencookie(mb, "r", io);
	if (mb->f == NULL) {
		fprintf(stderr, "out of memory\n");
		abort();
	}
	/* unbuffered, a cookie stream reads a byte at a time; it never
	 * holds bytes past the message, as message_read stops there */
	mb->fbuf = xmalloc(MBOX_STDIO_BUF);	/* glibc sizes a NULL one
						 * itself, whatever asked */
	setvbuf(mb->f, mb->fbuf, _IOFBF, MBOX_STDIO_BUF);
	return mb;
}

void
mbox_free(struct mbox *mb)
{
	if (mb == NULL)
		return;
	fclose(mb->f);
	free(mb->fbuf);
	free(mb->b);
	free(mb);
}

FILE *
mbox_message(struct mbox *mb)
{
	return mb->f;
}

bool
mbox_read_error(const struct mbox *mb)
{
	return mb->err != 0;
}

size_t
mbox_count(const struct mbox *mb)
{
	return mb->count;
}

int
mbox_message_mem(struct mbox *mb, const char **p, size_t *n, struct diag *d)
{
	while (mb->inmsg) {
		if (!mb->found)
			find_end(mb);
		if (mb->found || mb->eof) {
			size_t end = mb->found ? mb->end : mb->len;

			*p = mb->b + mb->pos;
			*n = end - mb->pos;
			mb->pos = end;
			mb->inmsg = false;
			return 1;
		}
		/* fill makes room by dropping what lies before pos: with
		 * nothing there, a full buffer holds less than the message */
		if (mb->pos <= HISTORY && mb->len == MBOX_BUF)
			return 0;
		if (fill(mb) < 0)
			return diag_set(d, "read error: %s",
			    strerror(mb->err));
	}
	*p = mb->b + mb->pos;	/* read already: nothing left */
	*n = 0;
	return 1;
}

/* Skip what is left of the current message, through its stream so
 * that what stdio holds of it goes too. */
static int
skip_message(struct mbox *mb, struct diag *d)
{
	char tmp[4096];

	while (fread(tmp, 1, sizeof(tmp), mb->f) > 0)
		;
	if (ferror(mb->f))
		return diag_set(d, "read error: %s", strerror(mb->err));
	return 0;
}

static int
no_from_line(const struct mbox *mb, struct diag *d)
{
	return diag_set(d, "%s", mb->count == 0 ? "not an mbox: the first "
	    "line is not a From_ line (\"From \")" :
	    "no From_ line after a message");
}

/*
 * Make the From_ line at pos whole in the buffer: its length (a last
 * line may lack its LF), 0 at the end of the stream, -1 with d filled.
 */
static long
from_line(struct mbox *mb, struct diag *d)
{
	for (;;) {
		size_t have = mb->len - mb->pos;
		const char *nl;

		if (have >= FROM_LEN) {
			if (memcmp(mb->b + mb->pos, FROM_, FROM_LEN) != 0)
				return no_from_line(mb, d);
			nl = memchr(mb->b + mb->pos, '\n', have);
			if (nl != NULL)
				have = (size_t)(nl - (mb->b + mb->pos)) + 1;
			if (have > MBOX_FROM_LINE_MAX)
				return diag_set(d, "From_ line longer than %d "
				    "bytes", MBOX_FROM_LINE_MAX);
			if (nl != NULL || mb->eof)
				return (long)have;
		} else if (mb->eof)
			return have == 0 ? 0 : no_from_line(mb, d);
		if (fill(mb) < 0)
			return diag_set(d, "read error: %s",
			    strerror(mb->err));
	}
}

int
mbox_next(struct mbox *mb, struct buf *from, struct diag *d)
{
	long n;

	if (skip_message(mb, d) < 0)
		return -1;
	clearerr(mb->f);
	if ((n = from_line(mb, d)) <= 0)
		return (int)n;
	buf_reset(from);
	buf_add(from, mb->b + mb->pos, (size_t)n);
	mb->pos += (size_t)n;
	mb->scan = mb->pos;
	mb->found = false;
	mb->inmsg = true;
	mb->count++;
	return 1;
}

void
mbox_unquote_init(struct mbox_unquote *u)
{
	memset(u, 0, sizeof(*u));
	u->linestart = true;
}

static void
emit_held(struct mbox_unquote *u, size_t gt, mbox_sink sink, void *arg)
{
	static const char gts[] = ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>";

	while (gt > 0) {
		size_t k = gt < sizeof(gts) - 1 ? gt : sizeof(gts) - 1;

		sink(arg, gts, k);
		gt -= k;
	}
	if (u->from > 0)
		sink(arg, FROM_, u->from);
	u->gt = u->from = 0;
}

/*
 * At a line start that may be quoted: count the '>', then match "From ".
 * Returns where the scan goes on; the line's bytes up to there are given
 * out (unquoted when they were a quoted From line) or still held.
 */
static size_t
quoted_prefix(struct mbox_unquote *u, const char *s, size_t i, size_t n,
    mbox_sink sink, void *arg)
{
	while (i < n && u->from == 0 && s[i] == '>') {
		u->gt++;
		i++;
	}
	while (i < n && u->from < FROM_LEN && s[i] == FROM_[u->from]) {
		u->from++;
		i++;
	}
	if (u->from == FROM_LEN)
		emit_held(u, u->gt - 1, sink, arg);	/* one '>' fewer */
	else if (i < n)
		emit_held(u, u->gt, sink, arg);		/* not quoting */
	return i;
}

void
mbox_unquote(struct mbox_unquote *u, const void *p, size_t n,
    mbox_sink sink, void *arg)
{
	const char *s = p, *gt;
	size_t i = 0, run = 0;

	while (i < n) {
		if (u->gt > 0 || (u->linestart && s[i] == '>')) {
			if (i > run)
				sink(arg, s + run, i - run);
			u->linestart = false;
			i = quoted_prefix(u, s, i, n, sink, arg);
			run = i;
			continue;
		}
		/* only a '>' at a line start matters: they are rare */
		if ((gt = memchr(s + i, '>', n - i)) == NULL) {
			u->linestart = s[n - 1] == '\n';
			break;
		}
		i = (size_t)(gt - s);
		u->linestart = i > 0 && s[i - 1] == '\n';
		if (!u->linestart)
			i++;
	}
	if (n > run && u->gt == 0)
		sink(arg, s + run, n - run);
}

void
mbox_unquote_final(struct mbox_unquote *u, mbox_sink sink, void *arg)
{
	if (u->gt > 0)
		emit_held(u, u->gt, sink, arg);
}
