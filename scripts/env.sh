# Sourced by the run and test scripts: loads .env if present, then fills in embedded defaults.
# shellcheck shell=bash
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -f "$repo_root/.env" ]; then
  set -a; . "$repo_root/.env"; set +a
fi
export DATABASE_URL="${DATABASE_URL:-sqlite:///$repo_root/kefu.db}"
export RASA_PORT="${RASA_PORT:-5005}"
export ACTION_PORT="${ACTION_PORT:-5055}"
export ACTION_SERVER_URL="${ACTION_SERVER_URL:-http://127.0.0.1:$ACTION_PORT/webhook}"
# Without RASA_TOKEN in .env, a random token is made once and kept in .rasa_token (git-ignored),
# so `bot retrain` in another shell can still reach the running server's API.
if [ -z "${RASA_TOKEN:-}" ]; then
  if [ ! -s "$repo_root/.rasa_token" ]; then
    (umask 077; head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$repo_root/.rasa_token")
  fi
  RASA_TOKEN="$(cat "$repo_root/.rasa_token")"
fi
export RASA_TOKEN
# TensorFlow and Sanic are chatty; keep the console readable.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
# Rasa would otherwise phone home (telemetry and crash reports); this machine has no internet
# and a shop's conversations should not leave it.
export RASA_TELEMETRY_ENABLED=false
