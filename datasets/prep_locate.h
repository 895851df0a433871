/* prep_locate.h — where a download goes (the data itself is found by mnist_find_dir / fsdd_find_dir). */
#ifndef PREP_LOCATE_H
#define PREP_LOCATE_H
#include <stddef.h>
/* The root a download goes to: --data, else $UNLEARN_DATA, else
 * <repository>/../shared/datasets (where the CLIs look), else ./datasets. */
void prep_download_root(const char *data_opt, char *out, size_t len);
#endif
