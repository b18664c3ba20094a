/*
 * buf: a growable byte buffer, always NUL-terminated for convenience
 * (the NUL is not counted in len).  A zeroed struct buf is an empty
 * buffer.  Allocation failure aborts (xalloc policy): callers need not
 * check, which keeps every protocol module's error paths about protocol.
 */
#ifndef MAUTH_BUF_H
#define MAUTH_BUF_H

#include <stddef.h>

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

void	 buf_reserve(struct buf *b, size_t extra);
void	 buf_add(struct buf *b, const void *p, size_t n);
void	 buf_addc(struct buf *b, int c);
void	 buf_adds(struct buf *b, const char *s);
void	 buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *b);		/* len = 0, memory kept */
void	 buf_free(struct buf *b);		/* release, back to empty */
char	*buf_steal(struct buf *b);		/* caller frees; b empty */

/* Allocation helpers that abort on failure (the library's one policy). */
void	*xmalloc(size_t n);
void	*xcalloc(size_t n, size_t size);
void	*xrealloc(void *p, size_t n);
void	*xreallocarray(void *p, size_t n, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);

#endif
