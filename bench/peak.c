/* peak.c — see peak.h. */
#include "peak.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    snprintf(buf, len, "peak: %s: %d fp32 FLOP/cycle/core%s%s%s x %d thread%s%s x %.2f GHz (%s) = %.1f GFLOP/s",
             p->core, p->flop_per_cycle, p->note[0] ? " (" : "", p->note, p->note[0] ? ")" : "",
             t, t == 1 ? "" : "s", t < threads ? " (capped at the online CPUs)" : "",
             p->ghz, p->clock_src, cpu_peak_gflops(p, threads));
}
