/*
 * Unit tests of the mbox reader and mboxrd unquoting (common/mbox.c):
 * where a message ends (a From_ line after an empty line, RFC 4155),
 * line endings, the From_ line limit, messages larger than the reader's
 * read-ahead, skipping, messages in place (mbox_message_mem); unquoting
 * against a plain whole-buffer reference, fed in chunks cut anywhere.
 * Streams come from temporary files and from pipes a thread writes in
 * small pieces.  Prints "N passed, N failed", exits 1 on a failure.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "mbox.h"

#define MAXMSG		256		/* messages a test stream holds */
#define READ_AHEAD	(128 * 1024)	/* mbox.c's block, to straddle */
#define NONE		((size_t)-1)
#define MEM		0		/* read_mbox: mbox_message_mem first */
#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static int npass, nfail;

static void
ok(bool cond, const char *what)
{
	if (cond)
		npass++;
	else {
		nfail++;
		printf("FAIL %s\n", what);
	}
}

static void
to_buf(void *arg, const void *p, size_t n)
{
	buf_add(arg, p, n);
}

static bool
same(const struct buf *b, const void *p, size_t n)
{
	return b->len == n && (n == 0 || memcmp(b->p, p, n) == 0);
}

/* A deterministic generator, so a failure can be replayed. */
static uint32_t
next_rand(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

/*
 * mboxrd unquoting the plain way, a whole buffer at once: a line that
 * matches ^>+From  loses its first '>'; every other byte stays.
 */
static void
ref_unquote(const char *s, size_t n, struct buf *out)
{
	size_t i = 0;

	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl != NULL ? (size_t)(nl - s) + 1 : n;
		size_t k = i;

		while (k < end && s[k] == '>')
			k++;
		if (k > i && end - k >= 5 && memcmp(s + k, "From ", 5) == 0)
			i++;
		buf_add(out, s + i, end - i);
		i = end;
	}
}

/*
 * s[0..n) through mbox_unquote in chunks of step bytes; step NONE: at
 * once; step 0: random sizes 0..16 drawn from *st.
 */
static void
unquote(const char *s, size_t n, size_t step, uint32_t *st, struct buf *out)
{
	struct mbox_unquote u;
	size_t i = 0;

	mbox_unquote_init(&u);
	while (i < n) {
		size_t k = step == NONE ? n - i : step > 0 ? step :
		    next_rand(st) % 17;

		if (k > n - i)
			k = n - i;
		mbox_unquote(&u, s + i, k, to_buf, out);
		i += k;
	}
	mbox_unquote_final(&u, to_buf, out);
}

/* in unquotes to want, at once and in chunks of every size. */
static bool
unquote_is(const char *in, const char *want)
{
	size_t n = strlen(in);
	bool r = true;

	for (size_t step = 1; step <= n + 1; step++) {
		struct buf out = { 0 };

		unquote(in, n, step > n ? NONE : step, NULL, &out);
		if (!same(&out, want, strlen(want))) {
			printf("  \"%s\" in chunks of %zu: got \"%.*s\"\n", in,
			    step, (int)out.len, out.p ? out.p : "");
			r = false;
		}
		buf_free(&out);
	}
	return r;
}

