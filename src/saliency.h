/* saliency.h — parameter importance over the flat parameter buffer, and
 * top-fraction masks.
 *
 * Both importance measures run the net in EVAL mode (batch-norm running
 * statistics, no dropout; as SalUn's mask generation does with model.eval()),
 * so the gradients are those of the model as it predicts, not of single-class
 * batch statistics; the running statistics and the dropout stream are saved
 * and restored around the pass anyway, so it never changes the model.
 * The gradient used is that of the MEAN softmax cross-entropy of a batch, with
 * each sample's target the one-hot slot of its label in `cm` (a label without a
 * slot is an error).
 *
 *   saliency_grad_abs   score[i] = | sum over batches of dL_batch/dp_i |
 *                       (SalUn's saliency: the sign of the loss does not matter
 *                       once the absolute value is taken)
 *   saliency_fisher     score[i] = mean over batches of (dL_batch/dp_i)^2
 *                       (diagonal empirical Fisher from PER-BATCH gradients, as
 *                       SSD's reference implementation computes it; batch = 1
 *                       gives the per-sample empirical Fisher)
 *
 * Batches are consecutive slices of d in its stored order (deterministic).
 *
 * A net on the GPU: the sums stay on the device (cuda_ops.h) — no parameter-sized
 * buffer crosses to the host per batch, the scores are downloaded once at the end
 * (saliency_fisher_dev keeps them there).  They are summed in float there, in double
 * on the CPU (so GPU scores agree with the CPU's to rounding, not bit for bit). */
#ifndef SALIENCY_H
#define SALIENCY_H
#include <stddef.h>
#include <stdint.h>
#include "net.h"
#include "dataset.h"
#include "classmap.h"
#include "cuda_ops.h"

/* score [n_params] is overwritten.  flops (if non-NULL) is increased by the
 * estimated cost (forward + backward = 3 x forward per sample).  0, or -1 with
 * one line in err. */
int saliency_grad_abs(Net *net, const Dataset *d, const ClassMap *cm, int batch, float *score,
                      double *flops, char *err, size_t errlen);
int saliency_fisher(Net *net, const Dataset *d, const ClassMap *cm, int batch, float *score,
                    double *flops, char *err, size_t errlen);
/* saliency_fisher for a net on the GPU, the scores left in the device vector score
 * (cuda_vec_new(net, n_params)).  -1 with err when the net is not on the GPU. */
int saliency_fisher_dev(Net *net, const Dataset *d, const ClassMap *cm, int batch, CudaVec *score, double *flops,
                        char *err, size_t errlen);

/* mask[i] = 1 for the k = round(frac * n) largest scores, else 0.  Deterministic
 * selection: a quickselect over a copy, ordered by score descending with ties
 * broken by the lower index (NaN counts as the smallest score).  frac is clamped
 * to [0,1].  Returns k. */
size_t saliency_top_mask(const float *score, size_t n, float frac, uint8_t *mask);

/* A seeded subsample of at most `max` samples drawn uniformly without
 * replacement from the union of a and b (b may be NULL), kept in the union's
 * order.  max <= 0 or max >= total: all of them.  NULL on allocation failure. */
Dataset *saliency_sample_union(const Dataset *a, const Dataset *b, int max, uint64_t seed);
#endif
