/* prep_locate.c — where a download goes: --data, $UNLEARN_DATA, the repository's ../shared/datasets (see prep_locate.h). */
#include "prep_locate.h"
#include "prep_fmt.h"
#include "paths.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>

void prep_download_root(const char *data_opt, char *out, size_t len) {
    if (data_opt && *data_opt) { prep_fmt(out, len, "%s", data_opt); return; }
    const char *env = getenv("UNLEARN_DATA");
    if (env && *env) { prep_fmt(out, len, "%s", env); return; }
    char root[PATH_MAX];
    if (!unlearn_repo_root(root, sizeof root)) {
        char *s = strrchr(root, '/');
        if (s && s != root) {
            *s = 0;
            if (strlen(root) + 17 < len) { prep_fmt(out, len, "%s/shared/datasets", root); return; }
        }
    }
    prep_fmt(out, len, "datasets");
}
