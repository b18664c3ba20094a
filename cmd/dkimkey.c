/*
 * dkimkey: make DKIM keys and their DNS records, and check a published
 * record against the private key (RFC 6376 3.6, RFC 8463, RFC 8301).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "crypto_sign.h"
#include "diag.h"
#include "dkimsign.h"
#include "dns.h"

#define NAME_CAP	600	/* bytes of a key record's DNS name */

static const char usage[] =
"usage: dkimkey gen [-fv] [-a rsa|ed25519] [-b BITS] [-d DOMAIN]\n"
"              [-s SELECTOR] [--bare] -o KEYFILE\n"
"       dkimkey record [-v] [-d DOMAIN] [-s SELECTOR] [--bare] -k KEYFILE\n"
"       dkimkey check [-v] [--zone FILE] [--offline] [--resolver ADDR]\n"
"              [--timeout SECONDS] -d DOMAIN -s SELECTOR -k KEYFILE\n"
"  gen     make a private key (mode 0600) and print its DNS record\n"
"  record  print the DNS record of an existing private key\n"
"  check   fetch the published record and compare it with the key\n"
"  -a, --algorithm rsa|ed25519  key type (default rsa)\n"
"  -b, --bits BITS          RSA key size (default 2048, 1024 to 8192)\n"
"  -d, --domain DOMAIN      signing domain (d=)\n"
"  -s, --selector SELECTOR  selector (s=; default \"default\")\n"
"  -o, --output KEYFILE     where gen writes the private key\n"
"  -f, --force              gen: replace an existing KEYFILE\n"
"  -k, --key KEYFILE        the private key\n"
"      --bare               print the TXT value only, not a zone line\n"
"  DNS: --zone FILE (repeatable), --offline, --resolver ADDR[#PORT],\n"
"       --timeout SECONDS\n"
"  -v, --verbose            trace DNS queries on stderr\n"
"  -h, --help  -V, --version\n"
"check exit: 0 matches, 1 does not match, 4 broken, revoked or refused\n"
"record, 5 DNS did not answer, 6 no record; 64 usage, 66 key file.\n";

enum {
	OPT_BARE = CLI_OPT_TOOL,
};

static const struct option longopts[] = {
	{ "algorithm", required_argument, NULL, 'a' },
	{ "bits", required_argument, NULL, 'b' },
	{ "domain", required_argument, NULL, 'd' },
	{ "selector", required_argument, NULL, 's' },
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, 'f' },
	{ "key", required_argument, NULL, 'k' },
	{ "bare", no_argument, NULL, OPT_BARE },
	CLI_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

struct args {
	struct cli		 cli;
	enum crypto_key_type	 type;
	long long		 bits;
	const char		*domain;
	const char		*selector;
	const char		*out;
	const char		*key;
	bool			 force;
	bool			 bare;
	bool			 bits_given;
};

static void
parse_options(struct args *a, int argc, char **argv)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "a:b:d:s:o:fk:" CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			if (strcmp(optarg, "rsa") == 0)
				a->type = CRYPTO_KEY_RSA;
			else if (strcmp(optarg, "ed25519") == 0)
				a->type = CRYPTO_KEY_ED25519;
			else
				cli_usage_error(&a->cli, "-a: rsa or ed25519, "
				    "not %s", optarg);
			break;
		case 'b':
			if (!cli_parse_long(optarg, CRYPTO_RSA_MIN_BITS,
			    CRYPTO_RSA_MAX_BITS, &a->bits))
				cli_usage_error(&a->cli, "-b: RSA keys have "
				    "%d to %d bits (RFC 8301 3.2), not %s",
				    CRYPTO_RSA_MIN_BITS, CRYPTO_RSA_MAX_BITS,
				    optarg);
			a->bits_given = true;
			break;
		case 'd': a->domain = optarg; break;
		case 's': a->selector = optarg; break;
		case 'o': a->out = optarg; break;
		case 'f': a->force = true; break;
		case 'k': a->key = optarg; break;
		case OPT_BARE: a->bare = true; break;
		default:
			if (!cli_option(&a->cli, ch, optarg))
				cli_usage_error(&a->cli, NULL);
		}
	}
	if (optind != argc)
		cli_usage_error(&a->cli, "unexpected argument: %s",
		    argv[optind]);
}

/* The record, as a zone line (owner absolute when -d is given). */
static void
print_record(struct args *a, const struct crypto_key *k)
{
	struct buf val = { 0 }, owner = { 0 }, out = { 0 };
	const char *sel = a->selector ? a->selector : "default";

	dkimsign_key_record(k, &val);
	if (a->bare) {
		printf("%s\n", val.p);
	} else {
		buf_printf(&owner, "%s._domainkey%s%s%s", sel,
		    a->domain ? "." : "", a->domain ? a->domain : "",
		    a->domain ? "." : "");
		dkimsign_zone_record(owner.p, val.p, &out);
		fputs(out.p, stdout);
	}
	buf_free(&val);
	buf_free(&owner);
	buf_free(&out);
}

static void
warn_rsa(struct args *a, const struct crypto_key *k)
{
	if (crypto_key_type(k) == CRYPTO_KEY_RSA &&
	    crypto_key_bits(k) < CRYPTO_RSA_WEAK_BITS)
		cli_warn(&a->cli, "warning: %u-bit RSA: RFC 8301 3.2 says at "
		    "least %d", crypto_key_bits(k), CRYPTO_RSA_WEAK_BITS);
}

