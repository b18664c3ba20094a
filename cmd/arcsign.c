/*
 * arcsign: seal a message (RFC 8617 5.1): validate the ARC chain it
 * carries, then add the next ARC set (ARC-Seal, ARC-Message-Signature,
 * ARC-Authentication-Results) on top, every other byte unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arc.h"
#include "buf.h"
#include "cli.h"
#include "crypto.h"
#include "crypto_sign.h"
#include "diag.h"
#include "dkim.h"
#include "dns.h"
#include "msg.h"

#define CHUNK		65536
#define TIME_MAX	253402300799LL	/* 9999-12-31T23:59:59Z */
#define NAMES_MAX	64		/* names in -H */

static const char usage[] =
"usage: arcsign -d DOMAIN -s SELECTOR -k KEYFILE [-v] [-A authserv-id]\n"
"               [-H FIELDS] [-t unix-seconds] [--zone file] [--offline]\n"
"               [--resolver addr[#port]] [--timeout seconds] [FILE]\n"
"  -d, --domain DOMAIN      sealing domain (d=)\n"
"  -s, --selector SELECTOR  selector (s=)\n"
"  -k, --key KEYFILE        private key (PEM, or base64 Ed25519 seed)\n"
"  -A, --authserv-id ID     whose Authentication-Results the\n"
"                           ARC-Authentication-Results collects (default:\n"
"                           the host name)\n"
"  -H, --headers FIELDS     fields the ARC-Message-Signature signs,\n"
"                           colon-separated, From among them\n"
"  -t, --time UNIX-SECONDS  t= of the new set (default: now)\n"
"      --zone FILE          answer DNS queries from this zone file first\n"
"      --offline            no network: names no zone holds do not exist\n"
"      --resolver ADDR      ask this DNS server (ADDR[#PORT])\n"
"      --timeout SECONDS    DNS time-out\n"
"  -v, --verbose            trace the chain's validation on stderr\n"
"  -h, --help               this help\n"
"  -V, --version            version\n"
"The message (FILE, or stdin) is written to stdout with the new ARC set\n"
"on top.  The chain status sealed (cv=) is the arc= result of our\n"
"Authentication-Results (-A) when there is one, else arcsign's own\n"
"validation.  A chain whose newest seal says cv=fail gets no new set\n"
"(RFC 8617 5.1): the message is written unchanged, with a warning.\n"
"Exit: 0 written, 64 usage, 65 not a message that can be sealed, 66\n"
"cannot open the input or key file, 74 write error.\n";

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "domain", required_argument, NULL, 'd' },
	{ "selector", required_argument, NULL, 's' },
	{ "key", required_argument, NULL, 'k' },
	{ "headers", required_argument, NULL, 'H' },
	{ "time", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

struct run {
	struct cli		 cli;
	struct arc_seal_opts	 o;
	const char		*keyfile;
	char			*hlist;		/* -H, split in place */
	const char		*names[NAMES_MAX + 1];
	struct dkim_verifier	*v;
	char			 chunk[CHUNK];
};

static void
parse_args(struct run *r, int argc, char **argv)
{
	long long t;
	int ch;

	r->o.time = -1;
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "d:s:k:H:t:",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			r->o.domain = optarg;
			break;
		case 's':
			r->o.selector = optarg;
			break;
		case 'k':
			r->keyfile = optarg;
			break;
		case 'H':
			r->hlist = optarg;
			break;
		case 't':
			if (!cli_parse_long(optarg, 0, TIME_MAX, &t))
				cli_usage_error(&r->cli, "-t: not a UNIX time: "
				    "%s", optarg);
			r->o.time = t;
			break;
		default:
			cli_option(&r->cli, ch, optarg);
		}
	}
	if (r->o.domain == NULL || r->o.selector == NULL ||
	    r->keyfile == NULL)
		cli_usage_error(&r->cli, "-d, -s and -k are required");
	if (argc - optind > 1)
		cli_usage_error(&r->cli, "one message at a time");
}

/* -H: colon-separated names, FWS around them dropped. */
static void
set_names(struct run *r)
{
	size_t n = 0;
	char *p, *save = NULL;

	if (r->hlist == NULL) {
		r->o.sign = arc_default_sign;
		r->o.present_only = true;
		for (n = 0; arc_default_sign[n] != NULL; n++)
			;
		r->o.nsign = n;
		return;
	}
	for (p = strtok_r(r->hlist, ":", &save); p != NULL;
	    p = strtok_r(NULL, ":", &save)) {
		char *e;

		p += strspn(p, " \t");
		for (e = p + strlen(p); e > p && (e[-1] == ' ' ||
		    e[-1] == '\t'); e--)
			;
		*e = '\0';
		if (*p == '\0')
			continue;
		if (n == NAMES_MAX)
			cli_usage_error(&r->cli, "-H: more than %d names",
			    NAMES_MAX);
		r->names[n++] = p;
	}
	if (n == 0)
		cli_usage_error(&r->cli, "-H: no field names");
	r->o.sign = r->names;
	r->o.nsign = n;
}

