/*
 * authres: Authentication-Results (RFC 8601) <-> key=value result lines.
 * Parse (default), --format, and the --merge / --remove-forged filter.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "kv.h"
#include "msg.h"

#define CHUNK	65536

static const char usage[] =
"usage: authres [-v] [-A authserv-id] [--strict] [file ...]\n"
"       authres --format [-A authserv-id] [--crlf]\n"
"       authres --merge [-v] [-A authserv-id] [--remove-forged]\n"
"       authres --remove-forged [-v] [-A authserv-id]\n"
"\n"
"Parse (default): every Authentication-Results field of the message (or\n"
"bare header fields) on stdin or in each file, one key=value line per\n"
"result; with -A, only the fields of that authserv-id above the topmost\n"
"Received: field (RFC 8601 5).\n"
"\n"
"  -A, --authserv-id ID  our authserv-id (default: the host name)\n"
"      --strict          a field outside the RFC 8601 grammar is an error\n"
"      --format          key=value lines on stdin -> one header field\n"
"      --crlf            end the formatted field's lines with CRLF\n"
"      --merge           filter: our fields combined into one at the top\n"
"      --remove-forged   filter: drop fields claiming our authserv-id\n"
"                        below a Received: field\n"
"  -v, --verbose         say what was merged or ignored\n"
"  -h, --help            this help\n"
"  -V, --version         the version\n";

enum {
	OPT_STRICT = CLI_OPT_TOOL,
	OPT_FORMAT,
	OPT_CRLF,
	OPT_MERGE,
	OPT_REMOVE_FORGED,
};

struct opts {
	bool	 strict;
	bool	 format;
	bool	 crlf;
	bool	 merge;
	bool	 remove_forged;
	bool	 explicit_id;	/* -A given: parse keeps only ours */
};

/* What a field of a message is to us (DESIGN.md, RFC 8601 5). */
enum kind {
	K_OTHER,	/* not A-R, or another authserv-id */
	K_OURS,		/* our id, above the topmost Received: */
	K_FORGED,	/* our id, below a Received: */
	K_BAD,		/* our id, above, but outside the grammar */
};

static enum kind
classify(const struct msg *m, size_t i, const char *id, struct authres *ar)
{
	memset(ar, 0, sizeof(*ar));
	if (!msg_field_is(&m->f[i], AUTHRES_FIELD))
		return K_OTHER;
	if (authres_parse(m->f[i].value, m->f[i].valuelen, ar, NULL) < 0 ||
	    strcasecmp(ar->authserv_id, id) != 0)
		return K_OTHER;
	if (!authres_above_received(m, i))
		return K_FORGED;
	return ar->nonconformant ? K_BAD : K_OURS;
}

/* Print the lines of one parsed field, prefixed with "name: " if name. */
static void
print_field(const struct authres *ar, const char *name)
{
	struct buf b = { 0 };
	size_t n = ar->nresults ? ar->nresults : 1;

	for (size_t i = 0; i < n; i++) {
		buf_reset(&b);
		if (ar->nresults)
			authres_kv(&b, &ar->results[i]);
		else
			kv_add(&b, "authres", "none");	/* RFC 8601 2.2 */
		kv_add(&b, "authserv-id", ar->authserv_id);
		if (ar->version)
			kv_add(&b, "version", ar->version);
		if (ar->nonconformant)
			kv_add(&b, "nonconformant", ar->what);
		if (name)
			printf("%s: ", name);
		fwrite(b.p, 1, b.len, stdout);
		putchar('\n');
	}
	buf_free(&b);
}

/* Parse mode for one input.  Returns 0, or EXIT_DATAERR if the input
 * could not be read or (with --strict) a field was rejected; *printed
 * counts the fields shown. */
