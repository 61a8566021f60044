# shellcheck shell=bash
# The OpenTelemetry Collector in the local stack (sourced by infra/stack.sh after its own functions, before it
# dispatches the command). A distribution built here by the Collector builder (ocb) from Go modules
# (infra/otelcol/builder-config.yaml: the OTLP receiver, batch, debug and Kafka exporters, spanmetrics), cached in
# <install>/lib/otelcol keyed by the manifest's hash; Go's module cache in <install>/go/mod. It runs
# infra/otelcol/config.yaml: OTLP on 4317 (gRPC) / 4318 (HTTP) → batch → Kafka otlp_spans / otlp_metrics / otlp_logs
# (otlp_proto, trace messages keyed by trace id). It starts once Kafka is ready. See docs/decisions/019.
#
# On by default in the plain stack (.stack); off in the secured profile and in any other FORESIGHT_STACK_DIR (the
# chaos stack) unless FORESIGHT_OTELCOL=on, with its ports then shifted like Kafka's. FORESIGHT_OTELCOL=off leaves it out.
# shellcheck disable=SC2034 # SERVICES is read by stack.sh

otelcol_default=on
if ((SECURE)) || [[ -n "${FORESIGHT_STACK_DIR:-}" && "$(realpath -m "$FORESIGHT_STACK_DIR")" != "$ROOT/.stack" ]]; then
  otelcol_default=off
fi
[[ "${FORESIGHT_OTELCOL:-$otelcol_default}" == on ]] || return 0

OTELCOL_OFFSET=$((KAFKA_PORT - 9092))
OTELCOL_GRPC_PORT="${FORESIGHT_OTELCOL_GRPC_PORT:-$((4317 + OTELCOL_OFFSET))}"
OTELCOL_HTTP_PORT="${FORESIGHT_OTELCOL_HTTP_PORT:-$((4318 + OTELCOL_OFFSET))}"
OTELCOL_METRICS_PORT="${FORESIGHT_OTELCOL_METRICS_PORT:-$((8888 + OTELCOL_OFFSET))}"
OTELCOL_TOPIC_PREFIX="${FORESIGHT_OTELCOL_TOPIC_PREFIX:-}"
OTELCOL_MANIFEST="$INFRA/otelcol/builder-config.yaml"
OTELCOL_LIB="$LIB/otelcol"
OTELCOL_BIN="$OTELCOL_LIB/otelcol-foresight"
OTELCOL_RUN="$RUN/otelcol"
OTELCOL_GO="$INSTALL/go"
OTELCOL_TRIES="${FORESIGHT_OTELCOL_BUILD_TRIES:-3}"
SERVICES+=(otelcol)

# Renames function $1 to $1__before_otelcol (a suffix of this file's own, so that other stack.d files can wrap the same
# functions in turn), so that the wrapper below can fall back on it for the other servers.
otelcol_wrap() { eval "$(declare -f "$1" | sed "1s/^$1 /${1}__before_otelcol /")"; }

otelcol_wrap port_of
port_of() { if [[ "$1" == otelcol ]]; then echo "$OTELCOL_HTTP_PORT"; else port_of__before_otelcol "$@"; fi; }
otelcol_wrap address_of
address_of() {
  if [[ "$1" == otelcol ]]; then echo "http://$HOST:$OTELCOL_HTTP_PORT, grpc $OTELCOL_GRPC_PORT"; else address_of__before_otelcol "$@"; fi
}
otelcol_wrap marker_of
# the generated configuration's path: unique per stack directory, so another stack's Collector is never taken for ours
marker_of() { if [[ "$1" == otelcol ]]; then echo "--config=$OTELCOL_RUN/config.yaml"; else marker_of__before_otelcol "$@"; fi; }
otelcol_wrap functional_check
# An empty OTLP/HTTP export answered 200: the receiver and its pipeline are up (nothing reaches Kafka).
functional_check() {
  if [[ "$1" == otelcol ]]; then
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 -H 'Content-Type: application/json' -d '{}' \
      "http://$HOST:$OTELCOL_HTTP_PORT/v1/traces")" == 200 ]]
  else
    functional_check__before_otelcol "$@"
  fi
}

# ---------------------------------------------------------------------------------------------
# build: Go → the builder (go install) → the distribution's sources and modules → the binary

