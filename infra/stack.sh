#!/usr/bin/env bash
# Local real stack for Foresight: Kafka (KRaft), Apicurio Registry (Confluent-compatible API),
# Neo4j (embedded, Bolt) and Redis on 127.0.0.1, without Docker.
#
#   bash infra/stack.sh up        install what is missing, start what is not running, await readiness
#   bash infra/stack.sh down      stop everything (SIGTERM, then SIGKILL) and wipe data (--keep keeps it)
#   bash infra/stack.sh status    table of servers: state, pid, address, log
#   bash infra/stack.sh verify    end-to-end smoke test against the running stack
#   bash infra/stack.sh env       print connection settings as shell exports
#   bash infra/stack.sh install   only install/build (apt packages, Maven artifacts, probe)
#   --secure (with up, down, status, verify, env, kafka-tool): the secured profile, a second stack in .stack-secure/ on
#        other ports: Kafka SASL/SCRAM over TLS with ACLs and no topic auto-creation, the registry behind TLS + basic
#        auth, Redis over TLS with an ACL user per service, Neo4j with auth and Bolt TLS; a local CA and passwords
#        generated per stack (see infra/README.md, "Secured profile")
#   bash infra/stack.sh kafka-tool <main-class> [args]   run a Kafka CLI tool against the stack, e.g.
#        kafka-tool org.apache.kafka.tools.TopicCommand --list
#        kafka-tool kafka.tools.ConsoleProducer --topic t
#        kafka-tool org.apache.kafka.tools.consumer.ConsoleConsumer --topic t --from-beginning
#        (--bootstrap-server is added when not given)
#
# Everything it builds or downloads lives under .stack/ at the repo root (git-ignored); Maven
# artifacts are cached in the local Maven repository (~/.m2). See infra/README.md.
# shellcheck disable=SC2086 # the *_HEAP / JVM_FAST option strings are split into words on purpose
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA="$ROOT/infra"
# --secure anywhere on the command line selects the secured profile (its own directory, ports and servers).
SECURE=0
ARGS=()
for a in "$@"; do if [[ "$a" == --secure ]]; then SECURE=1; else ARGS+=("$a"); fi; done
set -- ${ARGS[@]+"${ARGS[@]}"}
if ((SECURE)); then
  STACK="${FORESIGHT_STACK_DIR:-$ROOT/.stack-secure}"
  # The secured stack runs the same jars as the plain one: it reuses its install unless told otherwise.
  INSTALL="${FORESIGHT_STACK_INSTALL_DIR:-$ROOT/.stack}"
  PORT_BASE=20000   # default ports shifted, so both stacks run side by side (29092, 28081, 27687, 26379…)
else
  STACK="${FORESIGHT_STACK_DIR:-$ROOT/.stack}"
  # What install builds or downloads (jars, the unpacked registry, the Neo4j launcher, the probe's node_modules): a second
  # stack (another FORESIGHT_STACK_DIR) may reuse a first one's with FORESIGHT_STACK_INSTALL_DIR instead of installing again.
  INSTALL="${FORESIGHT_STACK_INSTALL_DIR:-$STACK}"
  PORT_BASE=0
fi
LIB="$INSTALL/lib"
DATA="$STACK/data"
LOGS="$STACK/logs"
RUN="$STACK/run"
PROBE_DIR="$INSTALL/probe"

HOST="${FORESIGHT_STACK_HOST:-127.0.0.1}"
KAFKA_PORT="${FORESIGHT_KAFKA_PORT:-$((9092 + PORT_BASE))}"
KAFKA_CONTROLLER_PORT="${FORESIGHT_KAFKA_CONTROLLER_PORT:-$((9093 + PORT_BASE))}"
REGISTRY_PORT="${FORESIGHT_REGISTRY_PORT:-$((8081 + PORT_BASE))}"
REGISTRY_MGMT_PORT="${FORESIGHT_REGISTRY_MGMT_PORT:-$((9081 + PORT_BASE))}"
# Secured profile only: where Apicurio itself listens (plain HTTP, loopback), behind the TLS + basic-auth proxy on REGISTRY_PORT.
REGISTRY_INTERNAL_PORT="${FORESIGHT_REGISTRY_INTERNAL_PORT:-$((8082 + PORT_BASE))}"
NEO4J_PORT="${FORESIGHT_NEO4J_PORT:-$((7687 + PORT_BASE))}"
REDIS_PORT="${FORESIGHT_REDIS_PORT:-$((6379 + PORT_BASE))}"
TLS="$STACK/tls"
SECRETS="$STACK/secrets.env"
# Kafka principals of the secured profile (SCRAM users): the broker itself and the admin step are super users; the
# others get only the ACLs infra/secure/kafka-admin.mjs grants for a topic prefix.
KAFKA_USERS=(broker admin producer topology-builder propagation-scorer allocator learner)
# Redis ACL users of the secured profile: an admin (tests, operators) and one per service that uses Redis.
REDIS_USERS=(admin propagation-scorer allocator learner)
NEO4J_AUTH_SETTING="${FORESIGHT_NEO4J_AUTH:-none}"   # "none" or "user/password" (password >= 8 chars)
# Confluent's default global compatibility is BACKWARD; Apicurio's is none (no rule). Match Confluent.
REGISTRY_COMPATIBILITY="${FORESIGHT_REGISTRY_COMPATIBILITY:-BACKWARD}"
TIMEOUT="${FORESIGHT_STACK_TIMEOUT:-120}"            # seconds each server gets to become ready
KAFKA_CLUSTER_ID="${FORESIGHT_KAFKA_CLUSTER_ID:-Zm9yZXNpZ2h0LXN0YWNrIQ}"

