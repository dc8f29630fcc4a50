# Every target bootstraps .venv itself (scripts/bootstrap.sh skips work already done).
SHELL := /bin/bash
VENV := .venv/bin
ENV := source scripts/env.sh &&

.PHONY: run test venv seed webchat browser train lint validate pytest conversations nlu-report \
	screenshots bench clean test-unit fuzz prod nginx fonts test-prod nlu-quick

run: venv webchat fonts
	@bash scripts/run.sh

# Production on this machine: RASA_INSTANCES (2) Rasa instances and the action server behind
# nginx on PROD_PORT (8080), PostgreSQL at DATABASE_URL, Redis at REDIS_URL (README, Production).
prod: venv webchat nginx
	@bash scripts/prod.sh

# Debian's nginx, run as the current user by `make prod` and the deployment tests.
nginx:
	@bash scripts/install_nginx.sh

test: venv webchat browser fonts nginx lint validate train pytest conversations nlu-report
	@echo "==> make test: all checks passed"

venv:
	@bash scripts/bootstrap.sh

seed: venv
	@$(ENV) $(VENV)/bot seed

webchat:
	@bash scripts/build_webchat.sh

# Headless Chromium (Debian's package) for the browser tests and screenshots.
browser:
	@bash scripts/install_browser.sh

# The CJK font of the service reports' plots (bot report, the console's 报表 tab).
fonts:
	@bash scripts/install_fonts.sh

# Rasa compares the fingerprint of config, domain and data with the latest model and skips
# training when nothing changed.
train: venv
	@echo "==> training the model (skipped by Rasa when nothing changed)"
	@$(ENV) $(VENV)/rasa train --quiet --out models

lint: venv
	@echo "==> ruff and mypy"
	@$(VENV)/ruff check bot actions tests scripts benchmarks
	@$(VENV)/ruff format --check bot actions tests scripts benchmarks
	@$(VENV)/mypy
	@$(VENV)/mypy scripts/screenshot.py

validate: venv
	@echo "==> rasa data validate"
	@$(ENV) $(VENV)/rasa data validate --fail-on-warnings --quiet

pytest: venv
	@echo "==> pytest"
	@$(ENV) $(VENV)/pytest

# The inner loop: rules, parsers and components; no database, no trained model, no server.
test-unit: venv
	@$(ENV) $(VENV)/pytest tests/unit -q

conversations: venv
	@echo "==> conversation tests (fail on any prediction error)"
	@$(ENV) $(VENV)/rasa test core --stories tests/conversations --fail-on-prediction-errors \
		--out results/conversations --no-plot --quiet

nlu-report: venv
	@echo "==> NLU evaluation on the frozen held-out split"
	@$(ENV) $(VENV)/bot nlu-report --out docs/nlu_report.md

# README screenshots from a running `make run` (http://127.0.0.1:5005).
screenshots: venv webchat browser
	@$(VENV)/python scripts/screenshot.py http://127.0.0.1:5005/webhooks/chat/ \
		docs/screenshots/chat.png --say "我的快递到哪了"

# Property-based fuzzing of every channel and console endpoint on a live server: 1,750 inputs per
# endpoint (>= 10,000 in all, fixed seed), then the summary (inputs, status codes, 5xx count,
# server alive, customer data in answers, runtime), printed and written to docs/fuzz_summary.md.
fuzz: venv
	@$(ENV) FUZZ_EXAMPLES=1750 FUZZ_SUMMARY=docs/fuzz_summary.md \
		$(VENV)/pytest tests/integration/test_fuzz_endpoints.py -q -s

# The fault tests at full load: 1,000 hand-over round trips instead of the 100 `make test` runs,
# on a PostgreSQL, a Redis and two Rasa instances behind nginx of their own. Without
# PostgreSQL, redis-server or nginx they are skipped, with the reason in pytest's summary.
test-prod: venv nginx
	@$(ENV) FAULT_HANDOFFS=1000 $(VENV)/pytest tests/e2e/test_faults_cluster.py -q -s -ra

bench: venv
	@$(ENV) $(VENV)/python -m benchmarks.run

# A minute instead of a training: our intent model and baseline (c) on the held-out split, after
# changing data/nlu. LEAVE_OUT="data/nlu/x.yml" scores on that file, trained without it.
nlu-quick: venv
	@$(ENV) $(VENV)/python -m benchmarks.nlu_quick $(if $(LEAVE_OUT),--leave-out $(LEAVE_OUT))

clean:
	rm -rf models results .pytest_cache .mypy_cache .ruff_cache
