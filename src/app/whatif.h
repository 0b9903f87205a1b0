/* What-if in the explorer and batch mode: change one thing, run the engine
 * again, and see what changed downstream.
 *
 *   set scale off|on          scores without / with 1/√d_k
 *   set mask off|on           the decoder's self-attention without the causal mask
 *   set positions off|on      no positional encoding
 *   set head BLOCK H off|on   head H of BLOCK (enc.L.self_attn, dec.L.self_attn,
 *                             dec.L.cross_attn) zeroed before W_o; also
 *                             set head BLOCK.hH off|on; set head N|all still
 *                             picks the head the views show
 *   set temperature T         the output softmax of logits / T
 *   set query X|off           pooling: one more query point
 *   set width W|off           pooling: the kernel's w
 *   edit NAME ROW COL VALUE   one cell of a given tensor, for this session
 *   diff [NAME|off]           what changed against the previous run or the
 *                             snapshot; the views draw Δ (d toggles)
 *   snapshot [off]            keep this run as the diff's baseline
 *   reset                     every switch and edit undone
 *
 * Each change re-runs the engine (engine/whatif.h does the work); the
 * trace records the switches, so the title bar, dumps and captions show
 * them. */
#ifndef SEQSTEP_APP_WHATIF_H
#define SEQSTEP_APP_WHATIF_H

#include "app/commands.h"

/* Adds the commands and the set keys above (replacing the built-in head
 * key by one that also takes the ablation form). */
enum status whatif_register(struct commands *c, struct err *e);

#endif
