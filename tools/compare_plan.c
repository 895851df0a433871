/* compare_plan.c — unlearn-compare's options, per-modality budgets and work grid. */
#include "compare_plan.h"
#include "cli.h"
#include "mnist_modality.h"
#include "speech_modality.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const Modality *const all_modalities[] = {&mnist_modality, &speech_modality, NULL};

static void usage(FILE *f) {
    fprintf(f,
            "usage: unlearn-compare [options]\n\n"
            "Run the unlearning methods side by side over ensembles of seeds: for every modality, class\n"
            "pair and seed, an original model, an independently seeded gold model (retrained from scratch\n"
            "without the forgotten class) and every method run once on the original. Every metric is\n"
            "reported as mean and 95%% interval, against the gold ensemble's 95%% band.\n"
            "Writes results.json/.csv/.md, per-run records under runs/ and SVG plots.\n\n"
            "  --methods LIST        methods to run (default all:");
    for (int i = 0; unlearn_methods[i]; i++)
        if (strcmp(unlearn_methods[i]->name, "retrain")) fprintf(f, " %s", unlearn_methods[i]->name);
    fprintf(f, ")\n"
            "                        'none': only the original and the gold; 'all' in a list adds these,\n"
            "                        e.g. all,ours:full (variants: ours:full ours:v1 ours:no-pull ...)\n"
            "  --modalities LIST     default mnist,speech\n"
            "  --seeds LIST          ensemble seeds (default 1,2,3,4,5)\n"
            "  --pairs LIST          replacements forget:learn, e.g. 6:3,2:7 (default 6:3; learn 'none' or -1:\n"
            "                        plain forgetting)\n"
            "  --forget C --learn C  a single pair (same as --pairs C:C)\n"
            "  --classes LIST        pre-training classes (default: every label but the class to learn)\n"
            "  --eval S              test (default: the final report) or val (tuning: scores on the validation\n"
            "                        split carved from the training data; the test split is never loaded)\n"
            "  --run NAME            results go to results/NAME/ (default 'default')\n"
            "  --out DIR             ... or to DIR\n"
            "  --shard I/N           run only the I-th of N shares of the (modality, pair, seed, model) grid\n"
            "                        and write its run records (no report unless N = 1)\n"
            "  --merge DIR,DIR...    no training: write the report of the run records in these folders\n"
            "  --no-report           write run records only\n"
            "  --resume              keep the run records already in the output folder (an interrupted run goes\n"
            "                        on where it stopped; a record of other options is refused, not overwritten)\n"
            "  --jobs N              worker processes, one per core (default 2, as many as this machine's cores\n"
            "                        allow): each runs whole (modality, pair, seed) blocks of the shard with\n"
            "                        --threads threads, then one report\n"
            "  --limit N             training samples per class (default: all)\n"
            "  --test-limit N        test samples per class (default: all)\n"
            "  --learn-limit K       only K training examples of the new class, for the methods and the gold\n"
            "                        (few-shot replacement; default: all)\n"
            "  --retain-limit PCT    the methods see PCT%% of the retained training data (0: none; the same number of\n"
            "                        each kept class, seeded); the gold, the original and the metrics see all of it\n"
            "  --pretrain-epochs N   epochs of originals and golds (default: mnist 3, speech 6)\n"
            "  --steps N             optimiser-step budget of each method (default: mnist 100, speech 60)\n"
            "  --relearn-steps N     relearn cap (default 100)\n"
            "  --relearn-lr X        relearn SGD step (default: mnist 0.001, speech 0.01)\n"
            "  --quick               tiny run for CI: --limit 60 --test-limit 40 --steps 20 --pretrain-epochs 3\n"
            "                        --seeds 1,2 --relearn-steps 30, small MIA/probe/importance samples\n"
            "  --no-plots            skip the SVG plots\n"
            "  --goals-method NAME   the method judged against issue 10's goals in goals.md/.csv (default ours;\n"
            "                        no table when the run has no such method)\n"
            "  --net NAME|PATH       net spec for every modality (default: each modality's default)\n"
            "  --split S             speech split (upstream or a held-out speaker)\n"
            "  --data DIR            datasets folder\n"
            "  --threads N           CPU threads (default 1: on a shared 2-core machine two OpenMP threads ran\n"
            "                        these small nets 4-10x slower, spinning at every barrier)\n"
            "  --device D            cpu, cuda or auto (default auto)\n"
            "  --quiet               no progress lines\n");
}

