/* SPDX-License-Identifier: MIT */
/* One entry point per subcommand; each lives in its own cmd_*.c file. */
#ifndef FLOWFOREST_COMMANDS_H
#define FLOWFOREST_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_model(int argc, char **argv);
int cmd_model_import(int argc, char **argv);	/* model import */
int cmd_features(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_twin(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_allow(int argc, char **argv);
int cmd_deny(int argc, char **argv);

#endif
