import { consoleCommand } from './console/console-command.js';
import { importCommand } from './commands/import-command.js';
import { nezhaScoreCommand } from './commands/nezha-score-command.js';
import { replayCommand } from './commands/replay-command.js';
import { riskCommand } from './commands/risk-command.js';
import { runCommand } from './commands/run-command.js';
import { runProgram } from './commands/script-command.js';
import { startCommand } from './commands/start-command.js';
import { USAGE } from './help.js';
import { repoPath } from './repo-paths.js';

/** Runs one `foresight` command line; resolves with the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    case 'run':
      return runCommand(args);
    case 'start':
      return startCommand(args);
    case 'demo':
      // `demo otel`: the instrumented shop (apps/otel-demo), run as its own program (nothing depends on an app).
      if (args[0] === 'otel') return runProgram(process.execPath, [repoPath('apps/otel-demo/dist/src/demo-main.js'), ...args.slice(1)]);
      return startCommand(args);
    case 'replay':
      return replayCommand(args);
    case 'risk':
      return riskCommand(args);
    case 'console':
      return consoleCommand(args);
    case 'import':
      return importCommand(args);
    case 'nezha-score':
      return nezhaScoreCommand(args);
    case 'stack':
      return runProgram('bash', [repoPath('infra/stack.sh'), ...args]);
    case 'eval':
      return runProgram(process.execPath, [repoPath('libs/evaluation/dist/bin/foresight-eval.js'), ...args]);
    case 'bench':
      return runProgram(process.execPath, [repoPath('infra/bench.mjs'), ...args]);
    default:
      process.stderr.write(`foresight: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}
