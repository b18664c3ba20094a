/*
 * dmarceval: the DMARC verdict and policy (RFC 9989) of a message, from
 * the SPF and DKIM results of our own Authentication-Results fields, or
 * computed here (SPF from --ip/--mail-from/--helo, DKIM from the message),
 * or given on the command line (--spf-pass, --dkim-pass, --from).
 */
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
#include "dmarc.h"
#include "dns.h"
#include "kv.h"
#include "msg.h"
#include "psl.h"
#include "spf.h"

#define CHUNK		65536
#define TIME_MAX	253402300799LL	/* 9999-12-31 */
#define ARC_TRUST_MAX	32		/* --arc-trust domains */

static const char usage[] =
"usage: dmarceval [options] [FILE ...]\n"
"       dmarceval -a [options] <msg >out\n"
"       dmarceval --from ADDRESS [--spf-pass DOMAIN] [--dkim-pass DOMAIN]"
" [options]\n"
"  -a, --add-header        filter: add Authentication-Results to the "
"message\n"
"      --from ADDRESS      evaluate this From field body; read no message\n"
"      --spf-pass DOMAIN   SPF passed for this MAIL FROM domain\n"
"      --dkim-pass DOMAIN  a signature with this d= verified "
"(repeatable)\n"
"  -i, --ip ADDR           SMTP client address: check SPF here\n"
"  -m, --mail-from ADDR    MAIL FROM reverse-path for the SPF check\n"
"  -H, --helo NAME         HELO/EHLO name for the SPF check\n"
"      --discovery METHOD  rfc9989 (DNS tree walk, default) or rfc7489\n"
"                          (public suffix list)\n"
"      --psl FILE          public suffix list for rfc7489 (default:\n"
"                          " PSL_DEFAULT_FILE ")\n"
"      --record TEXT       use TEXT as the record at _dmarc.<Author "
"Domain>\n"
"      --pct-sample N      rfc7489 pct: this message's sample, 0-99 "
"(default:\n"
"                          random)\n"
"      --arc-trust DOMAIN  accept the DMARC pass an ARC sealer of this\n"
"                          domain recorded: a local policy override\n"
"                          (RFC 8617 7.2.1; repeatable)\n"
"  -t, --time SECONDS      \"now\" for DKIM verification (default: now)\n"
"  -A, --authserv-id ID    authserv-id (default: host name)\n"
"  -v, --verbose           trace inputs, _dmarc queries, decisions to "
"stderr\n"
"      --resolver ADDR[#PORT]  ask this DNS server\n"
"      --timeout SECONDS   DNS time-out\n"
"      --zone FILE         answer from this zone file first (repeatable)\n"
"      --offline           no network: names in no zone are NXDOMAIN\n"
"  -h, --help              this help\n"
"  -V, --version           version\n";

enum {
	OPT_FROM = CLI_OPT_TOOL,
	OPT_SPF_PASS,
	OPT_DKIM_PASS,
	OPT_DISCOVERY,
	OPT_PSL,
	OPT_RECORD,
	OPT_PCT_SAMPLE,
	OPT_ARC_TRUST,
};

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "add-header", no_argument, NULL, 'a' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "spf-pass", required_argument, NULL, OPT_SPF_PASS },
	{ "dkim-pass", required_argument, NULL, OPT_DKIM_PASS },
	{ "ip", required_argument, NULL, 'i' },
	{ "mail-from", required_argument, NULL, 'm' },
	{ "helo", required_argument, NULL, 'H' },
	{ "discovery", required_argument, NULL, OPT_DISCOVERY },
	{ "psl", required_argument, NULL, OPT_PSL },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "pct-sample", required_argument, NULL, OPT_PCT_SAMPLE },
	{ "time", required_argument, NULL, 't' },
	{ "arc-trust", required_argument, NULL, OPT_ARC_TRUST },
	{ NULL, 0, NULL, 0 },
};

