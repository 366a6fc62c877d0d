#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when missing; silent when all are there.
#   postgresql     initdb/pg_ctl for the throwaway cluster of tests/pg_server.py
#   chromium       the browser Playwright drives in tests/e2e/
#   poppler-utils  pdftoppm, to turn generated PDFs into PNG pages
#   pgbouncer      the transaction-mode pooler tests/test_pgbouncer.py starts in front of PostgreSQL
# As root it runs apt-get; otherwise it says what to install and lets the tests
# decide (they skip, or fail when CI=true).
set -euo pipefail

missing=()
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
[ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null || missing+=(pgbouncer)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-system-deps: missing ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 0
fi

echo "ensure-system-deps: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -o DPkg::Lock::Timeout=300)
apt-get "${apt_opts[@]}" update >/dev/null
apt-get "${apt_opts[@]}" install -y "${missing[@]}" >/tmp/ensure-system-deps-apt.log 2>&1 || {
    tail -n 40 /tmp/ensure-system-deps-apt.log >&2
    exit 1
}
echo "ensure-system-deps: done"
