#!/usr/bin/env bash
# Installs or finds everything the tests and the sandbox need, and says clearly what is missing
# when it cannot install it. Idempotent and quick when everything is present.
#   scripts/ensure-deps.sh            npm packages + build + system packages
#   scripts/ensure-deps.sh --npm-only npm packages + build
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[deps] %s\n' "$*" >&2; }

# Installs Debian packages as root, or says how to get them and exits 3.
apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian packages: $*"
    # Never start daemons on install (openssh-server would start sshd on :22, krb5-kdc a KDC on :88).
    local policy_created=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_created=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    [ "$policy_created" = 1 ] && rm -f /usr/sbin/policy-rc.d
    return 0
  fi
  log "MISSING system packages: $*"
  log "install them as root with: apt-get update && apt-get install -y --no-install-recommends $*"
  exit 3
}

# 1. npm packages (and the build, which `prepare` runs on install).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
else
  # Rebuild when a source file is newer than the last build.
  if [ ! -f dist/.build-stamp ] || [ -n "$(find src tools -newer dist/.build-stamp -name '*.ts' -print -quit)" ]; then
    log "building (tsc)"
    npm run --silent build
  fi
fi

[ "${1:-}" = "--npm-only" ] && exit 0
sandbox_only=0
[ "${1:-}" = "--sandbox" ] && sandbox_only=1

# 2. System packages: Debian names for what the tests start for real.
#    command-or-file to check | Debian package
need=()
check() { # $1 = path or command, $2 = package
  if [[ "$1" == /* ]]; then [ -e "$1" ] || need+=("$2"); else command -v "$1" >/dev/null 2>&1 || need+=("$2"); fi
}
check java default-jre-headless
check /usr/share/java/zookeeper.jar libzookeeper-java
if [ "$sandbox_only" = 0 ]; then
check /usr/sbin/sshd openssh-server
check ssh-keygen openssh-client
check nc netcat-openbsd
check fuser psmisc
check iptables iptables
check ip iproute2
check promtool prometheus
check systemd-analyze systemd
check /usr/bin/chromium chromium
# A throwaway Kerberos realm for the kerberized tests (tools/testing/kdc.ts), and kinit / klist.
check /usr/sbin/krb5kdc krb5-kdc
check /usr/sbin/kadmin.local krb5-admin-server
check kinit krb5-user
# TLS tests make their certificates and key stores at test time (tools/testing/tls-certs.ts).
check openssl openssl
check keytool default-jre-headless
fi

[ ${#need[@]} -gt 0 ] && apt_install "${need[@]}"
mkdir -p /run/sshd 2>/dev/null || true
log "all dependencies present"