static void
test_unquote_cases(void)
{
	ok(unquote_is(">From x\n", "From x\n"),
	    "mboxrd: >From  loses its '>'");
	ok(unquote_is(">>From x", ">From x"),
	    "mboxrd: >>From  loses one '>' only");
	ok(unquote_is("From x\nFrom y\n", "From x\nFrom y\n"),
	    "mboxrd: an unquoted From  line is not touched");
	ok(unquote_is("a>From x\n", "a>From x\n"),
	    "mboxrd: >From  not at a line start stays");
	ok(unquote_is(">x>From x\n", ">x>From x\n"),
	    "mboxrd: only the leading '>' run counts");
	ok(unquote_is(">Fro", ">Fro"),
	    "mboxrd: a quoted prefix at the end is given back");
	ok(unquote_is(">\n", ">\n"), "mboxrd: a lone '>' line stays");
	ok(unquote_is(">>>>", ">>>>"), "mboxrd: a '>' run at the end stays");
	ok(unquote_is(">From x\n>From y", "From x\nFrom y"),
	    "mboxrd: the first line of the input is at a line start");
	ok(unquote_is("x\n>From y\r\n>From z\r\n", "x\nFrom y\r\nFrom z\r\n"),
	    "mboxrd: after LF and after CRLF is a line start");
	ok(unquote_is(">From\n>Fromx\n> From \n>from \n>From",
	    ">From\n>Fromx\n> From \n>from \n>From"),
	    "mboxrd: From without its space, or not \"From \", is no quote");
	ok(unquote_is(">From \n", "From \n"),
	    "mboxrd: \"From \" at the end of the line still counts");
	ok(unquote_is("\n>From a", "\nFrom a"),
	    "mboxrd: an empty first line, then a quoted line");
	ok(unquote_is(">>\n>>From a\n>\n", ">>\n>From a\n>\n"),
	    "mboxrd: '>' lines around a quoted one");
	ok(unquote_is("", ""), "mboxrd: nothing in, nothing out");
	ok(unquote_is(">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>From a\n",
	    ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>From a\n"),
	    "mboxrd: a '>' run longer than 32 loses one");
	ok(unquote_is(">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>Fro",
	    ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>Fro"),
	    "mboxrd: a '>' run longer than 32 held at the end comes back");
}

/* What mbox_unquote holds back at a possible quote, final gives out. */
static void
test_unquote_final(void)
{
	struct mbox_unquote u;
	struct buf out = { 0 };

	mbox_unquote_init(&u);
	mbox_unquote(&u, "a\n>Fro", 6, to_buf, &out);
	ok(same(&out, "a\n", 2), "mboxrd: >Fro at a chunk end is held back");
	mbox_unquote_final(&u, to_buf, &out);
	ok(same(&out, "a\n>Fro", 6), "mboxrd: final gives >Fro back");
	buf_reset(&out);
	mbox_unquote_init(&u);
	mbox_unquote(&u, ">>", 2, to_buf, &out);
	mbox_unquote(&u, "", 0, to_buf, &out);
	mbox_unquote(&u, ">From", 5, to_buf, &out);
	mbox_unquote(&u, " x", 2, to_buf, &out);
	mbox_unquote_final(&u, to_buf, &out);
	ok(same(&out, ">>From x", 8),
	    "mboxrd: a quote cut over chunks, an empty chunk among them");
	buf_free(&out);
}

/* A random input, rich in what the quoting rule looks at. */
static size_t
random_text(uint32_t *st, char *s, size_t max)
{
	static const char alphabet[] = ">>>>FFrom  \n\n\r x";
	static const char *const words[] = { ">From ", "From ", ">>From ",
	    "\n>", "\r\n>>From " };
	size_t n = next_rand(st) % max, i = 0;

	while (i < n) {
		uint32_t r = next_rand(st);
		const char *w = words[r % NITEMS(words)];
		size_t wl = strlen(w);

		if (r % 7 == 0 && i + wl <= n) {
			memcpy(s + i, w, wl);
			i += wl;
		} else
			s[i++] = alphabet[(r >> 4) % (sizeof(alphabet) - 1)];
	}
	return n;
}

/*
 * Thousands of random inputs: mbox_unquote fed at once, in random
 * chunks and a byte at a time gives what the plain rule gives.
 */
static void
test_unquote_reference(void)
{
	uint32_t st = 4155;
	int bad = 0, longer = 0;

	for (int round = 0; round < 20000; round++) {
		char in[300];
		size_t n = random_text(&st, in, sizeof(in));
		struct buf want = { 0 }, whole = { 0 }, part = { 0 },
		    bytes = { 0 };

		ref_unquote(in, n, &want);
		unquote(in, n, NONE, NULL, &whole);
		unquote(in, n, 0, &st, &part);
		unquote(in, n, 1, NULL, &bytes);
		if (!same(&whole, want.p, want.len) ||
		    !same(&part, want.p, want.len) ||
		    !same(&bytes, want.p, want.len)) {
			if (bad++ == 0)
				printf("  round %d: \"%.*s\"\n", round, (int)n,
				    in);
		}
		longer += whole.len > n;
		buf_free(&want);
		buf_free(&whole);
		buf_free(&part);
		buf_free(&bytes);
	}
	ok(bad == 0, "mboxrd: 20,000 random inputs, at once, in random "
	    "chunks and a byte at a time, unquote as the plain rule says");
	ok(longer == 0, "mboxrd: unquoting never lengthens");
}

static void
write_all(int fd, const char *s, size_t n, size_t step)
{
	while (n > 0) {
		ssize_t k = write(fd, s, n < step ? n : step);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EPIPE)
			return;		/* the reader stopped early */
		if (k <= 0) {
			perror("test-mbox: write");
			exit(2);
		}
		s += k;
		n -= (size_t)k;
	}
}

/* A temporary file holding s[0..n), at its start. */
static int
file_fd(const char *s, size_t n)
{
	const char *dir = getenv("TMPDIR");
	struct buf path = { 0 };
	int fd;

	buf_printf(&path, "%s/test-mbox.XXXXXX", dir ? dir : "/tmp");
	if ((fd = mkstemp(path.p)) < 0) {
		perror("test-mbox: mkstemp");
		exit(2);
	}
	unlink(path.p);
	buf_free(&path);
	write_all(fd, s, n, n ? n : 1);
	if (lseek(fd, 0, SEEK_SET) != 0) {
		perror("test-mbox: lseek");
		exit(2);
	}
	return fd;
}

/* A pipe's writing side: s[0..n) in writes of step bytes. */
struct writer {
	pthread_t	 t;
	int		 fd;
	const char	*s;
	size_t		 n;
	size_t		 step;
};

static void *
writer_run(void *arg)
{
	struct writer *w = arg;

	write_all(w->fd, w->s, w->n, w->step);
	close(w->fd);
	return NULL;
}

/*
 * A pipe that a thread fills with s[0..n) in writes of step bytes (a
 * thread, not a child: fork is slow under the sanitizers).  Join w
 * after closing the returned fd.
 */
static int
pipe_fd(const char *s, size_t n, size_t step, struct writer *w)
{
	int p[2];

	if (pipe(p) < 0) {
		perror("test-mbox: pipe");
		exit(2);
	}
	*w = (struct writer){ .fd = p[1], .s = s, .n = n, .step = step };
	if (pthread_create(&w->t, NULL, writer_run, w) != 0) {
		fprintf(stderr, "test-mbox: pthread_create failed\n");
		exit(2);
	}
	return p[0];
}

/* What a reader saw: every message, mbox_next's last return. */
struct got {
	int		 rc;
	size_t		 n;
	size_t		 count;		/* mbox_count at the end */
	bool		 eofs;		/* every message stream ended clean */
	size_t		 inplace;	/* messages mbox_message_mem gave */
	struct buf	 from[MAXMSG];
	struct buf	 msg[MAXMSG];
	struct diag	 d;
};

static void
got_free(struct got *g)
{
	for (size_t i = 0; i < MAXMSG; i++) {
		buf_free(&g->from[i]);
		buf_free(&g->msg[i]);
	}
}

/*
 * The current message into g: with rsize MEM in place when it fits,
 * then (all of it, or nothing left) with fread, rsize bytes at a time.
 */
static int
read_message(struct mbox *mb, size_t rsize, struct got *g)
{
	FILE *f = mbox_message(mb);
	char *chunk = xmalloc(rsize == MEM ? 4096 : rsize);
	const char *p;
	size_t k;
	int r = rsize == MEM ? mbox_message_mem(mb, &p, &k, &g->d) : 0;

	if (r > 0) {
		buf_add(&g->msg[g->n], p, k);
		g->inplace++;
	}
	while (r >= 0 && (k = fread(chunk, 1, rsize == MEM ? 4096 : rsize,
	    f)) > 0)
		buf_add(&g->msg[g->n], chunk, k);
	g->eofs &= feof(f) && !ferror(f);
	free(chunk);
	return r;
}

/* Every message on fd, read as read_message does. */
static void
read_mbox(int fd, size_t rsize, struct got *g)
{
	struct mbox *mb = mbox_new(fd);

	memset(g, 0, sizeof(*g));
	g->eofs = true;
	while (g->n < MAXMSG &&
	    (g->rc = mbox_next(mb, &g->from[g->n], &g->d)) > 0) {
		if (read_message(mb, rsize, g) < 0) {
			g->rc = -1;
			break;
		}
		g->n++;
	}
	g->count = mbox_count(mb);
	mbox_free(mb);
}

/* s[0..n) read from a file, rsize bytes at a time. */
static void
read_file(const char *s, size_t n, size_t rsize, struct got *g)
{
	int fd = file_fd(s, n);

	read_mbox(fd, rsize, g);
	close(fd);
}

/* s[0..n) read from a pipe written step bytes at a time. */
static void
read_pipe(const char *s, size_t n, size_t step, size_t rsize, struct got *g)
{
	struct writer w;
	int fd = pipe_fd(s, n, step, &w);

	read_mbox(fd, rsize, g);
	close(fd);
	pthread_join(w.t, NULL);
}

/* a and b saw the same messages, the same end. */
static bool
got_same(const struct got *a, const struct got *b)
{
	if (a->rc != b->rc || a->n != b->n || a->count != b->count ||
	    !a->eofs || !b->eofs)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!same(&a->from[i], b->from[i].p, b->from[i].len) ||
		    !same(&a->msg[i], b->msg[i].p, b->msg[i].len))
			return false;
	return true;
}