static int
parse_input(struct cli *c, const struct opts *o, FILE *in, const char *label,
    const char *prefix, size_t *printed)
{
	struct msg m;
	struct diag d = { { 0 } };
	int rc = 0;

	if (msg_read_header(&m, in, &d) < 0) {
		cli_warn(c, "%s: %s", label, d.msg);
		msg_free(&m);
		return EXIT_DATAERR;
	}
	for (size_t i = 0; i < m.nf; i++) {
		struct authres ar;
		enum kind k = classify(&m, i, cli_authserv_id(c), &ar);

		if (!msg_field_is(&m.f[i], AUTHRES_FIELD) ||
		    (o->explicit_id && k != K_OURS && k != K_BAD)) {
			if (k == K_FORGED)
				cli_warn(c, "%s: field %zu: authserv-id %s "
				    "below a Received: field ignored "
				    "(RFC 8601 5)", label, i + 1,
				    ar.authserv_id);
			authres_free(&ar);
			continue;
		}
		if (o->strict && ar.nonconformant) {
			cli_warn(c, "%s: field %zu: RFC 8601 2.2: syntax "
			    "error: %s", label, i + 1, ar.what);
			rc = EXIT_DATAERR;
		} else {
			print_field(&ar, prefix);
			(*printed)++;
		}
		authres_free(&ar);
	}
	msg_free(&m);
	return rc;
}

static int
mode_parse(struct cli *c, const struct opts *o, int argc, char **argv)
{
	size_t printed = 0;
	int rc = 0;

	if (argc == 0)
		rc = parse_input(c, o, stdin, "stdin", NULL, &printed);
	for (int i = 0; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		int r;

		if (f == NULL)
			cli_fatal(c, EXIT_NOINPUT, "%s: %s", argv[i],
			    strerror(errno));
		r = parse_input(c, o, f, argv[i], argc > 1 ? argv[i] : NULL,
		    &printed);
		fclose(f);
		if (r)
			rc = r;
	}
	if (rc == 0 && printed == 0)
		rc = verdict_exit(VERDICT_NONE);
	return rc;
}

static int
mode_format(struct cli *c, const struct opts *o)
{
	char **lines = NULL, *line = NULL, *field;
	size_t n = 0, cap = 0;
	ssize_t len;
	struct diag d = { { 0 } };

	while ((len = getline(&line, &cap, stdin)) != -1) {
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (strspn(line, " \t") == (size_t)len)
			continue;
		lines = xreallocarray(lines, n + 1, sizeof(*lines));
		lines[n++] = xstrdup(line);
	}
	free(line);
	if (ferror(stdin))
		cli_fatal(c, EXIT_IOERR, "stdin: %s", strerror(errno));
	field = authres_build(cli_authserv_id(c), (const char *const *)lines,
	    n, o->crlf ? "\r\n" : "\n", &d);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	if (field == NULL)
		cli_fatal(c, EXIT_DATAERR, "stdin: %s", d.msg);
	fputs(field, stdout);
	free(field);
	return 0;
}

/* The merged field of our results, oldest (lowest) field first. */
static char *
merged_field(struct cli *c, const struct msg *m, const enum kind *kinds,
    const struct authres *ars)
{
	struct buf b = { 0 };
	char **lines = NULL, *field;
	size_t n = 0;
	struct diag d = { { 0 } };

	for (size_t i = m->nf; i-- > 0;) {
		if (kinds[i] != K_OURS)
			continue;
		for (size_t r = 0; r < ars[i].nresults; r++) {
			buf_reset(&b);
			authres_kv(&b, &ars[i].results[r]);
			lines = xreallocarray(lines, n + 1, sizeof(*lines));
			lines[n++] = xstrdup(b.p);
		}
	}
	buf_free(&b);
	field = authres_build(cli_authserv_id(c), (const char *const *)lines,
	    n, m->eol, &d);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	if (field == NULL)
		cli_fatal(c, EXIT_SOFTWARE, "merge: %s", d.msg);
	return field;
}

static void
copy_body(struct cli *c, struct msg *m)
{
	char *chunk = xmalloc(CHUNK);
	ssize_t n;

	while ((n = msg_read_body(m, chunk, CHUNK)) > 0)
		fwrite(chunk, 1, (size_t)n, stdout);
	free(chunk);
	if (n < 0)
		cli_fatal(c, EXIT_IOERR, "stdin: %s", strerror(errno));
}