# The builder's version, from the manifest's "# builder: go.opentelemetry.io/collector/cmd/builder vX" line.
otelcol_builder_version() {
  sed -n 's|^# builder: go.opentelemetry.io/collector/cmd/builder \(v[0-9.]*\)$|\1|p' "$OTELCOL_MANIFEST" | head -n1
}

# The go command: the machine's (PATH or /usr/local/go), Debian's golang-go when there is none; a Go older than the
# modules need (go.mod says 1.26) fetches the approved toolchain from the Go module proxy (GOTOOLCHAIN).
otelcol_find_go() {
  [[ -x /usr/local/go/bin/go && ":$PATH:" != *":/usr/local/go/bin:"* ]] && PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null || apt_install golang-go || true
  command -v go >/dev/null || die "otelcol: no Go found (PATH, /usr/local/go/bin, apt golang-go): the Collector build needs Go >= 1.26"
  local v; v="$(go env GOVERSION 2>/dev/null | sed -n 's/^go\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')"
  read -r OTELCOL_GO_MAJOR OTELCOL_GO_MINOR <<<"${v:-0 0}"
  if ((OTELCOL_GO_MAJOR == 1 && OTELCOL_GO_MINOR < 26)); then
    ((OTELCOL_GO_MINOR >= 21)) || die "otelcol: $(go version) is too old to fetch a toolchain (needs >= 1.21; the build needs 1.26)"
    export GOTOOLCHAIN="${FORESIGHT_OTELCOL_GOTOOLCHAIN:-go1.27.3}"
    log "otelcol: $(GOTOOLCHAIN=local go version) is older than 1.26: using GOTOOLCHAIN=$GOTOOLCHAIN from the Go module proxy"
  else
    export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
  fi
}

# Runs "$@" up to OTELCOL_TRIES times (network steps: the module proxy may time out), 10 s then 20 s apart; the output
# of every try goes to the install log.
otelcol_retry() { # step-name command...
  local step="$1" try=1 wait=10; shift
  while :; do
    echo "=== $(date -Is) $step (try $try of $OTELCOL_TRIES): $*" >>"$INSTALL/install-otelcol.log"
    "$@" >>"$INSTALL/install-otelcol.log" 2>&1 && return 0
    ((try >= OTELCOL_TRIES)) && return 1
    log "otelcol: $step failed (try $try of $OTELCOL_TRIES), retrying in ${wait}s"
    sleep "$wait"; try=$((try + 1)); wait=$((wait * 2))
  done
}
otelcol_fail() { # step-name
  tail -n 30 "$INSTALL/install-otelcol.log" | sed 's/^/[otelcol-build] /' >&2
  die "otelcol: $1 failed (full log: $INSTALL/install-otelcol.log)"
}