# Start-up beats peak throughput for a test stack on 2 cores: serial GC, C1 only.
JVM_FAST="${FORESIGHT_STACK_JVM_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true}"
KAFKA_HEAP="${FORESIGHT_KAFKA_HEAP:--Xms128m -Xmx512m}"
REGISTRY_HEAP="${FORESIGHT_REGISTRY_HEAP:--Xms64m -Xmx384m}"
NEO4J_HEAP="${FORESIGHT_NEO4J_HEAP:--Xms128m -Xmx1g}"

SERVICES=(kafka registry neo4j redis)
((SECURE)) && SERVICES+=(registry-proxy)
MVN=(mvn -B -q -Dstyle.color=never)

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------------------------------------
# per-service facts
port_of() {
  case "$1" in
    kafka) echo "$KAFKA_PORT" ;;
    registry) if ((SECURE)); then echo "$REGISTRY_INTERNAL_PORT"; else echo "$REGISTRY_PORT"; fi ;;
    registry-proxy) echo "$REGISTRY_PORT" ;;
    neo4j) echo "$NEO4J_PORT" ;; redis) echo "$REDIS_PORT" ;;
  esac
}
address_of() {
  case "$1" in
    kafka) if ((SECURE)); then echo "$HOST:$KAFKA_PORT (SASL_SSL)"; else echo "$HOST:$KAFKA_PORT"; fi ;;
    registry) echo "http://$HOST:$(port_of registry)/apis/ccompat/v7" ;;
    registry-proxy) echo "https://$HOST:$REGISTRY_PORT/apis/ccompat/v7" ;;
    neo4j) if ((SECURE)); then echo "bolt://$HOST:$NEO4J_PORT (TLS)"; else echo "bolt://$HOST:$NEO4J_PORT"; fi ;;
    redis) if ((SECURE)); then echo "rediss://$HOST:$REDIS_PORT"; else echo "redis://$HOST:$REDIS_PORT"; fi ;;
  esac
}
log_of() { echo "$LOGS/$1.log"; }
pidfile_of() { echo "$RUN/$1.pid"; }
# marker that must appear in /proc/<pid>/cmdline, so a recycled pid is never taken for ours
marker_of() {
  case "$1" in
    redis) echo "redis-server" ;;
    registry-proxy) echo "registry-proxy.mjs" ;;
    *) echo "-Dforesight.stack=$1" ;;
  esac
}
stop_grace_of() { case "$1" in kafka | neo4j) echo 30 ;; *) echo 15 ;; esac; }

pid_of() {
  local f; f="$(pidfile_of "$1")"
  [[ -s "$f" ]] || return 1
  local pid; pid="$(tr -dc '0-9' <"$f")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$(marker_of "$1")" || return 1
  echo "$pid"
}
# the pid in the pidfile is alive (it may not have exec'd into the server yet: its cmdline is still the shell's)
pid_alive() {
  local f; f="$(pidfile_of "$1")"
  [[ -s "$f" ]] || return 1
  local pid; pid="$(tr -dc '0-9' <"$f")"
  [[ -n "$pid" && -r "/proc/$pid/stat" ]] || return 1
  local stat; stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat%% *}" != Z ]]
}
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
is_running() { pid_of "$1" >/dev/null && port_open "$(port_of "$1")"; }

# ---------------------------------------------------------------------------------------------
# installation (idempotent; stamps make the warm path skip Maven/npm entirely)
hash_of() { cat "$@" | sha256sum | cut -c1-16; }
stamp_ok() { [[ -f "$1/.stamp" && "$(cat "$1/.stamp")" == "$2" ]]; }

apt_updated=0
apt_install() {
  if [[ $apt_updated == 0 ]]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "apt-get install $*"
  # Never let a package's postinst start a system service (e.g. a redis on 6379) behind our back.
  local made_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null || rc=$?
  [[ $made_policy == 1 ]] && rm -f /usr/sbin/policy-rc.d
  return $rc
}

java_major() { "$1" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n1; }

