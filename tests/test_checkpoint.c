/* test_checkpoint — save a net, load it back (new net and into an existing one):
 * params, stats, class map, modality and logits bit-identical; the stored spec
 * carries an overridden input shape; truncated / corrupted / shape-mismatched /
 * incomplete / foreign files are refused with messages naming the file; and,
 * when /usr/bin/python3 has torch, the checkpoint loads into the equivalent
 * torch nn.Sequential with load_state_dict and gives the same logits. */
#include "test.h"
#include "checkpoint.h"
#include "safetensors.h"
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static const char *SPEC_BN =
    "# a small net with every tensor kind\n"
    "input 1 12 12   # grey\n"
    "conv 4 k=3 pad=1\n"
    "batchnorm\n"
    "relu\n"
    "maxpool k=2\n"
    "conv 6 k=3 bias=0\n"
    "relu\n"
    "flatten\n"
    "linear 10\n"
    "relu\n"
    "linear classes\n";
static const char *SPEC_BN_WIDE =   /* same, first conv wider */
    "input 1 12 12\nconv 8 k=3 pad=1\nbatchnorm\nrelu\nmaxpool k=2\nconv 6 k=3 bias=0\nrelu\n"
    "flatten\nlinear 10\nrelu\nlinear classes\n";
static const char *SPEC_GAP =       /* input-size independent, so the input can be overridden */
    "input 1 12 12\nconv 4 k=3 pad=1\nrelu\ngap\nlinear classes\n";

