/*
 * dkimsign: add DKIM-Signature fields to messages (RFC 6376, RFC 8463).
 * Options, input and output here; the signing itself is common/dkimsign.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "canon.h"
#include "cli.h"
#include "crypto.h"
#include "crypto_sign.h"
#include "diag.h"
#include "dkimsign.h"
#include "mbox.h"
#include "msg.h"

#define CHUNK		65536		/* bytes per read and write */
#define SPOOL_MEM_MAX	(1024 * 1024)	/* body kept in memory, then a file */
#define TIME_MAX	253402300799LL	/* 9999-12-31T23:59:59Z */

static const char usage[] =
"usage: dkimsign -d DOMAIN -s SELECTOR -k KEYFILE [-d DOMAIN -s SELECTOR\n"
"                -k KEYFILE ...] [-lv] [-c HEADER/BODY] [-H FIELDS]\n"
"                [-O FIELDS] [-I IDENTITY] [-t UNIX-SECONDS] [-x SECONDS]\n"
"                [-m] [-i | -o DIR] [FILE ...]\n"
"  -d, --domain DOMAIN      signing domain (d=) for the next -k\n"
"  -s, --selector SELECTOR  selector (s=) for the next -k\n"
"  -k, --key KEYFILE        private key (PEM, or base64 Ed25519 seed);\n"
"                           each -k adds one signature\n"
"  -c, --canon H/B          canonicalization (default relaxed/relaxed)\n"
"  -H, --headers FIELDS     fields to sign, colon-separated (From needed)\n"
"  -O, --oversign FIELDS    fields signed once more than present ('' none)\n"
"  -I, --identity AUID      add i=AUID (its domain: d= or below)\n"
"  -l, --body-length        add l=, the signed body length\n"
"  -t, --time UNIX-SECONDS  signing time t= (default: now)\n"
"  -x, --expire SECONDS     add x=, that many seconds after t=\n"
"  -m, --mbox               each input is an mbox: sign every message in it\n"
"  -i, --in-place           replace each FILE with its signed copy\n"
"  -o, --output-dir DIR     write each signed FILE to DIR/FILE\n"
"  -v, --verbose            say what was signed, on stderr\n"
"  -h, --help               this help\n"
"  -V, --version            version\n"
"With no FILE, or FILE -, the message is read on stdin and written signed\n"
"to stdout.  Exit: 0 signed, 64 usage, 65 not a message that can be\n"
"signed (with -m: a message passed on unsigned, or not an mbox), 66\n"
"cannot open or use an input or key file, 74 write error.\n";

