import { readFileSync } from 'node:fs';
import type { ConfigProblem } from './config-error.js';

/** Reads a whole file; swapped in tests. */
export type FileReader = (path: string) => string;

/** The real file system, as UTF-8. */
export const readUtf8: FileReader = (path) => readFileSync(path, 'utf8');

/** A CA file setting read: its PEM text, or the problem (naming the variable and the path, never the contents). */
export type CaFileResult = { readonly ok: true; readonly pem: string } | { readonly ok: false; readonly problem: ConfigProblem };

/** Reads the PEM CA file a *_TLS_CA_FILE variable names; a file without a certificate in it is a problem too. */
export function readCaFile(variable: string, path: string, readFile: FileReader): CaFileResult {
  let pem: string;
  try {
    pem = readFile(path);
  } catch (error) {
    return { ok: false, problem: { variable, reason: `cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? 'read failed'})` } };
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return { ok: false, problem: { variable, reason: `'${path}' holds no PEM certificate` } };
  return { ok: true, pem };
}
