/* SPDX-License-Identifier: MIT */
/* What the commands that reach a pinned classifier from another process
 * share: opening its maps, and the active model's class names. */
#ifndef FLOWFOREST_CLI_PINNED_H
#define FLOWFOREST_CLI_PINNED_H

#include "loader.h"
#include "model_file.h"

/* Privileges checked, maps opened; -1 with a message naming cmd. */
int cli_open_pinned(const char *iface, struct ff_maps *mp, const char *cmd);
/* Class names and actions of the active model (from its header) into
 * names; returns its generation, 0 if unknown. */
__u32 cli_active_classes(const struct ff_maps *mp, struct ff_model *names);

#endif