# Java for Kafka 3.9 and Neo4j 5.26: 17 or 21 (Neo4j 5 supports no other).
find_java17() {
  local c m
  for c in "${FORESIGHT_JAVA17:-}" "$(command -v java 2>/dev/null || true)" /usr/lib/jvm/*/bin/java; do
    [[ -n "$c" && -x "$c" ]] || continue
    m="$(java_major "$c")"
    if [[ "$m" == 17 || "$m" == 21 ]]; then echo "$c"; return 0; fi
  done
  return 1
}
# Java for Apicurio Registry 3.3 (built for Java 21: class file 65): 21 or newer, 21 preferred.
find_java21() {
  local c m best="" bestm=999
  for c in "${FORESIGHT_JAVA21:-}" "$(command -v java 2>/dev/null || true)" /usr/lib/jvm/*/bin/java; do
    [[ -n "$c" && -x "$c" ]] || continue
    m="$(java_major "$c")"
    [[ -n "$m" && "$m" -ge 21 && "$m" -lt "$bestm" ]] && { best="$c"; bestm="$m"; }
  done
  [[ -n "$best" ]] && echo "$best"
}

ensure_tools() {
  local pkgs=()
  command -v curl >/dev/null || pkgs+=(curl)
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || pkgs+=(redis-server)
  command -v node >/dev/null || pkgs+=(nodejs npm)
  if ! find_java17 >/dev/null; then pkgs+=(openjdk-17-jdk-headless); fi
  command -v mvn >/dev/null || pkgs+=(maven)
  if ((${#pkgs[@]})); then apt_install "${pkgs[@]}"; fi

  JAVA17="$(find_java17)" || die "no Java 17/21 found (set FORESIGHT_JAVA17=/path/to/bin/java)"
  if ! JAVA21="$(find_java21)"; then
    # Debian 12 has no OpenJDK 21 package (later Debian releases do): try, then give up clearly.
    apt_install openjdk-21-jre-headless || true
    JAVA21="$(find_java21)" || die "Apicurio Registry 3.3 needs Java 21+; none found in PATH or /usr/lib/jvm (set FORESIGHT_JAVA21=/path/to/bin/java)"
  fi
  export JAVA17 JAVA21
}

ensure_kafka() {
  local dir="$LIB/kafka" h; h="$(hash_of "$INFRA/kafka/pom.xml")"
  stamp_ok "$dir" "$h" && return 0
  log "resolving Kafka from Maven into $dir"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  "${MVN[@]}" -f "$INFRA/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$dir.tmp" >"$INSTALL/install-kafka.log" 2>&1 || { tail -n 30 "$INSTALL/install-kafka.log" >&2; die "Kafka resolution failed"; }
  echo "$h" >"$dir.tmp/.stamp"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

ensure_registry() {
  local dir="$LIB/apicurio" h; h="$(hash_of "$INFRA/apicurio/pom.xml")"
  stamp_ok "$dir" "$h" && return 0
  log "resolving Apicurio Registry from Maven into $dir"
  local dl="$INSTALL/downloads/apicurio"
  rm -rf "$dl" "$dir.tmp" && mkdir -p "$dl" "$dir.tmp"
  "${MVN[@]}" -f "$INFRA/apicurio/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dl" \
    >"$INSTALL/install-registry.log" 2>&1 || { tail -n 30 "$INSTALL/install-registry.log" >&2; die "Apicurio resolution failed"; }
  tar -xzf "$dl"/apicurio-registry-app-*-all.tar.gz -C "$dir.tmp"
  [[ -f "$dir.tmp/quarkus-run.jar" ]] || die "quarkus-run.jar missing from the Apicurio archive"
  rm -rf "$dl"
  echo "$h" >"$dir.tmp/.stamp"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

ensure_neo4j() {
  local dir="$LIB/neo4j" h srcs=()
  mapfile -t srcs < <(find "$INFRA/neo4j/src" -type f | sort)
  h="$(hash_of "$INFRA/neo4j/pom.xml" "${srcs[@]}")"
  stamp_ok "$dir" "$h" && [[ -f "$dir/stack-neo4j-launcher.jar" ]] && return 0
  log "building the Neo4j launcher and resolving Neo4j from Maven into $dir"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  "${MVN[@]}" -f "$INFRA/neo4j/pom.xml" -Dstack.build.dir="$INSTALL/build/neo4j" \
    package dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir.tmp" \
    >"$INSTALL/install-neo4j.log" 2>&1 || { tail -n 30 "$INSTALL/install-neo4j.log" >&2; die "Neo4j launcher build failed"; }
  cp "$INSTALL/build/neo4j/stack-neo4j-launcher.jar" "$dir.tmp/"
  echo "$h" >"$dir.tmp/.stamp"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

ensure_probe() {
  local h; h="$(hash_of "$INFRA/probe/package.json")"
  mkdir -p "$PROBE_DIR"
  if ! stamp_ok "$PROBE_DIR" "$h" || [[ ! -d "$PROBE_DIR/node_modules" ]]; then
    log "installing probe clients (kafkajs, neo4j-driver, confluent-schema-registry) into $PROBE_DIR"
    cp "$INFRA/probe/package.json" "$PROBE_DIR/package.json"
    (cd "$PROBE_DIR" && npm install --no-package-lock --no-audit --no-fund --loglevel=error) \
      >"$INSTALL/install-probe.log" 2>&1 || { tail -n 30 "$INSTALL/install-probe.log" >&2; die "npm install of the probe failed"; }
    echo "$h" >"$PROBE_DIR/.stamp"
  fi
  cp "$INFRA/probe/probe.mjs" "$PROBE_DIR/probe.mjs"
}

install_all() {
  mkdir -p "$LIB" "$PROBE_DIR" "$DATA" "$LOGS" "$RUN"
  ensure_tools
  ensure_probe &   # npm and Maven share nothing: overlap them on a cold machine
  local probe_pid=$!
  ensure_kafka
  ensure_registry
  ensure_neo4j
  wait "$probe_pid" || die "probe install failed"
}

# ---------------------------------------------------------------------------------------------
# secured profile: a local CA, one server certificate and passwords, generated once per stack directory
var_of() { local v="${1^^}"; echo "${v//-/_}"; }
secret_of() { sed -n "s/^$1=//p" "$SECRETS" 2>/dev/null | head -n1; }

ensure_secrets() {
  [[ -s "$SECRETS" ]] && return 0
  mkdir -p "$STACK"
  local u
  (
    umask 077
    {
      echo "# generated by infra/stack.sh --secure for this stack only: never commit, never copy elsewhere"
      for u in "${KAFKA_USERS[@]}"; do echo "KAFKA_$(var_of "$u")_PASSWORD=$(openssl rand -hex 24)"; done
      for u in "${REDIS_USERS[@]}"; do echo "REDIS_$(var_of "$u")_PASSWORD=$(openssl rand -hex 24)"; done
      echo "NEO4J_PASSWORD=$(openssl rand -hex 24)"
      echo "REGISTRY_PASSWORD=$(openssl rand -hex 24)"
      echo "KEYSTORE_PASSWORD=$(openssl rand -hex 24)"
    } >"$SECRETS.tmp"
    mv "$SECRETS.tmp" "$SECRETS"
  )
  log "passwords generated in $SECRETS (0600)"
}

# ca.pem (the local CA), server.pem + server.key (CN foresight-stack, SAN 127.0.0.1 and localhost, server and client
# use), server.p12 (Kafka's keystore) and neo4j/ (Bolt's key pair, PKCS#8).
ensure_certificates() {
  [[ -s "$TLS/server.p12" && -s "$TLS/neo4j/public.crt" ]] && return 0
  local tmp="$TLS.tmp" out
  rm -rf "$tmp" && mkdir -p "$tmp/neo4j"
  chmod 700 "$tmp"
  out="$(
    set -e
    cd "$tmp"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj "/CN=Foresight local stack CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>&1
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=foresight-stack" 2>&1
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 30 -extfile server.ext 2>&1
    openssl pkcs12 -export -in server.pem -inkey server.key -certfile ca.pem -name server -out server.p12 \
      -passout "pass:$(secret_of KEYSTORE_PASSWORD)" 2>&1
    cp server.key neo4j/private.key && cp server.pem neo4j/public.crt
    rm -f server.csr server.ext ca.srl
    chmod 600 ./*.key server.p12 neo4j/private.key
  )" || { echo "$out" >&2; die "certificate generation failed"; }
  rm -rf "$TLS" && mv "$tmp" "$TLS"
  log "local CA and server certificate generated in $TLS (CA: $TLS/ca.pem)"
}

ensure_secure_material() {
  ((SECURE)) || return 0
  ensure_secrets
  ensure_certificates
  PROBE_ENV=(
    "PROBE_KAFKA_CA=$TLS/ca.pem" PROBE_KAFKA_USER=admin "PROBE_KAFKA_PASSWORD=$(secret_of KAFKA_ADMIN_PASSWORD)"
    "PROBE_NEO4J_CA=$TLS/ca.pem" "PROBE_NEO4J_PASSWORD=$(secret_of NEO4J_PASSWORD)"
    "PROBE_REGISTRY_CA=$TLS/ca.pem" PROBE_REGISTRY_USER=foresight "PROBE_REGISTRY_PASSWORD=$(secret_of REGISTRY_PASSWORD)"
  )
}
PROBE_ENV=()
probe() { (cd "$PROBE_DIR" && env ${PROBE_ENV[@]+"${PROBE_ENV[@]}"} node probe.mjs "$@"); }

# ---------------------------------------------------------------------------------------------
# start
launch() { # name, command... : detached, stdout+stderr to the log, pid to the pidfile
  local name="$1"; shift
  local lf; lf="$(log_of "$name")"
  printf '=== %s: %s\n' "$(date -Is)" "$*" >"$lf"
  setsid "$@" >>"$lf" 2>&1 </dev/null &
  echo $! >"$(pidfile_of "$name")"
}

kafka_security_config() {
  if ((SECURE)); then
    local ks; ks="$(secret_of KEYSTORE_PASSWORD)"
    cat <<EOF
# secured profile: clients on SASL_SSL (SCRAM-SHA-512 over TLS); the controller listener on mutual TLS (the server
# certificate's CN, foresight-stack, is its principal); ACLs enforced, nothing allowed without one; no auto-creation
listeners=SASL_SSL://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=SASL_SSL://$HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=CONTROLLER:SSL,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$(secret_of KAFKA_BROKER_PASSWORD)";
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS/server.p12
ssl.keystore.password=$ks
ssl.key.password=$ks
ssl.truststore.type=PEM
ssl.truststore.location=$TLS/ca.pem
listener.name.controller.ssl.client.auth=required
ssl.principal.mapping.rules=RULE:^CN=([^,]+)\$/\$1/,DEFAULT
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:broker;User:admin;User:foresight-stack
allow.everyone.if.no.acl.found=false
auto.create.topics.enable=false
EOF
  else
    cat <<EOF
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
auto.create.topics.enable=true
EOF
  fi
}

start_kafka() {
  local data="$DATA/kafka" conf="$RUN/kafka/server.properties"
  mkdir -p "$data" "$RUN/kafka"
  chmod 700 "$RUN/kafka"
  (umask 077 && cat >"$conf" <<EOF
# generated by infra/stack.sh
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
$(kafka_security_config)
log.dirs=$data
num.partitions=3
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
log.segment.bytes=67108864
delete.topic.enable=true
EOF
  )
  local cp="$LIB/kafka/*"
  # shellcheck disable=SC2206 # heap/JVM options are deliberately split on spaces
  local jopts=($KAFKA_HEAP $JVM_FAST "-Dforesight.stack=kafka" "-Dlog4j.configuration=file:$INFRA/kafka/log4j.properties")
  local scram=() u
  if ((SECURE)); then
    # SCRAM users exist from the first metadata record on (KRaft): the broker can authenticate to itself at start-up.
    for u in "${KAFKA_USERS[@]}"; do scram+=(--add-scram "SCRAM-SHA-512=[name=$u,password=$(secret_of "KAFKA_$(var_of "$u")_PASSWORD")]"); done
  fi
  if [[ ! -f "$data/meta.properties" ]]; then
    "$JAVA17" "${jopts[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$KAFKA_CLUSTER_ID" -c "$conf" ${scram[@]+"${scram[@]}"} \
      >"$LOGS/kafka-format.log" 2>&1 || { tail -n 20 "$LOGS/kafka-format.log" >&2; return 1; }
  fi
  launch kafka "$JAVA17" "${jopts[@]}" -Dkafka.logs.dir="$LOGS" -cp "$cp" kafka.Kafka "$conf"
}

start_registry() {
  local dir="$LIB/apicurio"
  mkdir -p "$DATA/registry"
  launch registry "$JAVA21" $REGISTRY_HEAP $JVM_FAST -Dforesight.stack=registry \
    -Djava.io.tmpdir="$DATA/registry" \
    -Dquarkus.http.host="$HOST" -Dquarkus.http.port="$(port_of registry)" \
    -Dquarkus.management.host="$HOST" -Dquarkus.management.port="$REGISTRY_MGMT_PORT" \
    -Dquarkus.otel.sdk.disabled=true \
    -Dapicurio.rules.global.compatibility="$REGISTRY_COMPATIBILITY" \
    -Dapicurio.storage.snapshot.location="$DATA/registry" \
    -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2 \
    -Dapicurio.datasource.jdbc.max-size=20 \
    -jar "$dir/quarkus-run.jar"
}

start_registry-proxy() {
  PROXY_LISTEN="$HOST:$REGISTRY_PORT" PROXY_TARGET="http://$HOST:$REGISTRY_INTERNAL_PORT" \
    PROXY_CERT_FILE="$TLS/server.pem" PROXY_KEY_FILE="$TLS/server.key" \
    PROXY_USERNAME=foresight PROXY_PASSWORD="$(secret_of REGISTRY_PASSWORD)" \
    launch registry-proxy node "$INFRA/secure/registry-proxy.mjs"
}

start_neo4j() {
  mkdir -p "$DATA/neo4j"
  local tls="" auth="$NEO4J_AUTH_SETTING"
  if ((SECURE)); then tls="$TLS/neo4j"; auth="foresight/$(secret_of NEO4J_PASSWORD)"; fi
  NEO4J_HOME_DIR="$DATA/neo4j" NEO4J_BOLT_ADDRESS="$HOST:$NEO4J_PORT" NEO4J_AUTH="$auth" NEO4J_TLS_DIR="$tls" \
    NEO4J_PAGECACHE="${FORESIGHT_NEO4J_PAGECACHE:-128m}" \
    launch neo4j "$JAVA17" $NEO4J_HEAP $JVM_FAST -Dforesight.stack=neo4j \
    -cp "$LIB/neo4j/stack-neo4j-launcher.jar:$LIB/neo4j/*" dev.foresight.stack.Launcher
}

start_redis() {
  local data="$DATA/redis" conf="$RUN/redis.conf"
  mkdir -p "$data"
  cat >"$conf" <<EOF
# generated by infra/stack.sh: loopback only; persistence by append-only file (AOF) under the stack's data dir, so a
# restart (or a crash) of Redis keeps the allocator's ledger and leases; \`down\` wipes it unless --keep
bind $HOST
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile $(pidfile_of redis)
logfile $(log_of redis)
dir $data
save ""
appendonly yes
appendfsync everysec
appenddirname appendonlydir
aof-use-rdb-preamble yes
EOF
  if ((SECURE)); then
    # TLS only (no plain port); the default user off; an admin and one ACL user per service that uses Redis, each
    # allowed the data commands but not the administrative or dangerous ones (INFO: ioredis' ready check).
    local u
    {
      echo "port 0"
      echo "tls-port $REDIS_PORT"
      echo "tls-cert-file $TLS/server.pem"
      echo "tls-key-file $TLS/server.key"
      echo "tls-ca-cert-file $TLS/ca.pem"
      echo "tls-auth-clients no"
      echo "user default off"
      echo "user admin on >$(secret_of REDIS_ADMIN_PASSWORD) ~* &* +@all"
      for u in "${REDIS_USERS[@]}"; do
        [[ "$u" == admin ]] && continue
        echo "user $u on >$(secret_of "REDIS_$(var_of "$u")_PASSWORD") ~* &* +@all -@admin -@dangerous +info"
      done
    } >>"$conf"
    chmod 600 "$conf"
  fi
  : >"$(log_of redis)"
  redis-server "$conf"
}

# ---------------------------------------------------------------------------------------------
# readiness: port open AND a functional check
neo4j_auth_args() {
  if ((SECURE)); then
    echo foresight   # its password goes to the probe in PROBE_NEO4J_PASSWORD
  elif [[ "$NEO4J_AUTH_SETTING" != none && -n "$NEO4J_AUTH_SETTING" ]]; then
    printf '%s\n' "${NEO4J_AUTH_SETTING%%/*}" "${NEO4J_AUTH_SETTING#*/}"
  fi
}
# redis-cli as the stack's admin (secured profile: TLS, the password in REDISCLI_AUTH rather than on the command line)
rcli() {
  if ((SECURE)); then
    REDISCLI_AUTH="$(secret_of REDIS_ADMIN_PASSWORD)" redis-cli --tls --cacert "$TLS/ca.pem" --user admin -h "$HOST" -p "$REDIS_PORT" "$@"
  else
    redis-cli -h "$HOST" -p "$REDIS_PORT" "$@"
  fi
}
functional_check() {
  case "$1" in
    kafka) probe kafka "$HOST:$KAFKA_PORT" ;;
    registry) [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$(address_of registry)/subjects")" == 200 ]] ;;
    registry-proxy)
      [[ "$(printf 'user = "foresight:%s"\n' "$(secret_of REGISTRY_PASSWORD)" | curl -s -K - --cacert "$TLS/ca.pem" -o /dev/null \
        -w '%{http_code}' --max-time 3 "$(address_of registry-proxy)/subjects")" == 200 ]] ;;
    neo4j)
      local a=(); mapfile -t a < <(neo4j_auth_args)
      probe neo4j "bolt://$HOST:$NEO4J_PORT" "${a[@]}" ;;
    redis) [[ "$(rcli ping 2>/dev/null)" == PONG ]] ;;
  esac
}

