/* plot_svg.c — minimal SVG charts (see plot_svg.h). */
#include "plot_svg.h"
#include "atomic_file.h"
#include "json.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tableau 10 plus black: 11 colours, coprime with the 4 marker shapes. */
static const char *const palette[SVG_N_COLOURS] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                   "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                   "#bcbd22", "#17becf", "#000000"};
static const char *const marker_names[SVG_N_MARKERS] = {"circle", "square", "triangle", "diamond"};

const char *svg_series_colour(int i) { return palette[(unsigned)i % SVG_N_COLOURS]; }
SvgMarker svg_series_marker(int i) { return (SvgMarker)((unsigned)i % SVG_N_MARKERS); }
const char *svg_marker_name(SvgMarker m) {
    return (int)m >= 0 && (int)m < SVG_N_MARKERS ? marker_names[m] : "circle";
}
/* Line dash of series i: solid for the first SVG_N_COLOURS series, then dashed, then dotted. */
static const char *series_dash(int i) {
    static const char *const dash[] = {NULL, "7,4", "2,3", "9,3,2,3"};
    return dash[((unsigned)i / SVG_N_COLOURS) % 4];
}

/* XML text escaping; control characters that XML 1.0 forbids become '?'. */
static void xml_text(JsonBuf *b, const char *s) {
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': jb_puts(b, "&amp;"); break;
        case '<': jb_puts(b, "&lt;"); break;
        case '>': jb_puts(b, "&gt;"); break;
        case '"': jb_puts(b, "&quot;"); break;
        case '\'': jb_puts(b, "&apos;"); break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') jb_puts(b, "?");
            else jb_raw(b, s, 1);
        }
    }
}

static void text_at(JsonBuf *b, double x, double y, const char *anchor, int size, const char *extra, const char *s) {
    jb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\"%s%s>", x, y, anchor, size,
              extra ? " " : "", extra ? extra : "");
    xml_text(b, s);
    jb_puts(b, "</text>\n");
}

/* Rough rendered width of s at a font size (sans-serif averages ~0.6 em per
 * character); counts UTF-8 characters, not bytes. */
