/* prep_run.c — run a program with fork/exec (never a shell) and find programs in PATH (see prep_run.h). */
#include "prep_run.h"
#include "prep_fmt.h"
#include "paths.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int prep_run(char *const argv[], int quiet) {
    pid_t pid = fork();
    if (pid < 0) return 127;
    if (pid == 0) {
        if (quiet) {
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); if (fd > 2) close(fd); }
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return 127;
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return 127;
}

int prep_which(const char *prog, char *out, size_t len) {
    if (strchr(prog, '/')) {
        if (access(prog, X_OK)) return -1;
        prep_fmt(out, len, "%s", prog);
        return 0;
    }
    const char *path = getenv("PATH");
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *c = strchr(path, ':');
        size_t n = c ? (size_t)(c - path) : strlen(path);
        char cand[PATH_MAX];
        if (n > 0 && n + strlen(prog) + 2 < sizeof cand) {
            memcpy(cand, path, n);
            prep_fmt(cand + n, sizeof cand - n, "/%s", prog);
            if (!access(cand, X_OK) && !path_is_dir(cand)) { prep_fmt(out, len, "%s", cand); return 0; }
        }
        path += n;
        if (*path == ':') path++;
    }
    return -1;
}
