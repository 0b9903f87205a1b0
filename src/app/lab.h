/* The BPTT lab in the explorer: the commands
 *
 *   grad [MODEL|off]     runs MODEL (default: the loaded lab model's partner,
 *                        recall-rnn <-> recall-lstm) on every sentence beside
 *                        the loaded model and adds its gradients to the trace
 *                        as cmp.grad.*, then shows the gradient-vs-distance
 *                        stage: both models on the same sequence
 *   set radius R|trained the encoder's W_hh rescaled to spectral radius R
 *                        for the runs (plain RNN), or as trained
 *   set clip X|off       also record the gradients as global norm clipping
 *                        at X leaves them (grad.clip, grad.enc.lL.clipped)
 *
 * The numbers are the engine's (engine/bptt.h); this only chooses what runs. */
#ifndef SEQSTEP_APP_LAB_H
#define SEQSTEP_APP_LAB_H

#include "app/commands.h"

enum status lab_register(struct commands *c, struct err *e);

#endif
