/* SPDX-License-Identifier: MIT */
/*
 * The one reader of the small line-based files (label rules, allow and
 * deny lists, split files): one entry per line, blanks around it trimmed,
 * CR LF accepted, blank lines skipped, and '#' at the start of a line or
 * after a blank starts a comment that runs to the end of the line (so
 * "10.0.0.0/8  # office" is one prefix, and a '#' inside a word stays).
 * Lines of any length: nothing is split silently.
 */
#ifndef FLOWFOREST_LINES_H
#define FLOWFOREST_LINES_H

#include <stddef.h>
#include <stdio.h>

struct ff_lines {
	FILE *f;
	const char *path;
	unsigned lineno;	/* of the line last returned */
	char *buf;
	size_t cap;
};

int ff_lines_open(struct ff_lines *l, const char *path, char *err, size_t errlen);
/* 1 and the next entry in *line (valid until the next call), 0 at the end,
 * -1 on a read error (message in err). */
int ff_lines_next(struct ff_lines *l, char **line, char *err, size_t errlen);
void ff_lines_close(struct ff_lines *l);

/* The same rules on one line in place: returns the entry, "" if none. */
char *ff_line_clean(char *s);

#endif