static double text_w(const char *s, int size) {
    int n = 0;
    for (; s && *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n * size * 0.6;
}

/* Rough width of a bold 15px title, so that the canvas can hold it. */
static int title_w(const char *title) { return title ? (int)(text_w(title, 15) * 1.1) + 40 : 0; }

static void header(JsonBuf *b, int w, int h, const char *title) {
    jb_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
              "font-family=\"sans-serif\">\n", w, h, w, h);
    jb_printf(b, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", w, h);
    if (title) text_at(b, w / 2.0, 22, "middle", 15, "font-weight=\"bold\"", title);
}

static char *finish(JsonBuf *b) {
    jb_puts(b, "</svg>\n");
    if (b->oom) { jb_free(b); return NULL; }
    return b->buf;
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* A marker of the given shape centred on (x, y), radius ~r, filled with col or
 * hollow (white inside, col outline).  tip: an optional tooltip (escaped). */
static void marker(JsonBuf *b, SvgMarker m, double x, double y, double r, const char *col, int filled,
                   const char *tip) {
    const char *fill = filled ? col : "white";
    double sw = filled ? 1.0 : 1.8;
    const char *name = svg_marker_name(m);
    switch (m) {
    case SVG_MARKER_SQUARE: {
        double h = r * 0.9;
        jb_printf(b, "<rect class=\"marker %s %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"", name,
                  filled ? "filled" : "hollow", x - h, y - h, 2 * h, 2 * h);
        break;
    }
    case SVG_MARKER_TRIANGLE:
        jb_printf(b, "<polygon class=\"marker %s %s\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"", name,
                  filled ? "filled" : "hollow", x, y - 1.25 * r, x + 1.15 * r, y + 0.8 * r, x - 1.15 * r,
                  y + 0.8 * r);
        break;
    case SVG_MARKER_DIAMOND:
        jb_printf(b, "<polygon class=\"marker %s %s\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\"", name,
                  filled ? "filled" : "hollow", x, y - 1.3 * r, x + 1.05 * r, y, x, y + 1.3 * r, x - 1.05 * r, y);
        break;
    default:
        jb_printf(b, "<circle class=\"marker %s %s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"", name,
                  filled ? "filled" : "hollow", x, y, r);
    }
    jb_printf(b, " fill=\"%s\" stroke=\"%s\" stroke-width=\"%.1f\"", fill, col, sw);
    if (tip) {
        jb_puts(b, "><title>");
        xml_text(b, tip);
        jb_printf(b, "</title></%s>\n", m == SVG_MARKER_SQUARE ? "rect" : m == SVG_MARKER_CIRCLE ? "circle" : "polygon");
    } else {
        jb_puts(b, "/>\n");
    }
}

/* y axis with 5 ticks and grid lines over [y0, y1] mapped to pixel rows [py1 (bottom), py0 (top)]. */
static void y_axis(JsonBuf *b, double px0, double px1, double py0, double py1, double y0, double y1, const char *label) {
    for (int i = 0; i <= 5; i++) {
        double v = y0 + (y1 - y0) * i / 5.0;
        double py = py1 - (py1 - py0) * i / 5.0;
        jb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", px0, py, px1, py);
        char t[32];
        snprintf(t, sizeof t, "%g", fabs(v) < 1e-12 ? 0.0 : v);
        text_at(b, px0 - 6, py + 4, "end", 11, NULL, t);
    }
    jb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", px0, py0, px0, py1);
    jb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", px0, py1, px1, py1);
    if (label) {
        char tr[96];
        double cy = (py0 + py1) / 2;
        snprintf(tr, sizeof tr, "transform=\"rotate(-90 %.1f %.1f)\"", 16.0, cy);
        text_at(b, 16, cy, "middle", 12, tr, label);
    }
}

#define LEGEND_ROW 18.0
/* Width a legend needs right of the plot (swatch + longest name). */
static int legend_w(const SvgSeries *s, int ns) {
    double w = 0;
    for (int i = 0; i < ns; i++) {
        double t = text_w(s[i].name, 12);
        if (t > w) w = t;
    }
    return (int)w + 56;
}

/* Legend entries: kind 0 (bars): a colour square, plus the marker when
 * markers are drawn; kind 1 (lines): a line segment in the series' dash with
 * the marker on it. */
static void legend(JsonBuf *b, double x, double y, const SvgSeries *s, int ns, int kind, int with_marker) {
    for (int i = 0; i < ns; i++) {
        const char *col = svg_series_colour(i);
        double cy = y + LEGEND_ROW * i + 6;
        jb_puts(b, "<g class=\"legend-entry\">\n");
        if (kind == 0) {
            jb_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", x, cy - 6, col);
            if (with_marker) marker(b, svg_series_marker(i), x + 20, cy, 4, col, 1, NULL);
        } else {
            const char *d = series_dash(i);
            jb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"", x,
                      cy, x + 26, cy, col);
            if (d) jb_printf(b, " stroke-dasharray=\"%s\"", d);
            jb_puts(b, "/>\n");
            marker(b, svg_series_marker(i), x + 13, cy, 4, col, 1, NULL);
        }
        text_at(b, x + 34, cy + 4, "start", 12, NULL, s[i].name ? s[i].name : "");
        jb_puts(b, "</g>\n");
    }
}

char *svg_bar_chart(const char *title, const char *ylabel, const char *const *cats, int ncat,
                    const SvgSeries *s, int ns, double ymin, double ymax) {
    if (!(ymax > ymin)) { ymin = 0; ymax = 1; }
    if (ncat < 0) ncat = 0;
    if (ns < 0 || !s) ns = 0;
    int markers = ns > SVG_N_COLOURS;
    int group_w = ns * 12 + 14;
    int plot_w = ncat * group_w > 360 ? ncat * group_w : 360;
    int L = 70, R = legend_w(s, ns) + 20, T = 40, Bm = 50, H = 300;
    if (R < 170) R = 170;
    int W = L + plot_w + R;
    if (W < title_w(title)) W = title_w(title);
    int Htot = T + H + Bm;
    if (Htot < T + (int)(LEGEND_ROW * ns) + 20) Htot = T + (int)(LEGEND_ROW * ns) + 20;
    JsonBuf b;
    jb_init(&b);
    header(&b, W, Htot, title);
    y_axis(&b, L, L + plot_w, T, T + H, ymin, ymax, ylabel);
    double gw = (double)plot_w / (ncat > 0 ? ncat : 1);
    double bw = (gw - 10) / (ns > 0 ? ns : 1);
    for (int c = 0; c < ncat; c++) {
        double gx = L + gw * c + 5;
        for (int i = 0; i < ns; i++) {
            if (c >= s[i].n || !s[i].y) continue;
            double v = s[i].y[c];
            if (!isfinite(v)) continue;
            double top = T + H - H * (clampd(v, ymin, ymax) - ymin) / (ymax - ymin);
            double base = T + H - H * (clampd(0, ymin, ymax) - ymin) / (ymax - ymin);
            double y0 = top < base ? top : base, h = fabs(base - top);
            const char *col = svg_series_colour(i);
            jb_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
                      gx + bw * i, y0, bw > 1 ? bw - 1 : bw, h, col);
            xml_text(&b, s[i].name ? s[i].name : "");
            jb_printf(&b, ": %.4g</title></rect>\n", v);
            if (markers) {
                double r = clampd(bw / 2 - 0.5, 1.5, 4);
                marker(&b, svg_series_marker(i), gx + bw * i + (bw - 1) / 2, y0 - r - 2, r, col, 1, NULL);
            }
        }
        text_at(&b, L + gw * (c + 0.5), T + H + 18, "middle", 12, NULL, cats && cats[c] ? cats[c] : "");
    }
    legend(&b, L + plot_w + 16, T, s, ns, 0, markers);
    return finish(&b);
}

