/* task_val.h — attach a validation split to an UnlearnTask (metrics only; no
 * method reads it).  task_build zeroes the fields; task_free does NOT free them:
 * call task_detach_val before task_free. */
#ifndef TASK_VAL_H
#define TASK_VAL_H
#include <stddef.h>
#include "unlearn.h"

/* forget_val / learn_val / retain_val <- the samples of val whose class is the
 * forgotten class / the new class (empty set for plain forgetting) / a kept class
 * (slotted in t->before, other than the forgotten one), order kept.  Replaces any
 * attached split.  Refuses (one line in err, nothing attached): no val, a sample
 * shape other than the task's, no forgotten-class or no kept-class sample. */
int task_attach_val(UnlearnTask *t, const Dataset *val, char *err, size_t errlen);
void task_detach_val(UnlearnTask *t);   /* frees them; NULLs; safe to call twice */
#endif