/* The SPF and DKIM results for one message, and where they came from. */
struct inputs {
	struct dmarc_auth	 spf;
	char			*spf_domain;
	struct dmarc_auth	 dkim[DMARC_DKIM_MAX];
	char			*dkim_domain[DMARC_DKIM_MAX];
	size_t			 ndkim;
	bool			 have_spf;
	bool			 have_dkim;
	bool			 have_arc;	/* our arc= result: arc_cv */
	enum arc_cv		 arc_cv;
};

struct run {
	struct cli		 cli;
	bool			 filter;
	const char		*from;
	const char		*spf_pass;
	const char		*dkim_pass[DMARC_DKIM_MAX];
	size_t			 ndkim_pass;
	const char		*ip, *mail_from, *helo;
	const char		*psl_file;
	const char		*arc_trust[ARC_TRUST_MAX];
	size_t			 ntrust;
	struct dmarc_input	 in;
	bool			 pct_given;
	struct dkim_opts	 dkim_opts;
	struct dkim_verifier	*verifier;
	bool			 named;
	bool			 any;
	int			 worst;		/* dmarc_strictness of ... */
	enum verdict		 worst_verdict;
	int			 err;
};

static void
trace_line(void *arg, const char *line)
{
	const struct cli *c = arg;

	fprintf(stderr, "%s: dmarc: %s\n", c->prog, line);
}

static void
set_discovery(struct run *r, const char *arg)
{
	if (strcmp(arg, "rfc9989") == 0 || strcmp(arg, "treewalk") == 0)
		r->in.discovery = DMARC_TREEWALK;
	else if (strcmp(arg, "rfc7489") == 0 || strcmp(arg, "psl") == 0)
		r->in.discovery = DMARC_PSL;
	else
		cli_usage_error(&r->cli, "--discovery: rfc9989 or rfc7489, "
		    "not %s", arg);
}

static void
tool_option(struct run *r, int ch, const char *arg)
{
	long long x;

	switch (ch) {
	case 'a': r->filter = true; break;
	case 'i': r->ip = arg; break;
	case 'm': r->mail_from = arg; break;
	case 'H': r->helo = arg; break;
	case OPT_FROM: r->from = arg; break;
	case OPT_SPF_PASS:
		if (r->spf_pass != NULL)
			cli_usage_error(&r->cli, "--spf-pass: one MAIL FROM "
			    "domain only");
		r->spf_pass = arg;
		break;
	case OPT_DKIM_PASS:
		if (r->ndkim_pass == DMARC_DKIM_MAX)
			cli_usage_error(&r->cli, "--dkim-pass: at most %d",
			    DMARC_DKIM_MAX);
		r->dkim_pass[r->ndkim_pass++] = arg;
		break;
	case OPT_ARC_TRUST:
		if (r->ntrust == ARC_TRUST_MAX)
			cli_usage_error(&r->cli, "--arc-trust: at most %d",
			    ARC_TRUST_MAX);
		r->arc_trust[r->ntrust++] = arg;
		break;
	case OPT_DISCOVERY: set_discovery(r, arg); break;
	case OPT_PSL: r->psl_file = arg; break;
	case OPT_RECORD: r->in.record = arg; break;
	case OPT_PCT_SAMPLE:
		if (!cli_parse_long(arg, 0, 99, &x))
			cli_usage_error(&r->cli, "--pct-sample: 0 to 99, not "
			    "%s", arg);
		r->in.pct_sample = (int)x;
		r->pct_given = true;
		break;
	case 't':
		if (!cli_parse_long(arg, 1, TIME_MAX, &x))
			cli_usage_error(&r->cli, "-t: not a UNIX time: %s",
			    arg);
		r->dkim_opts.now = x;
		break;
	default: cli_option(&r->cli, ch, arg); break;
	}
}

