/*
 * spfcheck: the SPF verdict (RFC 7208) for a client IP, HELO and MAIL
 * FROM; as a report line, as headers added to a message (-a), or for a
 * batch of lines in one process with one DNS cache (-b).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "dns.h"
#include "msg.h"
#include "spf.h"

#define BATCH_LINE_MAX	8192	/* octets in one batch line */
#define BATCH_FIELDS	3	/* ip, mail-from, helo */

static const char usage[] =
"usage: spfcheck [options] --ip ADDR [--mail-from ADDR] [--helo NAME]\n"
"       spfcheck -a [options] --ip ADDR [--mail-from ADDR] [--helo NAME] "
"<msg >out\n"
"       spfcheck -b [options] [FILE ...]\n"
"  -i, --ip ADDR           SMTP client address (IPv4 or IPv6)\n"
"  -m, --mail-from ADDR    MAIL FROM reverse-path (\"\" or \"<>\": null)\n"
"  -H, --helo NAME         HELO/EHLO argument\n"
"  -a, --add-header        filter: add Authentication-Results and\n"
"                          Received-SPF to the message on stdin\n"
"  -b, --batch             read \"ip mail-from helo\" lines from FILEs "
"or stdin\n"
"      --identity WHICH    both (default), mailfrom or helo\n"
"      --record TEXT       evaluate TEXT as the record published at the\n"
"                          MAIL FROM domain (HELO name if no MAIL FROM)\n"
"      --record-domain D   ... published at D instead\n"
"      --receiver NAME     %{r} and Received-SPF receiver "
"(default: authserv-id)\n"
"      --default-exp TEXT  explanation for a fail without exp=\n"
"  -t, --time SECONDS      %{t} (default: now)\n"
"      --tempfail          with -a: exit 75 on temperror\n"
"  -A, --authserv-id ID    authserv-id (default: host name)\n"
"  -v, --verbose           trace terms, lookups, counters to stderr\n"
"      --resolver ADDR[#PORT]  ask this DNS server\n"
"      --timeout SECONDS   DNS time-out\n"
"      --zone FILE         answer from this zone file first (repeatable)\n"
"      --offline           no network: names in no zone are NXDOMAIN\n"
"  -h, --help              this help\n"
"  -V, --version           version\n";

enum {
	OPT_IDENTITY = CLI_OPT_TOOL,
	OPT_RECORD,
	OPT_RECORD_DOMAIN,
	OPT_RECEIVER,
	OPT_DEFAULT_EXP,
	OPT_TEMPFAIL,
};

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "ip", required_argument, NULL, 'i' },
	{ "mail-from", required_argument, NULL, 'm' },
	{ "helo", required_argument, NULL, 'H' },
	{ "add-header", no_argument, NULL, 'a' },
	{ "batch", no_argument, NULL, 'b' },
	{ "time", required_argument, NULL, 't' },
	{ "identity", required_argument, NULL, OPT_IDENTITY },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "record-domain", required_argument, NULL, OPT_RECORD_DOMAIN },
	{ "receiver", required_argument, NULL, OPT_RECEIVER },
	{ "default-exp", required_argument, NULL, OPT_DEFAULT_EXP },
	{ "tempfail", no_argument, NULL, OPT_TEMPFAIL },
	{ NULL, 0, NULL, 0 }
};

struct opts {
	struct cli		 cli;
	struct spf_request	 req;
	bool			 filter;
	bool			 batch;
	bool			 tempfail;
};

static void
trace_spf(void *arg, const char *line)
{
	const struct cli *c = arg;

	fprintf(stderr, "%s: spf: %s\n", c->prog, line);
}

static void
set_identity(struct opts *o, const char *arg)
{
	if (strcmp(arg, "both") == 0)
		o->req.scope = SPF_SCOPE_BOTH;
	else if (strcmp(arg, "mailfrom") == 0)
		o->req.scope = SPF_SCOPE_MAILFROM;
	else if (strcmp(arg, "helo") == 0)
		o->req.scope = SPF_SCOPE_HELO;
	else
		cli_usage_error(&o->cli, "--identity: both, mailfrom or "
		    "helo, not %s", arg);
}