/* The messages want lists (From_ line, message; NULL ends), then rc. */
static void
got_want(struct got *g, int rc, const char *const *want)
{
	memset(g, 0, sizeof(*g));
	g->eofs = true;
	g->rc = rc;
	for (; want[2 * g->n] != NULL; g->n++) {
		buf_adds(&g->from[g->n], want[2 * g->n]);
		buf_adds(&g->msg[g->n], want[2 * g->n + 1]);
	}
	g->count = g->n;
}

static void
got_print(const char *how, const struct got *g)
{
	printf("  %s: rc %d, %zu messages, count %zu%s\n", how, g->rc, g->n,
	    g->count, g->eofs ? "" : ", a stream not at EOF");
	for (size_t i = 0; i < g->n; i++)
		printf("    \"%.*s\" \"%.*s\"\n", (int)g->from[i].len,
		    g->from[i].p ? g->from[i].p : "", (int)g->msg[i].len,
		    g->msg[i].p ? g->msg[i].p : "");
}

/*
 * s, read from a file and from a pipe a byte per write, with fread of
 * 1, 3 and 4096 bytes and in place, gives the messages want lists and
 * then rc; *d gets the last diagnostic.
 */
static bool
mbox_is(const char *s, int rc, const char *const *want, struct diag *d)
{
	static const size_t rsizes[] = { 4096, 1, 3, MEM };
	struct got w, g;
	size_t n = strlen(s);
	bool r = true;

	got_want(&w, rc, want);
	for (int how = 0; how < 6; how++) {
		if (how < 4)
			read_file(s, n, rsizes[how], &g);
		else
			read_pipe(s, n, 1, how == 4 ? 3 : MEM, &g);
		if (!got_same(&g, &w)) {
			got_print("want", &w);
			got_print("got", &g);
			r = false;
		}
		if (d != NULL)
			*d = g.d;
		got_free(&g);
	}
	got_free(&w);
	return r;
}

