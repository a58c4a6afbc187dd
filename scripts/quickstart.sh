#!/usr/bin/env bash
# Installs what incident-bot needs, builds it and runs it: against Slack when SLACK_APP_TOKEN and
# SLACK_BOT_TOKEN are set, otherwise the demo against the bundled Slack simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh -DIB_BUILD_TESTS=OFF
if [[ -n "${SLACK_APP_TOKEN:-}" && -n "${SLACK_BOT_TOKEN:-}" ]]; then
  exec build/incident-bot run --db "${INCIDENT_BOT_DB:-incident-bot.db}" "$@"
else
  echo "SLACK_APP_TOKEN/SLACK_BOT_TOKEN not set: running the demo against the bundled Slack simulator." >&2
  exec build/incident-bot demo "$@"
fi
