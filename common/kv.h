/*
 * kv: the key=value result format of DESIGN.md, one line per result:
 *
 *   spf=pass smtp.mailfrom=example.org smtp.helo=mx.example.org
 *   dkim=fail reason="body hash did not verify" header.d=example.net
 *
 * A value is written bare when it is a non-empty run of RFC 2045 token
 * characters plus '@' and '/' ... (see kv_needs_quote), else as an RFC 5322
 * quoted-string ('"' and '\' escaped; CR, LF and other controls dropped,
 * since a result line is one line).
 */
#ifndef MAUTH_KV_H
#define MAUTH_KV_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Append "key=value" to b, preceded by a space unless b is empty. */
void	kv_add(struct buf *b, const char *key, const char *value);
void	kv_addn(struct buf *b, const char *key, const char *value, size_t n);

/* Whether value must be quoted to be read back by kv_parse. */
bool	kv_needs_quote(const char *value, size_t n);

struct kv_pair {
	char	*key;
	char	*value;		/* unquoted */
};

/*
 * Parse one key=value line into *pairs (caller frees with kv_pairs_free).
 * Returns the number of pairs, or -1 with d filled on a syntax error.
 */
struct diag;
int	kv_parse(const char *line, struct kv_pair **pairs, struct diag *d);
void	kv_pairs_free(struct kv_pair *pairs, int n);

#endif