static void
test_separators(void)
{
	static const char *const three[] = {
	    "From a@example.org Mon Jan  1 00:00:00 2024\n",
	    "Subject: 1\n\nbody 1\n\n",
	    "From b@example.org Tue Jan  2 00:00:00 2024\n",
	    "Subject: 2\n\nbody 2\n\n",
	    "From c\n", "Subject: 3\n\nbody 3\n", NULL };
	static const char *const inside[] = { "From a\n",
	    "x\nFrom b\ny\n>From c\n\nFromage\n\nFrom\n \nFrom d\n", NULL };
	static const char *const crlf[] = { "From a\r\n", "x\r\n\r\n",
	    "From b\r\n", "y\r\n", NULL };
	static const char *const empty_msg[] = { "From a\n", "\n",
	    "From b\n", "", NULL };

	ok(mbox_is("From a@example.org Mon Jan  1 00:00:00 2024\n"
	    "Subject: 1\n\nbody 1\n\n"
	    "From b@example.org Tue Jan  2 00:00:00 2024\n"
	    "Subject: 2\n\nbody 2\n\nFrom c\nSubject: 3\n\nbody 3\n", 0,
	    three, NULL), "RFC 4155: a From_ line after an empty line "
	    "starts a message; the empty line ends the one before");
	ok(mbox_is("From a\nx\nFrom b\ny\n>From c\n\nFromage\n\nFrom\n"
	    " \nFrom d\n", 0, inside, NULL),
	    "RFC 4155: \"From \" not after an empty line is message text");
	ok(mbox_is("From a\r\nx\r\n\r\nFrom b\r\ny\r\n", 0, crlf, NULL),
	    "RFC 4155: CRLF line ends, \\r\\n\\r\\nFrom  separates");
	ok(mbox_is("From a\n\nFrom b\n", 0, empty_msg, NULL),
	    "a message that is only the empty line before the next");
}

