#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "buf.h"
#include "diag.h"
#include "psl.h"

struct psl {
	psl_ctx_t	*owned;		/* loaded from a file; NULL: built-in */
	const psl_ctx_t	*ctx;
	char		*source;
};

struct psl *
psl_open(const char *path, struct diag *d)
{
	struct psl *p = xcalloc(1, sizeof(*p));
	const char *file = path ? path : PSL_DEFAULT_FILE;

	p->owned = psl_load_file(file);
	if (p->owned != NULL) {
		p->ctx = p->owned;
		p->source = xstrdup(file);
		return p;
	}
	if (path != NULL) {
		free(p);
		diag_set(d, "%s: cannot load the public suffix list", path);
		return NULL;
	}
	p->ctx = psl_builtin();
	if (p->ctx == NULL) {
		free(p);
		diag_set(d, "%s: cannot load the public suffix list, and "
		    "libpsl has no built-in list", file);
		return NULL;
	}
	p->source = xstrdup("libpsl built-in");
	return p;
}

void
psl_close(struct psl *p)
{
	if (p == NULL)
		return;
	psl_free(p->owned);
	free(p->source);
	free(p);
}

const char *
psl_source(const struct psl *p)
{
	return p->source;
}

char *
psl_org_domain(const struct psl *p, const char *domain)
{
	/* libpsl returns a pointer into domain, or NULL when domain is a
	 * public suffix (or not a name it can match). */
	const char *reg = psl_registrable_domain(p->ctx, domain);

	return xstrdup(reg ? reg : domain);
}
