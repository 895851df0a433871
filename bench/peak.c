/* peak.c — see peak.h. */
#include "peak.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <omp.h>
#include <time.h>
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

/* value after the ':' of a /proc/cpuinfo line, without the newline */
static const char *cpuinfo_value(char *line) {
    char *v = strchr(line, ':');
    if (!v) return "";
    v++;
    while (*v == ' ' || *v == '\t') v++;
    v[strcspn(v, "\n")] = 0;
    return v;
}

static int has_flag(const char *flags, const char *flag) {
    size_t n = strlen(flag);
    for (const char *s = flags; (s = strstr(s, flag)) != NULL; s += n)
        if ((s == flags || s[-1] == ' ') && (s[n] == ' ' || s[n] == 0)) return 1;
    return 0;
}

static int online_cpus(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int cpu_peak_detect(CpuPeak *p) {
    char vendor[64] = "", flags[8192] = "", line[8192];
    int family = -1, model = -1;
    double mhz = 0;
    memset(p, 0, sizeof *p);
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f)) {
        if (line[0] == '\n' && vendor[0]) break;              /* end of the first processor's block */
        if (!strncmp(line, "vendor_id", 9)) snprintf(vendor, sizeof vendor, "%s", cpuinfo_value(line));
        else if (!strncmp(line, "cpu family", 10)) family = atoi(cpuinfo_value(line));
        else if (!strncmp(line, "model", 5) && line[5 + strspn(line + 5, " \t")] == ':') model = atoi(cpuinfo_value(line));
        else if (!strncmp(line, "flags", 5)) snprintf(flags, sizeof flags, "%s", cpuinfo_value(line));
        else if (!strncmp(line, "cpu MHz", 7) && mhz == 0) mhz = atof(cpuinfo_value(line));
    }
    if (f) fclose(f);

    int avx512 = has_flag(flags, "avx512f"), avx2fma = has_flag(flags, "avx2") && has_flag(flags, "fma");
    int amd = !strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine");
    int intel = !strcmp(vendor, "GenuineIntel");
    if (amd && family == 0x1A) {
        snprintf(p->core, sizeof p->core, "AMD family 26 (Zen 5)");
        p->flop_per_cycle = 64;
    } else if (amd && family == 0x19) {
        snprintf(p->core, sizeof p->core, "AMD family 25 (%s)", avx512 ? "Zen 4" : "Zen 3");
        p->flop_per_cycle = 32;
    } else if (intel && avx512) {
        snprintf(p->core, sizeof p->core, "Intel family %d model %d (avx512f)", family, model);
        p->flop_per_cycle = 64;
        snprintf(p->note, sizeof p->note, "assumed 2 FMA ports");
    } else if (avx2fma) {
        snprintf(p->core, sizeof p->core, "%s family %d model %d (avx2+fma)", vendor[0] ? vendor : "unknown", family, model);
        p->flop_per_cycle = 32;
    } else {
        snprintf(p->core, sizeof p->core, "%s family %d model %d (no avx2+fma)", vendor[0] ? vendor : "unknown", family, model);
        p->flop_per_cycle = has_flag(flags, "avx") ? 16 : 8;
        snprintf(p->note, sizeof p->note, "assumed");
    }

    p->clock_src = "none";
    f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "r");
    long khz = 0;
    if (f) {
        if (fscanf(f, "%ld", &khz) != 1) khz = 0;
        fclose(f);
    }
    if (khz > 0) { p->ghz = khz / 1e6; p->clock_src = "cpuinfo_max_freq"; }
    else if (mhz > 0) { p->ghz = mhz / 1e3; p->clock_src = "cpuinfo MHz"; }
    return p->ghz > 0 ? 0 : -1;
}

double cpu_peak_gflops(const CpuPeak *p, int threads) {
    int n = online_cpus();
    if (threads > n) threads = n;
    if (threads < 1) threads = 1;
    return threads * p->flop_per_cycle * p->ghz;
}

