#!/usr/bin/env bash
# The Debian package and the systemd units, for real: builds the .deb (CPack), installs it with
# dpkg -i, checks what it installed (binary, user, conffile mode and group, units enabled or
# not, the backup script's rotation), runs `systemd-analyze verify` on the installed units
# (any output is a failure: verify exits 0 on unknown keys), then `dpkg --purge` and checks
# that nothing is left. Needs root; exits 77 (ctest: skipped) without it, or when an
# incident-bot package is already installed on this machine (it is not ours to remove).
#
#   tests/package/package_test.sh BUILD_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || { echo "SKIP: dpkg -i needs root"; exit 77; }
# One package test at a time on this machine (dpkg's lock, the shared /usr/bin).
exec 9>/tmp/incident-bot-package-test.lock
flock 9
status="$(dpkg-query -W -f='${Status}' incident-bot 2>/dev/null || true)"
if [[ -n "$status" && "$status" != *not-installed* ]]; then
  echo "SKIP: an incident-bot package is already installed here; not touching it"
  exit 77
fi
work="$(mktemp -d)"
cleanup() {
  dpkg --purge incident-bot >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== build the package"
cmake --build "$build" --target package >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack"; }
deb="$(ls -t "$build"/incident-bot_*.deb | head -1)"
[ -f "$deb" ] || fail "no .deb in $build"
depends="$(dpkg-deb -f "$deb" Depends)"
[[ "$depends" == *adduser* && "$depends" == *libprometheus-cpp-core* ]] || fail "Depends: $depends"

echo "== dpkg -i $(basename "$deb")"
dpkg -i "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i"; }
grep -q "set SLACK_APP_TOKEN and SLACK_BOT_TOKEN" "$work/install.log" || fail "postinst should say how to set the tokens"

echo "== what it installed"
version="$(/usr/bin/incident-bot --version)"
[[ "$version" =~ ^incident-bot\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "/usr/bin/incident-bot --version printed '$version'"
getent passwd incident-bot >/dev/null || fail "no incident-bot user"
[ "$(getent passwd incident-bot | cut -d: -f7)" = "/usr/sbin/nologin" ] || fail "the incident-bot user has a login shell"
[ "$(stat -c '%a %U %G' /etc/incident-bot/env)" = "640 root incident-bot" ] ||
  fail "/etc/incident-bot/env is $(stat -c '%a %U %G' /etc/incident-bot/env), expected 640 root incident-bot"
grep -qx 'SLACK_APP_TOKEN=' /etc/incident-bot/env || fail "the env file should ship with an empty SLACK_APP_TOKEN"
grep -qx 'SLACK_BOT_TOKEN=' /etc/incident-bot/env || fail "the env file should ship with an empty SLACK_BOT_TOKEN"
conffiles="$(dpkg-query -W -f='${Conffiles}' incident-bot)"
[[ "$conffiles" == *"/etc/incident-bot/env"* ]] || fail "env is not a conffile"
[ -L /etc/systemd/system/timers.target.wants/incident-bot-backup.timer ] || fail "the backup timer is not enabled"
[ ! -e /etc/systemd/system/multi-user.target.wants/incident-bot.service ] ||
  fail "the bot is enabled although its tokens are empty"
[ -f /usr/lib/systemd/system/incident-bot-serve.service ] || fail "no incident-bot-serve.service"
[ ! -e /etc/systemd/system/multi-user.target.wants/incident-bot-serve.service ] ||
  fail "the review site is enabled although nobody asked for it"
# Without tokens the bot refuses to run, in one line, with the usage exit code the unit does not restart on.
set +e
out="$(env -i PATH=/usr/bin:/bin /usr/bin/incident-bot run 2>&1)"; code=$?
set -e
[ "$code" -eq 2 ] || fail "run without tokens exited $code: $out"

echo "== systemd-analyze verify"
units=(/usr/lib/systemd/system/incident-bot.service /usr/lib/systemd/system/incident-bot-backup.service
       /usr/lib/systemd/system/incident-bot-backup.timer /usr/lib/systemd/system/incident-bot-serve.service)
verify_out="$(systemd-analyze verify "${units[@]}" 2>&1)" || fail "systemd-analyze verify: $verify_out"
[ -z "$verify_out" ] || fail "systemd-analyze verify reported: $verify_out"

echo "== the backup script keeps the newest copies"
db="$work/incidents.db"
/usr/bin/incident-bot demo --db "$db" --quiet >/dev/null || fail "demo"
mkdir "$work/backups"
for stamp in 20200101T000000Z 20200102T000000Z 20200103T000000Z 20200104T000000Z; do
  : >"$work/backups/incidents-$stamp.db"
done
INCIDENT_BOT_DB="$db" INCIDENT_BOT_BACKUP_DIR="$work/backups" INCIDENT_BOT_BACKUP_KEEP=3 \
  /usr/libexec/incident-bot/backup >"$work/backup.log" 2>&1 || { cat "$work/backup.log"; fail "backup script"; }
kept="$(ls "$work/backups" | sort | tr '\n' ' ')"
newest="$(ls "$work/backups" | sort | tail -1)"
[ "$(ls "$work/backups" | wc -l)" -eq 3 ] || fail "kept: $kept"
[[ "$kept" == "incidents-20200103T000000Z.db incidents-20200104T000000Z.db incidents-2"* ]] || fail "kept: $kept"
/usr/bin/incident-bot check --db "$work/backups/$newest" >/dev/null || fail "the new backup does not pass check"

echo "== dpkg --purge"
dpkg --purge incident-bot >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "dpkg --purge"; }
for p in /usr/bin/incident-bot /etc/incident-bot /usr/lib/systemd/system/incident-bot.service \
         /usr/libexec/incident-bot /etc/systemd/system/timers.target.wants/incident-bot-backup.timer; do
  [ ! -e "$p" ] && [ ! -L "$p" ] || fail "$p is still there after purge"
done
if [ ! -e /var/lib/incident-bot ]; then
  ! getent passwd incident-bot >/dev/null || fail "the incident-bot user is still there after purge"
fi
echo "package: ok"
