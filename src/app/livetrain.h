/* Live training in the explorer: the commands
 *
 *   train [STEPS] [--from scratch|current] [--lr X] [--clip X] [--seed N] [--corpus DIR]
 *                            trains the loaded translation model on its corpus
 *   train pause | resume | stop | status
 *   train save DIR [--force] writes the model as `seqstep train` would
 *   set train-every N        re-run the sentence every N steps (default 50)
 *
 * The trainer is engine/train.h's, one step at a time: on the screen the
 * steps run between keys (the session's task), in slices of a fraction of
 * a second, and every N steps the current sentence is run again, so the
 * view (by default the alignment) shows the weights as they are; in batch
 * mode `train` runs all its steps before it returns. Either way the steps
 * are exactly `seqstep train`'s, so the weights are the same bit for bit. */
#ifndef SEQSTEP_APP_LIVETRAIN_H
#define SEQSTEP_APP_LIVETRAIN_H

#include "app/commands.h"

/* Adds train and the train-every setting to the table. */
enum status livetrain_register(struct commands *c, struct err *e);

#endif
