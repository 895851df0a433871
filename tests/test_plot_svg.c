/* test_plot_svg — the SVG charts: well-formed documents (balanced tags, one
 * <svg> root, only known entities), the gold band at the right x positions,
 * filled vs hollow markers decided by the band, distinct (colour, marker)
 * pairs for 32 series (in the palette and in a drawn line chart), XML escaping
 * of every text, NaN rows and cells.  With PLOT_SVG_DEMO=DIR set, it also
 * writes one example of each chart into DIR to look at. */
#include "test.h"
#include "plot_svg.h"
#include <ctype.h>

/* Balanced tags, a single <svg> root from the first byte to the last, no
 * stray '<' or '&' in text or attributes. */
static int well_formed(const char *s, char *why, size_t wn) {
    const char *stack[256];
    size_t slen[256];
    int depth = 0, roots = 0;
    if (!s) { snprintf(why, wn, "NULL"); return 0; }
    if (strncmp(s, "<svg", 4)) { snprintf(why, wn, "does not start with <svg"); return 0; }
    size_t n = strlen(s);
    if (n < 7 || strcmp(s + n - 7, "</svg>\n")) { snprintf(why, wn, "does not end with </svg>"); return 0; }
    for (const char *p = s; *p; p++) {
        if (*p == '&') {
            static const char *const ent[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
            int ok = 0;
            for (int k = 0; k < 5; k++)
                if (!strncmp(p, ent[k], strlen(ent[k]))) ok = 1;
            if (!ok) { snprintf(why, wn, "bare '&' at byte %td", p - s); return 0; }
            continue;
        }
        if (*p == '>') { snprintf(why, wn, "bare '>' at byte %td", p - s); return 0; }
        if (*p != '<') continue;
        if (depth == 0 && p != s) { snprintf(why, wn, "content after the root at byte %td", p - s); return 0; }
        int closing = p[1] == '/';
        const char *name = p + 1 + closing, *e = name;
        while (isalnum((unsigned char)*e) || *e == '-' || *e == ':') e++;
        if (e == name) { snprintf(why, wn, "bare '<' at byte %td", p - s); return 0; }
        /* find the tag's end, skipping quoted attribute values (which must not hold '<') */
        const char *q = e;
        char quote = 0;
        for (; *q && (quote || *q != '>'); q++) {
            if (quote) {
                if (*q == quote) quote = 0;
                else if (*q == '<') { snprintf(why, wn, "'<' in an attribute at byte %td", q - s); return 0; }
            } else if (*q == '"' || *q == '\'') quote = *q;
        }
        if (!*q) { snprintf(why, wn, "unterminated tag at byte %td", p - s); return 0; }
        int self = q[-1] == '/';
        if (closing) {
            if (depth == 0 || slen[depth - 1] != (size_t)(e - name) || strncmp(stack[depth - 1], name, e - name)) {
                snprintf(why, wn, "mismatched </%.*s> at byte %td", (int)(e - name), name, p - s);
                return 0;
            }
            depth--;
        } else if (!self) {
            if (depth == 0) roots++;
            if (depth == 256) { snprintf(why, wn, "too deep"); return 0; }
            stack[depth] = name;
            slen[depth++] = (size_t)(e - name);
        } else if (depth == 0) {
            roots++;
        }
        p = q;
    }
    if (depth) { snprintf(why, wn, "%d unclosed tags", depth); return 0; }
    if (roots != 1) { snprintf(why, wn, "%d roots", roots); return 0; }
    return 1;
}

#define WELL_FORMED(svg) do { char why_[160] = ""; int ok_ = well_formed((svg), why_, sizeof why_); \
    CHECKF(ok_, "%s", why_); } while (0)

static int count(const char *s, const char *needle) {
    int c = 0;
    for (const char *p = s; p && (p = strstr(p, needle)); p += strlen(needle)) c++;
    return c;
}

/* Value of attribute attr in the first element at or after p (before its '>'). */
static double attr(const char *p, const char *attr_name) {
    char key[64];
    snprintf(key, sizeof key, " %s=\"", attr_name);
    const char *end = strchr(p, '>');
    const char *a = strstr(p, key);
    if (!a || (end && a > end)) return NAN;
    return strtod(a + strlen(key), NULL);
}

