/* plot_svg.c — minimal SVG charts (see plot_svg.h). */
#include "plot_svg.h"
#include "atomic_file.h"
#include "json.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                                "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a"};
#define N_PALETTE (int)(sizeof palette / sizeof palette[0])

/* XML text escaping. */
static void xml_text(JsonBuf *b, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': jb_puts(b, "&amp;"); break;
        case '<': jb_puts(b, "&lt;"); break;
        case '>': jb_puts(b, "&gt;"); break;
        case '"': jb_puts(b, "&quot;"); break;
        default: jb_raw(b, s, 1);
        }
    }
}

static void text_at(JsonBuf *b, double x, double y, const char *anchor, int size, const char *extra, const char *s) {
    jb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\"%s%s>", x, y, anchor, size,
              extra ? " " : "", extra ? extra : "");
    xml_text(b, s);
    jb_puts(b, "</text>\n");
}

/* Rough width of a bold 15px title, so that the canvas can hold it. */
static int title_w(const char *title) { return title ? (int)(strlen(title) * 8.2) + 40 : 0; }

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

static void legend(JsonBuf *b, double x, double y, const SvgSeries *s, int ns) {
    for (int i = 0; i < ns; i++) {
        jb_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", x, y + 18.0 * i,
                  palette[i % N_PALETTE]);
        text_at(b, x + 18, y + 18.0 * i + 10, "start", 12, NULL, s[i].name ? s[i].name : "");
    }
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

char *svg_bar_chart(const char *title, const char *ylabel, const char *const *cats, int ncat,
                    const SvgSeries *s, int ns, double ymin, double ymax) {
    if (!(ymax > ymin)) { ymin = 0; ymax = 1; }
    int group_w = ns * 12 + 14;
    int plot_w = ncat * group_w > 360 ? ncat * group_w : 360;
    int L = 70, R = 170, T = 40, Bm = 50, H = 300;
    int W = L + plot_w + R;
    if (W < title_w(title)) W = title_w(title);
    JsonBuf b;
    jb_init(&b);
    header(&b, W, T + H + Bm, title);
    y_axis(&b, L, L + plot_w, T, T + H, ymin, ymax, ylabel);
    double gw = (double)plot_w / (ncat > 0 ? ncat : 1);
    double bw = (gw - 10) / (ns > 0 ? ns : 1);
    for (int c = 0; c < ncat; c++) {
        double gx = L + gw * c + 5;
        for (int i = 0; i < ns; i++) {
            if (c >= s[i].n) continue;
            double v = s[i].y[c];
            if (!isfinite(v)) continue;
            double top = T + H - H * (clampd(v, ymin, ymax) - ymin) / (ymax - ymin);
            double base = T + H - H * (clampd(0, ymin, ymax) - ymin) / (ymax - ymin);
            double y0 = top < base ? top : base, h = fabs(base - top);
            jb_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
                      gx + bw * i, y0, bw > 1 ? bw - 1 : bw, h, palette[i % N_PALETTE]);
            xml_text(&b, s[i].name ? s[i].name : "");
            jb_printf(&b, ": %.4g</title></rect>\n", v);
        }
        text_at(&b, L + gw * (c + 0.5), T + H + 18, "middle", 12, NULL, cats && cats[c] ? cats[c] : "");
    }
    legend(&b, L + plot_w + 16, T, s, ns);
    return finish(&b);
}

char *svg_line_chart(const char *title, const char *xlabel, const char *ylabel, const SvgSeries *s, int ns,
                     double ymin, double ymax, double hline) {
    if (!(ymax > ymin)) { ymin = 0; ymax = 1; }
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
    int L = 70, R = 170, T = 40, Bm = 55, H = 300, PW = 520;
    int W = L + PW + R;
    if (W < title_w(title)) W = title_w(title);
    JsonBuf b;
    jb_init(&b);
    header(&b, W, T + H + Bm, title);
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
        const char *col = palette[i % N_PALETTE];
        int open = 0;
        for (int j = 0; j < s[i].n; j++) {
            double x = s[i].x ? s[i].x[j] : j, y = s[i].y[j];
            if (!isfinite(x) || !isfinite(y)) {
                if (open) { jb_puts(&b, "\"/>\n"); open = 0; }
                continue;
            }
            if (!open) {
                jb_printf(&b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
                open = 1;
            }
            jb_printf(&b, "%.1f,%.1f ", PX(x), PY(y));
        }
        if (open) jb_puts(&b, "\"/>\n");
        for (int j = 0; j < s[i].n; j++) {
            double x = s[i].x ? s[i].x[j] : j, y = s[i].y[j];
            if (isfinite(x) && isfinite(y))
                jb_printf(&b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n", PX(x), PY(y), col);
        }
    }
#undef PX
#undef PY
    legend(&b, L + PW + 16, T, s, ns);
    return finish(&b);
}

char *svg_heatmap(const char *title, const char *xlabel, const char *ylabel, const double *v, int rows, int cols,
                  const char *const *row_labels, const char *const *col_labels) {
    int cell = 40, L = 80, T = 70, R = 30, Bm = 30;
    int W = L + cols * cell + R, H = T + rows * cell + Bm;
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
    for (int c = 0; c < cols; c++)
        text_at(&b, L + cell * (c + 0.5), T - 8, "middle", 12, NULL, col_labels && col_labels[c] ? col_labels[c] : "");
    for (int r = 0; r < rows; r++) {
        text_at(&b, L - 8, T + cell * (r + 0.5) + 4, "end", 12, NULL, row_labels && row_labels[r] ? row_labels[r] : "");
        for (int c = 0; c < cols; c++) {
            double x = v[(size_t)r * cols + c];
            double cx = L + cell * c, cy = T + cell * r;
            if (!isfinite(x)) {
                jb_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#eee\"/>\n",
                          cx, cy, cell, cell);
                continue;
            }
            double t = clampd(x, 0, 1);
            int rr = (int)lround(255 - t * (255 - 8)), gg = (int)lround(255 - t * (255 - 48)),
                bb = (int)lround(255 - t * (255 - 107));
            jb_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#%02x%02x%02x\" stroke=\"#eee\"/>\n",
                      cx, cy, cell, cell, rr, gg, bb);
            char s[32];
            snprintf(s, sizeof s, "%.2f", x);
            text_at(&b, cx + cell / 2.0, cy + cell / 2.0 + 4, "middle", 11, t > 0.55 ? "fill=\"white\"" : NULL, s);
        }
    }
    return finish(&b);
}

int svg_save(const char *path, char *svg, char *err, size_t errlen) {
    if (!svg) { snprintf(err, errlen, "%s: out of memory rendering the plot", path); return -1; }
    int rc = atomic_write_text(path, svg, err, errlen);
    free(svg);
    return rc;
}
