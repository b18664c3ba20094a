/*
 * diag: a caller-owned diagnostic that fallible library functions fill.
 * Library code never prints; it writes one message here, in the form
 * "what went wrong: why" (citing the RFC section where one applies), and
 * returns -1 or NULL.  The tool decides what the user sees.
 */
#ifndef MAUTH_DIAG_H
#define MAUTH_DIAG_H

#include <stddef.h>

#define DIAG_MAX 512

struct diag {
	char	msg[DIAG_MAX];
};

/* Set d's message (printf format); d may be NULL.  Always returns -1. */
int	diag_set(struct diag *d, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Append to dst (size cap, always NUL-terminated) a printable rendering of
 * the untrusted bytes s[0..len): controls and 8-bit bytes become \xNN.
 * Returns dst.
 */
char	*diag_escape(char *dst, size_t cap, const char *s, size_t len);

#endif
