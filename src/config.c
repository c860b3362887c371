// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"

#define MAX_LINE 4096
#define MAX_FILE (1 << 20)

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

static int add(struct ff_settings *s, const char *name, const char *value, int line)
{
	struct ff_setting *v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (!v)
		return -1;
	s->v = v;
	v[s->n].name = strdup(name);
	v[s->n].value = strdup(value);
	v[s->n].line = line;
	if (!v[s->n].name || !v[s->n].value) {
		free(v[s->n].name);
		free(v[s->n].value);
		return -1;
	}
	s->n++;
	return 0;
}

/* One line (NUL-terminated, no newline): 0, or -1 with a reason. */
static int parse_line(struct ff_settings *s, char *l, int line, const char *name, char *err,
		      size_t errlen)
{
	char *eq, *key, *val, *p;

	l = trim(l);
	if (!*l || *l == '#')
		return 0;
	eq = strchr(l, '=');
	if (eq)
		*eq = 0;
	key = trim(l);
	val = eq ? trim(eq + 1) : "";
	if (!*key) {
		snprintf(err, errlen, "%s:%d: a setting needs a name before '='", name, line);
		return -1;
	}
	for (p = key; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') {
			snprintf(err, errlen, "%s:%d: '%s' is not a setting name (letters, digits, '-')",
				 name, line, key);
			return -1;
		}
	for (p = key; *p; p++)	/* ip_fix and ip-fix alike */
		if (*p == '_')
			*p = '-';
	if (*val == '"') {
		size_t n = strlen(val);

		if (n < 2 || val[n - 1] != '"') {
			snprintf(err, errlen, "%s:%d: unterminated quote in the value of '%s'", name,
				 line, key);
			return -1;
		}
		val[n - 1] = 0;
		val++;
	} else if ((p = strstr(val, " #")) || (p = strstr(val, "\t#"))) {
		*p = 0;		/* a comment after the value */
		val = trim(val);
	}
	if (add(s, key, val, line)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int ff_settings_parse(const char *text, size_t len, const char *name, struct ff_settings *s,
		      char *err, size_t errlen)
{
	char buf[MAX_LINE];
	size_t i = 0;
	int line = 0;

	memset(s, 0, sizeof(*s));
	while (i < len) {
		size_t j = i;

		line++;
		while (j < len && text[j] != '\n')
			j++;
		if (j - i >= sizeof(buf)) {
			snprintf(err, errlen, "%s:%d: line longer than %d bytes", name, line, MAX_LINE - 1);
			goto fail;
		}
		if (memchr(text + i, 0, j - i)) {
			snprintf(err, errlen, "%s:%d: NUL byte (not a text file?)", name, line);
			goto fail;
		}
		memcpy(buf, text + i, j - i);
		buf[j - i] = 0;
		if (parse_line(s, buf, line, name, err, errlen))
			goto fail;
		i = j + 1;
	}
	return 0;
fail:
	ff_settings_free(s);
	return -1;
}

int ff_settings_load(const char *path, struct ff_settings *s, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t n;
	int rc;

	memset(s, 0, sizeof(*s));
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = malloc(MAX_FILE + 1);
	if (!text) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n = fread(text, 1, MAX_FILE + 1, f);
	if (ferror(f) || n > MAX_FILE) {
		snprintf(err, errlen, "%s: %s", path, ferror(f) ? strerror(errno) : "larger than 1 MiB");
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	rc = ff_settings_parse(text, n, path, s, err, errlen);
	free(text);
	return rc;
}

void ff_settings_free(struct ff_settings *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].value);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int ff_setting_bool(const char *v)
{
	static const char *yes[] = { "yes", "true", "on", "1" }, *no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -1;
}
