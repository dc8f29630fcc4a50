# Sourced by the run and test scripts. bot.settings owns every default and reads .env itself; the
# shell exports what Rasa's own processes take from the environment (the ${VAR}s of endpoints.yml
# and credentials.yml), the ports and token the scripts pass to `rasa run`, and the variables that
# quieten the tools.
# shellcheck shell=bash
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Without RASA_TOKEN, bot.settings makes a random token once and keeps it in .rasa_token
# (git-ignored), so `bot retrain` in another shell can still reach the running server's API.
# Asked first and evaluated after, so a .env it cannot read stops the caller instead of leaving
# it without settings.
settings="$(cd "$repo_root" && .venv/bin/python -m bot.settings --export)" || return 1
eval "$settings"
unset settings
# TensorFlow and Sanic are chatty; keep the console readable.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
# Rasa would otherwise phone home (telemetry and crash reports); this machine has no internet
# and a shop's conversations should not leave it.
export RASA_TELEMETRY_ENABLED=false
