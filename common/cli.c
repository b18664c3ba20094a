#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authres.h"
#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "dns.h"
#include "msg.h"

void
cli_init(struct cli *c, const char *prog, const char *usage)
{
	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->usage = usage;
}

static void
vmsg(const struct cli *c, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", c->prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_warn(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, fmt, ap);
	va_end(ap);
}

void
cli_trace(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->verbose)
		return;
	va_start(ap, fmt);
	vmsg(c, fmt, ap);
	va_end(ap);
}

void
cli_fatal(const struct cli *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, fmt, ap);
	va_end(ap);
	fflush(stdout);
	exit(code);
}

void
cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vmsg(c, fmt, ap);
		va_end(ap);
	}
	fputs(c->usage, stderr);
	exit(EXIT_USAGE);
}

bool
cli_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !isfinite(v) || v <= 0 ||
	    v > 86400)
		return false;
	*out = v;
	return true;
}

bool
cli_parse_long(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool
cli_option(struct cli *c, int ch, const char *arg)
{
	switch (ch) {
	case 'A':
		if (*arg == '\0')
			cli_usage_error(c, "-A: empty authserv-id");
		c->authserv_id = arg;
		return true;
	case 'v':
		c->verbose++;
		return true;
	case CLI_OPT_RESOLVER:
		c->resolver = arg;
		return true;
	case CLI_OPT_TIMEOUT:
		if (!cli_parse_seconds(arg, &c->timeout))
			cli_usage_error(c, "--timeout: not a number of "
			    "seconds: %s", arg);
		return true;
	case CLI_OPT_ZONE:
		c->zones = xreallocarray(c->zones, c->nzones + 1,
		    sizeof(*c->zones));
		c->zones[c->nzones++] = arg;
		return true;
	case CLI_OPT_OFFLINE:
		c->offline = true;
		return true;
	case 'h':
		fputs(c->usage, stdout);
		cli_exit(c, 0);
	case 'V':
		printf("%s (mauth) %s\n", c->prog, MAUTH_VERSION);
		cli_exit(c, 0);
	case '?':
	case ':':
		cli_usage_error(c, NULL);
	}
	return false;
}

static void
trace_dns(void *arg, const char *line)
{
	const struct cli *c = arg;

	fprintf(stderr, "%s: dns: %s\n", c->prog, line);
}

struct dns *
cli_dns(struct cli *c)
{
	struct diag d = { { 0 } };

	if (c->dns)
		return c->dns;
	c->dns = dns_new();
	for (size_t i = 0; i < c->nzones; i++) {
		if (access(c->zones[i], R_OK) == -1)
			cli_fatal(c, EXIT_NOINPUT, "%s: %s", c->zones[i],
			    strerror(errno));
		if (dns_add_zone_file(c->dns, c->zones[i], &d) == -1)
			cli_fatal(c, EXIT_DATAERR, "%s", d.msg);
	}
	if (c->resolver && dns_set_resolver(c->dns, c->resolver, &d) == -1)
		cli_usage_error(c, "--resolver: %s", d.msg);
	if (c->timeout > 0)
		dns_set_timeout(c->dns, c->timeout);
	dns_set_offline(c->dns, c->offline);
	if (c->verbose)
		dns_set_trace(c->dns, trace_dns, c);
	return c->dns;
}

const char *
cli_authserv_id(struct cli *c)
{
	static char host[HOST_NAME_MAX + 1];

	if (c->authserv_id)
		return c->authserv_id;
	if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	c->authserv_id = host;
	return host;
}

void
cli_exit(const struct cli *c, int code)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write output: %s\n", c->prog,
		    strerror(errno));
		exit(EXIT_IOERR);
	}
	if (fclose(stdout) == EOF) {
		fprintf(stderr, "%s: cannot write output: %s\n", c->prog,
		    strerror(errno));
		exit(EXIT_IOERR);
	}
	exit(code);
}

int
cli_filter_out(struct cli *c, struct msg *m, FILE *spool,
    const char *const *lines, size_t n)
{
	struct diag d = { { 0 } };
	char *field, chunk[65536];
	size_t k;

	field = authres_build(cli_authserv_id(c), lines, n, m->eol, &d);
	if (field == NULL) {
		cli_warn(c, "cannot build Authentication-Results: %s", d.msg);
		return -1;
	}
	fputs(field, stdout);
	free(field);
	if (spool == NULL)
		return msg_write_rest(m, stdout);
	fwrite(m->hdr, 1, m->hdrlen, stdout);
	rewind(spool);
	while ((k = fread(chunk, 1, sizeof(chunk), spool)) > 0)
		fwrite(chunk, 1, k, stdout);
	return ferror(spool) ? -1 : 0;
}