static void
test_stream_ends(void)
{
	static const char *const nonl[] = { "From a\n", "x\n\n",
	    "From b\n", "no newline", NULL };
	static const char *const fromonly[] = { "From a", "", NULL };
	static const char *const none[] = { NULL };

	ok(mbox_is("From a\nx\n\nFrom b\nno newline", 0, nonl, NULL),
	    "a last message without a final newline");
	ok(mbox_is("From a", 0, fromonly, NULL),
	    "a From_ line without a line end ends the stream");
	ok(mbox_is("", 0, none, NULL), "an empty stream has no messages");
}

/* s is no mbox: mbox_next fails at once and says so. */
static bool
not_mbox(const char *s)
{
	static const char *const none[] = { NULL };
	struct diag d = { { 0 } };

	return mbox_is(s, -1, none, &d) &&
	    strstr(d.msg, "not an mbox") != NULL;
}

static void
test_not_mbox(void)
{
	ok(not_mbox("Subject: x\n\nbody\n"),
	    "RFC 4155: a stream must start with a From_ line");
	ok(not_mbox("\nFrom a\n"), "not an mbox: an empty first line");
	ok(not_mbox("from a\n"), "not an mbox: \"From \" is case-sensitive");
	ok(not_mbox("Fro"), "not an mbox: a short stream");
	ok(not_mbox("From"), "not an mbox: \"From\" without its space");
}

/* A From_ line of n bytes, LF included if lf. */
static char *
from_line(size_t n, bool lf)
{
	char *s = xmalloc(n + 1);

	memcpy(s, "From ", 5);
	memset(s + 5, 'x', n - 5);
	if (lf)
		s[n - 1] = '\n';
	s[n] = '\0';
	return s;
}

/* A From_ line of n bytes (LF included if lf) reads, or fails. */
static bool
from_limit(size_t n, bool lf, bool fits)
{
	char *s = from_line(n, lf);
	const char *const want[] = { s, "", NULL };
	const char *const none[] = { NULL };
	struct diag d = { { 0 } };
	bool r;

	if (fits)
		r = mbox_is(s, 0, want, &d);
	else
		r = mbox_is(s, -1, none, &d) && strstr(d.msg, "longer") !=
		    NULL;
	free(s);
	return r;
}

static void
test_from_limit(void)
{
	struct buf s = { 0 };
	char *l = from_line(MBOX_FROM_LINE_MAX + 1, true);
	const char *const one[] = { "From a\n", "x\n\n", NULL };

	ok(from_limit(MBOX_FROM_LINE_MAX, true, true),
	    "a From_ line of MBOX_FROM_LINE_MAX bytes reads");
	ok(from_limit(MBOX_FROM_LINE_MAX + 1, true, false),
	    "a From_ line over MBOX_FROM_LINE_MAX bytes is an error");
	ok(from_limit(3 * MBOX_FROM_LINE_MAX, true, false),
	    "a From_ line far over MBOX_FROM_LINE_MAX bytes is an error");
	ok(from_limit(MBOX_FROM_LINE_MAX, false, true),
	    "MBOX_FROM_LINE_MAX bytes of From_ line at the end read");
	ok(from_limit(MBOX_FROM_LINE_MAX + 1, false, false),
	    "over MBOX_FROM_LINE_MAX bytes of From_ line at the end fail");
	buf_printf(&s, "From a\nx\n\n%sy\n", l);
	ok(mbox_is(s.p, -1, one, NULL),
	    "a long From_ line after a message: the message, then an error");
	buf_free(&s);
	free(l);
}

/* A line that ends no message: never empty, "From " only after text. */
static void
add_line(struct buf *b, uint32_t *st)
{
	static const char *const lines[] = { "x\nFrom a\n", "x\r\nFrom b\r\n",
	    "\n\nFromage\n", "\n \nFrom c\n", ">From d\n", "\n\nFrom\n",
	    "\r\r\nFrom e\n", "x\n>From f\n", "\n\n>From g\n" };
	uint32_t r = next_rand(st);

	if (r % 3 == 0)
		buf_adds(b, lines[(r >> 2) % NITEMS(lines)]);
	else {
		size_t len = (r >> 2) % 200;

		buf_addc(b, 'a');	/* not empty, not "\r" */
		for (size_t i = 0; i < len; i++)
			buf_addc(b, "abcFrom >\r"[next_rand(st) % 10]);
		buf_addc(b, '\n');
	}
}

/*
 * 1 MiB of message, dense with "\nFrom " that is no separator, cut by
 * the 128 KiB read-ahead and the pipe's pieces anywhere: read back byte
 * for byte, and the next message after it.
 */
