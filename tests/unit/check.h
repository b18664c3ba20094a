/*
 * The unit tests' one assertion: CHECK(cond) counts a pass or reports the
 * failed condition with file, line and function; CHECK_DONE(name) prints
 * the closing "N passed, N failed" line and gives main's exit status.
 */
#ifndef MAUTH_TEST_CHECK_H
#define MAUTH_TEST_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond) do {						\
	if (cond)							\
		passed++;						\
	else {								\
		failed++;						\
		fprintf(stderr, "%s:%d: %s: failed: %s\n", __FILE__,	\
		    __LINE__, __func__, #cond);				\
	}								\
} while (0)

#define CHECK_DONE(name)						\
	(printf("%s: %d passed, %d failed\n", (name), passed, failed),	\
	    failed != 0)

#endif