fail_report() { # name reason : the reason plus the tail of the server's log, printed by cmd_up in order
  local name="$1" f; f="$RUN/$1.failure"
  {
    echo "[stack] $name: $2"
    echo "[stack] ---- last 40 lines of $(log_of "$name") ----"
    tail -n 40 "$(log_of "$name")" 2>/dev/null | sed "s/^/[$name] /"
    echo "[stack] ---- end of $name log ----"
    if [[ "$name" == neo4j && -f "$DATA/neo4j/logs/debug.log" ]]; then
      echo "[stack] ---- last 20 lines of $DATA/neo4j/logs/debug.log ----"
      tail -n 20 "$DATA/neo4j/logs/debug.log" | sed "s/^/[neo4j] /"
    fi
  } >"$f"
  log "$name: FAILED ($2)"
  # A server that did not come up is stopped, so that the next 'up' starts it afresh.
  stop_one "$name" >/dev/null 2>&1 || true
  return 1
}

await_ready() { # name start-time
  local name="$1" t0="$2" deadline=$((SECONDS + TIMEOUT)) out=""
  while ((SECONDS < deadline)); do
    if ! pid_of "$name" >/dev/null; then
      # NOTE: right after the launch the child may still be the shell, before it exec'd the server (its cmdline lacks
      # the marker yet): that is starting, not exited. Redis daemonizes: its pidfile appears a moment after the
      # parent exits.
      if pid_alive "$name" && [[ "$name" != redis ]] && ((SECONDS < deadline - TIMEOUT + 10)); then
        :
      elif [[ "$name" != redis ]] || ((SECONDS > deadline - TIMEOUT + 5)); then
        fail_report "$name" "process exited during start-up"
        return 1
      fi
    elif port_open "$(port_of "$name")" && out="$(functional_check "$name" 2>&1)"; then
      log "$name: ready at $(address_of "$name") after $(elapsed "$t0")s${out:+ ($out)}"
      return 0
    fi
    sleep 0.5
  done
  fail_report "$name" "not ready within ${TIMEOUT}s (FORESIGHT_STACK_TIMEOUT)${out:+; last check: $out}"
}

