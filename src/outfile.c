// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmsg.h"
#include "outfile.h"

/* "DIR/.NAME.XXXXXX" next to path, so that rename() stays in one file
 * system. */
static char *temp_template(const char *path)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	char *t;

	if (asprintf(&t, "%.*s.%s.XXXXXX", dirlen, path, slash ? slash + 1 : path) < 0)
		return NULL;
	return t;
}

int ff_outfile_open(struct ff_outfile *o, const char *path, char *err, size_t errlen)
{
	struct stat st;
	mode_t mask;
	int fd;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->f = fopen(path, "w");
		return o->f ? 0 : ff_fail(err, errlen, "%s: %s", path, strerror(errno));
	}
	o->tmp = temp_template(path);
	if (!o->tmp)
		return ff_fail(err, errlen, "out of memory");
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		ff_fail(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	/* mkstemp makes 0600; the file gets the mode fopen() would give */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) || !(o->f = fdopen(fd, "w"))) {
		ff_fail(err, errlen, "%s: %s", o->tmp, strerror(errno));
		close(fd);
		unlink(o->tmp);
		goto fail;
	}
	return 0;
fail:
	free(o->tmp);
	o->tmp = NULL;
	return -1;
}

int ff_outfile_commit(struct ff_outfile *o, char *err, size_t errlen)
{
	int rc = 0;

	if (!o->f)
		return ff_fail(err, errlen, "%s: not open", o->path);
	if (fflush(o->f) || ferror(o->f))
		rc = ff_fail(err, errlen, "%s: writing failed: %s", o->path, strerror(errno));
	if (o->f != stdout && fclose(o->f) && !rc)
		rc = ff_fail(err, errlen, "%s: %s", o->path, strerror(errno));
	o->f = NULL;
	if (o->tmp) {
		if (!rc && rename(o->tmp, o->path))
			rc = ff_fail(err, errlen, "%s: %s", o->path, strerror(errno));
		if (rc)
			unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	return rc;
}

void ff_outfile_abort(struct ff_outfile *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp) {
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
}
