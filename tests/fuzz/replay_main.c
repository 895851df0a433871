/* replay_main — a main() for the fuzz harnesses when libFuzzer is not available:
 * runs LLVMFuzzerTestOneInput once on every file named (directories: every file in
 * them), so the seed corpora and saved crashes replay under a gcc ASan/UBSan build. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "replay: cannot open %s\n", path); return -1; }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) { cap *= 2; buf = realloc(buf, cap); }
    }
    fclose(f);
    if (!buf) return -1;
    uint8_t *exact = malloc(n ? n : 1);   /* exact size, so ASan sees overreads */
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

int main(int argc, char **argv) {
    int runs = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') continue;   /* libFuzzer-style flags are ignored */
        struct stat sb;
        if (stat(argv[i], &sb) != 0) { fprintf(stderr, "replay: %s: not found\n", argv[i]); bad++; continue; }
        if (S_ISDIR(sb.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            while (d && (e = readdir(d))) {
                if (e->d_name[0] == '.') continue;
                char p[4096];
                snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
                if (run_file(p) == 0) runs++; else bad++;
            }
            if (d) closedir(d);
        } else if (run_file(argv[i]) == 0) runs++; else bad++;
    }
    printf("replayed %d inputs\n", runs);
    return bad ? 1 : 0;
}