static char *pth(const char *name) {
    static char buf[4][256]; static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static Net *make_net(const char *spec, int nc, uint64_t seed, int in_h) {
    char err[512];
    Net *n = net_parse(spec, "test-spec", in_h ? 1 : 0, in_h, in_h, nc, err, sizeof err);
    if (!n) { fprintf(stderr, "net_parse: %s\n", err); return NULL; }
    net_init(n, seed);
    /* non-trivial running statistics and biases so stats really travel */
    Rng r; rng_seed(&r, seed ^ 0xabcdef);
    for (size_t i = 0; i < n->n_stats; i++) n->stats[i] = 0.5f + rng_uniform(&r);
    for (size_t i = 0; i < n->n_params; i++) n->params[i] += 0.01f * rng_normal(&r);
    return n;
}

/* must fail with a one-line message containing want and the file name */
static int load_refused(const char *path, const char *want) {
    char err[1024] = "";
    ClassMap cm;
    Net *n = checkpoint_load(path, &cm, NULL, err, sizeof err);
    if (getenv("SHOW_ERRORS")) printf("  %s\n", err);
    if (n) { fprintf(stderr, "  %s accepted (wanted '%s')\n", path, want); net_free(n); return 0; }
    if (!strstr(err, want) || !strstr(err, path) || strchr(err, '\n')) {
        fprintf(stderr, "  message '%s' lacks '%s' or the file name\n", err, want);
        return 0;
    }
    return 1;
}

/* rewrite a checkpoint with changed metadata / tensors */
static void rewrite(const char *src, const char *dst, const char *meta_key, const char *meta_val,
                    const char *drop_tensor, int add_tensor) {
    StFile f; char err[512];
    if (st_read(src, &f, err, sizeof err)) { fprintf(stderr, "%s\n", err); return; }
    StTensor *t = calloc((size_t)f.nt + 1, sizeof *t);
    int nt = 0;
    for (int i = 0; i < f.nt; i++)
        if (!drop_tensor || strcmp(f.t[i].name, drop_tensor)) t[nt++] = f.t[i];
    static float extra[3] = {1, 2, 3};
    if (add_tensor) {
        memset(&t[nt], 0, sizeof t[nt]);
        strcpy(t[nt].name, "layers.99.weight"); t[nt].ndim = 1; t[nt].shape[0] = 3;
        t[nt].data = extra; t[nt].len = 3; nt++;
    }
    StMeta m[8]; int nm = 0, replaced = 0;
    for (int i = 0; i < f.nm; i++) {
        if (meta_key && !strcmp(f.meta[i].key, meta_key)) {
            replaced = 1;
            if (!meta_val) continue;        /* drop */
            m[nm] = f.meta[i]; m[nm++].value = (char *)meta_val;
        } else m[nm++] = f.meta[i];
    }
    if (meta_key && meta_val && !replaced) { memset(&m[nm], 0, sizeof m[nm]); strcpy(m[nm].key, meta_key); m[nm++].value = (char *)meta_val; }
    if (st_write(dst, t, nt, m, nm, err, sizeof err)) fprintf(stderr, "%s\n", err);
    free(t);
    st_free(&f);
}

static int write_raw(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t k = fwrite(p, 1, n, f);
    fclose(f);
    return k == n ? 0 : -1;
}

int main(void) {
    strcpy(dir, "/tmp/test_checkpoint_XXXXXX");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    char err[1024], modality[32];
    ClassMap cm, cm2;
    CHECK(classmap_parse(&cm, "0,1,2,4,5,3,7,8,9", 10, err, sizeof err) == 0);
    char ck[256];
    snprintf(ck, sizeof ck, "%s", pth("model.safetensors"));

    /* ---- save and load back ---- */
    Net *a = make_net(SPEC_BN, 9, 7, 0);
    CHECK(a != NULL);
    if (!a) TEST_DONE("test_checkpoint");
    CHECK(a->n_stats > 0);
    CHECKF(checkpoint_save(ck, a, &cm, "mnist", "train", "{\"epochs\":3}", err, sizeof err) == 0, "%s", err);
    memset(modality, 'x', sizeof modality);
    Net *b = checkpoint_load(ck, &cm2, modality, err, sizeof err);
    CHECKF(b != NULL, "%s", err);
    if (b) {
        CHECK(b->n_params == a->n_params && b->n_stats == a->n_stats && b->n_layers == a->n_layers);
        CHECK(memcmp(b->params, a->params, a->n_params * sizeof(float)) == 0);
        CHECK(memcmp(b->stats, a->stats, a->n_stats * sizeof(float)) == 0);
        CHECK(b->in_c == 1 && b->in_h == 12 && b->in_w == 12 && b->n_classes == 9);
        CHECK(cm2.n_slots == 9 && memcmp(cm2.slot_class, cm.slot_class, sizeof(int) * 9) == 0);
        CHECK(strcmp(modality, "mnist") == 0);
        /* same logits, bit for bit */
        enum { B = 3 };
        float x[B * 144];
        Rng r; rng_seed(&r, 99);
        for (int i = 0; i < B * 144; i++) x[i] = rng_normal(&r);
        float la[B * 9];
        memcpy(la, net_forward(a, x, B, 0), sizeof la);
        const float *lb = net_forward(b, x, B, 0);
        CHECK(memcmp(la, lb, sizeof la) == 0);
        int finite = 1, nonzero = 0;
        for (int i = 0; i < B * 9; i++) { if (!isfinite(la[i])) finite = 0; if (la[i] != 0) nonzero = 1; }
        CHECK(finite && nonzero);

        /* the metadata, read directly */
        StFile f;
        CHECK(st_read(ck, &f, err, sizeof err) == 0);
        CHECK(st_meta(&f, "format_version") && !strcmp(st_meta(&f, "format_version"), "1"));
        CHECK(st_meta(&f, "classes") && !strcmp(st_meta(&f, "classes"), "0,1,2,4,5,3,7,8,9"));
        CHECK(st_meta(&f, "modality") && !strcmp(st_meta(&f, "modality"), "mnist"));
        CHECK(st_meta(&f, "train") && !strcmp(st_meta(&f, "train"), "{\"epochs\":3}"));
        CHECK(st_meta(&f, "spec") && strstr(st_meta(&f, "spec"), "batchnorm\nrelu\n"));
        CHECK(st_find(&f, "layers.1.running_var") && st_find(&f, "layers.6.bias") == NULL);
        CHECK(st_find(&f, "layers.0.weight") && st_find(&f, "layers.0.weight")->shape[0] == 4);
        CHECK(f.nt == net_tensors(a, NULL, 0));
        st_free(&f);

        /* python: numpy/torch read the same file */
        if (access("/usr/bin/python3", X_OK) == 0 && access("tests/safetensors_check.py", R_OK) == 0) {
            CHECK(write_raw(pth("x.bin"), x, sizeof x) == 0 && write_raw(pth("logits.bin"), la, sizeof la) == 0);
            char cmd[1024];
            snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/safetensors_check.py --torch '%s' '%s' '%s' %d",
                     ck, pth("x.bin"), pth("logits.bin"), B);
            int rc = system(cmd);
            int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
            if (code == 3) printf("torch check skipped: torch/numpy not importable by /usr/bin/python3\n");
            else CHECKF(code == 0, "torch check exit %d", code);
        } else printf("torch check skipped: /usr/bin/python3 or tests/safetensors_check.py not found\n");
    }

    /* ---- load into an existing net ---- */
    Net *c = make_net(SPEC_BN, 9, 8, 0);
    CHECK(memcmp(c->params, a->params, a->n_params * sizeof(float)) != 0);
    memset(&cm2, 0, sizeof cm2);
    CHECKF(checkpoint_load_into(ck, c, &cm2, err, sizeof err) == 0, "%s", err);
    CHECK(memcmp(c->params, a->params, a->n_params * sizeof(float)) == 0);
    CHECK(memcmp(c->stats, a->stats, a->n_stats * sizeof(float)) == 0);
    CHECK(cm2.n_slots == 9 && cm2.slot_class[5] == 3);
    /* into a net of another shape: refused, net untouched */
    Net *w = make_net(SPEC_BN_WIDE, 9, 9, 0);
    float *before = malloc(w->n_params * sizeof(float));
    memcpy(before, w->params, w->n_params * sizeof(float));
    CHECK(checkpoint_load_into(ck, w, NULL, err, sizeof err) == -1);
    CHECKF(strstr(err, ck) && strstr(err, "tensor layers.0.weight has shape [4,1,3,3], the net expects [8,1,3,3]"), "%s", err);
    CHECK(memcmp(before, w->params, w->n_params * sizeof(float)) == 0);
    free(before);
    Net *ten = make_net(SPEC_BN, 10, 9, 0);
    CHECK(checkpoint_load_into(ck, ten, NULL, err, sizeof err) == -1 && strstr(err, "9 classes, the net has 10 outputs"));

    /* ---- an overridden input shape is stored in the spec ---- */
    Net *g = make_net(SPEC_GAP, 9, 3, 20);
    CHECK(g && g->in_h == 20);
    CHECK(checkpoint_save(pth("gap.safetensors"), g, &cm, "speech", NULL, NULL, err, sizeof err) == 0);
    Net *g2 = checkpoint_load(pth("gap.safetensors"), NULL, modality, err, sizeof err);
    CHECKF(g2 && g2->in_c == 1 && g2->in_h == 20 && g2->in_w == 20, "%s", g2 ? "" : err);
    CHECK(g2 && memcmp(g2->params, g->params, g->n_params * sizeof(float)) == 0 && !strcmp(modality, "speech"));
    CHECK(g2 && strstr(g2->spec, "input 1 20 20\n"));
    net_free(g2);
    /* a spec without an input line gets one */
    {
        char er2[256];
        Net *h = net_parse("conv 2 k=3\nflatten\nlinear classes\n", "noinput", 1, 5, 5, 9, er2, sizeof er2);
        CHECKF(h != NULL, "%s", er2);
        if (h) {
            net_init(h, 1);
            CHECK(checkpoint_save(pth("noinput.safetensors"), h, &cm, "mnist", NULL, NULL, err, sizeof err) == 0);
            Net *h2 = checkpoint_load(pth("noinput.safetensors"), NULL, NULL, err, sizeof err);
            CHECKF(h2 && h2->in_h == 5 && memcmp(h2->params, h->params, h->n_params * sizeof(float)) == 0, "%s", err);
            net_free(h2); net_free(h);
        }
    }

    /* ---- save refusals ---- */
    ClassMap cm8;
    classmap_parse(&cm8, "0,1,2,3,4,5,6,7", 10, err, sizeof err);
    CHECK(checkpoint_save(pth("x.safetensors"), a, &cm8, "mnist", NULL, NULL, err, sizeof err) == -1 &&
          strstr(err, "8 classes but the net has 9 outputs"));
    CHECK(checkpoint_save(pth("x.safetensors"), a, &cm, "mnist", "spec", "x", err, sizeof err) == -1 &&
          strstr(err, "reserved"));
    CHECK(access(pth("x.safetensors"), F_OK) != 0);

    /* ---- load refusals ---- */
    CHECK(load_refused(pth("absent.safetensors"), "cannot open"));
    {   /* truncated */
        FILE *f = fopen(ck, "rb"); fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
        char *buf = malloc((size_t)n); CHECK(fread(buf, 1, (size_t)n, f) == (size_t)n); fclose(f);
        write_raw(pth("trunc.safetensors"), buf, (size_t)n - 100);
        CHECK(load_refused(pth("trunc.safetensors"), "run past"));
        write_raw(pth("trunc2.safetensors"), buf, 100);
        CHECK(load_refused(pth("trunc2.safetensors"), "runs past the end"));
        /* corrupted header JSON */
        char *q = memchr(buf + 8, ',', 200); if (q) *q = '!';
        write_raw(pth("corrupt.safetensors"), buf, (size_t)n);
        CHECK(load_refused(pth("corrupt.safetensors"), "not valid JSON"));
        free(buf);
    }
    /* tensors of one net under the spec of another */
    {
        char p[256];
        snprintf(p, sizeof p, "%s", pth("mismatch.safetensors"));
        CHECK(checkpoint_save(p, w, &cm, "mnist", NULL, NULL, err, sizeof err) == 0);
        rewrite(p, p, "spec", SPEC_BN, NULL, 0);
        CHECK(load_refused(p, "tensor layers.0.weight has shape [8,1,3,3], the net expects [4,1,3,3]"));
    }
    rewrite(ck, pth("missing.safetensors"), NULL, NULL, "layers.1.running_mean", 0);
    CHECK(load_refused(pth("missing.safetensors"), "tensor layers.1.running_mean [4] is missing"));
    rewrite(ck, pth("extra.safetensors"), NULL, NULL, NULL, 1);
    CHECK(load_refused(pth("extra.safetensors"), "tensor layers.99.weight is not part of the net"));
    rewrite(ck, pth("nover.safetensors"), "format_version", NULL, NULL, 0);
    CHECK(load_refused(pth("nover.safetensors"), "no format_version"));
    rewrite(ck, pth("ver2.safetensors"), "format_version", "2", NULL, 0);
    CHECK(load_refused(pth("ver2.safetensors"), "format_version '2' is not supported"));
    rewrite(ck, pth("nospec.safetensors"), "spec", NULL, NULL, 0);
    CHECK(load_refused(pth("nospec.safetensors"), "no net spec"));
    rewrite(ck, pth("noclasses.safetensors"), "classes", NULL, NULL, 0);
    CHECK(load_refused(pth("noclasses.safetensors"), "no class list"));
    rewrite(ck, pth("dupclass.safetensors"), "classes", "0,1,2,4,5,6,6,8,9", NULL, 0);
    CHECK(load_refused(pth("dupclass.safetensors"), "class list in the metadata: class 6 is listed twice"));
    rewrite(ck, pth("badspec.safetensors"), "spec", "input 1 12 12\nconv3d 4\nlinear classes\n", NULL, 0);
    CHECK(load_refused(pth("badspec.safetensors"), "unknown layer 'conv3d'"));
    rewrite(ck, pth("fewclasses.safetensors"), "classes", "0,1,2,4,5,6,7,8", NULL, 0);
    CHECK(load_refused(pth("fewclasses.safetensors"), "the net expects"));

    net_free(a); net_free(b); net_free(c); net_free(w); net_free(ten); net_free(g);
    char cmd[128]; snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    TEST_DONE("test_checkpoint");
}
