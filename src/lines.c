// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "lines.h"

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *ff_line_clean(char *s)
{
	char *p, *e;

	while (blank(*s))
		s++;
	for (p = s; *p; p++)
		if (*p == '#' && (p == s || blank(p[-1]))) {
			*p = 0;
			break;
		}
	e = s + strlen(s);
	while (e > s && blank(e[-1]))
		*--e = 0;
	return s;
}

int ff_lines_open(struct ff_lines *l, const char *path, char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	l->path = path;
	l->f = fopen(path, "r");
	return l->f ? 0 : ff_fail(err, errlen, "%s: %s", path, strerror(errno));
}

int ff_lines_next(struct ff_lines *l, char **line, char *err, size_t errlen)
{
	for (;;) {
		ssize_t n;
		char *s;

		errno = 0;
		n = getline(&l->buf, &l->cap, l->f);
		if (n < 0) {
			if (ferror(l->f))
				return ff_fail(err, errlen, "%s: %s", l->path,
					       strerror(errno ? errno : EIO));
			return 0;
		}
		l->lineno++;
		if ((size_t)n != strlen(l->buf))
			return ff_fail(err, errlen, "%s:%u: a NUL byte: not a text file", l->path,
				       l->lineno);
		s = ff_line_clean(l->buf);
		if (*s) {
			*line = s;
			return 1;
		}
	}
}

void ff_lines_close(struct ff_lines *l)
{
	if (l->f)
		fclose(l->f);
	free(l->buf);
	memset(l, 0, sizeof(*l));
}