/* O_EXCL: never follow a link or overwrite, unless -f removed it. */
static int
create_key_file(struct args *a)
{
	int fd;

	if (a->force && unlink(a->out) < 0 && errno != ENOENT)
		cli_fatal(&a->cli, EXIT_IOERR, "%s: cannot replace: %s",
		    a->out, strerror(errno));
	fd = open(a->out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		cli_fatal(&a->cli, errno == EEXIST ? EXIT_USAGE : EXIT_IOERR,
		    "%s: %s%s", a->out, strerror(errno), errno == EEXIST ?
		    " (use -f to replace it)" : "");
	if (fchmod(fd, 0600) < 0)
		cli_fatal(&a->cli, EXIT_IOERR, "%s: %s", a->out,
		    strerror(errno));
	return fd;
}

static int
cmd_gen(struct args *a)
{
	struct diag d = { { 0 } };
	struct crypto_key *k;
	int fd;

	if (a->out == NULL)
		cli_usage_error(&a->cli, "gen: -o KEYFILE is needed");
	if (a->key != NULL)
		cli_usage_error(&a->cli, "gen: -k is for record and check");
	if (a->bits_given && a->type != CRYPTO_KEY_RSA)
		cli_usage_error(&a->cli, "gen: -b is for RSA keys");
	fd = create_key_file(a);
	if ((k = crypto_key_generate(a->type, (unsigned)a->bits, &d)) == NULL) {
		unlink(a->out);
		cli_fatal(&a->cli, EXIT_SOFTWARE, "gen: %s", d.msg);
	}
	warn_rsa(a, k);
	if (crypto_key_write_private(k, fd, &d) < 0 || close(fd) < 0) {
		crypto_key_free(k);
		unlink(a->out);
		cli_fatal(&a->cli, EXIT_IOERR, "%s: %s", a->out,
		    d.msg[0] ? d.msg : strerror(errno));
	}
	cli_trace(&a->cli, "wrote %s (%s, %u bits, mode 0600)", a->out,
	    crypto_key_type_name(crypto_key_type(k)), crypto_key_bits(k));
	print_record(a, k);
	crypto_key_free(k);
	return 0;
}

static struct crypto_key *
load_key(struct args *a)
{
	struct diag d = { { 0 } };
	struct crypto_key *k;
	bool loose;

	if (a->key == NULL)
		cli_usage_error(&a->cli, "-k KEYFILE is needed");
	if (a->out != NULL || a->force)
		cli_usage_error(&a->cli, "-o and -f are for gen");
	if ((k = crypto_key_load(a->key, &loose, NULL, &d)) == NULL)
		cli_fatal(&a->cli, EXIT_NOINPUT, "key %s", d.msg);
	if (loose)
		cli_warn(&a->cli, "warning: key %s is readable by group or "
		    "others", a->key);
	warn_rsa(a, k);
	return k;
}

static int
cmd_record(struct args *a)
{
	struct crypto_key *k = load_key(a);

	print_record(a, k);
	crypto_key_free(k);
	return 0;
}

static const int check_exit[] = {
	[DKIMSIGN_KEY_MATCH] = 0,
	[DKIMSIGN_KEY_MISMATCH] = 1,
	[DKIMSIGN_KEY_BROKEN] = 4,
	[DKIMSIGN_KEY_TEMP] = 5,
	[DKIMSIGN_KEY_NONE] = 6,
};

static int
cmd_check(struct args *a)
{
	struct dkimsign_keycheck kc;
	struct crypto_key *k;
	struct dns *dns;
	char name[NAME_CAP];

	if (a->domain == NULL || a->selector == NULL)
		cli_usage_error(&a->cli, "check: -d and -s are needed");
	dns = cli_dns(&a->cli);
	k = load_key(a);
	dkimsign_key_check(dns, k, a->domain, a->selector, name,
	    sizeof(name), &kc);
	printf("%s: %s\n", name, kc.why);
	if (kc.state == DKIMSIGN_KEY_MATCH)
		printf("%s: %s key, %u bits\n", name, crypto_key_type_name(
		    crypto_key_type(k)), crypto_key_bits(k));
	if (kc.weak)
		printf("%s: weak: %u-bit RSA; RFC 8301 3.2 says at least %d\n",
		    name, kc.bits, CRYPTO_RSA_WEAK_BITS);
	if (kc.testing)
		printf("%s: test mode (t=y): verifiers may treat its "
		    "signatures as unsigned (RFC 6376 3.6.1)\n", name);
	if (kc.strict)
		printf("%s: t=s: i= must be in d= itself, not a subdomain\n",
		    name);
	crypto_key_free(k);
	return check_exit[kc.state];
}

int
main(int argc, char **argv)
{
	static struct args a;
	const char *cmd;
	int rc;

	cli_init(&a.cli, "dkimkey", usage);
	a.type = CRYPTO_KEY_RSA;
	a.bits = CRYPTO_RSA_DEFAULT_BITS;
	if (argc < 2 || argv[1][0] == '-') {
		parse_options(&a, argc, argv);	/* -h, -V */
		cli_usage_error(&a.cli, "give gen, record or check");
	}
	cmd = argv[1];
	parse_options(&a, argc - 1, argv + 1);
	if (strcmp(cmd, "gen") == 0)
		rc = cmd_gen(&a);
	else if (strcmp(cmd, "record") == 0)
		rc = cmd_record(&a);
	else if (strcmp(cmd, "check") == 0)
		rc = cmd_check(&a);
	else
		cli_usage_error(&a.cli, "unknown command: %s", cmd);
	dns_free(a.cli.dns);
	cli_exit(&a.cli, rc);
}
