#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "diag.h"
#include "msg.h"

#define CHUNK	65536

/*
 * Scan b[from..len) for the end of the header block: an empty line, that
 * is "\n" or "\r\n" at a line start.  *linestart carries the state across
 * calls.  Returns the separator's offset, or -1 if not seen yet; at a
 * lone "\r" at the end of data it stops (returns -1) and rescans later.
 */
static long
find_sep(const char *b, size_t len, size_t *from, bool *linestart, bool eof)
{
	size_t i;

	for (i = *from; i < len; i++) {
		if (*linestart) {
			if (b[i] == '\n')
				return (long)i;
			if (b[i] == '\r') {
				if (i + 1 >= len && !eof)
					break;
				if (i + 1 < len && b[i + 1] == '\n')
					return (long)i;
			}
		}
		*linestart = b[i] == '\n';
	}
	*from = i;
	return -1;
}

static bool
name_char(unsigned char c)
{
	return c >= 33 && c <= 126 && c != ':';
}

/* Fill f from the field text t[0..n). */
static void
split_field(struct msg_field *f, const char *t, size_t n)
{
	size_t i, end, colon;

	memset(f, 0, sizeof(*f));
	f->raw = t;
	f->rawlen = n;
	f->bad = true;
	f->name = f->value = t;
	for (colon = 0; colon < n && t[colon] != ':' && t[colon] != '\n';
	    colon++)
		;
	if (colon == n || t[colon] != ':')
		return;
	for (end = colon; end > 0 && (t[end - 1] == ' ' || t[end - 1] == '\t');
	    end--)
		;
	if (end == 0)
		return;
	for (i = 0; i < end; i++)
		if (!name_char((unsigned char)t[i]))
			return;
	f->bad = false;
	f->namelen = end;
	f->value = t + colon + 1;
	end = n;
	if (end > 0 && t[end - 1] == '\n')
		end--;
	if (end > colon + 1 && t[end - 1] == '\r')
		end--;
	f->valuelen = end - colon - 1;
}

static int
split_fields(struct msg *m, struct diag *d)
{
	size_t start = 0, i, cap = 0;
	const char *h = m->hdr;
	size_t n = m->sepoff;

	m->eol = "\n";
	for (i = 0; i < m->hdrlen; i++) {
		if (h[i] == '\n') {
			if (i > 0 && h[i - 1] == '\r')
				m->eol = "\r\n";
			break;
		}
	}
	while (start < n) {
		size_t end = start;

		/* a field runs to the next line not starting with WSP */
		for (;;) {
			const char *nl = memchr(h + end, '\n', n - end);

			end = nl ? (size_t)(nl - h) + 1 : n;
			if (end >= n || (h[end] != ' ' && h[end] != '\t'))
				break;
		}
		if (m->nf == MSG_FIELDS_MAX)
			return diag_set(d, "header block: more than %d fields",
			    MSG_FIELDS_MAX);
		if (m->nf == cap) {
			cap = cap ? cap * 2 : 32;
			m->f = xreallocarray(m->f, cap, sizeof(*m->f));
		}
		split_field(&m->f[m->nf++], h + start, end - start);
		start = end;
	}
	return 0;
}

int
msg_read_header(struct msg *m, FILE *in, struct diag *d)
{
	struct buf b = { 0 };
	size_t from = 0;
	bool linestart = true;
	long sep = -1;

	memset(m, 0, sizeof(*m));
	m->in = in;
	for (;;) {
		size_t got;

		buf_reserve(&b, CHUNK);
		got = fread(b.p + b.len, 1, CHUNK, in);
		b.len += got;
		if (got < CHUNK) {
			if (ferror(in)) {
				buf_free(&b);
				return diag_set(d, "read error: %s",
				    strerror(errno));
			}
			m->eof = true;
		}
		sep = find_sep(b.p, b.len, &from, &linestart, m->eof);
		if (sep >= 0 || m->eof)
			break;
		if (b.len > MSG_HEADER_MAX) {
			buf_free(&b);
			return diag_set(d, "header block larger than %d bytes",
			    MSG_HEADER_MAX);
		}
	}
	if (sep >= 0) {
		m->has_sep = true;
		m->sepoff = (size_t)sep;
		m->hdrlen = m->sepoff + (b.p[sep] == '\r' ? 2 : 1);
	} else {
		m->sepoff = m->hdrlen = b.len;
	}
	if (m->sepoff > MSG_HEADER_MAX) {
		buf_free(&b);
		return diag_set(d, "header block larger than %d bytes",
		    MSG_HEADER_MAX);
	}
	m->npend = b.len - m->hdrlen;
	if (m->npend) {
		m->pend = xmalloc(m->npend);
		memcpy(m->pend, b.p + m->hdrlen, m->npend);
	}
	m->hdr = buf_steal(&b);
	return split_fields(m, d);
}

