// File access with errors a person can act on ("cannot read bundle file x: no such file")
// instead of Node's errno objects.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { CliError } from './exit-codes.ts';

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${what} ${path}: ${reason(error)}`);
  }
}

export function readBinaryFile(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new CliError(`cannot read ${what} ${path}: ${reason(error)}`);
  }
}

export function readJsonFile(path: string, what: string): unknown {
  const text = readTextFile(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CliError(`${what} ${path} is not valid JSON`);
  }
}

/** Writes through a temporary file and a rename, so a failed write never leaves half a file. */
export function writeOutputFile(path: string, content: string | Uint8Array, what: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (error) {
    // The rename can fail after the temporary file was written (the target is a directory): do not leave it behind.
    rmSync(tmp, { force: true });
    throw new CliError(`cannot write ${what} ${path}: ${reason(error)}`);
  }
}
