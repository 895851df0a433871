/* plot_svg.h — a small SVG writer for the comparison plots: grouped bar charts
 * (per-class accuracy), line charts (relearn curves) and heatmaps (confusion
 * matrices).  Each svg_* function returns a malloc'd, self-contained SVG
 * document (starting with "<svg", ending with "</svg>\n"), or NULL when out of
 * memory; svg_save writes one atomically.  NaN values are left out (no bar, a
 * gap in the line, an empty cell). */
#ifndef PLOT_SVG_H
#define PLOT_SVG_H
#include <stddef.h>

typedef struct {
    const char *name;     /* legend entry */
    const double *y;      /* n values */
    const double *x;      /* line charts: n x positions (NULL: 0..n-1) */
    int n;
} SvgSeries;

/* ncat categories along x, one bar per series in each. */
char *svg_bar_chart(const char *title, const char *ylabel, const char *const *cats, int ncat,
                    const SvgSeries *s, int ns, double ymin, double ymax);
/* One polyline (with dots) per series; hline: a dashed horizontal reference line (NaN: none). */
char *svg_line_chart(const char *title, const char *xlabel, const char *ylabel, const SvgSeries *s, int ns,
                     double ymin, double ymax, double hline);
/* v [rows][cols] in [0, 1] (e.g. row-normalised confusion); the value is printed in each cell. */
char *svg_heatmap(const char *title, const char *xlabel, const char *ylabel, const double *v, int rows, int cols,
                  const char *const *row_labels, const char *const *col_labels);
/* Write svg to path atomically and free it (svg NULL -> error). 0 or -1 with err. */
int svg_save(const char *path, char *svg, char *err, size_t errlen);
#endif