static int parse_list_mods(Plan *p, const char *s) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *sv = NULL, *tok = strtok_r(buf, ",", &sv); tok; tok = strtok_r(NULL, ",", &sv)) {
        const Modality *found = NULL;
        for (int i = 0; all_modalities[i]; i++)
            if (!strcmp(all_modalities[i]->name, tok)) found = all_modalities[i];
        if (!found) { fprintf(stderr, "unlearn-compare: unknown modality '%s' (known: mnist, speech)\n", tok); return -1; }
        if (p->nmods < PLAN_MAX_MODS) p->mods[p->nmods++] = found;
    }
    return 0;
}

static void add_method(Plan *p, const UnlearnMethod *um) {
    for (int i = 0; i < p->nmethods; i++)
        if (p->methods[i] == um) return;
    if (p->nmethods < PLAN_MAX_METHODS) p->methods[p->nmethods++] = um;
}

/* Method names, "all" (every default method) anywhere in the list, or "none". */
static int parse_list_methods(Plan *p, const char *given) {
    if (given && !strcmp(given, "none")) return 0;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", given ? given : "all");
    for (char *sv = NULL, *tok = strtok_r(buf, ",", &sv); tok; tok = strtok_r(NULL, ",", &sv)) {
        if (!strcmp(tok, "retrain") || !strcmp(tok, "original") || !strcmp(tok, "gold")) continue;
        if (!strcmp(tok, "all")) {
            for (int i = 0; unlearn_methods[i]; i++)
                if (strcmp(unlearn_methods[i]->name, "retrain")) add_method(p, unlearn_methods[i]);
            continue;
        }
        const UnlearnMethod *um = unlearn_method_find(tok);
        if (!um) {
            fprintf(stderr, "unlearn-compare: unknown method '%s' (known:", tok);
            for (int i = 0; unlearn_methods[i]; i++) fprintf(stderr, " %s", unlearn_methods[i]->name);
            fprintf(stderr, ")\n");
            return -1;
        }
        add_method(p, um);
    }
    return 0;
}

static int parse_class(const char *s, int *out) {
    if (!strcmp(s, "none") || !strcmp(s, "-1")) { *out = -1; return 0; }
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v >= MAX_LABELS) return -1;
    *out = (int)v;
    return 0;
}

static int parse_pairs(Plan *p, const char *s, const char *classes) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *sv = NULL, *tok = strtok_r(buf, ",", &sv); tok; tok = strtok_r(NULL, ",", &sv)) {
        char *colon = strchr(tok, ':');
        Pair pr = {0};
        if (!colon) goto bad;
        *colon = 0;
        if (parse_class(tok, &pr.forget) || pr.forget < 0 || parse_class(colon + 1, &pr.learn)) goto bad;
        snprintf(pr.classes, sizeof pr.classes, "%s", classes ? classes : "");
        if (p->npairs >= PLAN_MAX_PAIRS) { fprintf(stderr, "unlearn-compare: at most %d pairs\n", PLAN_MAX_PAIRS); return -1; }
        p->pairs[p->npairs++] = pr;
        continue;
    bad:
        fprintf(stderr, "unlearn-compare: --pairs wants forget:learn items like 6:3,2:7\n");
        return -1;
    }
    if (!p->npairs) { fprintf(stderr, "unlearn-compare: --pairs is empty\n"); return -1; }
    return 0;
}

static int parse_seeds(Plan *p, const char *s) {
    p->nseeds = cli_int_list(s, p->seeds, PLAN_MAX_SEEDS);
    if (p->nseeds <= 0) { fprintf(stderr, "unlearn-compare: --seeds wants a list like 1,2,3,4,5\n"); return -1; }
    for (int i = 0; i < p->nseeds; i++) {
        if (p->seeds[i] < 0) { fprintf(stderr, "unlearn-compare: --seeds: %d is negative\n", p->seeds[i]); return -1; }
        for (int j = 0; j < i; j++)
            if (p->seeds[j] == p->seeds[i]) { fprintf(stderr, "unlearn-compare: --seeds: %d twice\n", p->seeds[i]); return -1; }
    }
    return 0;
}

static int parse_shard(Plan *p, const char *s) {
    p->shard = 0;
    p->nshards = 1;
    if (!s) return 0;
    int i, n;
    char extra;
    if (sscanf(s, "%d/%d%c", &i, &n, &extra) != 2 || n < 1 || i < 1 || i > n) {
        fprintf(stderr, "unlearn-compare: --shard wants I/N with 1 <= I <= N, e.g. 2/8\n");
        return -1;
    }
    p->shard = i - 1;
    p->nshards = n;
    return 0;
}

