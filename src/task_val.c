/* task_val.c — the task's validation split, filtered like task_build filters test (see task_val.h). */
#include "task_val.h"
#include <stdio.h>

void task_detach_val(UnlearnTask *t) {
    ds_free(t->forget_val); ds_free(t->learn_val); ds_free(t->retain_val);
    t->forget_val = t->learn_val = t->retain_val = NULL;
}

static int same_shape(const Dataset *a, const Dataset *b) {
    return a->c == b->c && a->h == b->h && a->w == b->w;
}

int task_attach_val(UnlearnTask *t, const Dataset *val, char *err, size_t errlen) {
    task_detach_val(t);
    if (!val) { snprintf(err, errlen, "validation: no data"); return -1; }
    const Dataset *ref = t->forget_test ? t->forget_test : t->forget;
    if (ref && !same_shape(ref, val)) {
        snprintf(err, errlen, "validation samples are %dx%dx%d but the task's are %dx%dx%d", val->c, val->h,
                 val->w, ref->c, ref->h, ref->w);
        return -1;
    }
    int others[MAX_SLOTS], no = 0;
    for (int s = 0; s < t->before.n_slots; s++)
        if (s != t->slot) others[no++] = t->before.slot_class[s];
    t->forget_val = ds_filter_classes(val, &t->forget_class, 1);
    t->retain_val = ds_filter_classes(val, others, no);
    t->learn_val = t->learn_class >= 0 ? ds_filter_classes(val, &t->learn_class, 1)
                                       : ds_new(0, val->c, val->h, val->w);
    const char *why = NULL;
    if (!t->forget_val || !t->retain_val || !t->learn_val) why = "out of memory";
    else if (!t->forget_val->n) why = "no sample of the class to forget";
    else if (!t->retain_val->n) why = "no sample of the classes to keep";
    if (why) {
        snprintf(err, errlen, "validation: %s", why);
        task_detach_val(t);
        return -1;
    }
    return 0;
}
