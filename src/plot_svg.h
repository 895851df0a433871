/* plot_svg.h — a small SVG writer for the comparison plots: interval charts
 * (each method's mean and 95% interval against the gold model's band), line
 * charts (relearn curves), heatmaps (confusion matrices; method x class
 * differences to the gold) and grouped bar charts.  Each svg_* chart function
 * returns a malloc'd, self-contained SVG document (starting with "<svg",
 * ending with "</svg>\n"), or NULL when out of memory; svg_save writes one
 * atomically.  NaN values are left out (no bar, a gap in the line, an empty
 * cell, "n/a" in an interval row).  All text (titles, labels, names) is
 * XML-escaped, so names may contain '&', '<', '>' or quotes.
 *
 * Series styles: series i is drawn in colour svg_series_colour(i) with marker
 * svg_series_marker(i) — colour i mod SVG_N_COLOURS, marker i mod
 * SVG_N_MARKERS.  The two counts are coprime, so the first SVG_DISTINCT_STYLES
 * (44) series all differ in the (colour, marker) pair, and any two
 * consecutive series differ in both.  Legends show the colour and the marker
 * (and, in line charts, the line's dash pattern). */
#ifndef PLOT_SVG_H
#define PLOT_SVG_H
#include <stddef.h>

typedef struct {
    const char *name;     /* legend entry */
    const double *y;      /* n values */
    const double *x;      /* line charts: n x positions (NULL: 0..n-1) */
    int n;
} SvgSeries;

/* One row of an interval chart: a method's mean and its 95% interval [lo, hi]
 * (lo > hi is swapped).  mean NaN: the row shows "n/a"; lo or hi NaN: the dot
 * without an error bar. */
typedef struct {
    const char *name;     /* row label */
    double mean, lo, hi;
} SvgInterval;

typedef enum { SVG_MARKER_CIRCLE, SVG_MARKER_SQUARE, SVG_MARKER_TRIANGLE, SVG_MARKER_DIAMOND } SvgMarker;
#define SVG_N_COLOURS 11
#define SVG_N_MARKERS 4
#define SVG_DISTINCT_STYLES (SVG_N_COLOURS * SVG_N_MARKERS)
/* Style of series i (i >= 0): "#rrggbb" and its marker shape. */
const char *svg_series_colour(int i);
SvgMarker svg_series_marker(int i);
const char *svg_marker_name(SvgMarker m);   /* "circle", "square", "triangle", "diamond" */

/* ncat categories along x, one bar per series in each.  With more series than
 * colours, each bar also carries its series' marker above it. */
char *svg_bar_chart(const char *title, const char *ylabel, const char *const *cats, int ncat,
                    const SvgSeries *s, int ns, double ymin, double ymax);
/* One polyline with a marker at every point per series (series beyond the
 * first SVG_N_COLOURS are dashed); hline: a dashed horizontal reference line
 * (NaN: none). */
char *svg_line_chart(const char *title, const char *xlabel, const char *ylabel, const SvgSeries *s, int ns,
                     double ymin, double ymax, double hline);
/* One horizontal row per method (label on the left, "mean [lo, hi]" on the
 * right): the mean as a marker and the 95% interval as an error bar, over the
 * gold's band [band_lo, band_hi] drawn as a shaded vertical strip with a line
 * at band_mid.  A row whose mean lies inside the band (inclusive) has a filled
 * marker, outside a hollow one; a small legend says so.  Band bounds NaN: no
 * strip, every marker filled; band_mid NaN: no line.  xmin or xmax NaN: that
 * end is autoscaled to the data and the band with 5% padding.  A mean beyond
 * [xmin, xmax] is shown as an arrow at the edge. */
char *svg_interval_chart(const char *title, const char *xlabel, const SvgInterval *rows, int n, double band_lo,
                         double band_hi, double band_mid, double xmin, double xmax);
/* v [rows][cols] in [0, 1] (e.g. row-normalised confusion); the value is printed in each cell. */
char *svg_heatmap(const char *title, const char *xlabel, const char *ylabel, const double *v, int rows, int cols,
                  const char *const *row_labels, const char *const *col_labels);
/* v [rows][cols] of signed values (e.g. method minus gold): a diverging scale,
 * blue below 0, white at 0, red above, saturating at -range and +range (range
 * NaN or <= 0: the largest |v|); the value is printed in each cell ("n/a" for
 * NaN) and a colour bar shows the scale. */
char *svg_heatmap_signed(const char *title, const char *xlabel, const char *ylabel, const double *v, int rows,
                         int cols, const char *const *row_labels, const char *const *col_labels, double range);
/* Write svg to path atomically and free it (svg NULL -> error). 0 or -1 with err. */
int svg_save(const char *path, char *svg, char *err, size_t errlen);
#endif