static void
parse_args(struct run *r, int argc, char **argv)
{
	int ch;

	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "ai:m:H:t:",
	    longopts, NULL)) != -1)
		tool_option(r, ch, optarg);
	if (r->from != NULL && (r->filter || optind < argc))
		cli_usage_error(&r->cli, "--from reads no message: no -a, no "
		    "FILE");
	if (r->filter && argc - optind > 0)
		cli_usage_error(&r->cli, "-a: the message comes on stdin");
	if (r->ip == NULL && (r->mail_from != NULL || r->helo != NULL))
		cli_usage_error(&r->cli, "--mail-from and --helo need --ip");
	if (r->ip != NULL && r->mail_from == NULL && r->helo == NULL)
		cli_usage_error(&r->cli, "--ip needs --mail-from or --helo");
	if (r->from != NULL && r->ntrust > 0)
		cli_usage_error(&r->cli, "--arc-trust reads the message's ARC "
		    "sets: not with --from");
}

static void
inputs_free(struct inputs *x)
{
	free(x->spf_domain);
	for (size_t i = 0; i < x->ndkim; i++)
		free(x->dkim_domain[i]);
	memset(x, 0, sizeof(*x));
}

static void
set_spf(struct inputs *x, enum verdict v, const char *domain)
{
	const char *at = strrchr(domain, '@');

	free(x->spf_domain);
	x->spf_domain = xstrdup(at ? at + 1 : domain);
	x->spf.verdict = v;
	x->spf.domain = x->spf_domain;
	x->have_spf = true;
}

static void
add_dkim(struct inputs *x, enum verdict v, const char *d)
{
	if (x->ndkim == DMARC_DKIM_MAX || d == NULL)
		return;
	x->dkim_domain[x->ndkim] = xstrdup(d);
	x->dkim[x->ndkim].verdict = v;
	x->dkim[x->ndkim].domain = x->dkim_domain[x->ndkim];
	x->ndkim++;
	x->have_dkim = true;
}

/* The command line's results: --spf-pass and --dkim-pass. */
static void
given_results(struct run *r, struct inputs *x)
{
	if (r->spf_pass != NULL)
		set_spf(x, VERDICT_PASS, r->spf_pass);
	for (size_t i = 0; i < r->ndkim_pass; i++)
		add_dkim(x, VERDICT_PASS, r->dkim_pass[i]);
	x->have_dkim = r->ndkim_pass > 0;
}

/* Our own results (DESIGN.md: our authserv-id, above the topmost
 * Received:), for the methods not given on the command line. */
static void
our_results(struct run *r, const struct msg *m, struct inputs *x)
{
	struct authres_set set;
	const struct authres_result *ar;
	const char *dom;
	enum verdict v;
	size_t pos = 0;
	bool want_dkim = !x->have_dkim;

	authres_ours(m, cli_authserv_id(&r->cli), &set);
	if (!x->have_spf && (ar = authres_set_find(&set, "spf", &pos))) {
		dom = authres_prop(ar, "smtp", "mailfrom");
		if (dom != NULL && verdict_parse(ar->result, &v))
			set_spf(x, v, dom);
	}
	pos = 0;
	while (want_dkim && (ar = authres_set_find(&set, "dkim", &pos))) {
		dom = authres_prop(ar, "header", "d");
		if (verdict_parse(ar->result, &v))
			add_dkim(x, v, dom);
		x->have_dkim = true;
	}
	pos = 0;
	if ((ar = authres_set_find(&set, "arc", &pos)) != NULL) {
		x->have_arc = true;
		x->arc_cv = strcmp(ar->result, "pass") == 0 ? ARC_CV_PASS :
		    strcmp(ar->result, "none") == 0 ? ARC_CV_NONE :
		    ARC_CV_FAIL;
	}
	if (set.forged > 0)
		cli_trace(&r->cli, "%zu Authentication-Results field(s) with "
		    "our authserv-id below a Received: field ignored",
		    set.forged);
	authres_set_free(&set);
}

