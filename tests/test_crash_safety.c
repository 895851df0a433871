/* test_crash_safety — a checkpoint save killed (SIGKILL, through the
 * UNLEARN_TEST_CRASH_AT hook in atomic_file.c) at each of its steps leaves the
 * target as the old or the new complete file, never anything else; the temp file
 * a killed save leaves is removed by the next save to the same target, while temp
 * files of live processes and unrelated names are left alone. */
#include "test.h"
#include "checkpoint.h"
#include "atomic_file.h"
#include "net.h"
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc(n > 0 ? (size_t)n : 1);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

static int count_with(const char *needle) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) if (strstr(e->d_name, needle)) n++;
    closedir(d);
    return n;
}

static int exists(const char *name) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

static void touch(const char *name) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    fputs("stale", f);
    fclose(f);
}

static Net *make_net(uint64_t seed) {
    char err[256];
    Net *n = net_parse("input 1 8 8\nconv 4 k=3\nrelu\nflatten\nlinear classes\n", "t", 0, 0, 0, 3, err, sizeof err);
    if (!n) { fprintf(stderr, "%s\n", err); exit(1); }
    net_init(n, seed);
    return n;
}

static pid_t dead_pid(void) {
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, NULL, 0);
    return p;
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/test_crash_XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    char target[128], ref[128], err[512];
    snprintf(target, sizeof target, "%s/model.safetensors", dir);
    snprintf(ref, sizeof ref, "%s/ref.safetensors", dir);
    ClassMap cm;
    CHECK(classmap_parse(&cm, "0,1,2", 10, err, sizeof err) == 0);
    Net *a = make_net(1), *b = make_net(2);
    CHECKF(checkpoint_save(target, a, &cm, "mnist", NULL, NULL, err, sizeof err) == 0, "%s", err);
    CHECKF(checkpoint_save(ref, b, &cm, "mnist", NULL, NULL, err, sizeof err) == 0, "%s", err);
    size_t old_len, new_len;
    char *old = slurp(target, &old_len), *neu = slurp(ref, &new_len);
    CHECK(old && neu && (old_len != new_len || memcmp(old, neu, old_len)));
    unlink(ref);

    for (int step = 1; step <= 7; step++) {
        pid_t p = fork();
        if (p == 0) {
            setenv("UNLEARN_TEST_CRASH_AT", (char[]){(char)('0' + step), 0}, 1);
            char e2[256];
            checkpoint_save(target, b, &cm, "mnist", NULL, NULL, e2, sizeof e2);
            _exit(0);   /* not reached: the hook kills the save */
        }
        int status = 0;
        waitpid(p, &status, 0);
        CHECKF(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "step %d: the save was not killed", step);
        size_t len;
        char *got = slurp(target, &len);
        int is_old = got && len == old_len && !memcmp(got, old, len);
        int is_new = got && len == new_len && !memcmp(got, neu, len);
        CHECKF(step <= 5 ? is_old : is_new, "step %d: target is %s", step, is_old ? "old" : is_new ? "new" : "corrupt");
        free(got);
        ClassMap cm2;
        Net *back = checkpoint_load(target, &cm2, NULL, err, sizeof err);
        CHECKF(back != NULL, "step %d: %s", step, err);
        net_free(back);
        /* a kill before the rename leaves the temp file of the dead process */
        CHECKF((count_with(".tmp.") > 0) == (step <= 5), "step %d: %d temp files", step, count_with(".tmp."));
        /* the next save (restoring the old model) removes it */
        CHECKF(checkpoint_save(target, a, &cm, "mnist", NULL, NULL, err, sizeof err) == 0, "%s", err);
        CHECKF(count_with(".tmp.") == 0, "step %d: %d temp files after the next save", step, count_with(".tmp."));
        got = slurp(target, &len);
        CHECK(got && len == old_len && !memcmp(got, old, len));
        free(got);
    }

    /* only dead processes' temp files of this target are removed */
    pid_t live = fork();
    if (live == 0) { pause(); _exit(0); }
    char name[128];
    pid_t dead = dead_pid();
    snprintf(name, sizeof name, "model.safetensors.tmp.%d.0", (int)live);  touch(name);
    char live_name[128]; snprintf(live_name, sizeof live_name, "%s", name);
    snprintf(name, sizeof name, "model.safetensors.tmp.%d.17", (int)dead); touch(name);
    char dead_name[128]; snprintf(dead_name, sizeof dead_name, "%s", name);
    snprintf(name, sizeof name, "other.safetensors.tmp.%d.0", (int)dead);  touch(name);
    char other_name[128]; snprintf(other_name, sizeof other_name, "%s", name);
    touch("model.safetensors.tmp.x.1");
    touch("model.safetensors.tmp.123");
    CHECKF(atomic_write_text(target, "x", err, sizeof err) == 0, "%s", err);
    CHECK(!exists(dead_name));
    CHECK(exists(live_name) && exists(other_name));
    CHECK(exists("model.safetensors.tmp.x.1") && exists("model.safetensors.tmp.123"));
    kill(live, SIGKILL);
    waitpid(live, NULL, 0);
    CHECKF(atomic_write_text(target, "y", err, sizeof err) == 0, "%s", err);
    CHECK(!exists(live_name));   /* its process is gone now */

    net_free(a); net_free(b); free(old); free(neu);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    TEST_DONE("test_crash_safety");
}
