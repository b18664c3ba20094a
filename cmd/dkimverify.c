/*
 * dkimverify: verify every DKIM-Signature of a message (RFC 6376, RFC
 * 8463, RFC 8301); one key=value line per signature, or (-a) the message
 * with an Authentication-Results field added.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "crypto.h"
#include "diag.h"
#include "dkim.h"
#include "dns.h"
#include "mbox.h"
#include "msg.h"

#define CHUNK		65536
#define TIME_MAX	253402300799LL	/* 9999-12-31T23:59:59Z */

static const char usage[] =
"usage: dkimverify [-mv] [-A authserv-id] [-t unix-seconds] [--explain]\n"
"                  [--canon-dump file] [--strict-length] [--zone file]\n"
"                  [--offline] [--resolver addr[#port]] [--timeout seconds]\n"
"                  [file ...]\n"
"       dkimverify -a [-v] [-A authserv-id] [-t unix-seconds]\n"
"                  [--strict-length] [--zone file] [--offline]\n"
"                  [--resolver addr[#port]] [--timeout seconds] [file]\n"
"\n"
"Verify every DKIM-Signature of the message on stdin or in each file: one\n"
"key=value line per signature (file name first when files are given;\n"
"with -m, NAME:N for message N of an mbox).\n"
"Exit status: the best verdict (0 pass, 1 fail, 3 policy, 4 permerror,\n"
"5 temperror, 6 none).\n"
"\n"
"  -a, --add-header        filter: the message with Authentication-Results\n"
"  -A, --authserv-id ID    authserv-id for -a (default: the host name)\n"
"  -m, --mbox              each input is an mbox: verify every message\n"
"  -t, --time SECONDS      verify as at this UNIX time (default: now)\n"
"      --strict-length     content after the l= length is a failure\n"
"      --explain           on a body hash failure, say which variant of the\n"
"                          body would match\n"
"      --canon-dump FILE   write the canonicalized header and body data\n"
"      --zone FILE         answer DNS queries from this zone file first\n"
"      --offline           no network: names no zone holds do not exist\n"
"      --resolver ADDR     ask this DNS server (ADDR[#PORT])\n"
"      --timeout SECONDS   DNS time-out\n"
"  -v, --verbose           trace DNS queries on stderr\n"
"  -h, --help              this help\n"
"  -V, --version           the version\n";

enum {
	OPT_EXPLAIN = CLI_OPT_TOOL,
	OPT_CANON_DUMP,
	OPT_STRICT_LENGTH,
};

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "add-header", no_argument, NULL, 'a' },
	{ "mbox", no_argument, NULL, 'm' },
	{ "time", required_argument, NULL, 't' },
	{ "explain", no_argument, NULL, OPT_EXPLAIN },
	{ "canon-dump", required_argument, NULL, OPT_CANON_DUMP },
	{ "strict-length", no_argument, NULL, OPT_STRICT_LENGTH },
	{ NULL, 0, NULL, 0 },
};

struct run {
	struct cli		 cli;
	struct dkim_opts	 o;
	struct dkim_verifier	*v;
	bool			 filter;
	bool			 mbox;		/* -m */
	struct mbox_unquote	 unquote;
	bool			 named;		/* prefix lines with the name */
	bool			 any;		/* a verdict was reached */
	enum verdict		 best;
	int			 err;		/* exit code of an error, or 0 */
};

/* The key=value lines of dm, one string each (caller frees). */
static char **
result_lines(const struct dkim_msg *dm, size_t *n)
{
	size_t count = dkim_msg_count(dm);
	char **lines = xcalloc(count + 1, sizeof(*lines));

	for (size_t i = 0; i < count; i++) {
		struct buf b = { 0 };

		dkim_result_format(dkim_msg_result(dm, i), &b);
		lines[i] = buf_steal(&b);
	}
	if (count == 0)
		lines[count++] = xstrdup("dkim=none");
	*n = count;
	return lines;
}

