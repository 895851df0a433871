# mean_ci.awk — a CSV (header row, one row per seed) into a markdown table: one row per group, each value
# column as "mean ± half-width of the 95% interval of the mean" (Student t, n = the group's rows).
#   awk -F, -v by=2,3 -v cols=4,5,6 -v scale=100,100,1 -f tools/mean_ci.awk results.csv
# by: the columns naming a group (rows in order of first appearance); cols: the value columns, headed by
# their CSV names; scale: a factor per value column (100: a share printed in %, one decimal; 1: as is,
# no decimals).  Empty and "null" cells are left out of their column's mean; "-" when a column has none.
function t975(df) { return df <= 10 ? T[df] : 1.96 }
function cell(g, j,   n, m, v, h, f) {
    n = cnt[g, j]; if (!n) return "-"
    m = sum[g, j] / n; v = n > 1 ? (sq[g, j] - n * m * m) / (n - 1) : 0; if (v < 0) v = 0
    h = n > 1 ? t975(n - 1) * sqrt(v / n) : 0
    f = S[j] == 1 ? "%.0f ± %.0f" : "%.1f ± %.1f"
    return sprintf(f, S[j] * m, S[j] * h)
}
BEGIN { split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228", T, " ")
        nb = split(by, B, ","); nc = split(cols, C, ","); split(scale, S, ",") }
NR == 1 { for (i = 1; i <= NF; i++) H[i] = $i; next }
{
    g = ""; for (i = 1; i <= nb; i++) g = g (i > 1 ? " | " : "") $B[i]
    if (!(g in rows)) order[++ng] = g
    rows[g]++
    for (j = 1; j <= nc; j++) { x = $C[j]; if (x != "" && x != "null") { cnt[g, j]++; sum[g, j] += x; sq[g, j] += x * x } }
}
END {
    line = "|"; sep = "|"
    for (i = 1; i <= nb; i++) { line = line " " H[B[i]] " |"; sep = sep "---|" }
    line = line " n |"; sep = sep "---:|"
    for (j = 1; j <= nc; j++) { line = line " " H[C[j]] (S[j] == 100 ? " %" : "") " |"; sep = sep "---:|" }
    print line; print sep
    for (k = 1; k <= ng; k++) {
        g = order[k]; line = "| " g " | " rows[g] " |"
        for (j = 1; j <= nc; j++) line = line " " cell(g, j) " |"
        print line
    }
}
