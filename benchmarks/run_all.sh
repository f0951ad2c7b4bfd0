#!/usr/bin/env bash
# Run every benchmark on the full stack and keep each JSON result in benchmarks/results/.
# Run on a quiet machine: the figures are wall-clock times on 2 cores. RESULTS names another folder
# for the JSON (a check that every benchmark runs, without replacing the figures the README cites).
set -euo pipefail
cd "$(dirname "$0")/.."
bin/setup dev
bin/services
export DATABASE_URL=${DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/symphony}
results=${RESULTS:-benchmarks/results}
mkdir -p "$results"
for bench in inference upload_cost pipeline_load check_in_floor recommend_scale taste history_page enrich_catalog seed_catalog tagging text; do
  echo "== $bench" >&2
  .venv/bin/python "benchmarks/$bench.py" --json | tail -1 | tee "$results/$bench.json"
done
echo "== recommend_scale at 1M songs, 100k users, 10M events" >&2
.venv/bin/python benchmarks/recommend_scale.py --json --songs 1000000 --users 100000 --events 10000000 \
  | tail -1 | tee "$results/recommend_scale_1m.json"
