#!/usr/bin/env bash
# `npm run proto`: regenerate src/gen/*_pb.ts from proto/*.proto with protoc and protoc-gen-es.
# The generated code is committed; this is only needed after editing a .proto file.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v protoc >/dev/null 2>&1; then
  echo "protoc is missing: apt-get install -y --no-install-recommends protobuf-compiler" >&2
  exit 3
fi
protoc --plugin=protoc-gen-es=node_modules/.bin/protoc-gen-es \
  --es_out=src/gen --es_opt=target=ts,import_extension=js \
  -I proto proto/*.proto
echo "regenerated src/gen from proto/"
