/* prep.h — the dataset preparation library of bin/unlearn-prep (datasets/prep_main.c), one header per job.
 * Nothing here calls exit(); messages go to the FILE* given or into err.
 * Finding the data is the modalities' job: mnist_find_dir (vision/mnist_modality.h) and
 * fsdd_find_dir (audio/fsdd.h); the feature cache is audio/featcache.h. */
#ifndef PREP_H
#define PREP_H
#include "prep_verify.h"     /* check MNIST md5s, FSDD count/naming/digest */
#include "prep_locate.h"     /* where a download goes */
#include "prep_run.h"        /* fork/exec, PATH lookup */
#include "prep_download.h"   /* fetch MNIST and FSDD */
#include "prep_synth.h"      /* espeak-ng synthesis */
#endif
