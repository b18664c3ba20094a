/*
 * cli: the only library code that prints to stderr or exits.  Shared
 * options (DESIGN.md "DNS, the same in every tool"), usage and version,
 * messages as "tool: what went wrong: why", verdict -> exit code, and the
 * final check that stdout was written (a full disk never exits 0).
 *
 * A tool lists CLI_LONGOPTS in its own option table and CLI_SHORTOPTS in
 * its short-option string, and passes every option it does not handle
 * itself to cli_option().
 */
#ifndef MAUTH_CLI_H
#define MAUTH_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "verdict.h"

#define MAUTH_VERSION	"0.1.0"

/* Exit codes besides the verdicts (DESIGN.md, sysexits.h values). */
#define EXIT_USAGE	64
#define EXIT_DATAERR	65
#define EXIT_NOINPUT	66
#define EXIT_SOFTWARE	70
#define EXIT_IOERR	74
#define EXIT_TEMPFAIL	75

enum {
	CLI_OPT_RESOLVER = 0x1000,
	CLI_OPT_TIMEOUT,
	CLI_OPT_ZONE,
	CLI_OPT_OFFLINE,
	CLI_OPT_TOOL = 0x2000,		/* tools number their own from here */
};

#define CLI_SHORTOPTS	"A:vhV"
#define CLI_LONGOPTS \
	{ "authserv-id", required_argument, NULL, 'A' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "resolver", required_argument, NULL, CLI_OPT_RESOLVER }, \
	{ "timeout", required_argument, NULL, CLI_OPT_TIMEOUT }, \
	{ "zone", required_argument, NULL, CLI_OPT_ZONE }, \
	{ "offline", no_argument, NULL, CLI_OPT_OFFLINE }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }

/* The options shared by every tool, as given on the command line. */
struct cli {
	const char	 *prog;		/* tool name for messages */
	const char	 *usage;	/* full --help text */
	const char	 *authserv_id;	/* -A; default: the host name */
	int		  verbose;	/* -v count */
	const char	 *resolver;	/* --resolver ADDR[#PORT] */
	double		  timeout;	/* --timeout seconds (0: default) */
	const char	**zones;	/* --zone FILE, in order */
	size_t		  nzones;
	bool		  offline;	/* --offline */
	struct dns	 *dns;		/* made by cli_dns() */
};

/* Set up c for tool prog with its --help text (printed verbatim). */
void	cli_init(struct cli *c, const char *prog, const char *usage);

/*
 * Handle a shared option ch with argument arg.  Returns true if it was
 * one; -h and -V print and exit 0; a bad option value (or '?') prints
 * usage to stderr and exits 64.
 */
bool	cli_option(struct cli *c, int ch, const char *arg);

/* Print the usage to stderr and exit 64, after "tool: msg" if msg. */
void	cli_usage_error(const struct cli *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));

/* The DNS stack the options describe (zones loaded, resolver set, trace
 * to stderr with -v); exits 66/65 if a zone file cannot be read/parsed. */
struct dns *cli_dns(struct cli *c);

/* The authserv-id: -A, else the host name. */
const char *cli_authserv_id(struct cli *c);

/*
 * Filter mode (-a): write to stdout an Authentication-Results field of
 * our authserv-id holding lines[0..n) (key=value results), in m's line
 * ending, then the message as it came: the header block and the body,
 * from spool (rewound) when the body was read into it, else the rest of
 * m's input.  Returns 0, or -1 (a warning said why when the field could
 * not be built; errno set on a read error).
 */
struct msg;
int	cli_filter_out(struct cli *c, struct msg *m, FILE *spool,
	    const char *const *lines, size_t n);

/* "tool: msg" on stderr. */
void	cli_warn(const struct cli *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* "tool: msg" on stderr, then exit with code. */
void	cli_fatal(const struct cli *c, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4), noreturn));
/* With -v: "tool: msg" on stderr. */
void	cli_trace(const struct cli *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Parse a number of seconds (> 0, finite); false if malformed. */
bool	cli_parse_seconds(const char *s, double *out);
/* Parse a whole number in [min, max]; false if malformed. */
bool	cli_parse_long(const char *s, long long min, long long max,
	    long long *out);

/*
 * Flush and check stdout, then exit: with EXIT_IOERR (74) and a message if
 * anything written to stdout was lost, else with code.
 */
void	cli_exit(const struct cli *c, int code) __attribute__((noreturn));

#endif
