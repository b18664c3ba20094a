/*
 * arcverify: validate the Authenticated Received Chain of a message (RFC
 * 8617 5.2): one key=value line (arc=pass|fail|none), or (-a) the message
 * with an Authentication-Results field added.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arc.h"
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
"usage: arcverify [-mv] [-A authserv-id] [-i ip] [-t unix-seconds]\n"
"                 [--zone file] [--offline] [--resolver addr[#port]]\n"
"                 [--timeout seconds] [file ...]\n"
"       arcverify -a [-v] [-A authserv-id] [-i ip] [-t unix-seconds]\n"
"                 [--zone file] [--offline] [--resolver addr[#port]]\n"
"                 [--timeout seconds] [file]\n"
"\n"
"Validate the ARC chain (RFC 8617) of the message on stdin or in each\n"
"file: one key=value line, arc=pass, fail or none (file name first when\n"
"files are given; with -m, NAME:N for message N of an mbox).\n"
"Exit status: 0 pass, 1 fail, 6 none (several files: the best).\n"
"\n"
"  -a, --add-header        filter: the message with Authentication-Results\n"
"  -A, --authserv-id ID    authserv-id for -a (default: the host name)\n"
"  -i, --ip ADDR           the SMTP client's address, for smtp.remote-ip\n"
"  -m, --mbox              each input is an mbox: validate every message\n"
"  -t, --time SECONDS      check x= as at this UNIX time (default: now)\n"
"      --zone FILE         answer DNS queries from this zone file first\n"
"      --offline           no network: names no zone holds do not exist\n"
"      --resolver ADDR     ask this DNS server (ADDR[#PORT])\n"
"      --timeout SECONDS   DNS time-out\n"
"  -v, --verbose           trace each step and DNS query on stderr\n"
"  -h, --help              this help\n"
"  -V, --version           the version\n";

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "add-header", no_argument, NULL, 'a' },
	{ "ip", required_argument, NULL, 'i' },
	{ "mbox", no_argument, NULL, 'm' },
	{ "time", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

struct run {
	struct cli		 cli;
	struct dkim_opts	 o;
	struct dkim_verifier	*v;
	bool			 filter;
	const char		*ip;		/* -i */
	bool			 mbox;		/* -m */
	struct mbox_unquote	 unquote;
	bool			 named;		/* prefix lines with the name */
	bool			 any;		/* a verdict was reached */
	enum verdict		 best;
	int			 err;		/* exit code of an error, or 0 */
};

static enum verdict
cv_verdict(enum arc_cv cv)
{
	switch (cv) {
	case ARC_CV_PASS:
		return VERDICT_PASS;
	case ARC_CV_FAIL:
		return VERDICT_FAIL;
	default:
		return VERDICT_NONE;
	}
}

/* The chain of am is settled: remember the verdict, write out. */
static void
conclude(struct run *r, struct msg *m, struct arc_msg *am, FILE *spool,
    const char *name)
{
	struct buf line = { 0 };
	enum verdict v;

	arc_result_format(arc_msg_result(am), r->ip, &line);
	v = cv_verdict(arc_msg_result(am)->cv);
	r->best = r->any ? verdict_best(r->best, v) : v;
	r->any = true;
	if (!r->filter)
		printf("%s%s%s\n", r->named ? name : "", r->named ? ": " : "",
		    line.p);
	else if (cli_filter_out(&r->cli, m, spool,
	    (const char *const *)&line.p, 1) < 0)
		r->err = EXIT_IOERR;
	buf_free(&line);
}

static void
body_sink(void *arg, const void *p, size_t n)
{
	arc_msg_body(arg, p, n);
}

/* One message of an mbox, its body hashed as it was before mboxrd
 * quoting (as dkimsign -m and arcsign see it). */
static void
verify_mbox_message(struct run *r, FILE *in, const char *name)
{
	static char chunk[CHUNK];
	struct msg m = { 0 };
	struct diag d = { { 0 } };
	struct arc_msg *am;
	ssize_t k;

	if (msg_read_header(&m, in, &d) < 0) {
		cli_warn(&r->cli, "%s: %s", name, d.msg);
		r->err = EXIT_DATAERR;
		msg_free(&m);
		return;
	}
	am = arc_msg_new(r->v, &m, NULL, r->cli.verbose ? stderr : NULL);
	mbox_unquote_init(&r->unquote);
	while ((k = msg_read_body(&m, chunk, sizeof(chunk))) > 0)
		mbox_unquote(&r->unquote, chunk, (size_t)k, body_sink, am);
	if (k < 0) {
		cli_warn(&r->cli, "%s: read error: %s", name, strerror(errno));
		r->err = EXIT_IOERR;
	} else {
		mbox_unquote_final(&r->unquote, body_sink, am);
		arc_msg_final(am);
		conclude(r, &m, am, NULL, name);
	}
	arc_msg_free(am);
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
verify_stream(struct run *r, FILE *in, const char *name)
{
	struct msg m = { 0 };
	struct diag d = { { 0 } };
	struct arc_msg *am;
	FILE *spool = NULL;

	if (msg_read_header(&m, in, &d) < 0) {
		cli_warn(&r->cli, "%s: %s", name, d.msg);
		r->err = EXIT_DATAERR;
		msg_free(&m);
		return;
	}
	if (r->filter && msg_empty(&m)) {
		/* an earlier stage failed: never turn nothing into a message */
		cli_warn(&r->cli, "%s: empty input, not a message", name);
		r->err = EXIT_DATAERR;
		msg_free(&m);
		return;
	}
	if (r->filter && (spool = tmpfile()) == NULL)
		cli_fatal(&r->cli, EXIT_IOERR, "cannot make a spool file: %s",
		    strerror(errno));
	am = arc_msg_new(r->v, &m, NULL, r->cli.verbose ? stderr : NULL);
	if (arc_msg_feed(am, &m, spool) < 0) {
		cli_warn(&r->cli, "%s: read error: %s", name, strerror(errno));
		r->err = EXIT_IOERR;
		goto out;
	}
	arc_msg_final(am);
	conclude(r, &m, am, spool, name);
out:
	if (spool != NULL)
		fclose(spool);
	arc_msg_free(am);
	msg_free(&m);
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
	setvbuf(in, NULL, _IONBF, 0);
	verify_input(r, in, path);
	fclose(in);
}

static void
parse_args(struct run *r, int argc, char **argv)
{
	unsigned char a[16];
	long long t;
	int ch;

	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "ai:mt:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
			r->filter = true;
			break;
		case 'm':
			r->mbox = true;
			break;
		case 'i':
			if (inet_pton(AF_INET, optarg, a) != 1 &&
			    inet_pton(AF_INET6, optarg, a) != 1)
				cli_usage_error(&r->cli, "-i: not an IP "
				    "address: %s", optarg);
			r->ip = optarg;
			break;
		case 't':
			if (!cli_parse_long(optarg, 1, TIME_MAX, &t))
				cli_usage_error(&r->cli, "-t: not a UNIX time: "
				    "%s", optarg);
			r->o.now = t;
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

	cli_init(&r.cli, "arcverify", usage);
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
	dkim_verifier_free(r.v);
	dns_free(r.cli.dns);
	if (r.filter)
		code = r.err ? r.err : 0;
	else
		code = r.err ? r.err : verdict_exit(r.any ? r.best :
		    VERDICT_NONE);
	cli_exit(&r.cli, code);
}
