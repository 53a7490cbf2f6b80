#!/bin/sh
# Prove a backup can be restored: restore it into a scratch database on the PostgreSQL server
# of DATABASE_URL, check the audit log's hash chain (manage.py verify_audit) and Django's
# system checks against it, then drop the scratch database, whatever happened.
#
#   DATABASE_URL=postgres://... scripts/restore-check.sh BACKUP.dump[.gpg]
#
# The database named in DATABASE_URL is never touched: only its server is used, through its
# `postgres` maintenance database (the role needs CREATEDB, or run it as the owner role).
# An encrypted backup (.gpg) is decrypted with gpg to a temporary file first. Exits non-zero,
# saying why, if any step fails. See docs/admin/security.md, "Backup and restore".
set -eu

dump="${1:?Usage: scripts/restore-check.sh BACKUP.dump[.gpg]}"
[ -r "$dump" ] || { echo "Cannot read $dump." >&2; exit 2; }
: "${DATABASE_URL:?Set DATABASE_URL to a database on the server to restore on.}"

here="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$here/.venv/bin/python}"
[ -x "$python" ] || python=python3

# postgres://user:pass@host:port/name?options -> the same server, other database names.
url="$DATABASE_URL"
query=""
case "$url" in *\?*) query="?${url#*\?}"; url="${url%%\?*}" ;; esac
server="${url%/*}"
scratch="linkwork_restore_check_$(date -u +%Y%m%d%H%M%S)_$$"
maintenance="$server/postgres$query"
scratch_url="$server/$scratch$query"
work="$(mktemp -d)"

cleanup() {
    psql --quiet --no-psqlrc --dbname="$maintenance" \
        --command="DROP DATABASE IF EXISTS \"$scratch\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

case "$dump" in
    *.gpg) gpg --batch --quiet --output "$work/backup.dump" --decrypt "$dump"; dump="$work/backup.dump" ;;
esac

echo "Restoring $1 into the scratch database $scratch..."
psql --quiet --no-psqlrc --set=ON_ERROR_STOP=1 --dbname="$maintenance" \
    --command="CREATE DATABASE \"$scratch\""
pg_restore --no-owner --no-acl --exit-on-error --dbname="$scratch_url" "$dump"

status=0
echo "Audit log:"
DATABASE_URL="$scratch_url" "$python" "$here/manage.py" verify_audit || status=1
echo "System checks:"
DATABASE_URL="$scratch_url" "$python" "$here/manage.py" check || status=1

if [ "$status" -eq 0 ]; then
    echo "Restore check passed: $1 restores, its audit chain is intact and the checks pass."
else
    echo "Restore check FAILED for $1 (see above)." >&2
fi
exit "$status"
