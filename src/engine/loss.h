/* The training loss: mean token cross-entropy over the decoder's logits. */
#ifndef SEQSTEP_LOSS_H
#define SEQSTEP_LOSS_H

/* Mean cross-entropy over the T rows whose target != ignore_index (use -1
 * for none; other targets must be in 0..V-1), with label smoothing eps
 * (0 = none; PyTorch semantics: (1-eps)·NLL + eps·mean_v(-log p_v)). Writes dlogits (T, V) =
 * d(loss)/d(logits) (overwrites, not accumulates) if dlogits != NULL; ignored
 * rows get 0. Returns the loss; 0 (and all-zero dlogits) when every row is
 * ignored, where PyTorch would give NaN, so a padded-out batch cannot poison
 * training. */
float cross_entropy_forward_backward(const float *logits /* (T, V) */,
				     const int *targets /* (T) */, int T, int V, float smoothing,
				     int ignore_index, float *dlogits /* (T, V) */);

#endif
