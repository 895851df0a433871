/* test_classmap — parse / slot / format, and one-line refusals. */
#include "test.h"
#include "classmap.h"

static int refused(const char *list, int max, const char *want) {
    ClassMap m; char err[256] = "";
    int rc = classmap_parse(&m, list, max, err, sizeof err);
    if (rc == 0) { fprintf(stderr, "  '%s' accepted\n", list); return 0; }
    if (!strstr(err, want) || strchr(err, '\n')) {
        fprintf(stderr, "  '%s': message '%s' lacks '%s'\n", list, err, want);
        return 0;
    }
    return 1;
}

int main(void) {
    ClassMap m; char err[256], buf[256];
    CHECK(classmap_parse(&m, "0,1,2,4,5,6,7,8,9", 10, err, sizeof err) == 0);
    CHECK(m.n_slots == 9);
    CHECK(m.slot_class[0] == 0 && m.slot_class[3] == 4 && m.slot_class[8] == 9);
    CHECK(classmap_slot(&m, 6) == 5);
    CHECK(classmap_slot(&m, 3) == -1);
    classmap_format(&m, buf, sizeof buf);
    CHECK(strcmp(buf, "0,1,2,4,5,6,7,8,9") == 0);

    /* the replacement: slot 5 predicts 3 */
    m.slot_class[5] = 3;
    CHECK(classmap_slot(&m, 3) == 5 && classmap_slot(&m, 6) == -1);
    classmap_format(&m, buf, sizeof buf);
    CHECK(strcmp(buf, "0,1,2,4,5,3,7,8,9") == 0);

    /* whitespace tolerated, order kept */
    CHECK(classmap_parse(&m, " 9, 3 ,0 ", 10, err, sizeof err) == 0);
    CHECK(m.n_slots == 3 && m.slot_class[0] == 9 && m.slot_class[1] == 3 && m.slot_class[2] == 0);
    CHECK(classmap_parse(&m, "42", 0, err, sizeof err) == 0 && m.slot_class[0] == 42);

    /* format truncation: whole entries only, terminated */
    CHECK(classmap_parse(&m, "10,11,12", 20, err, sizeof err) == 0);
    classmap_format(&m, buf, 6);
    CHECK(strcmp(buf, "10,11") == 0);
    classmap_format(&m, buf, 3);
    CHECK(strcmp(buf, "10") == 0);

    /* refusals */
    CHECK(refused("0,1,2,6,4,5,6", 10, "class 6 is listed twice"));
    CHECK(refused("0,1,10", 10, "class 10 is out of range"));
    CHECK(refused("0,-1", 10, "class -1 is out of range"));
    CHECK(refused("0,-1", 0, "out of range"));
    CHECK(refused("99999999999999999999", 0, "out of range"));
    CHECK(refused("", 10, "empty"));
    CHECK(refused("   ", 10, "empty"));
    CHECK(refused("0,,1", 10, "empty entry"));
    CHECK(refused("0,1,", 10, "empty entry"));
    CHECK(refused(",0", 10, "empty entry"));
    CHECK(refused("0,x,1", 10, "'x' is not a class number"));
    CHECK(refused("0,1a", 10, "'1a' is not a class number"));
    CHECK(refused("0 1", 10, "not a class number"));
    CHECK(refused("0;1", 10, "not a class number"));
    CHECK(refused("1.5", 10, "not a class number"));
    /* a refusal leaves the map untouched */
    CHECK(classmap_parse(&m, "1,2", 10, err, sizeof err) == 0);
    CHECK(classmap_parse(&m, "3,3", 10, err, sizeof err) == -1);
    CHECK(m.n_slots == 2 && m.slot_class[0] == 1);
    /* too many classes */
    {
        char big[MAX_SLOTS * 4 + 8]; size_t at = 0;
        for (int i = 0; i <= MAX_SLOTS; i++) at += (size_t)sprintf(big + at, i ? ",%d" : "%d", i);
        CHECK(refused(big, 0, "more than"));
    }
    TEST_DONE("test_classmap");
}
