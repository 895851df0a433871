/* klom.h — KLoM ("KL divergence of margins", Georgiev, Rinberg, Park, Garg, Ilyas,
 * Madry, Neel 2024, "Attribute-to-Delete: Machine Unlearning via Datamodel
 * Matching", arXiv 2410.23232, appendix E.1).
 *
 * Margin of one model on one sample with label y: z[s] - logsumexp_{k != s} z[k],
 * z the logits, s the slot of y in a GIVEN class map.  Metrics pass the ORIGINAL
 * model's map (t->before) for every model, so a forget sample is measured in its
 * OLD slot (for a gold model: how strongly it sends a "6" into the slot now
 * labelled "3").  A sample whose class has no slot in the map gets NaN.
 *
 * KLoM of one example: KL(unlearned || gold) between the distributions of its
 * margin over N unlearned models (a) and over N gold retrains (b) — the order of
 * the reference implementation (p = unlearned, q = oracle).  The reference bins
 * each side into a 20-bin histogram over the pooled range (eps 1e-5 for empty
 * bins); with the N = 5 models per side we can afford, such histograms are
 * mostly empty bins, so we fit a Gaussian to each side instead (mean, sample
 * variance + var_floor) and take the closed-form KL.  Summaries: median and 95th
 * percentile over the examples of a set (forget-train, forget-test, retain-test).
 *
 * var_floor (KLOM_VAR_FLOOR = 0.1 logit^2, sd ~0.32): N copies of one
 * deterministic computation (or margins that barely move between seeds) have
 * sample variance ~0 and would make the KL of any tiny mean difference explode
 * (0/0 for equal ensembles); with N = 5 a side the sample variance is itself
 * noisy (its relative sd is ~70%) and can come out near 0 by chance.  The floor
 * sets the resolution: two ensembles both narrower than ~0.3 logit whose means
 * differ by d get KL ~ d^2 / 0.2 (d = 1 logit: ~5).  Measured scale (test_metrics:
 * two retrains of the small MNIST net, seeds 1 and 2): their margins differ by a
 * median ~0.8-0.95 logit on forget-train, forget-test and retain-test, i.e. a
 * seed-to-seed variance of ~0.4 logit^2 per model; the floor is a quarter of that,
 * so it damps the KL of real ensembles a little (both sides alike) and bounds the
 * degenerate case.  Callers may pass another floor (0 reproduces the plain fit).
 */
#ifndef KLOM_H
#define KLOM_H
#include <stddef.h>
#include "net.h"
#include "dataset.h"
#include "classmap.h"

#define KLOM_VAR_FLOOR 0.1
#define MARGIN_SAMPLE_SEED 0x4b4c6f4dULL   /* fixed: independent of the model and of the run seed */

/* out[i] <- margin of net on d's sample i (eval mode), slots from cm (NaN: no slot).
 * 0, or -1 with err (the map's slot count differs from the net's outputs, no memory). */
int margins_compute(Net *net, const Dataset *d, const ClassMap *cm, float *out, char *err, size_t errlen);

/* At most cap samples of d drawn with the fixed seed MARGIN_SAMPLE_SEED (all of d,
 * shuffled, when cap <= 0 or cap >= n): the same examples for every model measured
 * on the same d.  NULL on allocation failure. */
Dataset *metrics_margin_sample(const Dataset *d, int cap);

/* out[j] <- KL( N(mu_a, var_a) || N(mu_b, var_b) ) for example j < n, from margins
 * a [na][n] (unlearned models) and b [nb][n] (gold models); means and sample
 * variances (n - 1 denominator; 0 with one model) over the finite values of each
 * column, var_floor added to both.  NaN for a column with no finite value on a side. */
void klom_per_example(const float *a, int na, const float *b, int nb, int n, double var_floor, double *out);
#endif
