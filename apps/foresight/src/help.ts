/** What `foresight --help` prints. */
export const USAGE = `foresight: predict where an anomaly will spread through a fleet, and grant resources before it arrives.

Usage: foresight <command> [arguments]

Commands
  run <service>       Run one service until SIGTERM/SIGINT: topology-builder, propagation-scorer, allocator, learner.
  run all             Run all four services in one process (one health/metrics port).
  run <a>,<b>         Run several services in one process, e.g. run topology-builder,propagation-scorer,allocator
                      (see foresight run --help).
  start (or demo)     The whole pipeline, embedded, on a simulated fleet (2,000 VMs, one simulated hour), faster than
                      real time: a live line, a summary table and a self-contained HTML report.
                      --vms N --duration 60m --seed S --incidents N --out DIR (see foresight start --help).
                      --stack: the same services on the real stack (Kafka, the registry, Neo4j, Redis, from the
                      FORESIGHT_* settings below; 300 VMs over 30 min by default), each run under its own names.
  demo otel           A small shop of Node HTTP services (frontend -> cart, catalog -> db) instrumented with OpenTelemetry,
                      exporting OTLP to the stack's Collector (-> Kafka otlp_spans), under load; starts the pipeline
                      (gateway, topology-builder, scorer, allocator; a model version with grant threshold 0.02) under
                      names of its own; injects a fault (--fault db:latency=300, cart:errors=0.5, catalog:cpu=20) and
                      shows a live line until the faulty service's callers are at risk and granted
                      (see foresight demo otel --help, docs/ingestion.md).
  replay FILE         Feed recorded events (NDJSON in the topic schemas) through the embedded pipeline; prints the risk
                      assessments and allocation commands as NDJSON (--out FILE). Format: examples/replay/README.md.
  risk incident ID [--limit N] [--json]
                      The incident's at-risk VMs from the hot scores in Redis, likeliest first: probability, ETA and
                      the risk version (FORESIGHT_REDIS_* settings; see foresight risk --help).
  risk vm ID [--json] What threatens a VM now: every live incident that scores it, with probability, ETA and version.
  console [--host H] [--port P]
                      A live web console of the running services on 127.0.0.1:7070: incidents, at-risk VMs, grants,
                      models, the pool (FORESIGHT_CONSOLE_* settings; see foresight console --help, docs/console.md).
  import nezha DIR    Turn the Nezha Online Boutique data set (real spans, pod metrics, injected faults) into replay
                      input (--out FILE), with the services each fault reached (--labels FILE): docs/ingestion-nezha.md.
  nezha-score DIR     Replay that data set (learning on, and off) and score each fault's first risk assessment against
                      the reach labels (AUPRC with 95% intervals) beside caller baselines and random; --json.
  stack up|down|status|verify
                      Start, stop or inspect the local stack on 127.0.0.1 without Docker: Kafka 3.9, the schema
                      registry (Apicurio, Confluent-compatible API), Neo4j 5.26, Redis and an OpenTelemetry
                      Collector (OTLP on 4317/4318 -> Kafka). Installs what it needs.
  eval [flags]        Evaluate Foresight's estimators and policies against baselines on a simulated fleet with a
                      known truth: --incidents N --seed S --vms N --grant-benefit B --json --out FILE
                      --no-ablations; world knobs --reach D --detection-delay-scale F (see foresight eval --help).
  bench <name> [--json]
                      Run a benchmark (scoring, bus) and print what it measured.
  help                This text.

Configuration of the services comes from environment variables (FORESIGHT_*): see docs/operations.md.
A bad setting stops start-up with a message naming it. Health: GET /healthz, /readyz; metrics: GET /metrics
on FORESIGHT_HTTP_PORT.

Try it
  foresight start                         # the embedded demo: no servers needed
  foresight stack up                      # the real servers, on 127.0.0.1
  foresight start --stack                 # the same demo on them
  foresight demo otel                     # instrumented services -> the Collector -> the pipeline: a fault, risk, grants
  foresight run all                       # the pipeline as a service, against them
  foresight risk incident INC-1           # which VMs an incident threatens, from the running services' Redis
  foresight eval --incidents 100          # how well it predicts and mitigates, against the alternatives
`;
