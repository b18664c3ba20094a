/*
 * libFuzzer target: the mbox reader and mboxrd unquoting (common/mbox.c).
 * The input is an mbox, read twice: from a memfd, where one read(2)
 * takes it all, and from a SOCK_SEQPACKET socket, where each read(2)
 * takes one piece, cut where a hash of the input says.  Every From_ line
 * and message is what the plain rule (RFC 4155) gives, and put back
 * together they are the input, up to where mbox_next fails.  Unquoting
 * gives the same at once, in pieces and a byte at a time: what the plain
 * rule gives, never more bytes.  Messages are read with fread in sizes
 * from 1 byte up, or in place (mbox_message_mem).  A broken invariant
 * aborts.
 */
#define _GNU_SOURCE		/* memfd_create */
#include <sys/mman.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "mbox.h"

#define PIECES		64		/* packets of the socket, at most */
#define PIECES_MAX	65536		/* input the socket takes whole */
#define MEM		0		/* mbox_message_mem first */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
next_rand(uint32_t *st)
{
	*st = *st * 1103515245u + 12345u;
	return *st >> 8;
}

/* Where to cut: every input cuts its own way (FNV-1a). */
static uint32_t
seed(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* A piece's size: often 1 to 3 bytes, where the reader's edges are. */
static size_t
piece(uint32_t *st, size_t left)
{
	uint32_t r = next_rand(st);
	size_t len = r % 4 == 0 ? 1 + (r >> 2) % 3 : 1 + (r >> 2) % 200;

	return len < left ? len : left;
}

/* The input in a memfd, at its start. */
static int
memfd(const uint8_t *p, size_t n)
{
	int fd = memfd_create("fuzz-mbox", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k <= 0)
			abort();
		p += k;
		n -= (size_t)k;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

/* The input as packets, the last one the rest; -1 if it does not fit. */
static int
packets(const uint8_t *p, size_t n, uint32_t st)
{
	int sv[2], k = 0;

	if (n > PIECES_MAX || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return -1;
	while (n > 0) {
		size_t len = ++k == PIECES ? n : piece(&st, n);

		if (send(sv[1], p, len, MSG_DONTWAIT) != (ssize_t)len) {
			close(sv[0]);
			close(sv[1]);
			return -1;
		}
		p += len;
		n -= len;
	}
	close(sv[1]);
	return sv[0];
}

/*
 * The plain rule, at s[i]: the From_ line's and the message's lengths.
 * A message ends with the LF of an empty line ("" or "\r") that a
 * "From " line follows.  Returns 1, 0 at the end, -1 for no mbox there.
 */
static int
ref_next(const uint8_t *s, size_t n, size_t i, size_t *fl, size_t *ml)
{
	const uint8_t *nl;
	size_t j;

	if (i == n)
		return 0;
	if (n - i < 5 || memcmp(s + i, "From ", 5) != 0)
		return -1;
	nl = memchr(s + i, '\n', n - i);
	*fl = nl != NULL ? (size_t)(nl - s) + 1 - i : n - i;
	if (*fl > MBOX_FROM_LINE_MAX)
		return -1;
	for (j = i + *fl; j < n; j++)
		if (s[j] == '\n' && n - j > 5 &&
		    memcmp(s + j + 1, "From ", 5) == 0 &&
		    (s[j - 1] == '\n' || (s[j - 1] == '\r' &&
		    s[j - 2] == '\n')))
			break;
	*ml = (j < n ? j + 1 : n) - (i + *fl);
	return 1;
}

/*
 * The current message, whole: with rsize MEM in place when it fits,
 * then (all of it, or nothing left) fread rsize bytes at a time.
 */
static void
read_message(struct mbox *mb, char *chunk, size_t rsize, struct buf *m)
{
	FILE *f = mbox_message(mb);
	struct diag d;
	const char *p;
	size_t k;

	buf_reset(m);
	if (rsize == MEM) {
		int r = mbox_message_mem(mb, &p, &k, &d);

		if (r < 0)
			abort();	/* no read error here */
		if (r > 0)
			buf_add(m, p, k);
		rsize = 4096;
	}
	while ((k = fread(chunk, 1, rsize, f)) > 0)
		buf_add(m, chunk, k);
	if (ferror(f) || !feof(f))
		abort();
}

/*
 * Every message on fd against the plain rule; the messages whose bit
 * is set in skip (bit count % 32) are left unread.  Unless one was, the
 * From_ lines and messages back to back are the input, or a prefix of
 * it when mbox_next failed.
 */
static void
read_check(int fd, const uint8_t *s, size_t n, size_t rsize, uint32_t skip)
{
	struct mbox *mb = mbox_new(fd);
	struct buf from = { 0 }, m = { 0 }, all = { 0 };
	struct diag d = { { 0 } };
	char *chunk = xmalloc(rsize == MEM ? 4096 : rsize);
	size_t i = 0, fl = 0, ml = 0, count = 0;
	int rc;

	while ((rc = mbox_next(mb, &from, &d)) == ref_next(s, n, i, &fl, &ml) &&
	    rc > 0) {
		if (mbox_count(mb) != ++count || from.len != fl ||
		    memcmp(from.p, s + i, fl) != 0)
			abort();
		buf_add(&all, from.p, from.len);
		i += fl;
		if (!(skip & 1u << (count % 32))) {
			read_message(mb, chunk, rsize, &m);
			if (m.len != ml || (ml > 0 && memcmp(m.p, s + i, ml)))
				abort();
			buf_add(&all, m.p, m.len);
		}
		i += ml;
	}
	if (rc != ref_next(s, n, i, &fl, &ml) || (rc < 0 && d.msg[0] == '\0'))
		abort();
	if (skip == 0 && (all.len > n || (rc == 0 && all.len != n) ||
	    (all.len > 0 && memcmp(all.p, s, all.len) != 0)))
		abort();
	free(chunk);
	buf_free(&from);
	buf_free(&m);
	buf_free(&all);
	mbox_free(mb);
}

static void
to_buf(void *arg, const void *p, size_t n)
{
	buf_add(arg, p, n);
}

/* mboxrd the plain way: a line matching ^>+From  loses its first '>'. */
static void
ref_unquote(const uint8_t *s, size_t n, struct buf *out)
{
	size_t i = 0;

	while (i < n) {
		const uint8_t *nl = memchr(s + i, '\n', n - i);
		size_t end = nl != NULL ? (size_t)(nl - s) + 1 : n, k = i;

		while (k < end && s[k] == '>')
			k++;
		if (k > i && end - k >= 5 && memcmp(s + k, "From ", 5) == 0)
			i++;
		buf_add(out, s + i, end - i);
		i = end;
	}
}

/* s unquoted in pieces: of step bytes, or random ones when step is 0. */
static void
unquote(const uint8_t *s, size_t n, size_t step, uint32_t st,
    struct buf *out)
{
	struct mbox_unquote u;

	mbox_unquote_init(&u);
	while (n > 0) {
		size_t len = step == 0 ? piece(&st, n) : step < n ? step : n;

		mbox_unquote(&u, s, len, to_buf, out);
		s += len;
		n -= len;
	}
	mbox_unquote_final(&u, to_buf, out);
}

static void
unquote_check(const uint8_t *s, size_t n, uint32_t st)
{
	struct buf want = { 0 }, whole = { 0 }, cut = { 0 }, bytes = { 0 };

	ref_unquote(s, n, &want);
	unquote(s, n, n > 0 ? n : 1, st, &whole);
	unquote(s, n, 0, st, &cut);
	unquote(s, n, 1, st, &bytes);
	if (whole.len > n || whole.len != cut.len || whole.len != bytes.len ||
	    whole.len != want.len || (whole.len > 0 && (memcmp(whole.p, cut.p,
	    whole.len) != 0 || memcmp(whole.p, bytes.p, whole.len) != 0 ||
	    memcmp(whole.p, want.p, whole.len) != 0)))
		abort();
	buf_free(&want);
	buf_free(&whole);
	buf_free(&cut);
	buf_free(&bytes);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t rsizes[] = { 1, 13, 4096, 100000, MEM, MEM };
	uint32_t st = seed(data, size);
	int fd;

	fd = memfd(data, size);
	read_check(fd, data, size, rsizes[st % 6], 0);
	close(fd);
	if ((fd = packets(data, size, st)) >= 0) {
		read_check(fd, data, size, rsizes[(st >> 3) % 6],
		    st % 3 == 0 ? st : 0);
		close(fd);
	}
	unquote_check(data, size, st);
	return 0;
}