start_and_await() {
  local name="$1" t0; t0="$(now)"
  if pid_of "$name" >/dev/null; then
    if is_running "$name" && functional_check "$name" >/dev/null 2>&1; then
      log "$name: already running (pid $(pid_of "$name")), nothing to do"
      return 0
    fi
    log "$name: pid $(pid_of "$name") alive but not serving yet; awaiting it"
    await_ready "$name" "$t0"
    return
  fi
  local port; port="$(port_of "$name")"
  if port_open "$port"; then
    echo "[stack] $name: port $HOST:$port is taken by another process (not started by this stack); free it or set FORESIGHT_${name^^}_PORT" >"$RUN/$name.failure"
    log "$name: FAILED (port $port taken)"
    return 1
  fi
  rm -f "$(pidfile_of "$name")"
  "start_$name" || { fail_report "$name" "failed to launch"; return 1; }
  await_ready "$name" "$t0"
}

cmd_up() {
  local t0; t0="$(now)"
  install_all
  ensure_secure_material
  log "installed/cached in $(elapsed "$t0")s; starting servers"
  local pids=() name failed=()
  for name in "${SERVICES[@]}"; do
    rm -f "$RUN/$name.failure"
    start_and_await "$name" &
    pids+=($!)
  done
  local i
  for i in "${!SERVICES[@]}"; do
    wait "${pids[$i]}" || failed+=("${SERVICES[$i]}")
  done
  if ((${#failed[@]})); then
    for name in "${failed[@]}"; do cat "$RUN/$name.failure" >&2 2>/dev/null || true; done
    log "FAILED: ${failed[*]} did not come up (the others are left running; 'bash infra/stack.sh down' stops them)"
    exit 1
  fi
  log "stack up in $(elapsed "$t0")s"
  cmd_status
}

# ---------------------------------------------------------------------------------------------
# stop
stop_one() {
  local name="$1" pid
  if ! pid="$(pid_of "$name")"; then
    rm -f "$(pidfile_of "$name")"
    return 0
  fi
  local grace; grace="$(stop_grace_of "$name")"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still alive after ${grace}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$(pidfile_of "$name")"
  log "$name: stopped (pid $pid)"
}

cmd_down() {
  local keep=0 a
  for a in "$@"; do
    case "$a" in --keep) keep=1 ;; *) die "unknown option for down: $a" ;; esac
  done
  local pids=() name
  for name in "${SERVICES[@]}"; do stop_one "$name" & pids+=($!); done
  wait "${pids[@]}" || true
  if ((keep)); then
    log "data kept in $DATA (--keep)"
  else
    rm -rf "$DATA" "$RUN"
    # The secured profile's passwords and certificates go with the data they protect (a new up makes new ones).
    ((SECURE)) && rm -rf "$SECRETS" "$TLS"
    log "data wiped ($DATA); logs kept in $LOGS"
  fi
}

# ---------------------------------------------------------------------------------------------
cmd_status() {
  local name pid state rc=0
  printf '%-14s %-8s %-8s %-44s %s\n' SERVER STATE PID ADDRESS LOG
  for name in "${SERVICES[@]}"; do
    if pid="$(pid_of "$name")"; then
      if port_open "$(port_of "$name")"; then state=running; else state=starting; rc=1; fi
    else
      pid=-; state=stopped; rc=1
    fi
    printf '%-14s %-8s %-8s %-44s %s\n' "$name" "$state" "$pid" "$(address_of "$name")" "${LOGS#"$ROOT"/}/$name.log"
  done
  return $rc
}

cmd_env_secure() {
  [[ -s "$SECRETS" && -s "$TLS/ca.pem" ]] || die "no secured stack in $STACK (run: bash infra/stack.sh up --secure)"
  local u
  cat <<EOF
# The secured stack in $STACK: the services' own settings, as the admin principal (operators, tests, the admin step).
export FORESIGHT_KAFKA_BROKERS=$HOST:$KAFKA_PORT
export FORESIGHT_KAFKA_TLS=true
export FORESIGHT_KAFKA_TLS_CA_FILE=$TLS/ca.pem
export FORESIGHT_KAFKA_SASL_MECHANISM=scram-sha-512
export FORESIGHT_KAFKA_SASL_USERNAME=admin
export FORESIGHT_KAFKA_SASL_PASSWORD=$(secret_of KAFKA_ADMIN_PASSWORD)
export FORESIGHT_KAFKA_CREATE_TOPICS=false
export FORESIGHT_SCHEMA_REGISTRY_URL=$(address_of registry-proxy)
export FORESIGHT_SCHEMA_REGISTRY_USERNAME=foresight
export FORESIGHT_SCHEMA_REGISTRY_PASSWORD=$(secret_of REGISTRY_PASSWORD)
export FORESIGHT_SCHEMA_REGISTRY_TLS_CA_FILE=$TLS/ca.pem
export FORESIGHT_NEO4J_URI=bolt://$HOST:$NEO4J_PORT
export FORESIGHT_NEO4J_USER=foresight
export FORESIGHT_NEO4J_PASSWORD=$(secret_of NEO4J_PASSWORD)
export FORESIGHT_NEO4J_TLS_CA_FILE=$TLS/ca.pem
export FORESIGHT_REDIS_HOST=$HOST
export FORESIGHT_REDIS_PORT=$REDIS_PORT
export FORESIGHT_REDIS_TLS=true
export FORESIGHT_REDIS_TLS_CA_FILE=$TLS/ca.pem
export FORESIGHT_REDIS_USERNAME=admin
export FORESIGHT_REDIS_PASSWORD=$(secret_of REDIS_ADMIN_PASSWORD)
# Each service's own principal: run it with FORESIGHT_KAFKA_SASL_USERNAME=<service> and this password (and the same for Redis).
EOF
  for u in "${KAFKA_USERS[@]}"; do
    [[ "$u" == broker || "$u" == admin ]] && continue
    echo "export SECURE_STACK_KAFKA_PASSWORD_$(var_of "$u")=$(secret_of "KAFKA_$(var_of "$u")_PASSWORD")"
  done
  for u in "${REDIS_USERS[@]}"; do
    [[ "$u" == admin ]] && continue
    echo "export SECURE_STACK_REDIS_PASSWORD_$(var_of "$u")=$(secret_of "REDIS_$(var_of "$u")_PASSWORD")"
  done
}

cmd_env() {
  if ((SECURE)); then cmd_env_secure; return; fi
  cat <<EOF
export KAFKA_BROKERS=$HOST:$KAFKA_PORT
export SCHEMA_REGISTRY_URL=$(address_of registry)
export NEO4J_URI=bolt://$HOST:$NEO4J_PORT
export REDIS_URL=redis://$HOST:$REDIS_PORT
EOF
  if [[ "$NEO4J_AUTH_SETTING" != none ]]; then
    echo "export NEO4J_USER=${NEO4J_AUTH_SETTING%%/*}"
    echo "export NEO4J_PASSWORD=${NEO4J_AUTH_SETTING#*/}"
  fi
}

cmd_verify() {
  local name
  for name in "${SERVICES[@]}"; do is_running "$name" || die "$name is not running (run: bash infra/stack.sh up)"; done
  ensure_probe
  ensure_secure_material
  local a=(); mapfile -t a < <(neo4j_auth_args)
  local registry; registry="$(address_of registry)"
  ((SECURE)) && registry="$(address_of registry-proxy)"
  probe smoke "$HOST:$KAFKA_PORT" "$registry" "bolt://$HOST:$NEO4J_PORT" "${a[@]}"
  local k="stack-smoke-$$"
  [[ "$(rcli set "$k" ok EX 60)" == OK && "$(rcli get "$k")" == ok ]] || die "redis SET/GET failed"
  rcli del "$k" >/dev/null
  echo "redis: SET/GET/DEL ok"
  echo "verify: all checks passed"
}

cmd_kafka_tool() {
  (($#)) || die "usage: stack.sh kafka-tool <main-class> [args...]"
  ensure_tools
  [[ -d "$LIB/kafka" ]] || ensure_kafka
  local main="$1"; shift
  local args=("$@")
  [[ " ${args[*]-} " == *" --bootstrap-server "* ]] || args=(--bootstrap-server "$HOST:$KAFKA_PORT" "${args[@]}")
  if ((SECURE)); then
    # The tools take the admin principal's client settings from a file, under a tool-specific flag
    # (--command-config, --consumer.config, --producer.config): written here, passed by the caller.
    local props="$RUN/kafka/admin-client.properties"
    mkdir -p "$RUN/kafka"
    (umask 077 && printf '%s\n' "security.protocol=SASL_SSL" "sasl.mechanism=SCRAM-SHA-512" \
      "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$(secret_of KAFKA_ADMIN_PASSWORD)\";" \
      "ssl.truststore.type=PEM" "ssl.truststore.location=$TLS/ca.pem" >"$props")
    log "admin client settings: $props (pass it with --command-config, --consumer.config or --producer.config)"
  fi
  exec "$JAVA17" $JVM_FAST -Dlog4j.configuration="file:$INFRA/kafka/tools-log4j.properties" \
    -cp "$LIB/kafka/*" "$main" "${args[@]}"
}

# Servers added by infra/stack.d/*.sh (Prometheus): each appends itself to SERVICES, defines start_<name> and wraps the
# per-server functions above for its name.
# shellcheck source=/dev/null
for extension in "$INFRA"/stack.d/*.sh; do source "$extension"; done

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) shift; cmd_down "$@" ;;
  status) cmd_status ;;
  verify) cmd_verify ;;
  kafka-admin) shift; ensure_secure_material; eval "$(cmd_env)"; exec node "$INFRA/secure/kafka-admin.mjs" "$@" ;;
  env) cmd_env ;;
  install) install_all ;;
  kafka-tool) shift; cmd_kafka_tool "$@" ;;
  -h | --help | help | "") usage ;;
  *) usage; exit 2 ;;
esac
