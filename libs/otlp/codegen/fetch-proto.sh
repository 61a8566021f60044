#!/usr/bin/env bash
# Refreshes libs/otlp/proto from the Maven artifact io.opentelemetry.proto:opentelemetry-proto:VERSION (decision 017),
# through Maven's own configured repository. Then run `npm run generate -w @foresight/otlp` and commit both.
set -euo pipefail
version="${1:?usage: fetch-proto.sh VERSION (e.g. 1.11.0-alpha)}"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mvn -q dependency:copy -Dartifact="io.opentelemetry.proto:opentelemetry-proto:${version}" -DoutputDirectory="$work"
jar="$work/opentelemetry-proto-${version}.jar"
files=(
  opentelemetry/proto/common/v1/common.proto
  opentelemetry/proto/resource/v1/resource.proto
  opentelemetry/proto/trace/v1/trace.proto
  opentelemetry/proto/metrics/v1/metrics.proto
  opentelemetry/proto/collector/trace/v1/trace_service.proto
  opentelemetry/proto/collector/metrics/v1/metrics_service.proto
)
(cd "$work" && unzip -q -o "$jar" "${files[@]}")
for f in "${files[@]}"; do mkdir -p "$here/proto/$(dirname "$f")"; cp "$work/$f" "$here/proto/$f"; done
echo "sha256 of the jar: $(sha256sum "$jar" | cut -d' ' -f1) (record it in libs/otlp/proto/README.md)"
