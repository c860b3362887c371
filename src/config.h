/* SPDX-License-Identifier: MIT */
/*
 * Settings files (`flowforest run --config FILE`): one `name = value` per
 * line, names are the command's long options, `#` starts a comment, blank
 * lines are ignored, a value may be in double quotes. Format in
 * docs/fleet.md; meaning of each name in `flowforest run --help`.
 */
#ifndef FLOWFOREST_CONFIG_H
#define FLOWFOREST_CONFIG_H

#include <stddef.h>

struct ff_setting {
	char *name;
	char *value;		/* "" when the line has no value */
	int line;
};

struct ff_settings {
	struct ff_setting *v;
	size_t n;
};

/* Read FILE; -1 with "FILE:LINE: why" in err. */
int ff_settings_load(const char *path, struct ff_settings *s, char *err, size_t errlen);
/* The same from memory (tests, fuzzing); `name` names it in messages. */
int ff_settings_parse(const char *text, size_t len, const char *name, struct ff_settings *s,
		      char *err, size_t errlen);
void ff_settings_free(struct ff_settings *s);

/* yes/no, true/false, on/off, 1/0: 1 or 0, -1 for anything else. */
int ff_setting_bool(const char *value);

#endif
