/* peak.h — the fp32 FMA peak of this machine's cores, for the benchmarks' "share of peak".
 *
 * FLOP per cycle per core (an FMA counts 2):
 *   AMD family 0x19 (25): Zen 3 (no AVX-512) and Zen 4 (AVX-512 run as two 256-bit halves) -> 32
 *   AMD family 0x1A (26): Zen 5, full-width AVX-512 -> 64
 *   Intel with avx512f -> 64 (assumed 2 512-bit FMA ports; some parts have one)
 *   any other AVX2 + FMA core -> 32 (two 256-bit FMA pipes)
 *   AVX without FMA -> 16, anything else -> 8 (assumed)
 * Clock: /sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq when present, else the first
 * "cpu MHz" line of /proc/cpuinfo (under a hypervisor that is often the nominal clock, not the
 * boost clock, so the peak, and with it a "share of peak", is then an estimate). */
#ifndef BENCH_PEAK_H
#define BENCH_PEAK_H
#include <stddef.h>

typedef struct {
    char core[96];          /* e.g. "AMD family 26 (Zen 5)" */
    char note[48];          /* e.g. "assumed 2 FMA ports", or "" */
    int flop_per_cycle;     /* fp32 FLOP per cycle per core */
    double ghz;             /* 0 when no clock was found */
    const char *clock_src;  /* "cpuinfo_max_freq", "cpuinfo MHz", "measured, dependent adds" or "none" */
    double ghz_measured;    /* cpu_peak_measure: fastest thread's clock, all threads busy; 0 if not measured */
    double fma_gflops;      /* cpu_peak_measure: FLOP/s of an FMA-only loop on all threads */
} CpuPeak;

/* Fills p from /proc/cpuinfo and sysfs.  0, or -1 when no clock was found (p->ghz = 0). */
int cpu_peak_detect(CpuPeak *p);
/* Measures the clock with every thread busy (a dependent-add chain: one cycle per add) and the
 * throughput of an FMA-only loop; the measured clock then replaces the read one (p->ghz), because
 * under a hypervisor "cpu MHz" is the nominal clock (2.10 GHz here, while the cores run faster).
 * fma_gflops / (threads x ghz) tells the FLOP per cycle the vector unit really delivers. */
int cpu_peak_measure(CpuPeak *p, int threads);
/* threads x flop_per_cycle x GHz, in GFLOP/s (threads capped at the online CPUs). */
double cpu_peak_gflops(const CpuPeak *p, int threads);
/* One line without newline:
 *   "peak: AMD family 26 (Zen 5): 64 fp32 FLOP/cycle/core x 2 threads x 3.70 GHz (cpuinfo MHz) = 473.6 GFLOP/s" */
void cpu_peak_line(const CpuPeak *p, int threads, char *buf, size_t len);

#endif
