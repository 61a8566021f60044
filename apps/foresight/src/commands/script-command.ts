import { spawn } from 'node:child_process';

/** Runs a program with inherited stdio and resolves with its exit code (signals are forwarded by the terminal). */
export function runProgram(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { stdio: 'inherit' });
    child.on('error', (error) => {
      process.stderr.write(`foresight: cannot run ${command}: ${error.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}