static void
test_large(void)
{
	struct buf big = { 0 }, s = { 0 };
	struct got g;
	uint32_t st = 1048576;
	bool good = true, inplace = true;

	while (big.len < 1024 * 1024)
		add_line(&big, &st);
	buf_adds(&big, "\n");
	buf_adds(&s, "From big\n");
	buf_add(&s, big.p, big.len);
	buf_adds(&s, "From next\ntail\n");
	for (int how = 0; how < 6; how++) {
		if (how < 3)
			read_file(s.p, s.len, how == 0 ? 65536 : how == 1 ? 1 :
			    MEM, &g);
		else
			read_pipe(s.p, s.len, how == 3 ? 4093 : 65536,
			    how == 3 ? 100000 : how == 4 ? 7 : MEM, &g);
		if (how == 2 || how == 5)
			inplace &= g.inplace == 1;
		good &= g.rc == 0 && g.n == 2 && g.eofs &&
		    same(&g.from[0], "From big\n", 9) &&
		    same(&g.msg[0], big.p, big.len) &&
		    same(&g.from[1], "From next\n", 10) &&
		    same(&g.msg[1], "tail\n", 5);
		got_free(&g);
	}
	ok(good, "a 1 MiB message over the 128 KiB read-ahead reads back "
	    "byte for byte, from a file and from a pipe");
	ok(inplace, "mbox_message_mem: a 1 MiB message is not in place, the "
	    "next one is");
	buf_free(&big);
	buf_free(&s);
}

/*
 * A message of size bytes, ending in an empty line, then "From b" and
 * "y": each size puts the separator and the next From_ line somewhere
 * else against the read-ahead.
 */
static bool
boundary(size_t size, const char *eol)
{
	struct buf s = { 0 }, m = { 0 };
	struct got g;
	size_t el = strlen(eol);
	bool r = true;

	while (m.len + el < size - el)
		buf_addc(&m, m.len % 61 == 60 ? '\n' : 'x');
	buf_adds(&m, eol);
	buf_adds(&m, eol);
	buf_adds(&s, "From a");
	buf_adds(&s, eol);
	buf_add(&s, m.p, m.len);
	buf_adds(&s, "From b");
	buf_adds(&s, eol);
	buf_adds(&s, "y");
	buf_adds(&s, eol);
	for (int how = 0; how < 4; how++) {
		if (how < 2)
			read_file(s.p, s.len, how == 0 ? 4096 : MEM, &g);
		else
			read_pipe(s.p, s.len, 65536, how == 2 ? 65536 : MEM,
			    &g);
		r &= g.rc == 0 && g.n == 2 && same(&g.msg[0], m.p, m.len) &&
		    g.from[1].len == 6 + el && g.msg[1].len == 1 + el;
		got_free(&g);
	}
	buf_free(&s);
	buf_free(&m);
	return r;
}

static void
test_boundaries(void)
{
	bool lf = true, crlf = true;

	for (size_t size = READ_AHEAD - 24; size < READ_AHEAD + 8; size++) {
		lf &= boundary(size, "\n");
		crlf &= boundary(size, "\r\n");
	}
	for (size_t size = 2 * READ_AHEAD - 32; size < 2 * READ_AHEAD + 8;
	    size++) {
		lf &= boundary(size, "\n");
		crlf &= boundary(size, "\r\n");
	}
	ok(lf, "\\n\\nFrom  cut anywhere by the read-ahead separates");
	ok(crlf, "\\r\\n\\r\\nFrom  cut anywhere by the read-ahead separates");
}

/* The split of s[0..n) the plain way, whole, as RFC 4155 tells it. */
static void
ref_split(const char *s, size_t n, struct got *g)
{
	size_t i = 0;

	memset(g, 0, sizeof(*g));
	g->eofs = true;
	while (i < n && g->n < MAXMSG) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t fl = nl != NULL ? (size_t)(nl - s) + 1 - i : n - i, j;

		if (n - i < 5 || memcmp(s + i, "From ", 5) != 0 ||
		    fl > MBOX_FROM_LINE_MAX)
			break;
		buf_add(&g->from[g->n], s + i, fl);
		i += fl;
		/* the message ends with the LF of an empty line, "" or
		 * "\r", that a "From " line follows */
		for (j = i; j < n; j++)
			if (s[j] == '\n' && n - j > 5 &&
			    memcmp(s + j + 1, "From ", 5) == 0 &&
			    (s[j - 1] == '\n' || (s[j - 1] == '\r' &&
			    s[j - 2] == '\n')))
				break;
		j = j < n ? j + 1 : n;
		buf_add(&g->msg[g->n++], s + i, j - i);
		i = j;
	}
	g->rc = i < n ? -1 : 0;
	g->count = g->n;
}