static int parse_merge(Plan *p, const char *s) {
    static char buf[8192];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *sv = NULL, *tok = strtok_r(buf, ",", &sv); tok; tok = strtok_r(NULL, ",", &sv))
        if (p->nmerge < PLAN_MAX_MERGE) p->merge[p->nmerge++] = tok;
    return p->nmerge ? 0 : -1;
}

/* Numbers: every budget and size option. */
static int parse_numbers(Plan *p, const CliOpt *o, char *err, size_t el) {
    long lim, tlim, ep, st, rs, th, jb, ll;
    double rlr;
    int q = p->quick;
    if (cli_int(o, "limit", q ? 60 : -1, 1, 1000000, &lim, err, el) ||
        cli_int(o, "test-limit", q ? 40 : -1, 1, 1000000, &tlim, err, el) ||
        cli_int(o, "pretrain-epochs", q ? 3 : 0, 1, 1000, &ep, err, el) ||
        cli_int(o, "steps", q ? 20 : 0, 1, 100000000, &st, err, el) ||
        cli_int(o, "relearn-steps", q ? 30 : 100, 1, 1000000, &rs, err, el) ||
        cli_int(o, "threads", 1, 1, 256, &th, err, el) ||
        cli_int(o, "jobs", 2, 1, 64, &jb, err, el) || cli_int(o, "learn-limit", 0, 1, 1000000, &ll, err, el) ||
        cli_float(o, "relearn-lr", 0, 1e-9, 10, &rlr, err, el) ||
        cli_float(o, "retain-limit", -1, 0, 100, &p->retain_pct, err, el))
        return -1;
    p->limit = (int)lim;
    p->test_limit = (int)tlim;
    p->learn_limit = (int)ll;
    p->pretrain_epochs = (int)ep;
    p->steps = st;
    p->relearn_lr = (float)rlr;
    p->threads = (int)th;
    p->jobs = (int)jb;
    p->job = 0;
    p->njobs = 1;
    metrics_config_default(&p->mc);
    p->mc.relearn_max_steps = (int)rs;
    if (q) {   /* small samples everywhere: CI runs this */
        p->mc.mia_cap = 300;
        p->mc.relapse_steps = 10;
        p->mc.kshot_repeats = 2;
        p->mc.margin_cap = 64;
    }
    return 0;
}

static int parse_eval(Plan *p, const char *s) {
    if (!strcmp(s, "test")) p->eval_val = 0;
    else if (!strcmp(s, "val")) p->eval_val = 1;
    else { fprintf(stderr, "unlearn-compare: --eval wants test or val\n"); return -1; }
    return 0;
}