char *svg_line_chart(const char *title, const char *xlabel, const char *ylabel, const SvgSeries *s, int ns,
                     double ymin, double ymax, double hline) {
    if (!(ymax > ymin)) { ymin = 0; ymax = 1; }
    if (ns < 0 || !s) ns = 0;
    double xmin = INFINITY, xmax = -INFINITY;
    for (int i = 0; i < ns; i++)
        for (int j = 0; j < s[i].n; j++) {
            double x = s[i].x ? s[i].x[j] : j;
            if (!isfinite(x)) continue;
            if (x < xmin) xmin = x;
            if (x > xmax) xmax = x;
        }
    if (!isfinite(xmin)) { xmin = 0; xmax = 1; }
    else if (!(xmax > xmin)) xmax = xmin + 1;
    int L = 70, R = legend_w(s, ns) + 20, T = 40, Bm = 55, H = 300, PW = 520;
    if (R < 170) R = 170;
    int W = L + PW + R;
    if (W < title_w(title)) W = title_w(title);
    int Htot = T + H + Bm;
    if (Htot < T + (int)(LEGEND_ROW * ns) + 20) Htot = T + (int)(LEGEND_ROW * ns) + 20;
    JsonBuf b;
    jb_init(&b);
    header(&b, W, Htot, title);
    y_axis(&b, L, L + PW, T, T + H, ymin, ymax, ylabel);
    for (int i = 0; i <= 5; i++) {
        double v = xmin + (xmax - xmin) * i / 5.0;
        char t[32];
        snprintf(t, sizeof t, "%g", round(v * 100) / 100);
        text_at(&b, L + PW * i / 5.0, T + H + 16, "middle", 11, NULL, t);
    }
    if (xlabel) text_at(&b, L + PW / 2.0, T + H + 40, "middle", 12, NULL, xlabel);
#define PX(x) (L + PW * ((x) - xmin) / (xmax - xmin))
#define PY(y) (T + H - H * (clampd((y), ymin, ymax) - ymin) / (ymax - ymin))
    if (isfinite(hline))
        jb_printf(&b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#444\" stroke-dasharray=\"5,4\"/>\n",
                  L, PY(hline), L + PW, PY(hline));
    for (int i = 0; i < ns; i++) {
        const char *col = svg_series_colour(i), *dash = series_dash(i);
        if (!s[i].y) continue;
        int open = 0;
        for (int j = 0; j < s[i].n; j++) {
            double x = s[i].x ? s[i].x[j] : j, y = s[i].y[j];
            if (!isfinite(x) || !isfinite(y)) {
                if (open) { jb_puts(&b, "\"/>\n"); open = 0; }
                continue;
            }
            if (!open) {
                jb_printf(&b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"", col);
                if (dash) jb_printf(&b, " stroke-dasharray=\"%s\"", dash);
                jb_puts(&b, " points=\"");
                open = 1;
            }
            jb_printf(&b, "%.1f,%.1f ", PX(x), PY(y));
        }
        if (open) jb_puts(&b, "\"/>\n");
        for (int j = 0; j < s[i].n; j++) {
            double x = s[i].x ? s[i].x[j] : j, y = s[i].y[j];
            if (isfinite(x) && isfinite(y)) {
                char tip[160];
                snprintf(tip, sizeof tip, "%.100s: (%g, %.4g)", s[i].name ? s[i].name : "", x, y);
                marker(&b, svg_series_marker(i), PX(x), PY(y), 3.5, col, 1, tip);
            }
        }
    }
#undef PX
#undef PY
    legend(&b, L + PW + 16, T, s, ns, 1, 1);
    return finish(&b);
}