/* A random mbox: From_ lines, separators and text that looks like them. */
static void
random_mbox(uint32_t *st, struct buf *s)
{
	static const char *const parts[] = { "From a\n", "From b x\r\n", "\n",
	    "\r\n", "x", "From ", ">From ", "\n\nFrom c\n",
	    "\r\n\r\nFrom d\r\n", " ", "\r", "Fro", "m ", "\n\r\nFrom e\n",
	    "\n\n" };
	size_t nparts = next_rand(st) % 200;

	if (next_rand(st) % 20 != 0)
		buf_adds(s, "From x\n");
	for (size_t i = 0; i < nparts; i++) {
		uint32_t r = next_rand(st);

		if (r % 60 == 0) {
			size_t len = (r >> 6) % 70000;

			buf_reserve(s, len);
			memset(s->p + s->len, r % 2 ? 'y' : '\n', len);
			s->len += len;
			s->p[s->len] = '\0';
		} else
			buf_adds(s, parts[(r >> 6) % NITEMS(parts)]);
	}
}

/*
 * Random streams, some past the read-ahead: the reader, from a file and
 * from a pipe written in random pieces, fread in random sizes, splits
 * them as the plain rule does.
 */
static void
test_reference(void)
{
	static const size_t rsizes[] = { 1, 7, 4096, 200000, MEM };
	uint32_t st = 822;
	int bad = 0;

	for (int round = 0; round < 600; round++) {
		struct buf s = { 0 };
		struct got w, g;
		size_t rsize = rsizes[next_rand(&st) % NITEMS(rsizes)];

		random_mbox(&st, &s);
		ref_split(s.p, s.len, &w);
		if (round % 2 == 0)
			read_file(s.p, s.len, rsize, &g);
		else
			read_pipe(s.p, s.len, 1 + next_rand(&st) % 5000,
			    rsize, &g);
		if (!got_same(&g, &w) && bad++ == 0) {
			printf("  round %d:\n", round);
			got_print("want", &w);
			got_print("got", &g);
		}
		got_free(&w);
		got_free(&g);
		buf_free(&s);
	}
	ok(bad == 0, "600 random streams split as the plain rule says, from "
	    "a file and a pipe, in any fread size and in place");
}

/*
 * mbox_message_mem gives a message that fits in place, and then the
 * message counts as read.
 */
static void
test_mem(void)
{
	struct buf s = { 0 }, from = { 0 };
	struct diag d = { { 0 } };
	struct mbox *mb;
	const char *p;
	size_t n;
	int fd;

	buf_adds(&s, "From a\n");
	for (size_t i = 0; i < 1000; i++)
		buf_adds(&s, "a line of a hundred bytes, give or take: "
		    "0123456789012345678901234567890123456789012345678\n");
	buf_adds(&s, "\nFrom b\ny\n");
	fd = file_fd(s.p, s.len);
	mb = mbox_new(fd);
	ok(mbox_next(mb, &from, &d) == 1 && mbox_message_mem(mb, &p, &n, &d)
	    == 1 && n == s.len - 7 - 9 && memcmp(p, s.p + 7, n) == 0,
	    "mbox_message_mem: a message of 91,000 bytes in place");
	ok(mbox_message_mem(mb, &p, &n, &d) == 1 && n == 0,
	    "mbox_message_mem: a message given is read: nothing left");
	ok(mbox_next(mb, &from, &d) == 1 && same(&from, "From b\n", 7) &&
	    mbox_message_mem(mb, &p, &n, &d) == 1 && n == 2 &&
	    memcmp(p, "y\n", 2) == 0 && mbox_next(mb, &from, &d) == 0,
	    "mbox_message_mem: the next message after one given in place");
	mbox_free(mb);
	close(fd);
	buf_free(&s);
	buf_free(&from);
}

