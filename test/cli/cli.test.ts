// The CLI as users run it: keys init → bundle build → issue --demo → verify, in a temp directory.
// Real child processes cover every exit code and the process wiring (stdin, files, modes);
// the per-reference-pass round trip runs in-process through the same runCli.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_PASSES } from '../../src/demo/reference-passes.ts';
import { BIN, expectOneLineError, runInProcess, spawnCli } from './cli-harness.ts';

// Keys made "at" demo time so the reference passes (January 2022) can be issued and verified then.
const KEYS_AT = '2022-01-14T00:00:00Z';
const ISSUE_AT = '2022-01-15T09:00:00+09:00';
const VERIFY_AT = '2022-01-15T21:00:00+09:00';

const EXPECTED: Record<string, { code: number; verdict: string; rule?: string; failure?: string }> = {
  'vaccination-3-doses-latin-name': { code: 0, verdict: 'valid', rule: 'vaccination.booster' },
  'vaccination-2-doses-korean-name': { code: 0, verdict: 'valid', rule: 'vaccination.primary' },
  // Janssen 2021-06-10: primary series valid 2021-06-24 .. 2021-12-20, so over by January 2022.
  'vaccination-1-dose-janssen': { code: 1, verdict: 'invalid', failure: 'RULES_NOT_MET' },
  'test-pcr-negative': { code: 0, verdict: 'valid', rule: 'test' },
  recovery: { code: 0, verdict: 'valid', rule: 'recovery' },
  'medical-exemption': { code: 0, verdict: 'valid', rule: 'exemption' },
};

