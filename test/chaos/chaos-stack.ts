import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs as test/dist/chaos/chaos-stack.js). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A server of infra/stack.sh. */
export type StackServer = 'kafka' | 'registry' | 'neo4j' | 'redis';

/**
 * The chaos suite's own stack (infra/stack.sh with FORESIGHT_STACK_DIR and its own ports, set by
 * `node infra/run-tests.mjs chaos`): kills, freezes and restarts its servers. It refuses to touch the shared stack at
 * <repo>/.stack, which other tests use at the same time.
 */
export class ChaosStack {
  readonly dir: string;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const dir = env.FORESIGHT_STACK_DIR;
    if (dir === undefined || dir.trim() === '') {
      throw new Error('the chaos suite kills stack servers: run it on a stack of its own (`npm run test:chaos` sets FORESIGHT_STACK_DIR and the ports)');
    }
    if (resolve(dir) === resolve(REPO_ROOT, '.stack')) throw new Error(`refusing to run the chaos suite on the shared stack ${dir}`);
    this.dir = resolve(dir);
  }

  /** The pid of a running server (its pid file under run/). */
  pid(server: StackServer): number {
    const file = join(this.dir, 'run', `${server}.pid`);
    const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
    if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) throw new Error(`${server} is not running (no live pid in ${file})`);
    return pid;
  }

  /** Sends `signal` to the server and awaits its end (SIGKILL after `graceMs`). */
  async stop(server: StackServer, signal: NodeJS.Signals, graceMs = 30_000): Promise<void> {
    const pid = this.pid(server);
    process.kill(pid, signal);
    const deadline = Date.now() + graceMs;
    while (alive(pid)) {
      if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGSTOP (frozen: connections stay open, nothing answers) or SIGCONT. */
  freeze(server: StackServer): void {
    process.kill(this.pid(server), 'SIGSTOP');
  }

  thaw(server: StackServer): void {
    process.kill(this.pid(server), 'SIGCONT');
  }

  /** Deletes a stopped server's data directory (Redis: its append-only file with the ledger, leases and documents). */
  wipeData(server: StackServer): void {
    rmSync(join(this.dir, 'data', server), { recursive: true, force: true });
  }

  /** `bash infra/stack.sh up` with this stack's settings: starts what is not running and awaits its readiness. */
  up(): Promise<void> {
    return new Promise((resolveUp, reject) => {
      const child = spawn('bash', [join(REPO_ROOT, 'infra', 'stack.sh'), 'up'], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolveUp() : reject(new Error(`stack.sh up exited ${code}:\n${output.slice(-4000)}`))));
    });
  }
}

/** Whether the process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
