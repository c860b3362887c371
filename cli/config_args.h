/* SPDX-License-Identifier: MIT */
/* --config FILE: a settings file turned into options in front of argv. */
#ifndef FLOWFOREST_CONFIG_ARGS_H
#define FLOWFOREST_CONFIG_ARGS_H

#include <argp.h>

/* If argv has --config FILE (or -C FILE), replace it by FILE's settings as
 * long options, checked against `argp`'s options (and its children's),
 * placed before the rest of the command line so that the command line
 * wins. 0 (argv maybe replaced; it lives until exit), or -1 after a message
 * naming the file and line. */
int cli_config_expand(const struct argp *argp, int *argc, char ***argv, const char *cmd);

#endif
