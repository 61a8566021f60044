import { parseArgs } from 'node:util';
import { KafkaBus, redactUrl } from '@foresight/messaging';
import { ConfigError, createLogger, kafkaConnection, type Env } from '@foresight/service-kit';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import type { RunOutput } from '../commands/run-command.js';
import { readConsoleConfig, DEFAULT_CONSOLE_PORT } from './console-settings.js';
import { startLiveConsole } from './live-console.js';

/** `foresight console` usage. */
export const CONSOLE_USAGE = `Usage: foresight console [--host HOST] [--port PORT]
  Serves a live web console of the running services: open incidents and at-risk VMs, each incident's graph and grants,
  a VM's pathways and history, model versions, the resource pool. Reads Redis and Neo4j where the services write,
  and follows the risk, allocations, allocation-outcomes, evaluations and model topics in its own consumer group.
  --host HOST   address to bind (FORESIGHT_CONSOLE_HOST, default 127.0.0.1; any other needs FORESIGHT_CONSOLE_TOKEN)
  --port PORT   port (FORESIGHT_CONSOLE_PORT, default ${DEFAULT_CONSOLE_PORT}; 0 picks a free one)
  The token is read from FORESIGHT_CONSOLE_TOKEN only (a flag would show in the process list); open
  http://HOST:PORT/?token=TOKEN once, or send Authorization: Bearer TOKEN. Settings: docs/operations.md#console;
  the views and API: docs/console.md.
`;

/** `foresight console`: runs until SIGINT/SIGTERM; resolves with the exit code. */
export async function consoleCommand(args: readonly string[], output: RunOutput = {
  stdout: (text) => void process.stdout.write(text), stderr: (text) => void process.stderr.write(text),
}, env: Env = process.env): Promise<number> {
  let config;
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: { host: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
    if (values.help === true) {
      output.stdout(CONSOLE_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}'`);
    config = readConsoleConfig({ ...env, ...(values.host === undefined ? {} : { FORESIGHT_CONSOLE_HOST: values.host }), ...(values.port === undefined ? {} : { FORESIGHT_CONSOLE_PORT: values.port }) });
  } catch (error) {
    output.stderr(`foresight console: ${redactUrl((error as Error).message)}\n${error instanceof ConfigError ? '' : `\n${CONSOLE_USAGE}`}`);
    return 2;
  }
  const logger = createLogger({ name: 'foresight-console', level: config.logLevel });
  const state = new RedisStateStore({ ...config.redis, keyPrefix: config.redisKeyPrefix });
  const graph = new Neo4jGraphStore({ ...config.neo4j, namespace: config.neo4jNamespace });
  let bus: KafkaBus | undefined;
  let stop: (() => Promise<void>) | undefined;
  try {
    await state.init();
    // NOTE: a new group starts at the latest offsets: the stores give the state before, the topics what follows.
    bus = await KafkaBus.connect({
      connection: kafkaConnection(config.kafka, config.registry), ...config.kafkaConsumer, topicPrefix: config.topicPrefix, groupId: config.groupId, fromBeginning: false, logger,
      topics: ['risk', 'allocations', 'allocation-outcomes', 'evaluations', 'model'],
    });
    const live = await startLiveConsole({
      bus, stores: { risk: state, documents: state.documents, ledger: state, graph }, groupId: config.groupId, host: config.host, port: config.port, token: config.token, logger,
      stream: { maxClients: config.maxStreams, coalesceMs: 250, heartbeatMs: 15_000 }, metricsUrls: config.metricsUrls,
      ...(config.traceUrl === undefined ? {} : { traceUrl: config.traceUrl }),
    });
    const openBus = bus;
    stop = async () => {
      await live.server.close();
      await openBus.close();
    };
    output.stdout(`foresight console: serving ${live.server.url} (${live.loadedIncidents} open incidents read from the stores; topic prefix '${config.topicPrefix}', group '${config.groupId}'${config.token === undefined ? '' : '; a token is required'})\n`);
  } catch (error) {
    output.stderr(`foresight console: could not start: ${redactUrl(error instanceof Error ? error.message : String(error))}\n`);
    await bus?.close().catch(() => undefined);
    await Promise.allSettled([state.close(), graph.close()]);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await stop().catch((error: unknown) => output.stderr(`foresight console: did not stop cleanly: ${redactUrl(String(error))}\n`));
  await Promise.allSettled([state.close(), graph.close()]);
  return 0;
}
