/*
 * verdict: protocol outcomes, shared by every checker.  A verdict is never
 * an error: a DNS time-out is VERDICT_TEMPERROR, not a failure of the tool.
 * The names are RFC 8601's result keywords.
 */
#ifndef MAUTH_VERDICT_H
#define MAUTH_VERDICT_H

#include <stdbool.h>

enum verdict {
	VERDICT_PASS,
	VERDICT_FAIL,
	VERDICT_SOFTFAIL,
	VERDICT_NEUTRAL,
	VERDICT_POLICY,		/* DKIM: well formed, refused by rule (RFC 8301) */
	VERDICT_PERMERROR,
	VERDICT_TEMPERROR,
	VERDICT_NONE,
};

/* "pass", "fail", ...; never NULL. */
const char	*verdict_name(enum verdict v);

/* Parse a result keyword (case-insensitive); false if unknown. */
bool		 verdict_parse(const char *s, enum verdict *v);

/* DESIGN.md exit-code table: pass 0, fail 1, softfail 2, neutral/policy 3,
 * permerror 4, temperror 5, none 6. */
int		 verdict_exit(enum verdict v);

/*
 * Of two verdicts, the better one for "best verdict wins" (DKIM: one
 * valid signature is a pass): pass > policy/neutral > fail > softfail
 * ... see verdict.c for the order.
 */
enum verdict	 verdict_best(enum verdict a, enum verdict b);

#endif
