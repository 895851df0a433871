/* paths.h — where things are on disk: the datasets folder, the repository root, making folders. */
#ifndef PATHS_H
#define PATHS_H
#include <stddef.h>

/* Resolve the data directory: opt, $UNLEARN_DATA, <exe>/../../shared/datasets,
 * ./../shared/datasets; `sub` must exist inside it ("mnist", "fsdd/recordings").
 * Returns 0 with the directory (containing sub) in out, or -1 with a message
 * saying exactly where the files are expected. */
int find_data_dir(const char *opt, const char *sub, char *out, size_t outlen, char *err, size_t errlen);
/* 1 when p is a directory. */
int path_is_dir(const char *p);
/* mkdir -p (mode 0777 before the umask).  0 or -1 with err. */
int mkdir_p(const char *dir, char *err, size_t errlen);
/* The repository root (folder with Makefile and src/modality.h) found upward
 * from the executable's folder, then from the working directory.  0 or -1. */
int unlearn_repo_root(char *out, size_t len);
#endif