/* SPF computed here for the MAIL FROM identity (RFC 9989 3.2.4); a
 * HELO name alone is checked as the null sender, postmaster@HELO. */
static void
compute_spf(struct run *r, struct inputs *x)
{
	struct spf_request req = { 0 };
	struct spf_result res = { 0 };
	struct diag d = { { 0 } };

	if (x->have_spf || r->ip == NULL)
		return;
	req.ip = r->ip;
	req.mail_from = r->mail_from ? r->mail_from : "";
	req.helo = r->helo;
	req.scope = SPF_SCOPE_MAILFROM;
	req.receiver = cli_authserv_id(&r->cli);
	if (spf_check(cli_dns(&r->cli), &req, &res,
	    r->cli.verbose ? trace_line : NULL, &r->cli, &d) == -1)
		cli_usage_error(&r->cli, "SPF: %s", d.msg);
	if (res.domain != NULL)
		set_spf(x, res.verdict, res.domain);
	spf_result_free(&res);
}

static void
trace_inputs(struct run *r, const struct inputs *x)
{
	if (!r->cli.verbose)
		return;
	if (x->have_spf)
		cli_trace(&r->cli, "spf=%s for MAIL FROM domain %s",
		    verdict_name(x->spf.verdict), x->spf.domain);
	else
		cli_trace(&r->cli, "no SPF result");
	for (size_t i = 0; i < x->ndkim; i++)
		cli_trace(&r->cli, "dkim=%s for d=%s",
		    verdict_name(x->dkim[i].verdict), x->dkim[i].domain);
	if (x->ndkim == 0)
		cli_trace(&r->cli, "no DKIM result");
}

/* Evaluate every Author Domain; res gets the strictest (RFC 9989 11.5,
 * RFC 7489 6.6.1). */
static void
evaluate(struct run *r, const struct dmarc_authors *au,
    const struct inputs *x, struct dmarc_result *res)
{
	struct dmarc_input in = r->in;
	struct dmarc_result one;
	struct diag d = { { 0 } };
	struct buf reason = { 0 };
	bool have = false;

	in.spf = x->spf;
	in.dkim = x->dkim;
	in.ndkim = x->ndkim;
	if (!r->pct_given)
		in.pct_sample = (int)arc4random_uniform(100);
	for (size_t i = 0; i < au->n; i++) {
		in.author = au->domain[i];
		if (dmarc_eval(cli_dns(&r->cli), &in, &one, &d) == -1)
			cli_fatal(&r->cli, EXIT_SOFTWARE, "%s", d.msg);
		cli_trace(&r->cli, "%s: dmarc=%s after %zu _dmarc queries",
		    au->domain[i], verdict_name(one.verdict), one.nqueries);
		if (!have || dmarc_strictness(&one) >
		    dmarc_strictness(res)) {
			if (have)
				dmarc_result_free(res);
			*res = one;
			have = true;
		} else {
			dmarc_result_free(&one);
		}
	}
	if (au->n > 1) {
		buf_printf(&reason, "%s; strictest of %zu Author Domains "
		    "(RFC 9989 11.5)", res->reason ? res->reason : "", au->n);
		free(res->reason);
		res->reason = buf_steal(&reason);
	}
}

/* The result line for a message: one dmarc= line. */
static char *
result_line(const struct dmarc_authors *au, const struct dmarc_result *res,
    bool brief)
{
	struct buf b = { 0 };
	struct buf all = { 0 };

	dmarc_result_kv(res, brief, &b);
	if (!brief && au != NULL && au->n > 1) {
		for (size_t i = 0; i < au->n; i++)
			buf_printf(&all, "%s%s", i ? "," : "", au->domain[i]);
		kv_add(&b, "from.domains", all.p);
		buf_free(&all);
	}
	return buf_steal(&b);
}