void cpu_peak_line(const CpuPeak *p, int threads, char *buf, size_t len) {
    int n = online_cpus(), t = threads > n ? n : threads < 1 ? 1 : threads;
    int k = snprintf(buf, len, "peak: %s: %d fp32 FLOP/cycle/core%s%s%s x %d thread%s%s x %.2f GHz (%s) = %.1f GFLOP/s",
                     p->core, p->flop_per_cycle, p->note[0] ? " (" : "", p->note, p->note[0] ? ")" : "",
                     t, t == 1 ? "" : "s", t < threads ? " (capped at the online CPUs)" : "",
                     p->ghz, p->clock_src, cpu_peak_gflops(p, threads));
    if (p->fma_gflops > 0 && p->ghz > 0 && k > 0 && (size_t)k < len)
        snprintf(buf + k, len - (size_t)k, "; an FMA-only loop reaches %.1f GFLOP/s (%.1f FLOP/cycle/core)",
                 p->fma_gflops, p->fma_gflops / (t * p->ghz));
}

static double wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* cycles/s of one thread: a chain of dependent integer adds (1 cycle each on every x86 core of the
 * last decade), 16 per loop trip so the loop counter runs beside it */
static double add_chain_ghz(void) {
#if defined(__x86_64__)
    const long trips = 20000000;
    unsigned long x = 0;
    double t0 = wall_s();
    for (long i = 0; i < trips; i++)
        __asm__ volatile("add $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\t"
                         "add $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\t"
                         "add $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\t"
                         "add $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0"
                         : "+r"(x));
    double t = wall_s() - t0;
    return t > 0 && x ? 16.0 * trips / t / 1e9 : 0;
#else
    return 0;
#endif
}

/* fp32 FLOP/s of one thread: independent FMAs on 12 vector accumulators (enough to cover the
 * FMA latency x ports of current cores) */
static double fma_loop_gflops(void) {
#if defined(__AVX512F__)
    __m512 a[12], m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
    for (int k = 0; k < 12; k++) a[k] = _mm512_set1_ps((float)k);
    const long trips = 4000000;
    double t0 = wall_s();
    for (long i = 0; i < trips; i++)
        for (int k = 0; k < 12; k++) a[k] = _mm512_fmadd_ps(a[k], m, c);
    double t = wall_s() - t0;
    float sink = 0;
    for (int k = 0; k < 12; k++) sink += _mm512_reduce_add_ps(a[k]);
    __asm__ volatile("" ::"x"(sink));
    return t > 0 ? 12.0 * 16 * 2 * trips / t / 1e9 : 0;
#elif defined(__AVX2__) && defined(__FMA__)
    __m256 a[12], m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
    for (int k = 0; k < 12; k++) a[k] = _mm256_set1_ps((float)k);
    const long trips = 8000000;
    double t0 = wall_s();
    for (long i = 0; i < trips; i++)
        for (int k = 0; k < 12; k++) a[k] = _mm256_fmadd_ps(a[k], m, c);
    double t = wall_s() - t0;
    float v[8], sink = 0;
    for (int k = 0; k < 12; k++) { _mm256_storeu_ps(v, a[k]); for (int j = 0; j < 8; j++) sink += v[j]; }
    __asm__ volatile("" ::"x"(sink));
    return t > 0 ? 12.0 * 8 * 2 * trips / t / 1e9 : 0;
#else
    return 0;
#endif
}

int cpu_peak_measure(CpuPeak *p, int threads) {
    double ghz = 0, fl = 0;
    int n = online_cpus();
    if (threads > n) threads = n;
    if (threads < 1) threads = 1;
#pragma omp parallel num_threads(threads) reduction(max : ghz) reduction(+ : fl)
    {
        add_chain_ghz(); /* warm-up: let the clock ramp */
        ghz = add_chain_ghz();
#pragma omp barrier
        fl = fma_loop_gflops();
    }
    p->ghz_measured = ghz;
    p->fma_gflops = fl;
    if (p->ghz_measured > 0) { p->ghz = p->ghz_measured; p->clock_src = "measured, dependent adds"; }
    return p->ghz_measured > 0 ? 0 : -1;
}
