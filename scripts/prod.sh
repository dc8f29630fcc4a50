#!/usr/bin/env bash
# `make prod`: RASA_INSTANCES Rasa instances (default 2) and ACTION_SERVERS action servers
# (default 1) behind nginx on PROD_PORT (default 8080), PostgreSQL at DATABASE_URL (default the
# local server's database `kefu`, created, migrated and seeded if needed), Redis at REDIS_URL
# (default redis://127.0.0.1:6379/0) for the lock store and socket.io. Ctrl-C stops everything.
# The processes and their logs (results/prod-logs/): bot/deploy/cluster.py.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_nginx.sh
# A value set in the environment or in .env wins over these defaults.
default_unless_set() {
  if [[ -z "${!1:-}" ]] && ! grep -Eqs "^[[:space:]]*(export[[:space:]]+)?$1=" .env; then
    export "$1=$2"
  fi
}
# On this machine `make prod` shows the demo store, as `make run` does; a shop sets DEMO_MODE=false
# with a strong RASA_TOKEN and CUSTOMER_JWT_SECRET (the instances refuse to start without them).
default_unless_set DEMO_MODE true
# `make run`'s database is the SQLite file; production's is PostgreSQL.
default_unless_set DATABASE_URL postgresql://postgres@127.0.0.1:5432/kefu
default_unless_set REDIS_URL redis://127.0.0.1:6379/0
source scripts/env.sh
echo "==> model"
if live="$(.venv/bin/bot model live 2>/dev/null)"; then
  echo "    live model (models/registry.json): $live"
else
  .venv/bin/rasa train --quiet --out models
  live=""
fi
exec .venv/bin/python -m bot.deploy.cluster ${live:+--model "$live"}