static void
free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void
report(struct run *r, const char *name, char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r->named)
			printf("%s: ", name);
		printf("%s\n", lines[i]);
	}
}

/* The verdicts of dm are in: trace, remember the best, write out. */
static void
conclude(struct run *r, struct msg *m, struct dkim_msg *dm, FILE *spool,
    const char *name)
{
	size_t n;
	char **lines = result_lines(dm, &n);

	for (size_t i = 0; i < dkim_msg_count(dm); i++) {
		const struct dkim_result *res = dkim_msg_result(dm, i);

		cli_trace(&r->cli, "%s: signature %zu: %s%s%s", name, i + 1,
		    verdict_name(res->verdict), res->reason[0] ? ": " : "",
		    res->reason);
	}
	r->best = r->any ? verdict_best(r->best, dkim_msg_verdict(dm)) :
	    dkim_msg_verdict(dm);
	r->any = true;
	if (!r->filter)
		report(r, name, lines, n);
	else if (cli_filter_out(&r->cli, m, spool,
	    (const char *const *)lines, n) < 0)
		r->err = EXIT_IOERR;
	free_lines(lines, n);
}

/* Read the header; false (r->err set) if there is no message to check. */
static bool
read_header(struct run *r, struct msg *m, FILE *in, const char *name)
{
	struct diag d = { { 0 } };

	if (msg_read_header(m, in, &d) < 0) {
		cli_warn(&r->cli, "%s: %s", name, d.msg);
		r->err = EXIT_DATAERR;
		return false;
	}
	if (r->filter && msg_empty(m)) {
		/* an earlier stage failed: never turn nothing into a message */
		cli_warn(&r->cli, "%s: empty input, not a message", name);
		r->err = EXIT_DATAERR;
		return false;
	}
	return true;
}

static void
verify_stream(struct run *r, FILE *in, const char *name)
{
	struct msg m = { 0 };
	struct dkim_msg *dm;
	FILE *spool = NULL;

	if (!read_header(r, &m, in, name)) {
		msg_free(&m);
		return;
	}
	if (r->filter && (spool = tmpfile()) == NULL)
		cli_fatal(&r->cli, EXIT_IOERR, "cannot make a spool file: %s",
		    strerror(errno));
	dm = dkim_msg_new(r->v, &m);
	if (dkim_msg_feed(dm, &m, spool) < 0) {
		cli_warn(&r->cli, "%s: read error: %s", name, strerror(errno));
		r->err = EXIT_IOERR;
	} else {
		dkim_msg_final(dm);
		conclude(r, &m, dm, spool, name);
	}
	if (spool != NULL)
		fclose(spool);
	dkim_msg_free(dm);
	msg_free(&m);
}

static void
body_sink(void *arg, const void *p, size_t n)
{
	dkim_msg_body(arg, p, n);
}

/* One message of an mbox, its body hashed as it was before mboxrd
 * quoting. */
static void
verify_mbox_message(struct run *r, FILE *in, const char *name)
{
	static char chunk[CHUNK];
	struct msg m = { 0 };
	struct dkim_msg *dm;
	ssize_t k;

	if (!read_header(r, &m, in, name)) {
		msg_free(&m);
		return;
	}
	dm = dkim_msg_new(r->v, &m);
	mbox_unquote_init(&r->unquote);
	while ((k = msg_read_body(&m, chunk, sizeof(chunk))) > 0)
		mbox_unquote(&r->unquote, chunk, (size_t)k, body_sink, dm);
	if (k < 0) {
		cli_warn(&r->cli, "%s: read error: %s", name, strerror(errno));
		r->err = EXIT_IOERR;
	} else {
		mbox_unquote_final(&r->unquote, body_sink, dm);
		dkim_msg_final(dm);
		conclude(r, &m, dm, NULL, name);
	}
	dkim_msg_free(dm);
	msg_free(&m);
}