static void
record_verdict(struct run *r, const struct dmarc_result *res)
{
	int s = dmarc_strictness(res);

	if (!r->any || s > r->worst) {
		r->worst = s;
		r->worst_verdict = res->verdict;
	}
	r->any = true;
}

/* Author Domains, inputs and the evaluation, for authors (or a From
 * problem in au_err). */
static void
decide(struct run *r, int au_rc, const struct dmarc_authors *au,
    const char *au_err, const struct inputs *x, struct dmarc_result *res)
{
	if (au_rc == -1) {
		cli_trace(&r->cli, "From: %s", au_err);
		dmarc_result_permerror(res, NULL, au_err);
		return;
	}
	trace_inputs(r, x);
	evaluate(r, au, x, res);
}

static void
print_line(struct run *r, const char *name, const char *line)
{
	if (r->named)
		printf("%s: ", name);
	printf("%s\n", line);
}

static struct dkim_verifier *
verifier(struct run *r)
{
	struct diag d = { { 0 } };

	if (r->verifier == NULL) {
		if (crypto_init(&d) < 0)
			cli_fatal(&r->cli, EXIT_SOFTWARE, "%s", d.msg);
		if (r->dkim_opts.now == 0)
			r->dkim_opts.now = (long long)time(NULL);
		r->verifier = dkim_verifier_new(cli_dns(&r->cli),
		    &r->dkim_opts);
	}
	return r->verifier;
}

/*
 * The body read once, for what is computed here: DKIM (dm, every
 * signature verified) and the ARC chain (am); either may be NULL.
 */
static int
read_body(struct run *r, struct msg *m, struct inputs *x, FILE *spool,
    struct dkim_msg *dm, struct arc_msg *am)
{
	static char chunk[CHUNK];
	const struct dkim_result *dr;
	ssize_t k;

	while ((k = msg_read_body(m, chunk, sizeof(chunk))) > 0) {
		if (dm != NULL)
			dkim_msg_body(dm, chunk, (size_t)k);
		if (am != NULL)
			arc_msg_body(am, chunk, (size_t)k);
		if (spool != NULL && fwrite(chunk, 1, (size_t)k, spool) !=
		    (size_t)k)
			return -1;
	}
	if (k < 0)
		return -1;
	if (am != NULL)
		arc_msg_final(am);
	if (dm == NULL)
		return 0;
	dkim_msg_final(dm);
	for (size_t i = 0; i < dkim_msg_count(dm); i++) {
		dr = dkim_msg_result(dm, i);
		add_dkim(x, dr->verdict, dr->d);
	}
	x->have_dkim = true;
	(void)r;
	return 0;
}

/* Whether d is a --arc-trust domain or under one. */
static bool
trusted(const struct run *r, const char *d)
{
	size_t n = strlen(d);

	for (size_t i = 0; i < r->ntrust; i++) {
		const char *t = r->arc_trust[i];
		size_t m = strlen(t);

		if (strcasecmp(d, t) == 0 || (n > m && d[n - m - 1] == '.' &&
		    strcasecmp(d + n - m, t) == 0))
			return true;
	}
	return false;
}

/* The smtp.remote-ip of the arc= result in an AAR payload, or NULL
 * (malloc'ed). */
static char *
aar_remote_ip(const char *aar, size_t len)
{
	struct authres ar;
	struct diag d = { { 0 } };
	const struct authres_result *res;
	const char *ip;
	size_t pos = 0;
	char *out = NULL;

	if (authres_parse(aar, len, &ar, &d) == 0 &&
	    (res = authres_find(&ar, "arc", &pos)) != NULL &&
	    (ip = authres_prop(res, "smtp", "remote-ip")) != NULL)
		out = xstrdup(ip);
	authres_free(&ar);
	return out;
}

/* Whether an AAR payload records dmarc=pass for author (its header.from,
 * when it names one). */
