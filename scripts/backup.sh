#!/bin/sh
# Back up Linkwork's PostgreSQL database to a dated file, in pg_dump's custom format.
#
#   DATABASE_URL=postgres://... scripts/backup.sh [DIRECTORY]
#
# DIRECTORY defaults to $BACKUP_DIR, then ./backups. The file is written under a temporary
# name and renamed once pg_dump has finished, so a file with the final name is always whole,
# and it is readable by its owner only. With BACKUP_GPG_RECIPIENT set, it is encrypted to that
# public key (gpg) and only the encrypted file is kept. Prints the path of the backup.
# See docs/admin/security.md, "Backup and restore".
set -eu

: "${DATABASE_URL:?Set DATABASE_URL to the database to back up.}"
case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *) echo "backup.sh backs up PostgreSQL; DATABASE_URL is not a postgres:// URL." >&2; exit 2 ;;
esac
dir="${1:-${BACKUP_DIR:-backups}}"
umask 077
mkdir -p "$dir"
name="linkwork-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$dir/.$name.partial"
trap 'rm -f "$partial" "$partial.gpg"' EXIT

pg_dump --format=custom --compress=6 --file="$partial" "$DATABASE_URL"

if [ -n "${BACKUP_GPG_RECIPIENT:-}" ]; then
    gpg --batch --yes --recipient "$BACKUP_GPG_RECIPIENT" --output "$partial.gpg" --encrypt "$partial"
    mv "$partial.gpg" "$dir/$name.gpg"
    echo "$dir/$name.gpg"
else
    mv "$partial" "$dir/$name"
    echo "$dir/$name"
fi