static void
tool_option(struct opts *o, int ch, const char *arg)
{
	long long t;

	switch (ch) {
	case 'i': o->req.ip = arg; break;
	case 'm': o->req.mail_from = arg; break;
	case 'H': o->req.helo = arg; break;
	case 'a': o->filter = true; break;
	case 'b': o->batch = true; break;
	case 't':
		if (!cli_parse_long(arg, 0, 253402300799LL, &t))
			cli_usage_error(&o->cli, "-t: not a time: %s", arg);
		o->req.now = t;
		break;
	case OPT_IDENTITY: set_identity(o, arg); break;
	case OPT_RECORD: o->req.record = arg; break;
	case OPT_RECORD_DOMAIN: o->req.record_domain = arg; break;
	case OPT_RECEIVER: o->req.receiver = arg; break;
	case OPT_DEFAULT_EXP: o->req.default_exp = arg; break;
	case OPT_TEMPFAIL: o->tempfail = true; break;
	default: cli_option(&o->cli, ch, arg); break;
	}
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	int ch;

	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "i:m:H:abt:",
	    longopts, NULL)) != -1)
		tool_option(o, ch, optarg);
	if (o->filter && o->batch)
		cli_usage_error(&o->cli, "-a and -b do not go together");
	if (!o->batch && optind < argc)
		cli_usage_error(&o->cli, "unexpected argument: %s",
		    argv[optind]);
	if (!o->batch && o->req.ip == NULL)
		cli_usage_error(&o->cli, "--ip is required");
	if (o->req.receiver == NULL)
		o->req.receiver = cli_authserv_id(&o->cli);
}

/* Evaluate o->req; a request error is a usage error (exit 64). */
static void
evaluate(struct opts *o, struct spf_result *res)
{
	struct diag d = { { 0 } };

	if (spf_check(cli_dns(&o->cli), &o->req, res,
	    o->cli.verbose ? trace_spf : NULL, &o->cli, &d) == -1)
		cli_usage_error(&o->cli, "%s", d.msg);
}

static int
report(struct opts *o)
{
	struct spf_result res;
	struct buf b = { 0 };
	int code;

	evaluate(o, &res);
	spf_result_kv(&o->req, &res, SPF_KV_EXPLANATION, &b);
	printf("%s\n", b.p);
	code = verdict_exit(res.verdict);
	buf_free(&b);
	spf_result_free(&res);
	return code;
}

/* The Authentication-Results field for res (RFC 7208 9.2, RFC 8601). */
static char *
ar_field(struct opts *o, const struct spf_result *res, const char *eol)
{
	struct buf b = { 0 };
	struct diag d = { { 0 } };
	const char *line;
	char *f;

	spf_result_kv(&o->req, res, 0, &b);
	line = b.p;
	f = authres_build(cli_authserv_id(&o->cli), &line, 1, eol, &d);
	buf_free(&b);
	if (f == NULL)
		cli_fatal(&o->cli, EXIT_SOFTWARE, "%s", d.msg);
	return f;
}

static int
filter(struct opts *o)
{
	struct msg m;
	struct diag d = { { 0 } };
	struct spf_result res;
	char *ar, *rs;
	int code = 0;

	if (msg_read_header(&m, stdin, &d) == -1) {
		msg_free(&m);
		cli_fatal(&o->cli, EXIT_DATAERR, "cannot read the message: %s",
		    d.msg);
	}
	if (msg_empty(&m)) {
		/* an earlier stage failed: never turn nothing into a message */
		msg_free(&m);
		cli_fatal(&o->cli, EXIT_DATAERR, "empty input, not a message");
	}
	evaluate(o, &res);
	ar = ar_field(o, &res, m.eol);
	rs = spf_received_spf(&o->req, &res, m.eol);
	fputs(ar, stdout);
	fputs(rs, stdout);
	if (msg_write_rest(&m, stdout) == -1)
		cli_fatal(&o->cli, EXIT_IOERR, "cannot copy the message: %s",
		    strerror(errno));
	if (o->tempfail && res.verdict == VERDICT_TEMPERROR)
		code = EXIT_TEMPFAIL;
	free(ar);
	free(rs);
	spf_result_free(&res);
	msg_free(&m);
	return code;
}

