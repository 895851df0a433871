#!/usr/bin/env bash
# slurm_compare.sh — bin/unlearn-compare on a cluster: one Slurm array task per shard,
# every task writing run records into one shared folder, then one report.
#
#   sbatch --array=1-64 tools/slurm_compare.sh results/cluster --seeds $(seq -s, 1 100) --pairs 6:3,2:7,1:7,4:9
#   # when every task has finished (or: sbatch --dependency=afterok:<jobid> ...):
#   bin/unlearn-compare --merge results/cluster --out results/cluster
#
# Each task runs whole (modality, pair, seed) blocks when there are at least as many
# blocks as tasks, so every original and gold model is trained once; a re-submitted
# task reuses the models it finds cached in the shared folder.
#SBATCH --job-name=unlearn-compare
#SBATCH --cpus-per-task=1
#SBATCH --mem=4G
#SBATCH --time=04:00:00
#SBATCH --output=unlearn-compare-%A_%a.log
set -eu
out=${1:?usage: sbatch --array=1-N tools/slurm_compare.sh OUTDIR [unlearn-compare options]}
shift
: "${SLURM_ARRAY_TASK_ID:?run this through sbatch --array}"
n=${SLURM_ARRAY_TASK_COUNT:-$SLURM_ARRAY_TASK_MAX}
cd "${SLURM_SUBMIT_DIR:-.}"
exec bin/unlearn-compare --shard "$SLURM_ARRAY_TASK_ID/$n" --no-report --jobs 1 --threads 1 --out "$out" "$@"