/* mbox_next twice, the message between unread; count counts. */
static void
test_skip(void)
{
	const char *s = "From a\nx\n\nFrom b\ny\n\nFrom c\nz\n";
	struct buf from = { 0 }, m = { 0 };
	struct diag d = { { 0 } };
	int fd = file_fd(s, strlen(s));
	struct mbox *mb = mbox_new(fd);
	char chunk[64];
	size_t k;
	bool counts;

	counts = mbox_count(mb) == 0;
	counts &= mbox_next(mb, &from, &d) == 1 && mbox_count(mb) == 1;
	counts &= mbox_next(mb, &from, &d) == 1 && mbox_count(mb) == 2;
	ok(same(&from, "From b\n", 7), "mbox_next skips an unread message");
	while ((k = fread(chunk, 1, sizeof(chunk), mbox_message(mb))) > 0)
		buf_add(&m, chunk, k);
	ok(same(&m, "y\n\n", 3), "the message after a skipped one reads");
	counts &= mbox_next(mb, &from, &d) == 1 && mbox_count(mb) == 3;
	counts &= mbox_next(mb, &from, &d) == 0 && mbox_count(mb) == 3;
	ok(counts, "mbox_count counts the messages mbox_next went to");
	mbox_free(mb);
	close(fd);
	buf_free(&from);
	buf_free(&m);
}

/*
 * The message's first bytes arrive after its From_ line was read: the
 * pipe holds nothing more when mbox_next returns.
 */
static void
test_trickle(void)
{
	struct buf from = { 0 }, m = { 0 };
	struct diag d = { { 0 } };
	struct mbox *mb;
	char chunk[64];
	size_t k;
	int p[2];

	if (pipe(p) < 0) {
		perror("test-mbox: pipe");
		exit(2);
	}
	mb = mbox_new(p[0]);
	write_all(p[1], "From a\n", 7, 7);
	ok(mbox_next(mb, &from, &d) == 1 && same(&from, "From a\n", 7),
	    "a From_ line that is all the pipe holds");
	write_all(p[1], "x\n\nFrom b\ny\n", 13, 13);
	close(p[1]);
	while ((k = fread(chunk, 1, sizeof(chunk), mbox_message(mb))) > 0)
		buf_add(&m, chunk, k);
	ok(same(&m, "x\n\n", 3) && mbox_next(mb, &from, &d) == 1 &&
	    same(&from, "From b\n", 7), "a message that arrives after its "
	    "From_ line was read");
	mbox_free(mb);
	close(p[0]);
	buf_free(&from);
	buf_free(&m);
}

/* A message partly read through its FILE, then mbox_next. */
static void
test_partial(void)
{
	const char *s = "From a\nline 1\nline 2\n\nFrom b\nsecond\n";
	struct buf from = { 0 }, m = { 0 };
	struct diag d = { { 0 } };
	int fd = file_fd(s, strlen(s));
	struct mbox *mb = mbox_new(fd);
	FILE *f;
	char line[64];
	size_t k;

	mbox_next(mb, &from, &d);
	f = mbox_message(mb);
	ok(fgets(line, sizeof(line), f) != NULL && strcmp(line, "line 1\n")
	    == 0, "the first line of a message");
	ok(mbox_next(mb, &from, &d) == 1 && same(&from, "From b\n", 7) &&
	    mbox_message(mb) == f, "mbox_next after a partial read; the "
	    "same FILE serves the next message");
	while ((k = fread(line, 1, sizeof(line), f)) > 0)
		buf_add(&m, line, k);
	ok(same(&m, "second\n", 7), "mbox_next skips what is left of a "
	    "message partly read, stdio's buffer included");
	if (!same(&m, "second\n", 7))
		printf("  got \"%.*s\"\n", (int)m.len, m.p ? m.p : "");
	mbox_free(mb);
	close(fd);
	buf_free(&from);
	buf_free(&m);
}

static void
test_read_error(void)
{
	struct buf from = { 0 };
	struct diag d = { { 0 } };
	struct mbox *mb;
	int p[2];

	if (pipe(p) < 0) {
		perror("test-mbox: pipe");
		exit(2);
	}
	mb = mbox_new(p[1]);	/* a pipe's write end reads EBADF */
	ok(mbox_next(mb, &from, &d) == -1 && strstr(d.msg, "read error")
	    != NULL, "a read error is -1 with \"read error\"");
	mbox_free(mb);
	mbox_free(NULL);
	close(p[0]);
	close(p[1]);
	buf_free(&from);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);	/* a reader that stops early */
	test_unquote_cases();
	test_unquote_final();
	test_unquote_reference();
	test_separators();
	test_stream_ends();
	test_not_mbox();
	test_from_limit();
	test_large();
	test_boundaries();
	test_reference();
	test_skip();
	test_mem();
	test_partial();
	test_read_error();
	test_trickle();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail > 0;
}
