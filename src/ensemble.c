/* ensemble.c — mean, 95% interval, gold band and z over seeds (see ensemble.h). */
#include "ensemble.h"
#include <math.h>

double t975(int df) {
    static const double t[] = {NAN,    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201,  2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080,  2.074,  2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (df < 1) return NAN;
    if (df <= 30) return t[df];
    return 1.960 + 2.4 / df;   /* within 0.002 of the exact quantile above 30 */
}

EnsStat ens_stat(const double *v, int n) {
    EnsStat s = {0, NAN, NAN, NAN, NAN};
    double sum = 0;
    for (int i = 0; i < n; i++) if (isfinite(v[i])) { sum += v[i]; s.n++; }
    if (!s.n) return s;
    s.mean = sum / s.n;
    double ss = 0;
    for (int i = 0; i < n; i++) if (isfinite(v[i])) ss += (v[i] - s.mean) * (v[i] - s.mean);
    s.sd = s.n > 1 ? sqrt(ss / (s.n - 1)) : 0.0;
    if (s.n > 1) {
        double h = t975(s.n - 1) * s.sd / sqrt(s.n);
        s.lo = s.mean - h;
        s.hi = s.mean + h;
    }
    return s;
}

EnsBand ens_band(const double *gold, int n) {
    EnsStat s = ens_stat(gold, n);
    EnsBand b = {NAN, s.mean, NAN, s.sd};
    if (s.n > 1) {
        double h = t975(s.n - 1) * s.sd * sqrt(1.0 + 1.0 / s.n);
        b.lo = s.mean - h;
        b.hi = s.mean + h;
    }
    return b;
}

int ens_inside(double x, const EnsBand *b, double tol) {
    if (!isfinite(x) || !isfinite(b->lo) || !isfinite(b->hi)) return -1;
    return x >= b->lo - tol && x <= b->hi + tol;
}

double ens_z(double x, const EnsBand *b) {
    if (!isfinite(x) || !isfinite(b->mid) || !(b->sd > 0)) return NAN;
    return (x - b->mid) / b->sd;
}
