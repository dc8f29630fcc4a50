#!/usr/bin/env bash
# `make run`: seed the demo store if needed, train if the model is stale, then serve the action
# server and the Rasa server (rest + socketio + chat page). Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
# `make run` is the demo: customer picker and demo tokens on (see README, Security). A DEMO_MODE
# set in the environment or in .env still wins; production leaves it off.
if [[ -z "${DEMO_MODE:-}" ]] && ! grep -Eqs '^[[:space:]]*(export[[:space:]]+)?DEMO_MODE=' .env; then
  export DEMO_MODE=true
fi
source scripts/env.sh

echo "==> demo store ($DATABASE_URL)"
.venv/bin/bot seed
echo "==> model"
# Once `bot retrain` has promoted a model, that one serves: a new model goes live only through
# the evaluation gate. Before that, train when config, domain or data changed.
if live="$(.venv/bin/bot model live 2>/dev/null)"; then
  echo "    live model (models/registry.json): $live"
else
  echo "    no live model recorded: training if config, domain or data changed"
  .venv/bin/rasa train --quiet --out models
  live=models
fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "==> stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

echo "==> action server on :$ACTION_PORT"
.venv/bin/rasa run actions --port "$ACTION_PORT" --actions actions &
pids+=($!)

echo "==> Rasa server on :$RASA_PORT"
.venv/bin/rasa run --enable-api --auth-token "$RASA_TOKEN" --port "$RASA_PORT" \
  --cors "*" --model "$live" --endpoints endpoints.yml --credentials credentials.yml &
pids+=($!)

for _ in $(seq 1 120); do
  if curl -fs "http://127.0.0.1:$RASA_PORT/webhooks/chat/health" >/dev/null 2>&1; then break; fi
  sleep 1
done
cat <<MSG

  Customer chat page:  http://localhost:$RASA_PORT/webhooks/chat/
  REST channel:        POST http://localhost:$RASA_PORT/webhooks/rest/webhook
  HTTP API token:      $RASA_TOKEN   (set RASA_TOKEN in .env to fix it)
  Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}"
