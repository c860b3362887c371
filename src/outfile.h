/* SPDX-License-Identifier: MIT */
/*
 * Output files written whole or not at all. A regular file (or a new one)
 * is written under a temporary name made by mkstemp() in the target's own
 * folder (O_EXCL: a symlink planted there is never followed, and the name
 * cannot be guessed) and renamed over the target at the end, so a failed
 * run never leaves half a file nor destroys an older one. Anything else
 * (/dev/null, a pipe, a terminal) is written in place: renaming over a
 * device would replace it. "-" is stdout.
 */
#ifndef FLOWFOREST_OUTFILE_H
#define FLOWFOREST_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

struct ff_outfile {
	FILE *f;
	const char *path;
	char *tmp;		/* the temporary name, or NULL if written in place */
};

int ff_outfile_open(struct ff_outfile *o, const char *path, char *err, size_t errlen);
/* Flush, close and move into place; -1 with the reason if any step fails
 * (the temporary is removed then). */
int ff_outfile_commit(struct ff_outfile *o, char *err, size_t errlen);
/* Close without committing: the temporary goes, the target is untouched. */
void ff_outfile_abort(struct ff_outfile *o);

#endif