int
msg_parse_header(struct msg *m, const char *text, size_t len, struct diag *d)
{
	size_t from = 0;
	bool linestart = true;
	long sep;

	memset(m, 0, sizeof(*m));
	m->eof = true;
	m->hdr = xstrndup(text, len);
	sep = find_sep(m->hdr, len, &from, &linestart, true);
	if (sep >= 0) {
		m->has_sep = true;
		m->sepoff = (size_t)sep;
		m->hdrlen = m->sepoff + (m->hdr[sep] == '\r' ? 2 : 1);
	} else
		m->sepoff = m->hdrlen = len;
	return split_fields(m, d);
}

size_t
msg_header_size(const char *text, size_t len)
{
	size_t from = 0;
	bool linestart = true;
	long sep = find_sep(text, len, &from, &linestart, true);

	if (sep < 0)
		return len;
	return (size_t)sep + (text[sep] == '\r' ? 2 : 1);
}

ssize_t
msg_read_body(struct msg *m, char *buf, size_t cap)
{
	size_t n;

	if (m->pendoff < m->npend) {
		n = m->npend - m->pendoff;
		if (n > cap)
			n = cap;
		memcpy(buf, m->pend + m->pendoff, n);
		m->pendoff += n;
		return (ssize_t)n;
	}
	if (m->eof || m->in == NULL)
		return 0;
	n = fread(buf, 1, cap, m->in);
	if (n < cap) {
		if (ferror(m->in))
			return -1;
		m->eof = true;
	}
	return (ssize_t)n;
}

int
msg_write_rest(struct msg *m, FILE *out)
{
	char *chunk;
	ssize_t n;

	if (fwrite(m->hdr, 1, m->hdrlen, out) != m->hdrlen)
		return -1;
	chunk = xmalloc(CHUNK);
	while ((n = msg_read_body(m, chunk, CHUNK)) > 0) {
		if (fwrite(chunk, 1, (size_t)n, out) != (size_t)n) {
			free(chunk);
			return -1;
		}
	}
	free(chunk);
	return n < 0 ? -1 : 0;
}

void
msg_free(struct msg *m)
{
	if (m == NULL)
		return;
	free(m->hdr);
	free(m->f);
	free(m->pend);
	memset(m, 0, sizeof(*m));
}

bool
msg_empty(const struct msg *m)
{
	return m->hdrlen == 0 && m->npend == 0 && m->eof;
}

bool
msg_field_is(const struct msg_field *f, const char *name)
{
	size_t n = strlen(name);

	return !f->bad && f->namelen == n && strncasecmp(f->name, name, n) == 0;
}

size_t
msg_count(const struct msg *m, const char *name)
{
	size_t c = 0;

	for (size_t i = 0; i < m->nf; i++)
		c += msg_field_is(&m->f[i], name);
	return c;
}

long
msg_find(const struct msg *m, const char *name, size_t i)
{
	for (size_t k = 0; k < m->nf; k++)
		if (msg_field_is(&m->f[k], name) && i-- == 0)
			return (long)k;
	return -1;
}

char *
msg_value_unfold(const struct msg_field *f)
{
	char *s = xmalloc(f->valuelen + 1);
	size_t o = 0, start, end;

	for (size_t i = 0; i < f->valuelen; i++) {
		char c = f->value[i];

		if (c == '\r' || c == '\n')
			continue;
		s[o++] = c == '\0' ? ' ' : c;
	}
	for (start = 0; start < o && (s[start] == ' ' || s[start] == '\t');
	    start++)
		;
	for (end = o; end > start && (s[end - 1] == ' ' || s[end - 1] == '\t');
	    end--)
		;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
	return s;
}
