// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_args.h"

static int option_is_end(const struct argp_option *o)
{
	return !o->key && !o->name && !o->doc && !o->group;
}

static const struct argp_option *find_long(const struct argp *a, const char *name)
{
	const struct argp_option *o;
	const struct argp_child *c;

	for (o = a->options; o && !option_is_end(o); o++)
		if (o->name && !strcmp(o->name, name))
			return o;
	for (c = a->children; c && c->argp; c++)
		if ((o = find_long(c->argp, name)))
			return o;
	return NULL;
}

/* Where --config is in argv: its index, and how many entries it takes. */
static int find_config(int argc, char **argv, const char **path, int *width)
{
	int i, at = -1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "--config") || !strcmp(a, "-C")) {
			if (i + 1 >= argc)
				return -2;
			if (at >= 0)
				return -3;
			at = i;
			*path = argv[i + 1];
			*width = 2;
			i++;
		} else if (!strncmp(a, "--config=", 9) || (!strncmp(a, "-C", 2) && a[2])) {
			if (at >= 0)
				return -3;
			at = i;
			*path = a[1] == '-' ? a + 9 : a + 2;
			*width = 1;
		}
	}
	return at;
}

int cli_config_expand(const struct argp *argp, int *argc, char ***argv, const char *cmd)
{
	struct ff_settings s;
	const char *path = NULL;
	char err[512], **out;
	int at, width = 0, n = 0, i;
	size_t k;

	at = find_config(*argc, *argv, &path, &width);
	if (at == -1)
		return 0;
	if (at == -2 || at == -3) {
		fprintf(stderr, "%s: %s\n", cmd, at == -2 ? "--config wants a FILE" :
							    "--config given twice");
		return -1;
	}
	if (ff_settings_load(path, &s, err, sizeof(err))) {
		fprintf(stderr, "%s: --config: %s\n", cmd, err);
		return -1;
	}
	out = calloc(*argc + s.n + 1, sizeof(*out));
	if (!out)
		goto oom;
	out[n++] = (*argv)[0];
	for (k = 0; k < s.n; k++) {
		const struct ff_setting *v = &s.v[k];
		const struct argp_option *o = find_long(argp, v->name);
		int b;

		if (!o || !strcmp(v->name, "config") || !strcmp(v->name, "help") ||
		    !strcmp(v->name, "usage")) {
			fprintf(stderr, "%s: %s:%d: unknown setting '%s' (the long options of `%s "
				"--help` are the settings)\n", cmd, path, v->line, v->name, cmd);
			goto fail;
		}
		if (!o->arg) {	/* a switch: yes or no */
			b = v->value[0] ? ff_setting_bool(v->value) : 1;	/* bare name: yes */
			if (b < 0) {
				fprintf(stderr, "%s: %s:%d: '%s' is yes or no, got '%s'\n", cmd, path,
					v->line, v->name, v->value);
				goto fail;
			}
			if (b && asprintf(&out[n++], "--%s", v->name) < 0)
				goto oom;
			continue;
		}
		if (!v->value[0]) {
			fprintf(stderr, "%s: %s:%d: '%s' needs a value (%s = %s)\n", cmd, path, v->line,
				v->name, v->name, o->arg);
			goto fail;
		}
		if (asprintf(&out[n++], "--%s=%s", v->name, v->value) < 0)
			goto oom;
	}
	for (i = 1; i < *argc; i++)
		if (i < at || i >= at + width)
			out[n++] = (*argv)[i];
	out[n] = NULL;
	ff_settings_free(&s);
	*argc = n;
	*argv = out;	/* lives until exit, like argv itself */
	return 0;
oom:
	fprintf(stderr, "%s: out of memory\n", cmd);
fail:
	ff_settings_free(&s);
	free(out);	/* the strings are lost with the process's exit */
	return -1;
}