/* ---- interval chart ---------------------------------------------------- */

/* A "nice" tick step (1, 2 or 5 x 10^k) giving about target ticks over span. */
static double nice_step(double span, int target) {
    double raw = span / target;
    double p = pow(10, floor(log10(raw)));
    double f = raw / p;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

static void fmt_num(char *out, size_t n, double v) {
    if (!isfinite(v)) snprintf(out, n, "n/a");
    else snprintf(out, n, "%.3g", fabs(v) < 5e-324 ? 0.0 : v);
}

/* The interval chart's legend: items laid out left to right from (x0, 0),
 * wrapping before wmax.  Returns the baseline of its last line. */
static double interval_legend(JsonBuf *b, double x0, double wmax, double band_lo, double band_hi, double band_mid) {
    double x = x0, y = 0;
    int have_band = isfinite(band_lo) && isfinite(band_hi), have_mid = isfinite(band_mid);
    char t_band[64], t_mid[48];
    snprintf(t_band, sizeof t_band, "gold 95%% band [%.3g, %.3g]", band_lo, band_hi);
    snprintf(t_mid, sizeof t_mid, "gold mean %.3g", band_mid);
#define ITEM(w) do { if (x > x0 && x + (w) > wmax) { x = x0; y += 18; } } while (0)
    if (have_band) {
        const char *t = t_band;
        double w = 24 + text_w(t, 11) + 18;
        ITEM(w);
        jb_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"12\" fill=\"#e8b920\" fill-opacity=\"0.28\" "
                  "stroke=\"#e8b920\"/>\n", x, y - 10);
        text_at(b, x + 24, y, "start", 11, NULL, t);
        x += w;
    }
    if (have_mid) {
        const char *t = t_mid;
        double w = 24 + text_w(t, 11) + 18;
        ITEM(w);
        jb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#a07800\" stroke-width=\"2\"/>\n",
                  x + 9, y - 12, x + 9, y + 2);
        text_at(b, x + 24, y, "start", 11, NULL, t);
        x += w;
    }
    {
        const char *t = "method mean and 95% interval";
        double w = 30 + text_w(t, 11) + 18;
        ITEM(w);
        jb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\" stroke-width=\"2\"/>\n",
                  x, y - 4, x + 24, y - 4);
        marker(b, SVG_MARKER_CIRCLE, x + 12, y - 4, 4.5, "#444", 1, NULL);
        text_at(b, x + 30, y, "start", 11, NULL, t);
        x += w;
    }
    if (have_band) {
        const char *t[2] = {"filled: mean inside the band", "hollow: outside"};
        for (int k = 0; k < 2; k++) {
            double w = 16 + text_w(t[k], 11) + 18;
            ITEM(w);
            marker(b, SVG_MARKER_CIRCLE, x + 5, y - 4, 4.5, "#444", k == 0, NULL);
            text_at(b, x + 16, y, "start", 11, NULL, t[k]);
            x += w;
        }
    }
#undef ITEM
    return y;
}