let dir: string;
let keys: string;
let bundle: string;
let root: string;
let passText: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vaxpass-cli-'));
  keys = join(dir, 'keys');
  bundle = join(dir, 'bundle.jws');
  root = join(keys, 'root.public.jwk');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vaxpass CLI (child processes)', () => {
  it('keys init creates private files 0600 and public files 0644, and is idempotent', () => {
    const first = spawnCli(['keys', 'init', '--dir', keys, '--at', KEYS_AT], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const files = readdirSync(keys).sort();
    expect(files).toEqual(expect.arrayContaining(['root.private.jwk', 'root.public.jwk', 'bundle-signer.private.jwk', 'bundle-signer.cert.jws', 'keyring.json']));
    for (const name of files) {
      const mode = statSync(join(keys, name)).mode & 0o777;
      expect(mode, name).toBe(name.includes('.private.') ? 0o600 : 0o644);
      expect(first.stdout).toContain(`created  ${join(keys, name)}`);
    }
    expect(first.stdout).not.toMatch(/"d"\s*:/); // no private key material printed
    const before = Object.fromEntries(files.map((f) => [f, readFileSync(join(keys, f), 'utf8')]));

    const second = spawnCli(['keys', 'init', '--dir', keys], { cwd: dir });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toContain('created');
    expect(second.stdout.match(/^present /gm)?.length).toBe(files.length);
    expect(second.stderr).toContain('all keys already present');
    for (const f of files) expect(readFileSync(join(keys, f), 'utf8')).toBe(before[f]);
  });

  it('bundle build writes a signed bundle; issue --demo prints QR text and writes PNG and SVG', () => {
    const built = spawnCli(['bundle', 'build', '--keys', keys, '--at', ISSUE_AT, '--ttl', '7d', '--out', bundle], { cwd: dir });
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toBe('');
    expect(readFileSync(bundle, 'utf8')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);

    const issued = spawnCli(['issue', '--demo', '--keys', keys, '--at', ISSUE_AT, '--png', 'pass.png', '--svg', 'pass.svg'], { cwd: dir });
    expect(issued.code, issued.stderr).toBe(0);
    passText = issued.stdout.trimEnd();
    expect(passText).toMatch(/^VP1:[0-9A-Z $%*+\-./:]+$/);
    expect(issued.stdout.split('\n')).toHaveLength(2);
    expect(issued.stderr).toContain('QR version 9 at level M');
    expect(issued.stderr).not.toContain('Maria'); // status lines carry no personal data
    expect(readFileSync(join(dir, 'pass.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(join(dir, 'pass.svg'), 'utf8')).toContain('<svg');
  });

  it('verify --image decodes the PNG and exits 0 for a valid pass', () => {
    const run = spawnCli(['verify', '--image', 'pass.png', '--bundle', bundle, '--root', root, '--at', VERIFY_AT], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('VALID (vaccination.booster)\nname:        Maria Gonzalez Lopez\nbirth date:  1985-03-14\nvalid until: 2023-01-15T00:00:00Z\n');
  });

  it('verify - reads the pass from stdin and --json prints the result with its verdict', () => {
    const run = spawnCli(['verify', '-', '--bundle', bundle, '--root', root, '--at', VERIFY_AT, '--json'], { cwd: dir, input: `${passText}\n` });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      verdict: 'valid',
      ok: true,
      passType: 'vaccination',
      holder: { name: 'Maria Gonzalez Lopez', birthDate: '1985-03-14' },
      rule: 'vaccination.booster',
      issuer: 'KDCA',
    });
    expect(Object.keys(result).sort()).toEqual(['bundleVersion', 'decidedAt', 'format', 'holder', 'issuer', 'kid', 'ok', 'passId', 'passType', 'rule', 'validUntil', 'verdict']);
  });

  it('exits 1 for garbage text, with the failure code on stdout', () => {
    const run = spawnCli(['verify', 'NOT-A-PASS', '--bundle', bundle, '--root', root, '--at', VERIFY_AT], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('NOT A HEALTH PASS: NOT_A_PASS: this code is not a health pass\n');
    expect(run.stderr).toBe('');
  });

  it('exits 2 with one line for a missing bundle file, a bad --at, an unknown reference and an unknown option', () => {
    const missing = spawnCli(['verify', passText, '--bundle', 'no-such-bundle.jws', '--root', root], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(expectOneLineError(missing)).toBe('vaxpass: cannot read bundle file no-such-bundle.jws: no such file');

    const badAt = spawnCli(['verify', passText, '--bundle', bundle, '--root', root, '--at', 'tomorrow'], { cwd: dir });
    expect(badAt.code).toBe(2);
    expect(expectOneLineError(badAt)).toContain('--at must be an ISO-8601 instant with a zone');

    const unknown = spawnCli(['issue', '--demo', '--keys', keys, '--reference', 'nope'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(expectOneLineError(unknown)).toContain('unknown reference pass "nope"');

    const option = spawnCli(['verify', '--bogus', '--bundle', bundle], { cwd: dir });
    expect(option.code).toBe(2);
    expect(expectOneLineError(option)).toContain("unknown option '--bogus'");
    expect(missing.stdout + badAt.stdout + unknown.stdout + option.stdout).toBe('');
  });

  it('verify reads at most 64 KiB of stdin (MALFORMED, exit 1), and explains a missing default root', async () => {
    // A producer that never stops: the CLI must answer and close the pipe, not buffer everything.
    const child = spawn(process.execPath, [BIN, 'verify', '-', '--bundle', bundle, '--root', root, '--at', VERIFY_AT], { cwd: dir });
    child.stdin.on('error', () => {}); // EPIPE once the CLI stops reading, as intended
    const chunk = Buffer.alloc(64 * 1024, 'A');
    const feed = (): void => {
      while (child.stdin.writable && child.stdin.write(chunk));
      if (child.stdin.writable) child.stdin.once('drain', feed);
    };
    feed();
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stdout).toBe('NOT VALID: MALFORMED: text is longer than 4296 characters\n');

    const elsewhere = mkdtempSync(join(tmpdir(), 'vaxpass-cli-noroot-'));
    try {
      const noRoot = spawnCli(['verify', passText, '--bundle', bundle, '--at', VERIFY_AT], { cwd: elsewhere });
      expect(noRoot.code).toBe(2);
      expect(expectOneLineError(noRoot)).toBe('vaxpass: no pinned root key: keys/root.public.jwk (the default) does not exist; give the root public key with --root FILE');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('node bin/vaxpass.mjs --help lists the commands', () => {
    const run = spawnCli(['--help'], { cwd: dir });
    expect(run.code).toBe(0);
    for (const name of ['keys', 'bundle', 'issue', 'verify']) expect(run.stdout).toContain(name);
  });
});

describe('vaxpass CLI (in-process)', () => {
  it.each(REFERENCE_PASSES.map((p) => p.id))('issue --demo and verify round trip: %s', async (id) => {
    const expected = EXPECTED[id]!;
    const issued = await runInProcess(['issue', '--demo', '--reference', id, '--keys', keys, '--at', ISSUE_AT]);
    expect(issued.code, issued.stderr).toBe(0);
    const text = issued.stdout.trimEnd();
    const run = await runInProcess(['verify', text, '--bundle', bundle, '--root', root, '--at', VERIFY_AT, '--json']);
    expect(run.code, run.stderr).toBe(expected.code);
    const result = JSON.parse(run.stdout);
    expect(result.verdict).toBe(expected.verdict);
    if (expected.rule) expect(result.rule).toBe(expected.rule);
    if (expected.failure) expect(result.code).toBe(expected.failure);
    // The same pass read through stdin gives the same answer.
    expect((await runInProcess(['verify', '-', '--bundle', bundle, '--root', root, '--at', VERIFY_AT], `${text}\n`)).code).toBe(expected.code);
  });

  it('a bundle from another root cannot verify (exit 2), and an expired bundle cannot either', async () => {
    const otherKeys = join(dir, 'other-keys');
    expect((await runInProcess(['keys', 'init', '--dir', otherKeys, '--at', KEYS_AT])).code).toBe(0);
    const otherRoot = await runInProcess(['verify', passText, '--bundle', bundle, '--root', join(otherKeys, 'root.public.jwk'), '--at', VERIFY_AT, '--json']);
    expect(otherRoot.code).toBe(2);
    expect(JSON.parse(otherRoot.stdout)).toMatchObject({ verdict: 'cannot-verify', ok: false, code: 'BUNDLE_INVALID' });
    const late = await runInProcess(['verify', passText, '--bundle', bundle, '--root', root, '--at', '2022-02-01T00:00:00Z']);
    expect(late.code).toBe(2);
    expect(late.stdout).toMatch(/^CANNOT VERIFY: BUNDLE_EXPIRED: /);
  });

  it('bundle build validates --rules, --ttl and --version', async () => {
    const rulesFile = join(dir, 'rules.json');
    writeFileSync(rulesFile, JSON.stringify({ timeZone: 'Mars/Olympus' }));
    const badRules = await runInProcess(['bundle', 'build', '--keys', keys, '--rules', rulesFile, '--at', ISSUE_AT]);
    expect(badRules.code).toBe(2);
    expect(expectOneLineError(badRules)).toContain('timeZone is not a known IANA zone');
    for (const args of [['--ttl', '2 days'], ['--version', '-1']]) {
      const run = await runInProcess(['bundle', 'build', '--keys', keys, '--at', ISSUE_AT, ...args]);
      expect(run.code).toBe(2);
      expectOneLineError(run);
    }
    const toStdout = await runInProcess(['bundle', 'build', '--keys', keys, '--at', ISSUE_AT, '--version', '7']);
    expect(toStdout.code).toBe(0);
    expect(JSON.parse(Buffer.from(toStdout.stdout.split('.')[1]!, 'base64url').toString()).version).toBe(7);
  });

  it('verify refuses ambiguous or missing input, and a private key as root', async () => {
    const pem = join(dir, 'root.pem');
    writeFileSync(pem, '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGhK5YR8GbhkVfuDCJHxitfUpJWrly7YiJvTqKJH55CU=\n-----END PUBLIC KEY-----\n');
    const cases: [string[], string][] = [
      [['verify', '--bundle', bundle, '--root', root], 'no pass given'],
      [['verify', 'VP1:X', '--image', 'pass.png', '--bundle', bundle, '--root', root], 'not both'],
      [['verify', 'VP1:X', '--root', root], "required option '--bundle <file>'"],
      [['verify', 'VP1:X', '--bundle', bundle, '--root', join(keys, 'root.private.jwk')], 'contains a private key'],
      [['verify', '--image', bundle, '--bundle', bundle, '--root', root], 'not a PNG image'],
      [['issue', '--keys', keys], 'add --demo'],
      [['bundle', 'build', '--keys', join(dir, 'empty')], 'is missing; run `vaxpass keys init'],
      [['verify', '-', '--bundle', bundle, '--root', root], 'no pass text on stdin'],
      [['verify', 'VP1:X', '--bundle', bundle, '--root', pem], 'is not valid JSON: expected an Ed25519 public JWK'],
      // Date.parse would roll these over into the next month; a time-extraction bug must not pass silently.
      [['verify', 'VP1:X', '--bundle', bundle, '--root', root, '--at', '2022-02-30T12:00:00+09:00'], '--at must be an ISO-8601 instant'],
      [['verify', 'VP1:X', '--bundle', bundle, '--root', root, '--at', '2021-02-29T12:00:00Z'], '--at must be an ISO-8601 instant'],
      [['issue', '--demo', '--keys', keys, '--at', '2022-04-31T09:00:00+09:00'], '--at must be an ISO-8601 instant'],
    ];
    for (const [args, message] of cases) {
      const run = await runInProcess(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(expectOneLineError(run)).toContain(message);
    }
  });

  it('bundle build refuses to publish a bundle scanners would reject (a damaged keyring)', async () => {
    const damaged = join(dir, 'damaged-keys');
    mkdirSync(damaged);
    for (const name of readdirSync(keys)) copyFileSync(join(keys, name), join(damaged, name));
    const keyring = JSON.parse(readFileSync(join(damaged, 'keyring.json'), 'utf8'));
    keyring.issuerKeys.push({ ...keyring.issuerKeys[0], status: 'retired' });
    writeFileSync(join(damaged, 'keyring.json'), JSON.stringify(keyring));
    const out = join(dir, 'damaged.jws');
    const run = await runInProcess(['bundle', 'build', '--keys', damaged, '--at', ISSUE_AT, '--out', out]);
    expect(run.code).toBe(2);
    expect(expectOneLineError(run)).toContain('refusing to publish a bundle scanners would reject (BUNDLE_INVALID: bundle lists a key id twice)');
    expect(existsSync(out)).toBe(false);
  });

  it('a failed write (the target is a directory) leaves no temporary file behind', async () => {
    const target = join(dir, 'a-directory');
    mkdirSync(target);
    const run = await runInProcess(['bundle', 'build', '--keys', keys, '--at', ISSUE_AT, '--out', target]);
    expect(run.code).toBe(2);
    expect(expectOneLineError(run)).toBe(`vaxpass: cannot write bundle file ${target}: is a directory`);
    expect(readdirSync(dir).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('every command has --help with examples', async () => {
    for (const path of [['keys', 'init'], ['bundle', 'build'], ['issue'], ['verify']]) {
      const run = await runInProcess([...path, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Examples:');
    }
  });
});