int plan_parse(Plan *p, int argc, char **argv) {
    CliOpt o[] = {{"methods", 1, 0}, {"modalities", 1, 0}, {"seeds", 1, 0}, {"forget", 1, 0}, {"learn", 1, 0},
                  {"pairs", 1, 0}, {"classes", 1, 0}, {"eval", 1, 0}, {"run", 1, 0}, {"out", 1, 0},
                  {"shard", 1, 0}, {"merge", 1, 0}, {"no-report", 0, 0}, {"jobs", 1, 0}, {"limit", 1, 0}, {"test-limit", 1, 0}, {"learn-limit", 1, 0}, {"retain-limit", 1, 0},
                  {"pretrain-epochs", 1, 0}, {"steps", 1, 0}, {"relearn-steps", 1, 0}, {"relearn-lr", 1, 0},
                  {"quick", 0, 0}, {"no-plots", 0, 0}, {"goals-method", 1, 0}, {"net", 1, 0}, {"split", 1, 0}, {"data", 1, 0},
                  {"threads", 1, 0}, {"device", 1, 0}, {"quiet", 0, 0}, {"resume", 0, 0}, {"help", 0, 0}, {0, 0, 0}};
    char err[1024];
    memset(p, 0, sizeof *p);
    if (cli_parse(o, argc, argv, 1, err, sizeof err)) {
        fprintf(stderr, "unlearn-compare: %s (see --help)\n", err);
        return 2;
    }
    if (cli_flag(o, "help")) { usage(stdout); return 1; }
    p->quick = cli_flag(o, "quick");
    p->quiet = cli_flag(o, "quiet");
    p->resume = cli_flag(o, "resume");
    p->plots = !cli_flag(o, "no-plots");
    p->data = cli_str(o, "data", NULL);
    p->split = cli_str(o, "split", NULL);
    p->device = cli_str(o, "device", "auto");
    p->net = cli_str(o, "net", NULL);
    p->goals_method = cli_str(o, "goals-method", "ours");
    if (parse_numbers(p, o, err, sizeof err)) { fprintf(stderr, "unlearn-compare: %s\n", err); return 2; }
    const char *pairs = cli_str(o, "pairs", NULL), *fo = cli_str(o, "forget", NULL), *le = cli_str(o, "learn", NULL);
    char single[64];
    if (pairs && (fo || le)) { fprintf(stderr, "unlearn-compare: give --pairs or --forget/--learn, not both\n"); return 2; }
    snprintf(single, sizeof single, "%s:%s", fo ? fo : "6", le ? le : "3");
    if (parse_list_mods(p, cli_str(o, "modalities", "mnist,speech")) || parse_list_methods(p, cli_str(o, "methods", NULL)) ||
        parse_pairs(p, pairs ? pairs : single, cli_str(o, "classes", NULL)) ||
        parse_seeds(p, cli_str(o, "seeds", p->quick ? "1,2" : "1,2,3,4,5")) || parse_shard(p, cli_str(o, "shard", NULL)) ||
        parse_eval(p, cli_str(o, "eval", "test")))
        return 2;
    const char *merge = cli_str(o, "merge", NULL);
    if (merge && parse_merge(p, merge)) { fprintf(stderr, "unlearn-compare: --merge wants DIR[,DIR...]\n"); return 2; }
    p->report = !cli_flag(o, "no-report") && (p->nshards == 1 || merge);
    const char *out = cli_str(o, "out", NULL);
    if (out) snprintf(p->outdir, sizeof p->outdir, "%s", out);
    else snprintf(p->outdir, sizeof p->outdir, "results/%s", cli_str(o, "run", p->quick ? "quick" : "default"));
    return 0;
}

long plan_units(const Plan *p) {
    return (long)p->nmods * p->npairs * p->nseeds * (p->nmethods + 2);
}

void plan_unit(const Plan *p, long u, int *mod, int *pair, int *seed_index, int *role) {
    int per = p->nmethods + 2;
    *role = (int)(u % per) - 2;
    u /= per;
    *seed_index = (int)(u % p->nseeds);
    u /= p->nseeds;
    *pair = (int)(u % p->npairs);
    *mod = (int)(u / p->npairs);
}

int plan_unit_shard(const Plan *p, long u) {
    long per = p->nmethods + 2, blocks = plan_units(p) / per;
    return (int)((blocks >= p->nshards ? u / per : u) % p->nshards);
}

void plan_pair_classes(const Plan *p, int mod, int pair, char *out, size_t n) {
    const Pair *pr = &p->pairs[pair];
    if (pr->classes[0]) { snprintf(out, n, "%s", pr->classes); return; }
    size_t len = 0;
    out[0] = 0;
    for (int y = 0; y < p->mods[mod]->n_labels && len + 4 < n; y++)
        if (y != pr->learn) len += (size_t)snprintf(out + len, n - len, "%s%d", len ? "," : "", y);
}

TrainConfig plan_recipe(const Plan *p, const Modality *m) {
    TrainConfig r = m->recipe;
    if (p->pretrain_epochs > 0) r.epochs = p->pretrain_epochs;
    else if (m->compare_epochs > 0) r.epochs = m->compare_epochs;
    r.max_steps = 0;
    r.augment = m->augment;
    r.verbose = !p->quiet;
    return r;
}

long plan_steps(const Plan *p, const Modality *m) { return p->steps > 0 ? p->steps : m->compare_steps; }
float plan_relearn_lr(const Plan *p, const Modality *m) { return p->relearn_lr > 0 ? p->relearn_lr : m->relearn_lr; }

static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
uint64_t plan_seed_original(int s) { return (uint64_t)s; }
uint64_t plan_seed_gold(int s) { return mix64((uint64_t)s + 0x9E3779B97F4A7C15ULL) >> 1; }

const char *plan_role_name(const Plan *p, int role) {
    if (role == ROLE_ORIGINAL) return "original";
    if (role == ROLE_GOLD) return "retrain";
    return p->methods[role]->name;
}