char *svg_interval_chart(const char *title, const char *xlabel, const SvgInterval *rows, int n, double band_lo,
                         double band_hi, double band_mid, double xmin, double xmax) {
    if (n < 0 || !rows) n = 0;
    int have_band = isfinite(band_lo) && isfinite(band_hi);
    if (have_band && band_lo > band_hi) { double t = band_lo; band_lo = band_hi; band_hi = t; }
    if (!have_band) band_lo = band_hi = NAN;
    /* autoscale: every finite mean, lo, hi and the band */
    if (!isfinite(xmin) || !isfinite(xmax)) {
        double dlo = INFINITY, dhi = -INFINITY;
        for (int i = 0; i < n; i++) {
            double v[3] = {rows[i].mean, rows[i].lo, rows[i].hi};
            for (int k = 0; k < 3; k++)
                if (isfinite(v[k])) { if (v[k] < dlo) dlo = v[k]; if (v[k] > dhi) dhi = v[k]; }
        }
        double bv[3] = {band_lo, band_hi, band_mid};
        for (int k = 0; k < 3; k++)
            if (isfinite(bv[k])) { if (bv[k] < dlo) dlo = bv[k]; if (bv[k] > dhi) dhi = bv[k]; }
        if (isfinite(xmin)) { if (xmin < dlo) dlo = xmin; if (xmin > dhi) dhi = xmin; }
        if (isfinite(xmax)) { if (xmax < dlo) dlo = xmax; if (xmax > dhi) dhi = xmax; }
        if (!isfinite(dlo)) { dlo = 0; dhi = 1; }
        double pad = (dhi - dlo) * 0.05;
        if (!(pad > 0)) pad = fabs(dlo) > 0 ? fabs(dlo) * 0.1 : 0.5;
        if (!isfinite(xmin)) xmin = dlo - pad;
        if (!isfinite(xmax)) xmax = dhi + pad;
    }
    if (!(xmax > xmin)) xmax = xmin + 1;

    /* layout: labels | plot | "mean [lo, hi]" */
    const int RH = 24, PW = 460, T = 44;
    char (*vals)[80] = n ? malloc((size_t)n * sizeof *vals) : NULL;
    if (n && !vals) return NULL;
    double lw = 40, vw = 60;
    for (int i = 0; i < n; i++) {
        double t = text_w(rows[i].name, 12);
        if (t > lw) lw = t;
        char a[16], lo[16], hi[16];
        fmt_num(a, sizeof a, rows[i].mean);
        fmt_num(lo, sizeof lo, rows[i].lo);
        fmt_num(hi, sizeof hi, rows[i].hi);
        if (!isfinite(rows[i].mean)) vals[i][0] = 0;
        else if (!isfinite(rows[i].lo) || !isfinite(rows[i].hi)) snprintf(vals[i], sizeof vals[i], "%s", a);
        else {
            double l = rows[i].lo, h = rows[i].hi;
            if (l > h) { fmt_num(lo, sizeof lo, h); fmt_num(hi, sizeof hi, l); }
            snprintf(vals[i], sizeof vals[i], "%s [%s, %s]", a, lo, hi);
        }
        t = text_w(vals[i], 11);
        if (t > vw) vw = t;
    }
    int L = (int)lw + 24, PH = (n > 0 ? n : 1) * RH;
    int W = L + PW + 14 + (int)vw + 14;
    if (W < title_w(title)) W = title_w(title);
    if (W < 420) W = 420;
    int axis_y = T + PH;
    int leg_y = axis_y + (xlabel ? 58 : 40);
    /* the legend, drawn first (at y 0, shifted into place) so that the canvas can hold all its lines */
    JsonBuf lb;
    jb_init(&lb);
    double leg_h = interval_legend(&lb, L, W - 10, band_lo, band_hi, band_mid);
    int Htot = leg_y + (int)leg_h + 14;

    JsonBuf b;
    jb_init(&b);
    header(&b, W, Htot, title);
#define PX(v) (L + PW * ((v) - xmin) / (xmax - xmin))
    /* zebra stripes, behind everything */
    for (int i = 1; i < n; i += 2)
        jb_printf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f4f4f4\"/>\n", 4, T + RH * i, W - 8, RH);
    /* x grid and ticks */
    double step = nice_step(xmax - xmin, 6);
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    for (double v = ceil(xmin / step - 1e-9) * step; v <= xmax + step * 1e-9; v += step) {
        double px = PX(v);
        char t[32];
        snprintf(t, sizeof t, "%.*f", dec, fabs(v) < step * 1e-9 ? 0.0 : v);
        jb_printf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", px, T, px, axis_y);
        jb_printf(&b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n", px, axis_y, px,
                  axis_y + 4);
        text_at(&b, px, axis_y + 16, "middle", 11, NULL, t);
    }
    /* the gold's band and mean */
    if (have_band && band_hi >= xmin && band_lo <= xmax) {
        double x0 = PX(clampd(band_lo, xmin, xmax)), x1 = PX(clampd(band_hi, xmin, xmax));
        jb_printf(&b, "<rect class=\"band\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"#e8b920\" "
                  "fill-opacity=\"0.28\"><title>gold 95%% band: [%.4g, %.4g]</title></rect>\n",
                  x0, T, x1 - x0 > 1 ? x1 - x0 : 1, PH, band_lo, band_hi);
    }
    if (isfinite(band_mid) && band_mid >= xmin && band_mid <= xmax)
        jb_printf(&b, "<line class=\"band-mid\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#a07800\" "
                  "stroke-width=\"2\"><title>gold mean: %.4g</title></line>\n",
                  PX(band_mid), T, PX(band_mid), axis_y, band_mid);
    jb_printf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, axis_y, L + PW, axis_y);
    jb_printf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, T, L, axis_y);
    if (xlabel) text_at(&b, L + PW / 2.0, axis_y + 36, "middle", 12, NULL, xlabel);

    /* rows */
    for (int i = 0; i < n; i++) {
        const SvgInterval *r = &rows[i];
        double cy = T + RH * (i + 0.5);
        const char *col = svg_series_colour(i);
        SvgMarker mk = svg_series_marker(i);
        int has_mean = isfinite(r->mean);
        int inside = has_mean && (!have_band || (r->mean >= band_lo && r->mean <= band_hi));
        jb_printf(&b, "<g class=\"row %s\">\n", !has_mean ? "na" : inside ? "inside" : "outside");
        text_at(&b, L - 10, cy + 4, "end", 12, NULL, r->name ? r->name : "");
        if (!has_mean) {
            text_at(&b, L + 8, cy + 4, "start", 12, "fill=\"#888\" font-style=\"italic\"", "n/a");
            jb_puts(&b, "</g>\n");
            continue;
        }
        if (isfinite(r->lo) && isfinite(r->hi)) {
            double lo = r->lo < r->hi ? r->lo : r->hi, hi = r->lo < r->hi ? r->hi : r->lo;
            if (hi >= xmin && lo <= xmax) {
                double x0 = PX(clampd(lo, xmin, xmax)), x1 = PX(clampd(hi, xmin, xmax));
                jb_printf(&b, "<line class=\"ci\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                          "stroke-width=\"2\"/>\n", x0, cy, x1, cy, col);
                if (lo >= xmin)
                    jb_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                              x0, cy - 5, x0, cy + 5, col);
                if (hi <= xmax)
                    jb_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                              x1, cy - 5, x1, cy + 5, col);
            }
        }
        char tip[200];
        snprintf(tip, sizeof tip, "%.100s: %s (%s the gold's band)", r->name ? r->name : "", vals[i],
                 !have_band ? "no" : inside ? "inside" : "outside");
        if (r->mean < xmin || r->mean > xmax) {
            /* off the scale: an arrow inside the edge, pointing out */
            double d = r->mean < xmin ? -1 : 1, ex = (r->mean < xmin ? L : L + PW) - d * 8;
            jb_printf(&b, "<polygon class=\"offscale %s\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\" "
                      "stroke=\"%s\" stroke-width=\"1.8\"><title>", inside ? "filled" : "hollow", ex + d * 7, cy,
                      ex - d * 5, cy - 6, ex - d * 5, cy + 6, inside ? col : "white", col);
            xml_text(&b, tip);
            jb_puts(&b, "</title></polygon>\n");
        } else {
            marker(&b, mk, PX(r->mean), cy, 5, col, inside, tip);
        }
        text_at(&b, L + PW + 14, cy + 4, "start", 11, NULL, vals[i]);
        jb_puts(&b, "</g>\n");
    }
    if (n == 0) text_at(&b, L + PW / 2.0, T + RH / 2.0 + 4, "middle", 12, "fill=\"#888\"", "no data");