/* The filter: --merge and/or --remove-forged.  Every byte of the message
 * but our fields (and, when asked, the forged ones) goes out unchanged. */
static int
mode_filter(struct cli *c, const struct opts *o)
{
	struct msg m;
	struct diag d = { { 0 } };
	enum kind *kinds;
	struct authres *ars;
	size_t nours = 0;
	char *field = NULL;

	if (msg_read_header(&m, stdin, &d) < 0)
		cli_fatal(c, EXIT_DATAERR, "stdin: %s", d.msg);
	/* an empty input is a failed stage before us in a pipeline: exit
	 * non-zero so the filter's caller keeps the message it had */
	if (m.hdrlen == 0 && m.npend == 0 && m.eof)
		cli_fatal(c, EXIT_DATAERR, "stdin: empty input, not a message");
	kinds = xcalloc(m.nf ? m.nf : 1, sizeof(*kinds));
	ars = xcalloc(m.nf ? m.nf : 1, sizeof(*ars));
	for (size_t i = 0; i < m.nf; i++) {
		kinds[i] = classify(&m, i, cli_authserv_id(c), &ars[i]);
		nours += kinds[i] == K_OURS;
		if (kinds[i] == K_FORGED)
			cli_trace(c, "field %zu: our authserv-id below a "
			    "Received: field, %s (RFC 8601 5)", i + 1,
			    o->remove_forged ? "removed" : "ignored");
		if (kinds[i] == K_BAD)
			cli_warn(c, "field %zu: our authserv-id, outside the "
			    "RFC 8601 grammar, left alone: %s", i + 1,
			    ars[i].what);
	}
	if (o->merge && nours > 0) {
		field = merged_field(c, &m, kinds, ars);
		cli_trace(c, "merged %zu field%s", nours, nours > 1 ? "s" : "");
		fputs(field, stdout);
	}
	for (size_t i = 0; i < m.nf; i++) {
		if ((o->merge && kinds[i] == K_OURS) ||
		    (o->remove_forged && kinds[i] == K_FORGED))
			continue;
		fwrite(m.f[i].raw, 1, m.f[i].rawlen, stdout);
	}
	fwrite(m.hdr + m.sepoff, 1, m.hdrlen - m.sepoff, stdout);
	copy_body(c, &m);
	for (size_t i = 0; i < m.nf; i++)
		authres_free(&ars[i]);
	free(ars);
	free(kinds);
	free(field);
	msg_free(&m);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "format", no_argument, NULL, OPT_FORMAT },
		{ "crlf", no_argument, NULL, OPT_CRLF },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "remove-forged", no_argument, NULL, OPT_REMOVE_FORGED },
		{ NULL, 0, NULL, 0 },
	};
	struct cli c;
	struct opts o = { 0 };
	int ch;

	cli_init(&c, "authres", usage);
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_STRICT: o.strict = true; break;
		case OPT_FORMAT: o.format = true; break;
		case OPT_CRLF: o.crlf = true; break;
		case OPT_MERGE: o.merge = true; break;
		case OPT_REMOVE_FORGED: o.remove_forged = true; break;
		default:
			if (ch == 'A')
				o.explicit_id = true;
			cli_option(&c, ch, optarg);
		}
	}
	argc -= optind;
	argv += optind;
	if (o.format && (o.merge || o.remove_forged))
		cli_usage_error(&c, "--format and --merge/--remove-forged "
		    "are different modes");
	if (o.crlf && !o.format)
		cli_usage_error(&c, "--crlf goes with --format");
	if (o.strict && (o.format || o.merge || o.remove_forged))
		cli_usage_error(&c, "--strict goes with the parse mode");
	if (argc > 0 && (o.format || o.merge || o.remove_forged))
		cli_usage_error(&c, "--format and the filter read stdin only");
	if (o.format)
		cli_exit(&c, mode_format(&c, &o));
	if (o.merge || o.remove_forged)
		cli_exit(&c, mode_filter(&c, &o));
	cli_exit(&c, mode_parse(&c, &o, argc, argv));
}