/* The n-th (0-based) row group of an interval chart, as a malloc'd string. */
static char *row_group(const char *svg, int n) {
    const char *p = svg;
    for (int i = 0; i <= n; i++) {
        p = strstr(p, "<g class=\"row ");
        if (!p) return NULL;
        if (i < n) p++;
    }
    const char *e = strstr(p, "</g>");
    if (!e) return NULL;
    return strndup(p, (size_t)(e - p));
}

/* Every element classed hollow is drawn white inside, every filled one not. */
static int hollow_drawn_hollow(const char *svg) {
    for (const char *p = svg; (p = strstr(p, " hollow\"")); p++) {
        const char *f = strstr(p, " fill=\""), *e = strchr(p, '>');
        if (!f || f > e || strncmp(f, " fill=\"white\"", 13)) return 0;
    }
    for (const char *p = svg; (p = strstr(p, " filled\"")); p++) {
        const char *f = strstr(p, " fill=\""), *e = strchr(p, '>');
        if (!f || f > e || !strncmp(f, " fill=\"white\"", 13)) return 0;
    }
    return 1;
}

static void demo(const char *dir, const char *name, char *svg) {
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (svg_save(path, svg, err, sizeof err)) fprintf(stderr, "%s\n", err);
}

int main(void) {
    const char *demo_dir = getenv("PLOT_SVG_DEMO");

    /* ---- palette: 32 (indeed 44) series, all (colour, marker) pairs distinct;
     * neighbours differ in both */
    {
        int dup = 0, nb = 0;
        for (int i = 0; i < 32; i++) {
            for (int j = 0; j < i; j++)
                if (!strcmp(svg_series_colour(i), svg_series_colour(j)) && svg_series_marker(i) == svg_series_marker(j))
                    dup++;
            if (i && (!strcmp(svg_series_colour(i), svg_series_colour(i - 1)) ||
                      svg_series_marker(i) == svg_series_marker(i - 1)))
                nb++;
        }
        CHECKF(dup == 0, "%d duplicate (colour, marker) pairs among 32 series", dup);
        CHECK(nb == 0);
        CHECK(SVG_DISTINCT_STYLES >= 32);
        int dup44 = 0;
        for (int i = 0; i < SVG_DISTINCT_STYLES; i++)
            for (int j = 0; j < i; j++)
                if (!strcmp(svg_series_colour(i), svg_series_colour(j)) && svg_series_marker(i) == svg_series_marker(j))
                    dup44++;
        CHECK(dup44 == 0);
        /* the colours themselves are distinct, and every marker shape is used */
        int cdup = 0, used[SVG_N_MARKERS] = {0};
        for (int i = 0; i < SVG_N_COLOURS; i++)
            for (int j = 0; j < i; j++) cdup += !strcmp(svg_series_colour(i), svg_series_colour(j));
        for (int i = 0; i < SVG_N_MARKERS; i++) used[svg_series_marker(i)]++;
        CHECK(cdup == 0);
        CHECK(used[0] && used[1] && used[2] && used[3]);
        CHECK(!strcmp(svg_marker_name(SVG_MARKER_DIAMOND), "diamond"));
    }

    /* ---- a line chart of 32 series as drawn: every series' markers carry its
     * own (colour, shape), all 32 pairs distinct, and the legend shows them */
    {
        enum { NS = 32 };
        double ys[NS][3], xs[3] = {0, 50, 100};
        char names[NS][16];
        SvgSeries s[NS];
        for (int i = 0; i < NS; i++) {
            for (int k = 0; k < 3; k++) ys[i][k] = (i + 1.0) / (NS + 1) * (k + 1) / 3.0;
            snprintf(names[i], sizeof names[i], "m%02d", i);
            s[i] = (SvgSeries){names[i], ys[i], xs, 3};
        }
        char *svg = svg_line_chart("32 series", "step", "acc", s, NS, 0, 1, 0.5);
        WELL_FORMED(svg);
        /* collect (shape, fill) of each drawn marker (the ones with a tooltip) */
        char seen[NS][64];
        int nseen = 0, bad = 0, per_series_ok = 1;
        for (int i = 0; i < NS; i++) {
            char tipkey[32];
            snprintf(tipkey, sizeof tipkey, "<title>m%02d: (", i);
            int found = 0;
            for (const char *p = svg; (p = strstr(p, tipkey)); p++) {
                /* the element opening just before the tooltip */
                const char *open = p;
                while (open > svg && *open != '<') open--;
                while (open > svg && strncmp(open, "<circle", 7) && strncmp(open, "<rect", 5) &&
                       strncmp(open, "<polygon", 8))
                    open--;
                const char *cls = strstr(open, "class=\"marker ");
                const char *fill = strstr(open, " fill=\"");
                if (!cls || !fill || cls > p || fill > p) { bad++; continue; }
                char shape[16] = "", col[16] = "";
                sscanf(cls + 14, "%15[a-z]", shape);
                sscanf(fill + 7, "%15[^\"]", col);
                if (strcmp(shape, svg_marker_name(svg_series_marker(i))) || strcmp(col, svg_series_colour(i)))
                    per_series_ok = 0;
                if (!found) {
                    snprintf(seen[nseen++], sizeof seen[0], "%s %s", shape, col);
                    found = 1;
                }
            }
            if (!found) bad++;
        }
        int dup = 0;
        for (int i = 0; i < nseen; i++)
            for (int j = 0; j < i; j++) dup += !strcmp(seen[i], seen[j]);
        CHECKF(bad == 0, "%d series without a parsable marker", bad);
        CHECK(per_series_ok);
        CHECK(nseen == NS);
        CHECKF(dup == 0, "%d duplicate drawn (marker, colour) pairs", dup);
        CHECK(count(svg, "class=\"legend-entry\"") == NS);
        CHECK(count(svg, "class=\"marker ") == NS * 3 + NS);   /* points + legend */
        /* the legend fits: the canvas is tall enough for 32 entries */
        CHECK(attr(svg, "height") >= 40 + 18 * NS);
        if (demo_dir) demo(demo_dir, "line_32.svg", svg);
        else free(svg);
    }

    /* ---- interval chart: band, filled/hollow, NaN rows, escaping */
    {
        SvgInterval rows[] = {
            {"retrain (gold)", 0.10, 0.05, 0.15},
            {"ours", 0.12, 0.08, 0.16},       /* inside */
            {"a&b <c>", 0.30, 0.22, 0.38},    /* outside, name escaped */
            {"salun", 0.05, 0.07, 0.02},      /* inside, lo > hi swapped */
            {"broken", NAN, NAN, NAN},        /* n/a */
            {"edge", 0.15, NAN, 0.2},         /* exactly at band_hi: inside; no bar */
            {"low", -0.02, -0.05, 0.01},      /* below the band: outside */
        };
        int n = (int)(sizeof rows / sizeof rows[0]);
        double xmin = -0.1, xmax = 0.5, band_lo = 0.05, band_hi = 0.15, band_mid = 0.10;
        char *svg = svg_interval_chart("leakage <forget 6> & learn 3", "leakage", rows, n, band_lo, band_hi,
                                       band_mid, xmin, xmax);
        WELL_FORMED(svg);
        /* band at the right x positions: x = L + PW (v - xmin) / (xmax - xmin), width from band_lo to band_hi */
        const char *band = strstr(svg, "<rect class=\"band\"");
        CHECK(band != NULL);
        CHECK(count(svg, "class=\"band\"") == 1);
        const char *mid = strstr(svg, "<line class=\"band-mid\"");
        CHECK(mid != NULL);
        /* the plot's extent comes from the x-axis line: the last '<line' before the
         * band-mid with stroke black spans L..L+PW; recover L and PW from two ticks instead:
         * the ticks at 0 and 0.1 (step 0.1 over [-0.1, 0.5]) */
        double x0 = NAN, x01 = NAN;
        for (const char *p = svg; (p = strstr(p, "<text ")); p++) {
            const char *gt = strchr(p, '>');
            if (!gt) break;
            if (!strncmp(gt, ">0.0<", 5)) x0 = attr(p, "x");
            if (!strncmp(gt, ">0.1<", 5)) x01 = attr(p, "x");
        }
        CHECKF(isfinite(x0) && isfinite(x01) && x01 > x0, "ticks %g %g", x0, x01);
        if (band && isfinite(x0) && isfinite(x01)) {
            double per = (x01 - x0) / 0.1;   /* pixels per unit */
            double bx = attr(band, "x"), bw = attr(band, "width");
            CHECKF(fabs(bx - (x0 + per * band_lo)) < 0.6, "band x %g, want %g", bx, x0 + per * band_lo);
            CHECKF(fabs(bx + bw - (x0 + per * band_hi)) < 0.6, "band right %g, want %g", bx + bw,
                   x0 + per * band_hi);
            if (mid) CHECKF(fabs(attr(mid, "x1") - (x0 + per * band_mid)) < 0.6, "mid %g", attr(mid, "x1"));
            /* the band spans the rows: its height covers 7 rows */
            CHECK(attr(band, "height") >= 7 * 20);
            /* a row's marker sits at its mean: ours (0.12) is a square (series 1) */
            char *g = row_group(svg, 1);
            const char *m = g ? strstr(g, "class=\"marker square") : NULL;
            CHECK(m != NULL);
            if (m) CHECKF(fabs(attr(m, "x") + attr(m, "width") / 2 - (x0 + per * 0.12)) < 0.6, "ours at %g",
                          attr(m, "x") + attr(m, "width") / 2);
            free(g);
        }
        /* filled vs hollow, row by row */
        const char *want[] = {"inside", "inside", "outside", "inside", "na", "inside", "outside"};
        for (int i = 0; i < n; i++) {
            char *g = row_group(svg, i);
            CHECKF(g != NULL, "row %d", i);
            if (!g) continue;
            char cls[32];
            snprintf(cls, sizeof cls, "<g class=\"row %s\"", want[i]);
            CHECKF(!strncmp(g, cls, strlen(cls)), "row %d: %.40s, want %s", i, g, want[i]);
            if (!strcmp(want[i], "na")) {
                CHECK(strstr(g, ">n/a</text>") != NULL);
                CHECK(strstr(g, "class=\"marker") == NULL);
            } else {
                int filled = strstr(g, "class=\"marker ") && strstr(g, " filled\"");
                int hollow = strstr(g, " hollow\"") != NULL;
                CHECKF(filled == !strcmp(want[i], "inside") && hollow == !filled, "row %d filled %d hollow %d", i,
                       filled, hollow);
                /* the marker has the row's series style */
                char mk[48];
                snprintf(mk, sizeof mk, "class=\"marker %s ", svg_marker_name(svg_series_marker(i)));
                CHECKF(strstr(g, mk) != NULL, "row %d marker", i);
            }
            free(g);
        }
        CHECK(hollow_drawn_hollow(svg));
        /* error bars: a row with lo/hi has one, a row with NaN lo has none */
        char *g = row_group(svg, 3);
        CHECK(g && count(g, "class=\"ci\"") == 1);
        if (g) {
            const char *ci = strstr(g, "class=\"ci\"");
            CHECK(ci && attr(ci, "x1") < attr(ci, "x2"));   /* lo > hi was swapped */
            CHECK(strstr(g, "0.05 [0.02, 0.07]") != NULL);
        }
        free(g);
        g = row_group(svg, 5);
        CHECK(g && count(g, "class=\"ci\"") == 0);
        free(g);
        /* escaping: the name and the title */
        CHECK(strstr(svg, "a&amp;b &lt;c&gt;") != NULL);
        CHECK(strstr(svg, "a&b") == NULL);
        CHECK(strstr(svg, "leakage &lt;forget 6&gt; &amp; learn 3") != NULL);
        /* the legend explains filled vs hollow */
        CHECK(strstr(svg, "filled: mean inside the band") != NULL);
        CHECK(strstr(svg, "hollow: outside") != NULL);
        CHECK(strstr(svg, "gold 95% band") != NULL);
        if (demo_dir) demo(demo_dir, "interval.svg", svg);
        else free(svg);
    }

    /* ---- interval chart: autoscale, off-scale means, no band, all NaN, empty */
    {
        SvgInterval rows[] = {{"a", 2.0, 1.0, 3.0}, {"b", 10.0, 9.0, 11.0}, {"c", NAN, 1, 2}};
        char *svg = svg_interval_chart("auto", "x", rows, 3, 4.0, 6.0, 5.0, NAN, NAN);
        WELL_FORMED(svg);
        CHECK(strstr(svg, "nan") == NULL && strstr(svg, "inf") == NULL);
        CHECK(count(svg, "<g class=\"row outside\"") == 2);
        CHECK(count(svg, "<g class=\"row na\"") == 1);
        CHECK(count(svg, "class=\"offscale") == 0);   /* autoscale keeps everything on the chart */
        /* the band lies strictly inside the plot (padding), so its width is 2/11.1 of it at most */
        const char *band = strstr(svg, "<rect class=\"band\"");
        CHECK(band && attr(band, "width") > 0);
        /* every interval lies inside the padded scale: each has its bar and both end caps */
        for (int i = 0; i < 2; i++) {
            char *g = row_group(svg, i);
            CHECKF(g && count(g, "<line ") == 3, "row %d: %d lines", i, g ? count(g, "<line ") : -1);
            free(g);
        }
        free(svg);

        /* fixed scale too narrow: means beyond it become arrows at the edge */
        svg = svg_interval_chart("clip", "x", rows, 3, 4.0, 6.0, 5.0, 3.0, 7.0);
        WELL_FORMED(svg);
        CHECK(count(svg, "class=\"offscale hollow\"") == 2);
        CHECK(hollow_drawn_hollow(svg));
        free(svg);

        /* one end given, the other autoscaled */
        svg = svg_interval_chart("half", "x", rows, 3, 4.0, 6.0, 5.0, 0.0, NAN);
        WELL_FORMED(svg);
        CHECK(count(svg, "class=\"offscale") == 0);
        CHECK(strstr(svg, ">0<") != NULL);   /* a tick at the given xmin */
        free(svg);

        /* no band: every marker filled, no band strip, no filled/hollow legend */
        svg = svg_interval_chart(NULL, NULL, rows, 3, NAN, NAN, NAN, NAN, NAN);
        WELL_FORMED(svg);
        CHECK(strstr(svg, "class=\"band") == NULL);
        CHECK(strstr(svg, " hollow\"") == NULL);
        CHECK(count(svg, "class=\"marker ") >= 2);
        CHECK(strstr(svg, "hollow: outside") == NULL);
        free(svg);

        /* all NaN and an empty chart */
        SvgInterval nan_rows[] = {{"x", NAN, NAN, NAN}, {NULL, NAN, 0, 1}};
        svg = svg_interval_chart("all n/a", "x", nan_rows, 2, NAN, NAN, NAN, NAN, NAN);
        WELL_FORMED(svg);
        CHECK(count(svg, ">n/a</text>") == 2);
        CHECK(strstr(svg, "nan") == NULL);
        free(svg);
        svg = svg_interval_chart("empty", "x", NULL, 0, 0, 1, 0.5, NAN, NAN);
        WELL_FORMED(svg);
        free(svg);
    }

    /* ---- signed heatmap: diverging colours, values printed, NaN cells, escaping */
    {
        const char *rl[] = {"ours", "salun & co", "<scrub>"};
        const char *cl[] = {"0", "1", "2", "3"};
        double v[] = {0.0, 0.12, -0.30, NAN,
                      0.5, -0.5, 0.001, -0.004,
                      0.9, -0.9, 0.25, 0.0};
        char *svg = svg_heatmap_signed("difference to the gold", "class", "method", v, 3, 4, rl, cl, 0.5);
        WELL_FORMED(svg);
        CHECK(strstr(svg, ">+0.12<") != NULL);
        CHECK(strstr(svg, ">-0.30<") != NULL);
        CHECK(strstr(svg, ">+0.90<") != NULL);    /* beyond the range: printed exactly, colour saturates */
        CHECK(strstr(svg, ">0.00<") != NULL);     /* 0.001 and -0.004 print as 0.00, no sign */
        CHECK(strstr(svg, ">-0.00<") == NULL && strstr(svg, ">+0.00<") == NULL);
        CHECK(count(svg, ">n/a</text>") == 1);
        CHECK(strstr(svg, "fill=\"#b2182b\"") != NULL);   /* +range and beyond: full red */
        CHECK(strstr(svg, "fill=\"#2166ac\"") != NULL);   /* -range: full blue */
        CHECK(strstr(svg, "fill=\"#ffffff\"") != NULL);   /* 0: white */
        CHECK(strstr(svg, "salun &amp; co") != NULL && strstr(svg, "&lt;scrub&gt;") != NULL);
        CHECK(strstr(svg, ">+0.50<") != NULL && strstr(svg, ">-0.50<") != NULL);   /* colour bar ends */
        if (demo_dir) demo(demo_dir, "heatmap_signed.svg", svg);
        else free(svg);
        /* range autoscaled from the data when not given */
        svg = svg_heatmap_signed(NULL, NULL, NULL, v, 3, 4, rl, cl, NAN);
        WELL_FORMED(svg);
        CHECK(strstr(svg, ">+0.90<") != NULL && strstr(svg, ">-0.90<") != NULL);
        free(svg);
        /* large values: fewer decimals, cells widen for the text */
        double big[] = {-45.6, 12.25, 0.04, NAN};
        svg = svg_heatmap_signed("pp", NULL, NULL, big, 2, 2, rl, cl, 50);
        WELL_FORMED(svg);
        CHECK(strstr(svg, ">-45.6<") != NULL && strstr(svg, ">0.0<") != NULL);
        free(svg);
    }

    /* ---- the older charts: still well formed, escaped, NaN-safe */
    {
        const char *rl[] = {"0", "1"}, *cl[] = {"a&b", "c"};
        double v[] = {0.9, 0.1, NAN, 0.5};
        char *svg = svg_heatmap("conf <x>", "pred", "true", v, 2, 2, rl, cl);
        WELL_FORMED(svg);
        CHECK(strstr(svg, "conf &lt;x&gt;") != NULL && strstr(svg, "a&amp;b") != NULL);
        CHECK(strstr(svg, ">0.90<") != NULL);
        free(svg);

        enum { NS = 14, NC = 10 };
        double ys[NS][NC];
        char names[NS][24];
        SvgSeries s[NS];
        const char *cats[NC] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
        for (int i = 0; i < NS; i++) {
            for (int c = 0; c < NC; c++) ys[i][c] = c == 6 ? NAN : 0.5 + 0.03 * i;
            snprintf(names[i], sizeof names[i], i == 3 ? "x<y & z" : "method %d", i);
            s[i] = (SvgSeries){names[i], ys[i], NULL, NC};
        }
        svg = svg_bar_chart("bars", "acc", cats, NC, s, NS, 0, 1);
        WELL_FORMED(svg);
        CHECK(strstr(svg, "x&lt;y &amp; z") != NULL);
        CHECK(count(svg, "<rect x=") >= NS * (NC - 1));
        /* more series than colours: bars carry markers, legend shows them */
        CHECK(count(svg, "class=\"marker ") == NS * (NC - 1) + NS);
        free(svg);
        if (demo_dir) demo(demo_dir, "bars_14.svg", svg_bar_chart("bars", "acc", cats, NC, s, NS, 0, 1));
        svg = svg_bar_chart("few", "acc", cats, NC, s, 3, 0, 1);
        WELL_FORMED(svg);
        CHECK(count(svg, "class=\"marker ") == 0);
        free(svg);

        /* a line chart with NaN gaps, 14 series (the relearn chart) */
        double xs[5] = {0, 10, 20, 30, 40};
        double ly[NS][5];
        for (int i = 0; i < NS; i++) {
            for (int k = 0; k < 5; k++) ly[i][k] = (k == 2 && i % 3 == 0) ? NAN : fmin(1, 0.1 + 0.02 * i + 0.2 * k);
            s[i] = (SvgSeries){names[i], ly[i], xs, 5};
        }
        svg = svg_line_chart("relearn & co", "steps", "acc", s, NS, 0, 1, 0.9);
        WELL_FORMED(svg);
        CHECK(strstr(svg, "nan") == NULL);
        /* series 11..13 share colours with 0..2 but are dashed: 3 polylines, one split by
         * its NaN gap (series 12), plus 3 legend lines */
        CHECK(count(svg, "stroke-dasharray=\"7,4\"") == 7);
        CHECK(count(svg, "<polyline") == NS + 5);   /* series 0, 3, 6, 9, 12 have a gap */
        if (demo_dir) demo(demo_dir, "line_14.svg", svg);
        else free(svg);

        /* the per-class view that replaces the bar forest: method x class heatmap */
        if (demo_dir) {
            double hv[NS * NC];
            const char *rn[NS];
            for (int i = 0; i < NS; i++) {
                rn[i] = names[i];
                for (int c = 0; c < NC; c++) hv[i * NC + c] = c == 6 ? 0.05 * i : 0.95 - 0.01 * ((i + c) % 5);
            }
            demo(demo_dir, "heatmap.svg", svg_heatmap("per-class accuracy", "class", "method", hv, NS, NC, rn, cats));
        }
    }
    TEST_DONE("test_plot_svg");
}
