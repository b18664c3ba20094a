#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "kv.h"

/* RFC 2045 token characters, plus '@' (local-part@domain values such as
 * smtp.mailfrom, which RFC 8601 2.3 allows unquoted as a pvalue). */
static bool
bare_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return strchr("()<>,;:\\\"[]?=", c) == NULL;
}

bool
kv_needs_quote(const char *value, size_t n)
{
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (!bare_char((unsigned char)value[i]))
			return true;
	return false;
}

void
kv_addn(struct buf *b, const char *key, const char *value, size_t n)
{
	if (b->len)
		buf_addc(b, ' ');
	buf_adds(b, key);
	buf_addc(b, '=');
	if (!kv_needs_quote(value, n)) {
		buf_add(b, value, n);
		return;
	}
	buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c == '"' || c == '\\')
			buf_addc(b, '\\');
		if (c < 0x20 && c != '\t')
			c = ' ';
		if (c == 0x7f)
			continue;
		buf_addc(b, c);
	}
	buf_addc(b, '"');
}

void
kv_add(struct buf *b, const char *key, const char *value)
{
	kv_addn(b, key, value ? value : "", value ? strlen(value) : 0);
}

void
kv_pairs_free(struct kv_pair *pairs, int n)
{
	for (int i = 0; i < n; i++) {
		free(pairs[i].key);
		free(pairs[i].value);
	}
	free(pairs);
}

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* value := quoted-string / bare; returns pointer past it or NULL */
static const char *
parse_value(const char *p, struct buf *v)
{
	if (*p != '"') {
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
		    *p != '\n')
			buf_addc(v, *p++);
		return p;
	}
	for (p++; *p != '"'; p++) {
		if (*p == '\0')
			return NULL;
		if (*p == '\\' && p[1] != '\0')
			p++;
		buf_addc(v, *p);
	}
	return p + 1;
}

int
kv_parse(const char *line, struct kv_pair **pairs, struct diag *d)
{
	struct kv_pair *out = NULL;
	int n = 0;
	const char *p = skip_ws(line);

	while (*p) {
		const char *k = p;
		struct buf v = { 0 };

		while (*p && *p != '=' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '=' || p == k) {
			kv_pairs_free(out, n);
			return diag_set(d, "not a key=value pair at \"%.20s\"",
			    k);
		}
		out = xreallocarray(out, (size_t)n + 1, sizeof(*out));
		out[n].key = xstrndup(k, (size_t)(p - k));
		if ((p = parse_value(p + 1, &v)) == NULL) {
			out[n].value = buf_steal(&v);
			kv_pairs_free(out, n + 1);
			return diag_set(d, "unterminated quoted value");
		}
		out[n++].value = buf_steal(&v);
		p = skip_ws(p);
	}
	*pairs = out;
	return n;
}
