// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include "class_names.h"
#include "pinned.h"

int cli_open_pinned(const char *iface, struct ff_maps *mp, const char *cmd)
{
	char err[512];

	if (ff_check_privileges(err, sizeof(err)) || ff_pinned_open(iface, mp, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		return -1;
	}
	return 0;
}

__u32 cli_active_classes(const struct ff_maps *mp, struct ff_model *names)
{
	struct ff_model_meta meta;

	memset(names, 0, sizeof(*names));
	if (ff_maps_active_meta(mp, &meta))
		return 0;
	ff_class_names_from_meta(&meta, names);
	return meta.generation;
}
