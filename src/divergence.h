/* divergence.h — divergences between distributions: Jensen-Shannon between two
 * discrete distributions, KL between two univariate Gaussians, and the median /
 * 95th percentile of a sample.  Natural log throughout. */
#ifndef DIVERGENCE_H
#define DIVERGENCE_H

/* JS(p, q) = KL(p || m) / 2 + KL(q || m) / 2, m = (p + q) / 2, over k bins.
 * p and q are normalised to sum 1 first.  In [0, ln 2]: 0 iff p == q, ln 2 iff
 * their supports are disjoint; symmetric.  NaN when k < 1, a value is negative or
 * not finite, or a sum is 0. */
double js_divergence(const double *p, const double *q, int k);

/* KL( N(mu_a, var_a) || N(mu_b, var_b) ) = ln(sd_b / sd_a) + (var_a + (mu_a - mu_b)^2) / (2 var_b) - 1/2.
 * NaN unless both variances are > 0. */
double kl_gauss(double mu_a, double var_a, double mu_b, double var_b);

/* Median and 95th percentile of the finite values of v (linear interpolation between
 * order statistics, numpy's default: position q * (m - 1) of the m sorted values).
 * Returns the count m of finite values; both NaN when m == 0.  Either output may be NULL. */
int median_p95(const double *v, int n, double *median, double *p95);
/* The q-quantile (0 <= q <= 1) of the finite values, as above; NaN when there are none. */
double quantile(const double *v, int n, double q);
#endif