/* -m: every message of the mbox on in, named NAME:N. */
static void
verify_mbox(struct run *r, FILE *in, const char *name)
{
	struct mbox *mb = mbox_new(fileno(in));
	struct buf from = { 0 }, label = { 0 };
	struct diag d = { { 0 } };
	int c;

	while ((c = mbox_next(mb, &from, &d)) > 0) {
		buf_reset(&label);
		buf_printf(&label, "%s:%zu", name, mbox_count(mb));
		verify_mbox_message(r, mbox_message(mb), label.p);
	}
	if (c < 0) {
		cli_warn(&r->cli, "%s: %s", name, d.msg);
		r->err = mbox_read_error(mb) ? EXIT_IOERR : EXIT_DATAERR;
	}
	buf_free(&from);
	buf_free(&label);
	mbox_free(mb);
}

static void
verify_input(struct run *r, FILE *in, const char *name)
{
	if (r->mbox)
		verify_mbox(r, in, name);
	else
		verify_stream(r, in, name);
}

static void
verify_file(struct run *r, const char *path)
{
	FILE *in = fopen(path, "rb");

	if (in == NULL) {
		cli_warn(&r->cli, "%s: %s", path, strerror(errno));
		r->err = EXIT_NOINPUT;
		return;
	}
	/* the reader asks for large blocks: stdio's own buffer (and the
	 * fstat that sizes it) would only add a copy and a system call */
	setvbuf(in, NULL, _IONBF, 0);
	verify_input(r, in, path);
	fclose(in);
}

static void
parse_args(struct run *r, int argc, char **argv)
{
	long long t;
	int ch;

	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "amt:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
			r->filter = true;
			break;
		case 'm':
			r->mbox = true;
			break;
		case 't':
			if (!cli_parse_long(optarg, 1, TIME_MAX, &t))
				cli_usage_error(&r->cli, "-t: not a UNIX time: "
				    "%s", optarg);
			r->o.now = t;
			break;
		case OPT_EXPLAIN:
			r->o.explain = true;
			break;
		case OPT_STRICT_LENGTH:
			r->o.strict_l = true;
			break;
		case OPT_CANON_DUMP:
			if ((r->o.dump = fopen(optarg, "wb")) == NULL)
				cli_fatal(&r->cli, EXIT_NOINPUT, "%s: %s",
				    optarg, strerror(errno));
			break;
		default:
			cli_option(&r->cli, ch, optarg);
		}
	}
	if (r->filter && argc - optind > 1)
		cli_usage_error(&r->cli, "-a: one message at a time");
	if (r->filter && r->mbox)
		cli_usage_error(&r->cli, "-a and -m exclude each other");
}

int
main(int argc, char **argv)
{
	struct run r = { 0 };
	struct diag d = { { 0 } };
	int code;

	cli_init(&r.cli, "dkimverify", usage);
	parse_args(&r, argc, argv);
	if (crypto_init(&d) < 0)
		cli_fatal(&r.cli, EXIT_SOFTWARE, "%s", d.msg);
	if (r.o.now == 0)
		r.o.now = (long long)time(NULL);
	r.v = dkim_verifier_new(cli_dns(&r.cli), &r.o);
	r.named = argc - optind > 0 || r.mbox;
	if (optind == argc)
		verify_input(&r, stdin, "stdin");
	for (int i = optind; i < argc; i++)
		verify_file(&r, argv[i]);
	if (r.o.dump != NULL && fclose(r.o.dump) == EOF)
		cli_fatal(&r.cli, EXIT_IOERR, "--canon-dump: %s",
		    strerror(errno));
	dkim_verifier_free(r.v);
	dns_free(r.cli.dns);
	if (r.filter)
		code = r.err ? r.err : 0;
	else
		code = r.err ? r.err : verdict_exit(r.any ? r.best :
		    VERDICT_NONE);
	cli_exit(&r.cli, code);
}
