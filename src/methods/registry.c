/* registry.c — the table of unlearning methods (one line per method) and lookup by name (see unlearn.h). */
#include "unlearn.h"
#include <string.h>

extern const UnlearnMethod method_retrain, method_finetune, method_neggrad_plus, method_random_labels,
    method_baseline, method_baseline_retain, method_salun, method_ssd, method_scrub, method_ours,
    method_baseline_uniform, method_baseline_other, method_baseline_retain_other, method_head_only,
    method_ours_full, method_ours_v1, method_ours_no_pull, method_ours_no_reinit, method_ours_proxy, method_ours_proxy50,
    method_ours_guard;

const UnlearnMethod *const unlearn_methods[] = {
    &method_retrain, &method_finetune, &method_neggrad_plus, &method_random_labels, &method_baseline,
    &method_baseline_uniform, &method_baseline_other, &method_baseline_retain, &method_baseline_retain_other,
    &method_salun, &method_ssd, &method_scrub, &method_ours, &method_head_only, NULL,
};

const UnlearnMethod *const unlearn_ablations[] = {
    &method_ours_full, &method_ours_v1, &method_ours_no_pull, &method_ours_no_reinit, &method_ours_proxy,
    &method_ours_proxy50, &method_ours_guard, NULL,
};

const UnlearnMethod *unlearn_method_find(const char *name) {
    if (!name) return NULL;
    for (int i = 0; unlearn_methods[i]; i++)
        if (!strcmp(unlearn_methods[i]->name, name)) return unlearn_methods[i];
    for (int i = 0; unlearn_ablations[i]; i++)
        if (!strcmp(unlearn_ablations[i]->name, name)) return unlearn_ablations[i];
    return NULL;
}