/*
 * Split a batch line into fields: on tabs if it has one (fields may then
 * be empty or hold spaces), else on runs of blanks.  Returns the count.
 */
static size_t
split_fields(char *line, char **f)
{
	bool tabs = strchr(line, '\t') != NULL;
	size_t n = 0;
	char *p = line;

	while (n <= BATCH_FIELDS) {
		if (!tabs) {
			p += strspn(p, " ");
			if (*p == '\0')
				break;
		}
		f[n++] = p;
		p += strcspn(p, tabs ? "\t" : " ");
		if (*p == '\0')
			break;
		*p++ = '\0';
	}
	return n;
}

/* One batch line (already without its line end); false if malformed. */
static bool
batch_line(struct opts *o, char *line, size_t len, size_t lineno)
{
	struct spf_request req = o->req;
	struct spf_result res;
	struct diag d = { { 0 } };
	struct buf b = { 0 };
	char *f[BATCH_FIELDS + 1];
	size_t n;

	if (strlen(line) != len || len > BATCH_LINE_MAX) {
		cli_warn(&o->cli, "line %zu: NUL byte or over %d octets",
		    lineno, BATCH_LINE_MAX);
		return false;
	}
	n = split_fields(line, f);
	if (n < 2 || n > BATCH_FIELDS) {
		cli_warn(&o->cli, "line %zu: want \"ip mail-from [helo]\"",
		    lineno);
		return false;
	}
	req.ip = f[0];
	req.mail_from = f[1];
	req.helo = n > 2 && f[2][0] ? f[2] : NULL;
	if (spf_check(cli_dns(&o->cli), &req, &res,
	    o->cli.verbose ? trace_spf : NULL, &o->cli, &d) == -1) {
		cli_warn(&o->cli, "line %zu: %s", lineno, d.msg);
		return false;
	}
	spf_result_kv(&req, &res, SPF_KV_EXPLANATION, &b);
	printf("%zu: %s\n", lineno, b.p);
	buf_free(&b);
	spf_result_free(&res);
	return true;
}

static bool
batch_file(struct opts *o, FILE *in, const char *name)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	bool ok = true;

	while ((n = getline(&line, &cap, in)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (!batch_line(o, line, (size_t)n, lineno))
			ok = false;
	}
	if (ferror(in))
		cli_fatal(&o->cli, EXIT_IOERR, "%s: %s", name,
		    strerror(errno));
	free(line);
	return ok;
}

static int
batch(struct opts *o, int argc, char **argv)
{
	bool ok = true;

	if (optind == argc)
		return batch_file(o, stdin, "stdin") ? 0 : EXIT_DATAERR;
	for (int i = optind; i < argc; i++) {
		FILE *in = fopen(argv[i], "r");

		if (in == NULL)
			cli_fatal(&o->cli, EXIT_NOINPUT, "%s: %s", argv[i],
			    strerror(errno));
		if (!batch_file(o, in, argv[i]))
			ok = false;
		fclose(in);
	}
	return ok ? 0 : EXIT_DATAERR;
}

int
main(int argc, char **argv)
{
	struct opts o;
	int code;

	memset(&o, 0, sizeof(o));
	cli_init(&o.cli, "spfcheck", usage);
	parse_args(&o, argc, argv);
	if (o.batch)
		code = batch(&o, argc, argv);
	else if (o.filter)
		code = filter(&o);
	else
		code = report(&o);
	cli_exit(&o.cli, code);
}