static bool
aar_dmarc_pass(const char *aar, size_t len, const char *author)
{
	struct authres ar;
	struct diag d = { { 0 } };
	const struct authres_result *res;
	const char *from;
	size_t pos = 0;
	bool pass = false;

	if (authres_parse(aar, len, &ar, &d) < 0) {
		authres_free(&ar);
		return false;
	}
	while (!pass && (res = authres_find(&ar, "dmarc", &pos)) != NULL) {
		from = authres_prop(res, "header", "from");
		pass = strcmp(res->result, "pass") == 0 && (from == NULL ||
		    strcasecmp(from, author) == 0);
	}
	authres_free(&ar);
	return pass;
}

/*
 * RFC 8617 7.2.1, a local policy: a DMARC fail is not enforced when the
 * ARC chain passes and one of the sets sealed by trusted domains, among
 * the newest ones (every set after it sealed by a trusted domain too),
 * recorded dmarc=pass for the Author Domain on arrival.  The override is
 * described as 7.2.2 asks: the chain status, each seal's d= and s=, the
 * first set's remote-ip.
 */
static void
arc_override(struct run *r, struct arc_msg *am, const struct inputs *x,
    struct dmarc_result *res)
{
	enum arc_cv cv = x->have_arc ? x->arc_cv : arc_msg_result(am)->cv;
	unsigned n = arc_msg_result(am)->n;
	const char *d, *s, *aar;
	struct buf why = { 0 };
	size_t len;
	unsigned by = 0;
	char *ip;

	if (cv != ARC_CV_PASS) {
		cli_trace(&r->cli, "ARC: chain %s: no override",
		    arc_cv_name(cv));
		return;
	}
	for (unsigned i = n; i >= 1 && by == 0; i--) {
		if (!arc_msg_set(am, i, &d, &s, &aar, &len) ||
		    !trusted(r, d))
			break;
		if (aar_dmarc_pass(aar, len, res->author))
			by = i;
	}
	if (by == 0) {
		cli_trace(&r->cli, "ARC: no trusted sealer recorded dmarc=pass "
		    "for %s: no override", res->author);
		return;
	}
	buf_adds(&why, "arc=pass");
	for (unsigned i = n; i >= 1; i--)
		if (arc_msg_set(am, i, &d, &s, &aar, &len))
			buf_printf(&why, " as[%u].d=%s as[%u].s=%s", i, d, i,
			    s);
	if (arc_msg_set(am, 1, &d, &s, &aar, &len) &&
	    (ip = aar_remote_ip(aar, len)) != NULL) {
		buf_printf(&why, " remote-ip[1]=%s", ip);
		free(ip);
	}
	cli_trace(&r->cli, "ARC: set %u (sealed by a trusted domain) recorded "
	    "dmarc=pass: policy %s not applied", by,
	    dmarc_policy_name(res->applied));
	res->applied = DMARC_POLICY_NONE;
	free(res->override);
	res->override = buf_steal(&why);
}

static void
output(struct run *r, const char *name, struct msg *m, FILE *spool,
    const struct dmarc_authors *au, const struct dmarc_result *res)
{
	char *line = result_line(au, res, r->filter);

	record_verdict(r, res);
	if (!r->filter) {
		print_line(r, name, line);
	} else if (cli_filter_out(&r->cli, m, spool,
	    (const char *const *)&line, 1) == -1) {
		cli_warn(&r->cli, "%s: cannot copy the message: %s", name,
		    strerror(errno));
		r->err = EXIT_IOERR;
	}
	free(line);
}

