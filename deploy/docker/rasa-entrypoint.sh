#!/bin/sh
# The Rasa server of docker-compose.yml: the HTTP API behind RASA_TOKEN, production endpoints
# (SQL tracker store, Redis lock store, the action pool). Every setting comes from the
# environment the compose file gives the container.
set -eu
exec rasa run --enable-api --auth-token "$RASA_TOKEN" --port 5005 \
  --model models --endpoints endpoints.prod.yml --credentials credentials.yml "$@"
