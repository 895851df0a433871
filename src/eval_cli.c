/* eval_cli.c — `<program> eval`: per-class accuracy and confusion matrix of a checkpoint; with --forget it
 * hands over to eval_unlearn_cli.c for the unlearning metrics. */
#include "eval_cli.h"
#include "eval_unlearn_cli.h"
#include "checkpoint.h"
#include "escape.h"
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
        fputs(CLI_EXIT_HELP, stdout);
        return 0;
    }
    long threads;
    if (svc_threads_opt(o, &threads, err, sizeof err)) { fprintf(stderr, "%s eval: %s\n", m->program, err); return 2; }
    svc_set_threads((int)threads);
    if (cli_str(o, "forget", NULL)) return cmd_eval_unlearn(m, o);
    static const char *const needs_forget[] = {"metrics", "learn", "reference"};
    for (int i = 0; i < 3; i++)
        if (cli_str(o, needs_forget[i], NULL)) {
            fprintf(stderr, "%s eval: --%s applies only with --forget C\n", m->program, needs_forget[i]);
            return 2;
        }
    const char *path = cli_str(o, "model", NULL);
    if (!path) { fprintf(stderr, "%s eval: --model FILE is required\n", m->program); return 2; }
    const char *json = cli_str(o, "json", NULL);
    if (json && svc_check_outputs(&json, 1, err, sizeof err)) {
        fprintf(stderr, "%s eval: %s\n", m->program, err);
        return 2;
    }
    ClassMap cm;
    Net *net = svc_load_model(m, path, &cm, err, sizeof err);
    if (!net) { fprintf(stderr, "%s eval: %s\n", m->program, err); return 1; }
    Dataset *train = NULL, *test = NULL;
    DataOptions dopt;
    int rc = svc_load_data(m, o, &dopt, &train, &test, err, sizeof err);
    if (!rc && (svc_check_input(net, path, test, err, sizeof err) ||
                net_set_device(net, cli_str(o, "device", "auto"), err, sizeof err)))
        rc = 1;
    if (rc) {
        fprintf(stderr, "%s eval: %s\n", m->program, err);
        net_free(net); ds_free(train); ds_free(test);
        return rc;
    }
    EvalResult ev;
    train_evaluate(net, test, &cm, 256, m->n_labels, &ev);
    report_eval_table(stdout, &ev, &cm, m->n_labels);
    if (json) {
        if (report_eval_json(json, &ev, &cm, m->name, path, NULL, err, sizeof err)) {
            fprintf(stderr, "%s eval: %s\n", m->program, err);
            rc = 1;
        } else printf("wrote %s\n", esc(json));
    }
    net_free(net); ds_free(train); ds_free(test);
    return rc;
}
