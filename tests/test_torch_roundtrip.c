/* test_torch_roundtrip.c — PyTorch module -> import -> our logits = PyTorch's -> export -> strict load in
 * PyTorch -> equal again (issue 14), for the seed net in float32 and from a float16 file.
 *
 * tools/torch_seed_example.py saves a state dict of the seed notebook's mnist_classifier, a random batch and
 * PyTorch's eval-mode logits on it; `mnist-unlearn import` reads the state dict; our forward on the batch
 * must match within the logit tolerance of tests/test_parity_seed.c (|ours - torch| / max(|torch|, 1e-3) <
 * 1e-4); `mnist-unlearn export` writes it back and the script loads that file with load_state_dict(strict=True)
 * and checks its logits against ours with the same tolerance.  Skipped (0 checks, one "skipped" line) when
 * python3-torch is not installed.  Python: $PYTHON, else /usr/bin/python3, else python3. */
#include "test.h"
#include "checkpoint.h"
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/torch_rtXXXXXX";
static const char *py;

static int run(const char *fmt, const char *a, const char *b) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

static const char *python(void) {
    const char *e = getenv("PYTHON");
    if (e && *e) return e;
    return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

static float *read_floats(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    float *v = malloc((size_t)sz + 4);
    *n = v ? fread(v, 4, (size_t)sz / 4, f) : 0;
    fclose(f);
    return v;
}

/* our logits of the imported checkpoint on x.bin against PyTorch's tl.bin; writes ours to ol.bin */
static void compare_logits(const char *tag) {
    char p[512], err[512];
    snprintf(p, sizeof p, "%s/ours.safetensors", dir);
    ClassMap cm;
    Net *net = checkpoint_load(p, &cm, NULL, err, sizeof err);
    CHECKF(net != NULL, "%s", err);
    size_t nx = 0, nl = 0;
    snprintf(p, sizeof p, "%s/x.bin", dir);
    float *x = read_floats(p, &nx);
    snprintf(p, sizeof p, "%s/tl.bin", dir);
    float *want = read_floats(p, &nl);
    int B = (int)(nx / (28 * 28));
    CHECK(x && want && net && B == 8 && nl == (size_t)B * 9);
    if (net && x && want && B == 8 && nl == (size_t)B * 9) {
        net_reserve(net, B);
        const float *got = net_forward(net, x, B, 0);
        double worst = 0;
        for (size_t i = 0; i < nl; i++) {
            double m = fabs(want[i]) > 1e-3 ? fabs(want[i]) : 1e-3, r = fabs(got[i] - want[i]) / m;
            if (r > worst) worst = r;
        }
        CHECKF(worst < 1e-4, "%s: our logits vs PyTorch's: max relative difference %.3g", tag, worst);
        printf("%s: import -> our logits vs PyTorch's on %d samples: max relative difference %.3g (tolerance 1e-4)\n",
               tag, B, worst);
        snprintf(p, sizeof p, "%s/ol.bin", dir);
        FILE *f = fopen(p, "wb");
        CHECK(f && fwrite(got, 4, nl, f) == nl);
        if (f) fclose(f);
    }
    free(x); free(want); net_free(net);
}

static void round_trip(const char *dtype) {
    const char *B = test_bin_dir();
    char save[1024];
    snprintf(save, sizeof save, "%s tools/torch_seed_example.py save --dtype %s --seed 5 --out %%s/w.safetensors "
             "--batch-out %%s/x.bin --logits-out %s/tl.bin >/dev/null", py, dtype, dir);
    CHECKF(run(save, dir, dir) == 0, "%s: torch_seed_example.py save", dtype);
    char imp[1024];
    snprintf(imp, sizeof imp, "%s/mnist-unlearn import --torch %%s/w.safetensors --net seed --out %%s/ours.safetensors"
             " >/dev/null", B);
    CHECKF(run(imp, dir, dir) == 0, "%s: import", dtype);
    compare_logits(dtype);
    char exp[1024];
    snprintf(exp, sizeof exp, "%s/mnist-unlearn export --model %%s/ours.safetensors --out %%s/back.safetensors"
             " >/dev/null", B);
    CHECKF(run(exp, dir, dir) == 0, "%s: export", dtype);
    char chk[1024];
    snprintf(chk, sizeof chk, "%s tools/torch_seed_example.py check --weights %%s/back.safetensors --x %%s/x.bin "
             "--logits %s/ol.bin", py, dir);
    printf("%s: export -> ", dtype);
    fflush(stdout);
    CHECKF(run(chk, dir, dir) == 0, "%s: strict load of the exported file in PyTorch, logits vs ours", dtype);
}

int main(void) {
    py = python();
    char probe[512];
    snprintf(probe, sizeof probe, "%s -c 'import torch, numpy' >/dev/null 2>&1", py);
    if (system(probe) != 0) {
        printf("test_torch_roundtrip: skipped: python3-torch (and numpy) not installed for %s\n", py);
        TEST_DONE("test_torch_roundtrip");
    }
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    round_trip("float32");
    round_trip("float16");
    round_trip("bfloat16");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    TEST_DONE("test_torch_roundtrip");
}