ensure_otelcol() {
  local h; h="$(hash_of "$OTELCOL_MANIFEST")"
  stamp_ok "$OTELCOL_LIB" "$h" && [[ -x "$OTELCOL_BIN" ]] && return 0
  local t0 version; t0="$(now)"; version="$(otelcol_builder_version)"
  [[ -n "$version" ]] || die "otelcol: $OTELCOL_MANIFEST has no '# builder: go.opentelemetry.io/collector/cmd/builder vX' line"
  # Go's caches under the install dir: the module cache is kept (a rebuild downloads nothing), the build cache is
  # dropped after a build (~0.8 GB; only a manifest change rebuilds). -modcacherw: rm -rf can remove it.
  export GOPATH="$OTELCOL_GO" GOMODCACHE="$OTELCOL_GO/mod" GOCACHE="$OTELCOL_GO/cache" GOBIN="$OTELCOL_GO/bin"
  export GOFLAGS="-modcacherw" CGO_ENABLED=0 GOPROXY="${GOPROXY:-https://proxy.golang.org}"
  local build="$INSTALL/build/otelcol"
  mkdir -p "$GOMODCACHE" "$GOBIN" "$OTELCOL_LIB"
  : >"$INSTALL/install-otelcol.log"
  log "otelcol: building the Collector from $OTELCOL_MANIFEST with the builder $version ($(go version | cut -d' ' -f3); about 2-4 minutes; log: $INSTALL/install-otelcol.log)"
  if [[ ! -x "$GOBIN/builder" || "$("$GOBIN/builder" version 2>/dev/null | grep -o 'v[0-9.]*' | head -n1)" != "$version" ]]; then
    otelcol_retry "go install of the builder $version" go install "go.opentelemetry.io/collector/cmd/builder@$version" ||
      otelcol_fail "go install go.opentelemetry.io/collector/cmd/builder@$version (Go module proxy)"
  fi
  rm -rf "$build" && mkdir -p "$build"
  # The manifest's output_path is relative: the builder runs in the build dir, so sources and binary land in it.
  cp "$OTELCOL_MANIFEST" "$build/builder-config.yaml"
  (cd "$build" && otelcol_retry "the builder's module download" "$GOBIN/builder" --config=builder-config.yaml --skip-compilation) ||
    otelcol_fail "resolving the Collector modules (builder --skip-compilation: go mod tidy against the Go module proxy)"
  (cd "$build" && otelcol_retry "module download" bash -c 'cd build && go mod download') ||
    otelcol_fail "downloading the Collector modules (go mod download)"
  (cd "$build" && echo "=== $(date -Is) compile" >>"$INSTALL/install-otelcol.log" &&
    "$GOBIN/builder" --config=builder-config.yaml --skip-generate --skip-get-modules --ldflags="-s -w" \
      >>"$INSTALL/install-otelcol.log" 2>&1) || otelcol_fail "compiling the Collector (go build)"
  "$build/build/otelcol-foresight" validate --config="$INFRA/otelcol/config.yaml" >>"$INSTALL/install-otelcol.log" 2>&1 ||
    otelcol_fail "validating infra/otelcol/config.yaml against the built Collector"
  mv -f "$build/build/otelcol-foresight" "$OTELCOL_BIN.tmp" && mv -f "$OTELCOL_BIN.tmp" "$OTELCOL_BIN"
  echo "$h" >"$OTELCOL_LIB/.stamp"
  go clean -cache >/dev/null 2>&1 || true
  rm -rf "$build"
  log "otelcol: built $OTELCOL_BIN in $(elapsed "$t0")s"
}

otelcol_wrap install_all
# The Go build overlaps Maven's downloads (Go is found first, in the foreground: an apt install must not race base's).
install_all() {
  mkdir -p "$LIB" "$INSTALL/build"
  # Go only when there is something to build (a warm stack needs none).
  stamp_ok "$OTELCOL_LIB" "$(hash_of "$OTELCOL_MANIFEST")" && [[ -x "$OTELCOL_BIN" ]] || otelcol_find_go
  ensure_otelcol &
  local otelcol_pid=$!
  install_all__before_otelcol "$@"
  wait "$otelcol_pid" || die "the Collector build failed (above; log: $INSTALL/install-otelcol.log)"
}

# ---------------------------------------------------------------------------------------------
# start: once Kafka answers (the exporter would otherwise log connection errors until it does)
start_otelcol() {
  local deadline=$((SECONDS + TIMEOUT))
  until is_running kafka && functional_check kafka >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "kafka not ready within ${TIMEOUT}s" >>"$(log_of otelcol)"; return 1; }
    sleep 1
  done
  mkdir -p "$OTELCOL_RUN"
  cp "$INFRA/otelcol/config.yaml" "$OTELCOL_RUN/config.yaml"
  OTELCOL_HOST="$HOST" OTELCOL_GRPC_PORT="$OTELCOL_GRPC_PORT" OTELCOL_HTTP_PORT="$OTELCOL_HTTP_PORT" \
    OTELCOL_METRICS_PORT="$OTELCOL_METRICS_PORT" OTELCOL_KAFKA_BROKERS="$HOST:$KAFKA_PORT" \
    OTELCOL_TOPIC_PREFIX="$OTELCOL_TOPIC_PREFIX" \
    launch otelcol "$OTELCOL_BIN" "$(marker_of otelcol)"
}

otelcol_wrap cmd_env
cmd_env() {
  cmd_env__before_otelcol "$@"
  echo "export OTEL_EXPORTER_OTLP_ENDPOINT=http://$HOST:$OTELCOL_HTTP_PORT"
  echo "export FORESIGHT_OTELCOL_BIN=$OTELCOL_BIN"
}