static const struct option longopts[] = {
	{ "domain", required_argument, NULL, 'd' },
	{ "selector", required_argument, NULL, 's' },
	{ "key", required_argument, NULL, 'k' },
	{ "canon", required_argument, NULL, 'c' },
	{ "headers", required_argument, NULL, 'H' },
	{ "oversign", required_argument, NULL, 'O' },
	{ "identity", required_argument, NULL, 'I' },
	{ "body-length", no_argument, NULL, 'l' },
	{ "time", required_argument, NULL, 't' },
	{ "expire", required_argument, NULL, 'x' },
	{ "mbox", no_argument, NULL, 'm' },
	{ "in-place", no_argument, NULL, 'i' },
	{ "output-dir", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* A key as named on the command line, before it is loaded. */
struct keyarg {
	const char	*path;
	const char	*domain;
	const char	*selector;
};

struct run {
	struct cli		 cli;
	struct dkimsign_opts	 o;
	struct keyarg		 ka[DKIMSIGN_KEYS_MAX];
	struct dkimsign_key	 keys[DKIMSIGN_KEYS_MAX];
	size_t			 nkeys;
	const char		*outdir;
	bool			 inplace;
	bool			 mbox;		/* -m */
	bool			 mbox_whole;	/* every message written */
	bool			 in_known;	/* in_regular: a file just opened */
	bool			 in_regular;
	mode_t			 umask;
	unsigned		 ntemp;		/* temporary files made */
	pid_t			 pid;
	struct mbox_unquote	 unquote;
	char			*lists[2];	/* -H and -O text, split */
	const char		**names[2];
	struct dkimsign		*s;
	struct buf		 fields;	/* the new fields */
	char			*chunk;
};

/* Split a colon-separated list in place; empty names are dropped. */
static const char **
split_list(char *text, size_t *n)
{
	const char **v = NULL;
	char *p, *save = NULL;

	*n = 0;
	for (p = strtok_r(text, ": \t", &save); p != NULL;
	    p = strtok_r(NULL, ": \t", &save)) {
		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = p;
	}
	return v;
}

static void
set_list(struct run *r, int which, const char *arg)
{
	size_t n;

	free(r->lists[which]);
	free(r->names[which]);
	r->lists[which] = xstrdup(arg);
	r->names[which] = split_list(r->lists[which], &n);
	if (which == 0) {
		r->o.sign = r->names[0];
		r->o.nsign = n;
	} else {
		r->o.oversign = r->names[1];
		r->o.noversign = n;
	}
}

static void
set_canon(struct run *r, const char *arg)
{
	const char *slash = strchr(arg, '/');
	const char *b = slash ? slash + 1 : "simple";
	size_t hn = slash ? (size_t)(slash - arg) : strlen(arg);

	/* RFC 6376 3.5 c=: a missing body part means simple */
	if (!canon_parse(arg, hn, &r->o.hcanon) ||
	    !canon_parse(b, strlen(b), &r->o.bcanon))
		cli_usage_error(&r->cli, "-c: not a canonicalization: %s "
		    "(simple or relaxed, HEADER/BODY)", arg);
}

static void
add_key(struct run *r, const char *path, const char *dom, const char *sel)
{
	if (r->nkeys == DKIMSIGN_KEYS_MAX)
		cli_usage_error(&r->cli, "more than %d keys",
		    DKIMSIGN_KEYS_MAX);
	r->ka[r->nkeys].path = path;
	r->ka[r->nkeys].domain = dom;
	r->ka[r->nkeys].selector = sel;
	r->nkeys++;
}

static long long
parse_num(struct run *r, const char *opt, const char *arg, long long min)
{
	long long v;

	if (!cli_parse_long(arg, min, TIME_MAX, &v))
		cli_usage_error(&r->cli, "%s: not a number of seconds: %s",
		    opt, arg);
	return v;
}

static void
parse_options(struct run *r, int argc, char **argv)
{
	const char *dom = NULL, *sel = NULL;
	int ch;

	while ((ch = getopt_long(argc, argv, "d:s:k:c:H:O:I:lt:x:mio:vhV",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dom = optarg; break;
		case 's': sel = optarg; break;
		case 'k': add_key(r, optarg, dom, sel); break;
		case 'c': set_canon(r, optarg); break;
		case 'H': set_list(r, 0, optarg); break;
		case 'O': set_list(r, 1, optarg); break;
		case 'I': r->o.identity = optarg; break;
		case 'l': r->o.body_length = true; break;
		case 't': r->o.time = parse_num(r, "-t", optarg, 0); break;
		case 'x': r->o.expire = parse_num(r, "-x", optarg, 1); break;
		case 'm': r->mbox = true; break;
		case 'i': r->inplace = true; break;
		case 'o': r->outdir = optarg; break;
		default:
			if (!cli_option(&r->cli, ch, optarg))
				cli_usage_error(&r->cli, NULL);
		}
	}
	/* a -k before any -d or -s takes the last ones given */
	for (size_t i = 0; i < r->nkeys; i++) {
		if (r->ka[i].domain == NULL)
			r->ka[i].domain = dom;
		if (r->ka[i].selector == NULL)
			r->ka[i].selector = sel;
	}
}

static void
check_usage(struct run *r, int nfiles)
{
	struct diag d = { { 0 } };

	if (r->nkeys == 0)
		cli_usage_error(&r->cli, "no key: give -d, -s and -k");
	for (size_t i = 0; i < r->nkeys; i++) {
		r->keys[i].domain = r->ka[i].domain;
		r->keys[i].selector = r->ka[i].selector;
	}
	if (dkimsign_check(&r->o, r->keys, r->nkeys, &d) < 0)
		cli_usage_error(&r->cli, "%s", d.msg);
	if (r->inplace && r->outdir != NULL)
		cli_usage_error(&r->cli, "-i and -o exclude each other");
	if ((r->inplace || r->outdir != NULL) && nfiles == 0)
		cli_usage_error(&r->cli, "-i and -o need FILE arguments");
	if (nfiles > 1 && !r->inplace && r->outdir == NULL && !r->mbox)
		cli_usage_error(&r->cli, "several files need -i, -o DIR or -m");
}

/* Open everything first: the keys, with their warnings. */
static void
load_keys(struct run *r)
{
	struct diag d = { { 0 } };

	for (size_t i = 0; i < r->nkeys; i++) {
		struct crypto_key *k;
		bool loose;

		k = crypto_key_load(r->ka[i].path, &loose, NULL, &d);
		if (k == NULL) {
			while (i-- > 0)
				crypto_key_free(r->keys[i].key);
			cli_fatal(&r->cli, EXIT_NOINPUT, "key %s", d.msg);
		}
		if (loose)
			cli_warn(&r->cli, "warning: key %s is readable by "
			    "group or others", r->ka[i].path);
		if (crypto_key_type(k) == CRYPTO_KEY_RSA &&
		    crypto_key_bits(k) < CRYPTO_RSA_WEAK_BITS)
			cli_warn(&r->cli, "warning: key %s: RSA key of %u "
			    "bits: RFC 8301 3.2 says at least %d", r->ka[i].path,
			    crypto_key_bits(k), CRYPTO_RSA_WEAK_BITS);
		r->keys[i].key = k;
	}
}

/*
 * The body as read in the first pass, for the second: in memory up to
 * SPOOL_MEM_MAX, then in an unlinked file in $TMPDIR, or, when the input
 * is a regular file, read again from there.
 */
struct spool {
	struct buf	 mem;
	FILE		*f;
	bool		 reread;	/* seek back in the input instead */
	bool		 seekable;
	off_t		 body;		/* input offset of the body */
};

static FILE *
spool_file(struct diag *d)
{
	const char *dir = getenv("TMPDIR");
	struct buf path = { 0 };
	FILE *f = NULL;
	int fd;

	buf_printf(&path, "%s/dkimsign.XXXXXX", dir && *dir ? dir : "/tmp");
	if ((fd = mkstemp(path.p)) < 0 || unlink(path.p) < 0 ||
	    (f = fdopen(fd, "w+")) == NULL) {
		diag_set(d, "temporary file in %s: %s", dir && *dir ? dir :
		    "/tmp", strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	buf_free(&path);
	return f;
}

static int
spool_add(struct spool *sp, const char *p, size_t n, struct diag *d)
{
	if (sp->reread)
		return 0;
	if (sp->f == NULL && sp->mem.len + n <= SPOOL_MEM_MAX) {
		buf_add(&sp->mem, p, n);
		return 0;
	}
	if (sp->f == NULL) {
		if (sp->seekable) {
			sp->reread = true;
			buf_free(&sp->mem);
			return 0;
		}
		if ((sp->f = spool_file(d)) == NULL)
			return -1;
		if (fwrite(sp->mem.p, 1, sp->mem.len, sp->f) != sp->mem.len)
			goto fail;
		buf_free(&sp->mem);
	}
	if (fwrite(p, 1, n, sp->f) == n)
		return 0;
fail:
	return diag_set(d, "temporary file: %s", strerror(errno));
}

static void
spool_free(struct spool *sp)
{
	buf_free(&sp->mem);
	if (sp->f != NULL)
		fclose(sp->f);
	memset(sp, 0, sizeof(*sp));
}

/* Copy from to out to the end; -1 read error (errno), -2 write error. */
static int
copy_rest(FILE *from, FILE *out, char *chunk)
{
	size_t n;

	while ((n = fread(chunk, 1, CHUNK, from)) > 0)
		if (fwrite(chunk, 1, n, out) != n)
			return -2;
	return ferror(from) ? -1 : 0;
}

/* Write the second pass: the body as spooled. */
static int
write_body(struct run *r, struct spool *sp, FILE *in, FILE *out)
{
	FILE *from = in;

	if (!sp->reread && sp->f == NULL)
		return sp->mem.len == 0 ||
		    fwrite(sp->mem.p, 1, sp->mem.len, out) == sp->mem.len ?
		    0 : -2;
	if (sp->f != NULL) {
		fflush(sp->f);
		from = sp->f;
		if (fseeko(from, 0, SEEK_SET) < 0)
			return -1;
	} else if (fseeko(from, sp->body, SEEK_SET) < 0)
		return -1;
	return copy_rest(from, out, r->chunk);
}

/* known: in was just opened (at offset 0), regular or not; else ask. */
static void
spool_init(struct spool *sp, FILE *in, bool known, bool regular)
{
	struct stat st;
	off_t at;

	memset(sp, 0, sizeof(*sp));
	if (known) {
		sp->seekable = regular;
		return;
	}
	at = ftello(in);
	sp->seekable = fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode) &&
	    at >= 0;
	sp->body = at;
}

static void
body_sink(void *arg, const void *p, size_t n)
{
	dkimsign_body(arg, p, n);
}

/* First pass: hash the body (in an mbox, as it was before mboxrd
 * quoting), keeping it as it is for the second. */
static int
hash_body(struct run *r, struct msg *m, struct spool *sp, struct diag *d)
{
	ssize_t n;

	sp->body += (off_t)m->hdrlen;
	mbox_unquote_init(&r->unquote);
	while ((n = msg_read_body(m, r->chunk, CHUNK)) > 0) {
		if (r->mbox)
			mbox_unquote(&r->unquote, r->chunk, (size_t)n,
			    body_sink, r->s);
		else
			dkimsign_body(r->s, r->chunk, (size_t)n);
		if (spool_add(sp, r->chunk, (size_t)n, d) < 0)
			return EXIT_IOERR;
	}
	if (n < 0) {
		diag_set(d, "read error: %s", strerror(errno));
		return EXIT_NOINPUT;
	}
	if (r->mbox)
		mbox_unquote_final(&r->unquote, body_sink, r->s);
	return 0;
}

static int
write_signed(struct run *r, struct msg *m, struct spool *sp, FILE *in,
    FILE *out, struct diag *d)
{
	int rc;

	if (fwrite(r->fields.p, 1, r->fields.len, out) != r->fields.len ||
	    fwrite(m->hdr, 1, m->hdrlen, out) != m->hdrlen)
		rc = -2;
	else
		rc = write_body(r, sp, in, out);
	if (rc == -1) {
		diag_set(d, "read error: %s", strerror(errno));
		return EXIT_NOINPUT;
	}
	if (rc == -2) {
		diag_set(d, "write error: %s", strerror(errno));
		return EXIT_IOERR;
	}
	return 0;
}

/*
 * Sign the message on in, write it to out.  Returns an exit code.  In an
 * mbox, a message that cannot be signed is written as it is (*passed set)
 * and the exit code says so.
 */
static int
sign_message(struct run *r, FILE *in, FILE *out, bool *passed,
    struct diag *d)
{
	struct msg m;
	struct spool sp;
	int rc;

	spool_init(&sp, in, r->in_known && !r->mbox, r->in_regular);
	dkimsign_reset(r->s);
	buf_reset(&r->fields);
	*passed = false;
	if (msg_read_header(&m, in, d) < 0)
		rc = EXIT_DATAERR;
	else if ((rc = hash_body(r, &m, &sp, d)) != 0)
		;
	else if (dkimsign_final(r->s, &m, r->keys, r->nkeys, &r->fields,
	    d) < 0) {
		rc = EXIT_DATAERR;
		if (r->mbox) {
			struct diag wd = { { 0 } };
			int wrc;

			buf_reset(&r->fields);
			wrc = write_signed(r, &m, &sp, in, out, &wd);
			if (wrc != 0) {
				*d = wd;
				rc = wrc;
			} else
				*passed = true;
		}
	} else
		rc = write_signed(r, &m, &sp, in, out, d);
	msg_free(&m);
	spool_free(&sp);
	return rc;
}

static void
trace_signed(struct run *r, const char *name)
{
	for (size_t i = 0; i < r->nkeys; i++)
		cli_trace(&r->cli, "%s: signed d=%s s=%s a=%s", name,
		    r->keys[i].domain, r->keys[i].selector,
		    crypto_key_alg_name(r->keys[i].key));
}

/* A message held in memory, p[0..n), in an mbox: signed, or passed on
 * as it is (*passed) when it cannot be. */
static int
sign_mem(struct run *r, const char *p, size_t n, FILE *out, bool *passed,
    struct diag *d)
{
	size_t hl = msg_header_size(p, n);
	struct msg m;
	int rc = 0;

	*passed = false;
	dkimsign_reset(r->s);
	buf_reset(&r->fields);
	if (msg_parse_header(&m, p, hl, d) == 0) {
		mbox_unquote_init(&r->unquote);
		mbox_unquote(&r->unquote, p + hl, n - hl, body_sink, r->s);
		mbox_unquote_final(&r->unquote, body_sink, r->s);
		if (dkimsign_final(r->s, &m, r->keys, r->nkeys, &r->fields,
		    d) < 0)
			rc = EXIT_DATAERR;
	} else
		rc = EXIT_DATAERR;
	msg_free(&m);
	if (rc != 0) {
		buf_reset(&r->fields);
		*passed = true;
	}
	if ((r->fields.len > 0 && fwrite(r->fields.p, 1, r->fields.len,
	    out) != r->fields.len) || (n > 0 && fwrite(p, 1, n, out) != n)) {
		diag_set(d, "write error: %s", strerror(errno));
		*passed = false;
		return EXIT_IOERR;
	}
	return rc;
}

/* The current message of mb: in place when it fits mbox's read-ahead
 * buffer, else streamed like a message on its own. */
static int
sign_mbox_message(struct run *r, struct mbox *mb, FILE *out, bool *passed,
    struct diag *d)
{
	const char *p;
	size_t n;
	int c;

	*passed = false;
	if ((c = mbox_message_mem(mb, &p, &n, d)) < 0)
		return EXIT_NOINPUT;
	if (c > 0)
		return sign_mem(r, p, n, out, passed, d);
	return sign_message(r, mbox_message(mb), out, passed, d);
}

/*
 * Every message of the mbox on in, signed, to out: each From_ line as
 * it is, then the new fields and the message.  Returns an exit code: a
 * message passed on unsigned makes it 65 and the rest goes on; a read
 * or write error, or a header block that cannot be read, stops.
 */
static int
sign_mbox(struct run *r, const char *name, FILE *in, FILE *out,
    struct diag *d)
{
	struct mbox *mb = mbox_new(fileno(in));
	struct buf from = { 0 }, what = { 0 };
	size_t npassed = 0;
	int c, rc = 0;

	r->mbox_whole = false;
	while ((c = mbox_next(mb, &from, d)) > 0) {
		struct diag md = { { 0 } };
		bool passed;
		int mrc;

		if (fwrite(from.p, 1, from.len, out) != from.len) {
			diag_set(d, "write error: %s", strerror(errno));
			rc = EXIT_IOERR;
			break;
		}
		mrc = sign_mbox_message(r, mb, out, &passed, &md);
		buf_reset(&what);
		if (r->cli.verbose || mrc != 0)
			buf_printf(&what, "%s: message %zu", name,
			    mbox_count(mb));
		if (mrc == 0) {
			if (r->cli.verbose)
				trace_signed(r, what.p);
		} else if (passed) {
			cli_warn(&r->cli, "%s: passed on unsigned: %s", what.p,
			    md.msg);
			npassed++;
		} else {
			diag_set(d, "message %zu: %s", mbox_count(mb), md.msg);
			rc = mrc;
			break;
		}
		if (mrc > rc)
			rc = mrc;
	}
	if (c < 0)
		rc = mbox_read_error(mb) ? EXIT_NOINPUT : EXIT_DATAERR;
	else if (c == 0)
		r->mbox_whole = rc == 0 || rc == EXIT_DATAERR;
	if (c == 0 && rc == EXIT_DATAERR)
		diag_set(d, "%zu of %zu messages passed on unsigned", npassed,
		    mbox_count(mb));
	buf_free(&from);
	buf_free(&what);
	mbox_free(mb);
	return rc;
}

/* One input, whole: a message, or with -m an mbox. */
static int
sign_input(struct run *r, const char *name, FILE *in, FILE *out,
    struct diag *d)
{
	bool passed;
	int rc;

	if (r->mbox)
		return sign_mbox(r, name, in, out, d);
	rc = sign_message(r, in, out, &passed, d);
	if (rc == 0)
		trace_signed(r, name);
	return rc;
}

/*
 * A temporary file beside target, to be renamed over it, with the given
 * permission bits.  The name is made from the process id and a count,
 * opened O_EXCL (a name taken, or a link planted there, is never used):
 * mkstemp's random name would cost a getrandom and the 0600 it makes an
 * fchmod per file.  mkstemp is the fallback.
 */
static FILE *
open_temp(struct run *r, const char *target, mode_t mode, struct buf *tmp)
{
	static char outbuf[CHUNK];
	char *c1 = xstrdup(target), *c2 = xstrdup(target);
	mode_t want = mode & 07777;
	FILE *f = NULL;
	bool exact;	/* the file has the bits wanted */
	int fd;

	buf_reset(tmp);
	buf_printf(tmp, "%s/.%s.%ld.%u", dirname(c1), basename(c2),
	    (long)r->pid, r->ntemp++);
	free(c2);
	fd = open(tmp->p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    want & 0777);
	exact = (want & 0777 & ~r->umask) == want;
	if (fd < 0 && errno == EEXIST) {
		c2 = xstrdup(target);
		buf_reset(tmp);
		buf_printf(tmp, "%s/.%s.XXXXXX", dirname(c1), basename(c2));
		free(c2);
		fd = mkstemp(tmp->p);
		exact = want == 0600;
	}
	free(c1);
	if (fd < 0)
		return NULL;
	/* the umask may have taken bits off, or mkstemp made it 0600 */
	if ((!exact && fchmod(fd, want) < 0) ||
	    (f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp->p);
		return NULL;
	}
	/* our own buffer: stdio would fstat the file to size one */
	setvbuf(f, outbuf, _IOFBF, sizeof(outbuf));
	return f;
}

/* Sign path into target (through a temporary file and rename). */
static int
sign_to_file(struct run *r, const char *path, FILE *in, mode_t mode,
    const char *target, struct diag *d)
{
	struct buf tmp = { 0 };
	FILE *out;
	bool keep;
	int rc;

	if ((out = open_temp(r, target, mode, &tmp)) == NULL) {
		diag_set(d, "cannot write beside %s: %s", target,
		    strerror(errno));
		buf_free(&tmp);
		return EXIT_IOERR;
	}
	rc = sign_input(r, path, in, out, d);
	if (fclose(out) != 0 && rc == 0) {
		diag_set(d, "write error: %s", strerror(errno));
		rc = EXIT_IOERR;
	}
	/* an mbox with messages passed on unsigned is still whole */
	keep = rc == 0 || (r->mbox && r->mbox_whole && rc == EXIT_DATAERR);
	if (keep && rename(tmp.p, target) < 0) {
		diag_set(d, "cannot rename to %s: %s", target,
		    strerror(errno));
		rc = EXIT_IOERR;
		keep = false;
	}
	if (!keep)
		unlink(tmp.p);
	buf_free(&tmp);
	return rc;
}

static char *
target_name(struct run *r, const char *path)
{
	struct buf t = { 0 };
	char *copy;

	if (r->inplace)
		return xstrdup(path);
	copy = xstrdup(path);
	buf_printf(&t, "%s/%s", r->outdir, basename(copy));
	free(copy);
	return buf_steal(&t);
}

static int
sign_path(struct run *r, const char *path)
{
	struct diag d = { { 0 } };
	struct stat st;
	char esc[256];
	FILE *in;
	int rc;

	if (strcmp(path, "-") == 0 && !r->inplace && r->outdir == NULL)
		rc = sign_input(r, "stdin", stdin, stdout, &d);
	else if ((in = fopen(path, "rb")) == NULL) {
		diag_set(&d, "%s", strerror(errno));
		rc = EXIT_NOINPUT;
	} else {
		/* the reader asks for CHUNK-sized blocks: a stdio buffer
		 * (and the fstat that sizes it) would only add a copy */
		setvbuf(in, NULL, _IONBF, 0);
		/* one fstat: the spool's question (regular?) and the mode
		 * of the copy */
		if (fstat(fileno(in), &st) < 0)
			st.st_mode = S_IFIFO | 0600;	/* ask no more */
		r->in_known = true;
		r->in_regular = S_ISREG(st.st_mode);
		if (r->inplace || r->outdir != NULL) {
			char *target = target_name(r, path);

			rc = sign_to_file(r, path, in, st.st_mode, target,
			    &d);
			free(target);
		} else
			rc = sign_input(r, path, in, stdout, &d);
		r->in_known = false;
		fclose(in);
	}
	if (rc != 0)
		cli_warn(&r->cli, "%s: %s", diag_escape(esc, sizeof(esc), path,
		    strlen(path)), d.msg);
	return rc;
}

static void
run_free(struct run *r)
{
	for (size_t i = 0; i < r->nkeys; i++)
		crypto_key_free(r->keys[i].key);
	for (int i = 0; i < 2; i++) {
		free(r->lists[i]);
		free(r->names[i]);
	}
	dkimsign_free(r->s);
	buf_free(&r->fields);
	free(r->chunk);
}

int
main(int argc, char **argv)
{
	static struct run r;
	int rc = 0;

	cli_init(&r.cli, "dkimsign", usage);
	dkimsign_opts_init(&r.o, (long long)time(NULL));
	parse_options(&r, argc, argv);
	check_usage(&r, argc - optind);
	load_keys(&r);
	r.s = dkimsign_new(&r.o);
	r.chunk = xmalloc(CHUNK);
	r.pid = getpid();
	r.umask = umask(022);
	umask(r.umask);
	if (r.mbox) {	/* many messages to stdout: fewer, larger writes
			 * (glibc sizes a NULL buffer itself) */
		static char outbuf[CHUNK];

		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	}
	if (optind == argc)
		rc = sign_path(&r, "-");
	for (int i = optind; i < argc; i++) {
		int c = sign_path(&r, argv[i]);

		if (c > rc)
			rc = c;
		if (c == EXIT_IOERR && !r.inplace && r.outdir == NULL)
			break;
	}
	run_free(&r);
	cli_exit(&r.cli, rc);
}
