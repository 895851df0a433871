/* fuzz_json — libFuzzer harness: json_parse on arbitrary bytes, then a walk. */
#include "fuzz_common.h"
#include "json.h"

static void walk(const JsonValue *v, int depth) {
    if (!v || depth > 1000) return;
    (void)json_type_name(v->type);
    if (v->type == JSON_ARRAY || v->type == JSON_OBJECT)
        for (int i = 0; i < v->n; i++) walk(&v->items[i], depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512];
    JsonValue *v = json_parse((const char *)data, size, err, sizeof err);
    if (v) {
        walk(v, 0);
        (void)json_get(v, "spec");
        json_free(v);
    }
    return 0;
}
