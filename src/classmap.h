/* classmap.h — which class each output slot predicts.
 * Pre-training on {0,1,2,4,5,6,7,8,9} gives slots 0..8; replacing 6 by 3 makes
 * slot_class[5] = 3.  A class that has no slot maps to -1. */
#ifndef CLASSMAP_H
#define CLASSMAP_H
#include <stddef.h>
#define MAX_SLOTS 64
typedef struct {
    int n_slots;
    int slot_class[MAX_SLOTS];   /* slot -> class label */
} ClassMap;
/* Parse "0,1,2,4,5,6,7,8,9": rejects duplicates, values outside [0,max_class),
 * empty lists. Returns 0 or -1 with one line in err. */
int classmap_parse(ClassMap *m, const char *list, int max_class, char *err, size_t errlen);
int classmap_slot(const ClassMap *m, int cls);  /* -1 if absent */
/* "0,1,2,3,..." into buf */
void classmap_format(const ClassMap *m, char *buf, size_t len);
#endif