#undef PX
    free(vals);

    jb_printf(&b, "<g class=\"legend\" transform=\"translate(0 %d)\">\n", leg_y);
    jb_raw(&b, lb.buf ? lb.buf : "", lb.len);
    jb_puts(&b, "</g>\n");
    if (lb.oom) b.oom = 1;
    jb_free(&lb);
    return finish(&b);
}

/* ---- heatmaps ---------------------------------------------------------- */

/* signed_mode 0: v in [0, 1], white to dark blue; 1: diverging over [-range, range]. */
static char *heatmap(const char *title, const char *xlabel, const char *ylabel, const double *v, int rows, int cols,
                     const char *const *row_labels, const char *const *col_labels, int signed_mode, double range) {
    if (rows < 0 || !v) rows = 0;
    if (cols < 0 || !v) cols = 0;
    if (signed_mode && !(range > 0 && isfinite(range))) {
        range = 0;
        for (size_t i = 0; i < (size_t)rows * cols; i++)
            if (isfinite(v[i]) && fabs(v[i]) > range) range = fabs(v[i]);
        if (!(range > 0)) range = 1;
    }
    /* decimals in signed mode: two significant digits at half the range (range 0.2 to 2: 0.01),
     * at least one below a range of 200 */
    int dec = 2;
    if (signed_mode) {
        dec = 1 - (int)floor(log10(range / 2));
        if (dec < (range < 200 ? 1 : 0)) dec = range < 200 ? 1 : 0;
        if (dec > 6) dec = 6;
    }
    int cell = 40;
    if (signed_mode) {
        char t[48];
        snprintf(t, sizeof t, "%+.*f", dec, -range);
        int need = (int)text_w(t, 11) + 8;
        if (need > cell) cell = need;
    }
    double lw = 0, cw = 0;
    for (int r = 0; r < rows; r++)
        if (row_labels && row_labels[r] && text_w(row_labels[r], 12) > lw) lw = text_w(row_labels[r], 12);
    for (int c = 0; c < cols; c++)
        if (col_labels && col_labels[c] && text_w(col_labels[c], 12) > cw) cw = text_w(col_labels[c], 12);
    int rotate = cw > cell - 4;
    int colhdr = rotate ? (int)(cw * 0.71) + 16 : 18;
    int L = 36 + (int)lw + 10;
    if (L < 80) L = 80;
    int T = (xlabel ? 52 : 32) + colhdr;
    int R = signed_mode ? 96 : 30, Bm = 30;
    int W = L + cols * cell + R, H = T + rows * cell + Bm;
    int bar_h = rows * cell < 200 ? (rows * cell > 100 ? rows * cell : 100) : 200;
    if (signed_mode && H < T + bar_h + Bm) H = T + bar_h + Bm;
    if (rotate && W < L + cols * cell + (int)(cw * 0.71) + 20) W = L + cols * cell + (int)(cw * 0.71) + 20;
    if (W < 300) W = 300;
    if (W < title_w(title)) W = title_w(title);
    JsonBuf b;
    jb_init(&b);
    header(&b, W, H, title);
    if (xlabel) text_at(&b, L + cols * cell / 2.0, 44, "middle", 12, NULL, xlabel);
    if (ylabel) {
        char tr[96];
        double cy = T + rows * cell / 2.0;
        snprintf(tr, sizeof tr, "transform=\"rotate(-90 %.1f %.1f)\"", 18.0, cy);
        text_at(&b, 18, cy, "middle", 12, tr, ylabel);
    }
    for (int c = 0; c < cols; c++) {
        const char *lab = col_labels && col_labels[c] ? col_labels[c] : "";
        double x = L + cell * (c + 0.5);
        if (rotate) {
            char tr[96];
            snprintf(tr, sizeof tr, "transform=\"rotate(-45 %.1f %.1f)\"", x, T - 8.0);
            text_at(&b, x, T - 8, "start", 12, tr, lab);
        } else {
            text_at(&b, x, T - 8, "middle", 12, NULL, lab);
        }
    }
    for (int r = 0; r < rows; r++) {
        text_at(&b, L - 8, T + cell * (r + 0.5) + 4, "end", 12, NULL, row_labels && row_labels[r] ? row_labels[r] : "");
        for (int c = 0; c < cols; c++) {
            double x = v[(size_t)r * cols + c];
            double cx = L + cell * c, cy = T + cell * r;
            if (!isfinite(x)) {
                jb_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#eee\"/>\n",
                          cx, cy, cell, cell);
                if (signed_mode)
                    text_at(&b, cx + cell / 2.0, cy + cell / 2.0 + 4, "middle", 10, "fill=\"#999\"", "n/a");
                continue;
            }
            int rr, gg, bb, dark;
            if (!signed_mode) {
                double t = clampd(x, 0, 1);
                rr = (int)lround(255 - t * (255 - 8));
                gg = (int)lround(255 - t * (255 - 48));
                bb = (int)lround(255 - t * (255 - 107));
                dark = t > 0.55;
            } else {
                double t = clampd(x / range, -1, 1), a = fabs(t);
                /* RdBu ends: #b2182b (positive), #2166ac (negative) */
                int er = t >= 0 ? 178 : 33, eg = t >= 0 ? 24 : 102, eb = t >= 0 ? 43 : 172;
                rr = (int)lround(255 - a * (255 - er));
                gg = (int)lround(255 - a * (255 - eg));
                bb = (int)lround(255 - a * (255 - eb));
                dark = a > 0.55;
            }
            jb_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#%02x%02x%02x\" stroke=\"#eee\"/>\n",
                      cx, cy, cell, cell, rr, gg, bb);
            char s[48];
            if (!signed_mode) snprintf(s, sizeof s, "%.2f", x);
            else {
                snprintf(s, sizeof s, "%+.*f", dec, x);
                /* a value that rounds to zero prints without a sign */
                if (strspn(s + 1, "0.") == strlen(s + 1)) snprintf(s, sizeof s, "%.*f", dec, 0.0);
            }
            text_at(&b, cx + cell / 2.0, cy + cell / 2.0 + 4, "middle", 11, dark ? "fill=\"white\"" : NULL, s);
        }
    }
    if (signed_mode) {
        /* colour bar: +range at the top, -range at the bottom */
        double bx = L + cols * cell + 20, by = T;
        const int steps = 40;
        for (int k = 0; k < steps; k++) {
            double t = 1 - 2.0 * (k + 0.5) / steps, a = fabs(t);
            int er = t >= 0 ? 178 : 33, eg = t >= 0 ? 24 : 102, eb = t >= 0 ? 43 : 172;
            jb_printf(&b, "<rect x=\"%.1f\" y=\"%.2f\" width=\"14\" height=\"%.2f\" fill=\"#%02x%02x%02x\"/>\n", bx,
                      by + bar_h * (double)k / steps, bar_h / (double)steps + 0.3,
                      (int)lround(255 - a * (255 - er)), (int)lround(255 - a * (255 - eg)),
                      (int)lround(255 - a * (255 - eb)));
        }
        jb_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n", bx, by,
                  bar_h);
        char t[48];
        snprintf(t, sizeof t, "%+.*f", dec, range);
        text_at(&b, bx + 20, by + 10, "start", 11, NULL, t);
        snprintf(t, sizeof t, "%.*f", dec, 0.0);
        text_at(&b, bx + 20, by + bar_h / 2.0 + 4, "start", 11, NULL, t);
        snprintf(t, sizeof t, "%+.*f", dec, -range);
        text_at(&b, bx + 20, by + bar_h, "start", 11, NULL, t);
    }
    return finish(&b);
}

char *svg_heatmap(const char *title, const char *xlabel, const char *ylabel, const double *v, int rows, int cols,
                  const char *const *row_labels, const char *const *col_labels) {
    return heatmap(title, xlabel, ylabel, v, rows, cols, row_labels, col_labels, 0, NAN);
}

char *svg_heatmap_signed(const char *title, const char *xlabel, const char *ylabel, const double *v, int rows,
                         int cols, const char *const *row_labels, const char *const *col_labels, double range) {
    return heatmap(title, xlabel, ylabel, v, rows, cols, row_labels, col_labels, 1, range);
}

int svg_save(const char *path, char *svg, char *err, size_t errlen) {
    if (!svg) { snprintf(err, errlen, "%s: out of memory rendering the plot", path); return -1; }
    int rc = atomic_write_text(path, svg, err, errlen);
    free(svg);
    return rc;
}
