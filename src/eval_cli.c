/* eval_cli.c — `<program> eval`: per-class accuracy and confusion matrix of a checkpoint; with --forget it
 * hands over to eval_unlearn_cli.c for the unlearning metrics. */
#include "eval_cli.h"
#include "eval_unlearn_cli.h"
#include "checkpoint.h"
#include "report.h"
#include "services.h"
#include <stdio.h>
#include <string.h>

int cmd_eval(const Modality *m, int argc, char **argv) {
    CliOpt o[] = {COMMON_OPTS, {"model", 1, 0}, {"json", 1, 0}, {"reference", 1, 0}, {"forget", 1, 0},
                  {"learn", 1, 0}, {"seed", 1, 0}, {"no-augment", 0, 0}, {"metrics", 1, 0}, {0, 0, 0}};
    char err[512];
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, "%s eval: %s\n", m->program, err); return 2; }
    if (cli_flag(o, "help")) {
        printf("usage: %s eval --model FILE [options]\n\n"
               "Evaluate a model on the held-out test data: accuracy per class and the confusion\n"
               "matrix; with --forget (and --reference), every unlearning metric.\n\n"
               "  --model FILE        checkpoint to evaluate\n"
               "  --json FILE         also write the results as JSON\n"
               "  --forget C          the forgotten class: report leakage, MIA, probe, relearn\n"
               "  --learn C           the class learned into the forgotten slot\n"
               "  --reference FILE    the retrained gold-standard model, for the gap to retrain\n"
               "  --metrics LIST      subset of: basic,mia,probe,relearn (default all with --forget)\n%s%s",
               m->program, svc_common_help, m->data_help ? m->data_help : "");
        return 0;
    }
    long threads;
    if (cli_int(o, "threads", 0, 0, 1024, &threads, err, sizeof err)) { fprintf(stderr, "%s eval: %s\n", m->program, err); return 2; }
    svc_set_threads((int)threads);
    if (cli_str(o, "forget", NULL)) return cmd_eval_unlearn(m, o);
    const char *path = cli_str(o, "model", NULL);
    if (!path) { fprintf(stderr, "%s eval: --model FILE is required\n", m->program); return 2; }
    ClassMap cm;
    char modality[64] = "";
    Net *net = checkpoint_load(path, &cm, modality, err, sizeof err);
    if (!net) { fprintf(stderr, "%s eval: %s\n", m->program, err); return 1; }
    if (*modality && strcmp(modality, m->name)) {
        fprintf(stderr, "%s eval: %s is a %s model, not %s\n", m->program, path, modality, m->name);
        net_free(net);
        return 1;
    }
    Dataset *train = NULL, *test = NULL;
    DataOptions dopt;
    if (svc_load_data(m, o, &dopt, &train, &test, err, sizeof err)) {
        fprintf(stderr, "%s eval: %s\n", m->program, err);
        net_free(net);
        return 1;
    }
    if (net_set_device(net, cli_str(o, "device", "auto"), err, sizeof err)) {
        fprintf(stderr, "%s eval: %s\n", m->program, err);
        net_free(net); ds_free(train); ds_free(test);
        return 1;
    }
    EvalResult ev;
    train_evaluate(net, test, &cm, 256, m->n_labels, &ev);
    report_eval_table(stdout, &ev, &cm, m->n_labels);
    int rc = 0;
    const char *json = cli_str(o, "json", NULL);
    if (json) {
        if (report_eval_json(json, &ev, &cm, m->name, path, NULL, err, sizeof err)) {
            fprintf(stderr, "%s eval: %s\n", m->program, err);
            rc = 1;
        } else printf("wrote %s\n", json);
    }
    net_free(net); ds_free(train); ds_free(test);
    return rc;
}
