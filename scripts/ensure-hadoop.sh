#!/usr/bin/env bash
# Real Hadoop for the `hadoop` test layer, `npm start -- --hadoop` and `npm run bench -- --hadoop`:
# finds or installs a JDK and Maven, then resolves Hadoop's jars (tools/hadoop/pom.xml) and builds
# the test client into a cache outside the checkout. Idempotent; quick when the cache is complete.
#   HADOOP_VERSION       Hadoop version (default 3.4.2; 3.5.0 works too)
#   ZKFC_HADOOP_CACHE    cache root (default /var/cache/zkfc-hadoop); the version's files go in
#                        $ZKFC_HADOOP_CACHE/$HADOOP_VERSION/{lib,target}
# Prints the version's cache directory on stdout; progress and problems go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${HADOOP_VERSION:-3.4.2}"
root="${ZKFC_HADOOP_CACHE:-/var/cache/zkfc-hadoop}"
cache="$root/$version"
stamp="$cache/.complete"
log() { printf '[hadoop] %s\n' "$*" >&2; }

# The stamp records the pom and the client source it was built from: a change rebuilds.
fingerprint="$(cat tools/hadoop/pom.xml tools/hadoop/src/main/java/zkfc/test/*.java | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ] && [ -d "$cache/lib" ]; then
  echo "$cache"
  exit 0
fi

need=()
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    log "MISSING: ${need[*]}"
    log "install them as root with: apt-get update && apt-get install -y --no-install-recommends ${need[*]}"
    exit 3
  fi
fi

mkdir -p "$cache"
log "resolving Hadoop $version from Maven Central into $cache (first run: about 70 MB)"
out="$cache/mvn.log"
if ! mvn -B -q -f tools/hadoop/pom.xml -Dhadoop.version="$version" -Dzkfc.hadoop.cache="$cache" package >"$out" 2>&1; then
  log "FAILED to resolve or build Hadoop $version; Maven said:"
  grep -E 'ERROR|Could not|resolve|Unknown host|Connection' "$out" | head -20 >&2 || tail -20 "$out" >&2
  if grep -qE 'Could not transfer|Unknown host|Connection (refused|timed out)|Network is unreachable' "$out"; then
    log "Maven Central could not be reached: check the network or a proxy (~/.m2/settings.xml), then rerun scripts/ensure-hadoop.sh"
  elif grep -qE 'Could not find artifact|could not be resolved' "$out"; then
    log "Hadoop $version is not on Maven Central under org.apache.hadoop (HADOOP_VERSION=$version)"
  fi
  log "full log: $out"
  exit 4
fi
ls "$cache/lib"/hadoop-hdfs-"$version"-tests.jar >/dev/null 2>&1 || { log "the hadoop-hdfs test-jar (webapps/) is missing in $cache/lib"; exit 4; }
ls "$cache/lib"/hadoop-yarn-server-resourcemanager-"$version".jar >/dev/null 2>&1 || { log "the ResourceManager jar is missing in $cache/lib"; exit 4; }
echo "$fingerprint" > "$stamp"
log "Hadoop $version ready: $(ls "$cache/lib" | wc -l) jars"
echo "$cache"
