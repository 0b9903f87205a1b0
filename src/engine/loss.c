#include "engine/loss.h"

#include <math.h>
#include <string.h>

float cross_entropy_forward_backward(const float *logits, const int *targets, int T, int V,
				     float smoothing, int ignore_index, float *dlogits)
{
	int n = 0;
	for (int t = 0; t < T; t++)
		if (targets[t] != ignore_index)
			n++;
	if (dlogits)
		memset(dlogits, 0, (size_t)T * V * sizeof *dlogits);
	if (n == 0 || V <= 0)
		return 0.0f;
	double total = 0, eps = smoothing;
	for (int t = 0; t < T; t++) {
		int y = targets[t];
		if (y == ignore_index)
			continue;
		const float *x = logits + (size_t)t * V;
		/* log-softmax in double, shifted by the max for range */
		double mx = x[0];
		for (int v = 1; v < V; v++)
			if (x[v] > mx)
				mx = x[v];
		double sum = 0, mean_logit = 0;
		for (int v = 0; v < V; v++) {
			sum += exp(x[v] - mx);
			mean_logit += x[v];
		}
		mean_logit /= V;
		double lse = mx + log(sum);
		/* -log p_y = lse - x_y; mean_v(-log p_v) = lse - mean_v x_v */
		total += (1.0 - eps) * (lse - x[y]) + eps * (lse - mean_logit);
		if (dlogits) {
			/* d/dx_v = p_v - ((1-eps)[v = y] + eps/V), averaged over n rows */
			float *g = dlogits + (size_t)t * V;
			for (int v = 0; v < V; v++) {
				double p = exp(x[v] - lse);
				double target = eps / V + (v == y ? 1.0 - eps : 0.0);
				g[v] = (float)((p - target) / n);
			}
		}
	}
	return (float)(total / n);
}
