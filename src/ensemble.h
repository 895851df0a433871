/* ensemble.h — statistics over an ensemble of models (one value per seed): the mean
 * with its 95% confidence interval, the gold ensemble's 95% band for one more model,
 * and a method's distance from the gold in gold standard deviations.
 *
 * Interval of the mean: mean +- t(0.975, n-1) * sd / sqrt(n).
 * Gold band: the 95% prediction interval for one more gold model,
 *   gold mean +- t(0.975, n-1) * sd * sqrt(1 + 1/n)
 * — the range a model retrained from scratch with another seed falls in; a method
 * whose mean is inside it cannot be told from the gold on that metric. */
#ifndef ENSEMBLE_H
#define ENSEMBLE_H

typedef struct {
    int n;               /* finite values */
    double mean, sd;     /* sd: sample standard deviation (0 for n = 1) */
    double lo, hi;       /* 95% interval of the mean (NaN for n < 2) */
} EnsStat;

typedef struct {
    double lo, mid, hi;  /* the gold's 95% prediction band and its mean (NaN for n < 2) */
    double sd;
} EnsBand;

/* Two-sided 95% quantile of Student's t with df degrees of freedom (df >= 1). */
double t975(int df);
EnsStat ens_stat(const double *v, int n);
EnsBand ens_band(const double *gold, int n);
/* 1 when x lies inside the band (a point-mass gold band [m, m] admits |x - m| <= tol), 0 outside,
 * -1 when either is NaN. */
int ens_inside(double x, const EnsBand *b, double tol);
/* (x - gold mean) / gold sd; NaN when sd is 0 or NaN. */
double ens_z(double x, const EnsBand *b);
#endif
