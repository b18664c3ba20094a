#include <strings.h>

#include "verdict.h"

static const char *const names[] = {
	[VERDICT_PASS] = "pass",
	[VERDICT_FAIL] = "fail",
	[VERDICT_SOFTFAIL] = "softfail",
	[VERDICT_NEUTRAL] = "neutral",
	[VERDICT_POLICY] = "policy",
	[VERDICT_PERMERROR] = "permerror",
	[VERDICT_TEMPERROR] = "temperror",
	[VERDICT_NONE] = "none",
};

static const int exits[] = {
	[VERDICT_PASS] = 0,
	[VERDICT_FAIL] = 1,
	[VERDICT_SOFTFAIL] = 2,
	[VERDICT_NEUTRAL] = 3,
	[VERDICT_POLICY] = 3,
	[VERDICT_PERMERROR] = 4,
	[VERDICT_TEMPERROR] = 5,
	[VERDICT_NONE] = 6,
};

/* Higher is better: a pass beats everything; a temporary error beats a
 * definite failure, since a retry may still pass. */
static const int rank[] = {
	[VERDICT_PASS] = 7,
	[VERDICT_NEUTRAL] = 6,
	[VERDICT_POLICY] = 5,
	[VERDICT_TEMPERROR] = 4,
	[VERDICT_SOFTFAIL] = 3,
	[VERDICT_FAIL] = 2,
	[VERDICT_PERMERROR] = 1,
	[VERDICT_NONE] = 0,
};

const char *
verdict_name(enum verdict v)
{
	if ((unsigned)v >= sizeof(names) / sizeof(names[0]))
		return "permerror";
	return names[v];
}

bool
verdict_parse(const char *s, enum verdict *v)
{
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(s, names[i]) == 0) {
			*v = (enum verdict)i;
			return true;
		}
	}
	/* RFC 4408 / RFC 5451 names still seen in the wild */
	if (strcasecmp(s, "hardfail") == 0)
		return *v = VERDICT_FAIL, true;
	if (strcasecmp(s, "unknown") == 0)
		return *v = VERDICT_PERMERROR, true;
	if (strcasecmp(s, "error") == 0)
		return *v = VERDICT_TEMPERROR, true;
	return false;
}

int
verdict_exit(enum verdict v)
{
	if ((unsigned)v >= sizeof(exits) / sizeof(exits[0]))
		return 70;
	return exits[v];
}

enum verdict
verdict_best(enum verdict a, enum verdict b)
{
	return rank[a] >= rank[b] ? a : b;
}
