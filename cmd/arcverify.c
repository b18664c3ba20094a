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
#include "authres.h"
#include "buf.h"
#include "cli.h"
#include "crypto.h"
#include "diag.h"
#include "dkim.h"
#include "dns.h"
#include "msg.h"

#define CHUNK		65536
#define TIME_MAX	253402300799LL	/* 9999-12-31T23:59:59Z */

static const char usage[] =
"usage: arcverify [-v] [-A authserv-id] [-i ip] [-t unix-seconds]\n"
"                 [--zone file] [--offline] [--resolver addr[#port]]\n"
"                 [--timeout seconds] [file ...]\n"
"       arcverify -a [-v] [-A authserv-id] [-i ip] [-t unix-seconds]\n"
"                 [--zone file] [--offline] [--resolver addr[#port]]\n"
"                 [--timeout seconds] [file]\n"
"\n"
"Validate the ARC chain (RFC 8617) of the message on stdin or in each\n"
"file: one key=value line, arc=pass, fail or none (file name first when\n"
"files are given).\n"
"Exit status: 0 pass, 1 fail, 6 none (several files: the best).\n"
"\n"
"  -a, --add-header        filter: the message with Authentication-Results\n"
"  -A, --authserv-id ID    authserv-id for -a (default: the host name)\n"
"  -i, --ip ADDR           the SMTP client's address, for smtp.remote-ip\n"
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
	{ "time", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

struct run {
	struct cli		 cli;
	struct dkim_opts	 o;
	struct dkim_verifier	*v;
	bool			 filter;
	const char		*ip;		/* -i */
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

/* -a: Authentication-Results, then the message bytes as they came. */
static int
filter_out(struct run *r, struct msg *m, FILE *spool, const char *line)
{
	struct diag d = { { 0 } };
	char *field, chunk[CHUNK];
	size_t k;

	field = authres_build(cli_authserv_id(&r->cli), &line, 1, m->eol, &d);
	if (field == NULL) {
		cli_warn(&r->cli, "cannot build Authentication-Results: %s",
		    d.msg);
		return -1;
	}
	fputs(field, stdout);
	free(field);
	fwrite(m->hdr, 1, m->hdrlen, stdout);
	rewind(spool);
	while ((k = fread(chunk, 1, sizeof(chunk), spool)) > 0)
		fwrite(chunk, 1, k, stdout);
	return ferror(spool) ? -1 : 0;
}

static void
verify_stream(struct run *r, FILE *in, const char *name)
{
	struct msg m = { 0 };
	struct diag d = { { 0 } };
	struct arc_msg *am;
	struct buf line = { 0 };
	FILE *spool = NULL;
	enum verdict v;

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
	am = arc_msg_new(r->v, &m, false, r->cli.verbose ? stderr : NULL);
	if (arc_msg_feed(am, &m, spool) < 0) {
		cli_warn(&r->cli, "%s: read error: %s", name, strerror(errno));
		r->err = EXIT_IOERR;
		goto out;
	}
	arc_msg_final(am);
	arc_result_format(arc_msg_result(am), r->ip, &line);
	v = cv_verdict(arc_msg_result(am)->cv);
	r->best = r->any ? verdict_best(r->best, v) : v;
	r->any = true;
	if (!r->filter)
		printf("%s%s%s\n", r->named ? name : "", r->named ? ": " : "",
		    line.p);
	else if (filter_out(r, &m, spool, line.p) < 0)
		r->err = EXIT_IOERR;
out:
	if (spool != NULL)
		fclose(spool);
	buf_free(&line);
	arc_msg_free(am);
	msg_free(&m);
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
	verify_stream(r, in, path);
	fclose(in);
}

static void
parse_args(struct run *r, int argc, char **argv)
{
	unsigned char a[16];
	long long t;
	int ch;

	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "ai:t:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
			r->filter = true;
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
	r.named = argc - optind > 0;
	if (optind == argc)
		verify_stream(&r, stdin, "stdin");
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