static void
load_key(struct run *r)
{
	struct diag d = { { 0 } };
	bool loose;

	r->o.key = crypto_key_load(r->keyfile, &loose, NULL, &d);
	if (r->o.key == NULL)
		cli_fatal(&r->cli, EXIT_NOINPUT, "key %s", d.msg);
	if (loose)
		cli_warn(&r->cli, "warning: key %s is readable by group or "
		    "others", r->keyfile);
	if (crypto_key_type(r->o.key) == CRYPTO_KEY_RSA &&
	    crypto_key_bits(r->o.key) < CRYPTO_RSA_WEAK_BITS &&
	    crypto_key_bits(r->o.key) >= CRYPTO_RSA_MIN_BITS)
		cli_warn(&r->cli, "warning: key %s: RSA key of %u bits: RFC "
		    "8301 3.2 says at least %d", r->keyfile,
		    crypto_key_bits(r->o.key), CRYPTO_RSA_WEAK_BITS);
}

/* Copy from to stdout; -1 read error, -2 write error. */
static int
copy_rest(struct run *r, FILE *from)
{
	size_t n;

	while ((n = fread(r->chunk, 1, CHUNK, from)) > 0)
		if (fwrite(r->chunk, 1, n, stdout) != n)
			return -2;
	return ferror(from) ? -1 : 0;
}

/* Seal the message on in; an exit code. */
static int
seal(struct run *r, FILE *in, const char *name)
{
	struct msg m = { 0 };
	struct diag d = { { 0 } };
	struct buf fields = { 0 };
	struct arc_msg *am;
	enum arc_cv cv = ARC_CV_NONE;
	FILE *spool;
	int rc = 0, src;

	if (msg_read_header(&m, in, &d) < 0) {
		cli_warn(&r->cli, "%s: %s", name, d.msg);
		msg_free(&m);
		return EXIT_DATAERR;
	}
	if (msg_empty(&m)) {
		/* an earlier stage failed: never turn nothing into a message */
		cli_warn(&r->cli, "%s: empty input, not a message", name);
		msg_free(&m);
		return EXIT_DATAERR;
	}
	if ((spool = tmpfile()) == NULL)
		cli_fatal(&r->cli, EXIT_IOERR, "cannot make a spool file: %s",
		    strerror(errno));
	am = arc_msg_new(r->v, &m, r->o.authserv_id,
	    r->cli.verbose ? stderr : NULL);
	if (arc_msg_feed(am, &m, spool) < 0) {
		cli_warn(&r->cli, "%s: read error: %s", name, strerror(errno));
		rc = EXIT_NOINPUT;
		goto out;
	}
	arc_msg_final(am);
	src = arc_seal(am, &m, &r->o, &fields, &cv, &d);
	if (src < 0) {
		cli_warn(&r->cli, "%s: %s", name, d.msg);
		rc = EXIT_DATAERR;
		goto out;
	}
	if (src > 0)
		cli_warn(&r->cli, "warning: %s: %s", name, d.msg);
	else
		cli_trace(&r->cli, "%s: sealed i=%u cv=%s d=%s s=%s", name,
		    arc_msg_result(am)->n + 1, arc_cv_name(cv), r->o.domain,
		    r->o.selector);
	rewind(spool);
	if (fwrite(fields.p ? fields.p : "", 1, fields.len, stdout) !=
	    fields.len || fwrite(m.hdr, 1, m.hdrlen, stdout) != m.hdrlen)
		rc = EXIT_IOERR;
	else if ((src = copy_rest(r, spool)) == -1) {
		cli_warn(&r->cli, "%s: spool read error: %s", name,
		    strerror(errno));
		rc = EXIT_IOERR;
	} else if (src == -2)
		rc = EXIT_IOERR;
	if (rc == EXIT_IOERR && fflush(stdout) == EOF)
		cli_warn(&r->cli, "write error: %s", strerror(errno));
out:
	fclose(spool);
	buf_free(&fields);
	arc_msg_free(am);
	msg_free(&m);
	return rc;
}

int
main(int argc, char **argv)
{
	struct run *r = xcalloc(1, sizeof(*r));
	struct diag d = { { 0 } };
	struct cli cli;
	const char *name = "stdin";
	FILE *in = stdin;
	int code;

	cli_init(&r->cli, "arcsign", usage);
	parse_args(r, argc, argv);
	set_names(r);
	r->o.authserv_id = cli_authserv_id(&r->cli);
	if (crypto_init(&d) < 0)
		cli_fatal(&r->cli, EXIT_SOFTWARE, "%s", d.msg);
	load_key(r);
	if (arc_seal_check(&r->o, &d) < 0)
		cli_usage_error(&r->cli, "%s", d.msg);
	if (r->o.time < 0)
		r->o.time = (long long)time(NULL);
	if (optind < argc && strcmp(argv[optind], "-") != 0) {
		name = argv[optind];
		if ((in = fopen(name, "rb")) == NULL)
			cli_fatal(&r->cli, EXIT_NOINPUT, "%s: %s", name,
			    strerror(errno));
	}
	r->v = dkim_verifier_new(cli_dns(&r->cli), NULL);
	code = seal(r, in, name);
	if (in != stdin)
		fclose(in);
	dkim_verifier_free(r->v);
	crypto_key_free(r->o.key);
	dns_free(r->cli.dns);
	cli = r->cli;
	free(r);
	cli_exit(&cli, code);
}