static void
eval_stream(struct run *r, FILE *in, const char *name)
{
	struct msg m = { 0 };
	struct diag d = { { 0 } }, ad = { { 0 } };
	struct inputs x = { 0 };
	struct dmarc_authors au;
	struct dmarc_result res;
	struct dkim_msg *dm = NULL;
	struct arc_msg *am = NULL;
	FILE *spool = NULL;
	int au_rc;

	if (msg_read_header(&m, in, &d) == -1) {
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
	given_results(r, &x);
	our_results(r, &m, &x);
	compute_spf(r, &x);
	au_rc = dmarc_authors_msg(&m, &au, &ad);
	if (!x.have_dkim && au_rc == 0)
		dm = dkim_msg_new(verifier(r), &m);
	if (r->ntrust > 0 && au_rc == 0 && msg_count(&m, "ARC-Seal") > 0)
		am = arc_msg_new(verifier(r), &m, NULL,
		    r->cli.verbose ? stderr : NULL);
	if (dm != NULL || (am != NULL && !x.have_arc)) {
		if (r->filter && (spool = tmpfile()) == NULL)
			cli_fatal(&r->cli, EXIT_IOERR, "cannot make a spool "
			    "file: %s", strerror(errno));
		if (read_body(r, &m, &x, spool, dm, x.have_arc ? NULL : am) ==
		    -1) {
			cli_warn(&r->cli, "%s: read error: %s", name,
			    strerror(errno));
			r->err = EXIT_IOERR;
			goto out;
		}
	}
	decide(r, au_rc, &au, ad.msg, &x, &res);
	if (am != NULL && res.verdict == VERDICT_FAIL &&
	    res.applied != DMARC_POLICY_NONE)
		arc_override(r, am, &x, &res);
	output(r, name, &m, spool, &au, &res);
	dmarc_result_free(&res);
out:
	if (spool != NULL)
		fclose(spool);
	dkim_msg_free(dm);
	arc_msg_free(am);
	dmarc_authors_free(&au);
	inputs_free(&x);
	msg_free(&m);
}

static void
eval_file(struct run *r, const char *path)
{
	FILE *in = fopen(path, "rb");

	if (in == NULL) {
		cli_warn(&r->cli, "%s: %s", path, strerror(errno));
		r->err = EXIT_NOINPUT;
		return;
	}
	eval_stream(r, in, path);
	fclose(in);
}

/* --from: no message; the results come from the command line or SPF. */
static void
eval_from(struct run *r)
{
	struct diag ad = { { 0 } };
	struct inputs x = { 0 };
	struct dmarc_authors au;
	struct dmarc_result res;
	int au_rc;

	given_results(r, &x);
	compute_spf(r, &x);
	au_rc = dmarc_authors_text(r->from, strlen(r->from), &au, &ad);
	decide(r, au_rc, &au, ad.msg, &x, &res);
	output(r, "--from", NULL, NULL, &au, &res);
	dmarc_result_free(&res);
	dmarc_authors_free(&au);
	inputs_free(&x);
}

int
main(int argc, char **argv)
{
	struct run r;
	struct diag d = { { 0 } };
	struct psl *psl = NULL;
	int code;

	memset(&r, 0, sizeof(r));
	cli_init(&r.cli, "dmarceval", usage);
	parse_args(&r, argc, argv);
	if (r.in.discovery == DMARC_PSL) {
		if ((psl = psl_open(r.psl_file, &d)) == NULL)
			cli_fatal(&r.cli, EXIT_NOINPUT, "%s", d.msg);
		cli_trace(&r.cli, "public suffix list: %s", psl_source(psl));
		r.in.psl = psl;
	}
	if (r.cli.verbose) {
		r.in.trace = trace_line;
		r.in.trace_arg = &r.cli;
	}
	r.named = argc - optind > 0;
	if (r.from != NULL)
		eval_from(&r);
	else if (optind == argc)
		eval_stream(&r, stdin, "stdin");
	for (int i = optind; i < argc; i++)
		eval_file(&r, argv[i]);
	dkim_verifier_free(r.verifier);
	psl_close(psl);
	dns_free(r.cli.dns);
	if (r.filter)
		code = r.err;
	else
		code = r.err ? r.err : verdict_exit(r.any ? r.worst_verdict :
		    VERDICT_NONE);
	cli_exit(&r.cli, code);
}
