// vaxpass entry-log keygen | query: the health authority's side of the venue entry log.
// keygen makes an authority key pair: the private JWK stays with the authority, the public key is
// put first in the entry-log policy file the issuer publishes (older keys stay listed, so their
// records still open). query decrypts one venue's records for a window, offline.
import { existsSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { generateAuthorityKey, importAuthorityPrivateKey, readEntryLogPolicy, type EntryLogPolicy } from '../../core/entry-log.ts';
import { openStore } from '../../db/open-store.ts';
import { EntryLogQueryError, queryEntryLog } from '../../entry-log/query-entry-log.ts';
import { postgresConfig } from '../../server/config.ts';
import type { CliContext } from '../support/cli-io.ts';
import { commandAt, withExamples } from '../support/command-tree.ts';
import { CliError } from '../support/exit-codes.ts';
import { readJsonFile, writeOutputFile } from '../support/files.ts';
import { instantOption, isoSeconds, parseInstant, unixSeconds } from '../support/time-options.ts';
import { DEFAULT_DATABASE_PATH } from './registry-import.ts';

/** The retention a new policy file starts with (28 days, the contact-tracing period); the file is the rule from then on. */
const NEW_POLICY_RETENTION_DAYS = 28;

export function registerEntryLog(program: Command, ctx: CliContext): void {
  const keygen = commandAt(program, 'entry-log keygen')
    .summary("make a health-authority key pair for the venue entry log")
    .description(
      'Write a new X25519 private key (JWK, mode 0600) for the health authority and put its public key first in the ' +
        'entry-log policy file the issuer publishes in the trust bundle (created with a 28-day retention if missing). ' +
        'Keys already in the policy stay listed, so records sealed to them still open: this is also how the key is rotated. ' +
        'Keep the private key with the authority, never on the issuer or in git.',
    )
    .requiredOption('--out <file>', 'where to write the private key (must not exist)')
    .option('--policy <file>', 'the entry-log policy file the issuer reads (VAXPASS_ENTRY_LOG_POLICY)', 'keys/entry-log-policy.json')
    .option('--retention-days <n>', 'retention for a new policy file', String(NEW_POLICY_RETENTION_DAYS))
    .action(async (options: { out: string; policy: string; retentionDays: string }) => {
      if (existsSync(options.out)) throw new CliError(`${options.out} exists; choose another file (an authority key is never overwritten)`);
      const retentionDays = Number(options.retentionDays);
      if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650) throw new CliError('--retention-days must be a whole number from 1 to 3650');
      let policy: EntryLogPolicy = { retentionDays, authorityKeys: [] };
      if (existsSync(options.policy)) {
        const read = readEntryLogPolicy(readJsonFile(options.policy, 'entry-log policy'));
        if (typeof read === 'string') throw new CliError(`entry-log policy ${options.policy} is invalid: ${read}`);
        policy = read;
      }
      const { privateJwk, publicKey } = await generateAuthorityKey();
      try {
        writeFileSync(options.out, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        throw new CliError(`cannot write the private key ${options.out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      const next: EntryLogPolicy = { retentionDays: policy.retentionDays, authorityKeys: [publicKey, ...policy.authorityKeys].slice(0, 16) };
      writeOutputFile(options.policy, `${JSON.stringify(next, null, 2)}\n`, 'entry-log policy');
      ctx.io.stdout(`authority key ${publicKey.kid}: private key ${options.out}, public key first in ${options.policy} (${next.authorityKeys.length} key(s), ${next.retentionDays}-day retention)\n`);
      ctx.io.stderr('restart the issuer (or let it reload) so the next trust bundle carries the new key; keep older keys listed until their records are past retention\n');
    });
  withExamples(keygen, ['vaxpass entry-log keygen --out authority-private.jwk --policy keys/entry-log-policy.json']);

  const query = commandAt(program, 'entry-log query')
    .summary("decrypt one venue's entry log for a time window (health authority, offline)")
    .description(
      "Open a venue's sealed records with the authority's private key(s), keep those from --from (inclusive) to --to " +
        '(exclusive), and list the registry persons behind their pass ids. The query (who, venue, window, number of people) ' +
        'is written to the audit log before any result is printed. The database is DATABASE_URL when set, else the SQLite file --db.',
    )
    .requiredOption('--venue <id>', 'venue id')
    .requiredOption('--from <iso>', 'start of the window, e.g. 2026-01-10T11:00:00+09:00')
    .requiredOption('--to <iso>', 'end of the window (exclusive)')
    .requiredOption('--key <file...>', 'authority private key JWK file(s); give old keys too to open records sealed before a rotation')
    .option('--db <path>', 'SQLite database (env VAXPASS_DB); ignored when DATABASE_URL is set', DEFAULT_DATABASE_PATH)
    .option('--operator <name>', 'who runs the query, for the audit log (default: the OS user)')
    .option('--json', 'print JSON')
    .action(async (options: { venue: string; from: string; to: string; key: string[]; db: string; operator?: string; json?: boolean }) => {
      const from = unixSeconds(parseInstant(options.from, '--from'));
      const to = unixSeconds(parseInstant(options.to, '--to'));
      const operator = options.operator ?? userInfo().username;
      if (!/^[\p{L}\p{N} ._@-]{1,64}$/u.test(operator)) throw new CliError('--operator must be a name of 1 to 64 letters, digits, spaces or . _ @ -');
      const privateKeys = new Map<string, CryptoKey>();
      for (const file of options.key) {
        const jwk = readJsonFile(file, 'authority private key') as JsonWebKey & { kid?: string };
        if (typeof jwk !== 'object' || jwk === null || jwk.crv !== 'X25519' || typeof jwk.d !== 'string' || typeof jwk.kid !== 'string') throw new CliError(`${file} is not an authority private key (an X25519 JWK with d and kid, as entry-log keygen writes)`);
        try {
          privateKeys.set(jwk.kid, await importAuthorityPrivateKey(jwk));
        } catch {
          throw new CliError(`${file}: the private key does not import`);
        }
      }
      let postgres;
      try {
        postgres = postgresConfig(process.env);
      } catch (error) {
        throw new CliError(error instanceof Error ? error.message : String(error));
      }
      if (!postgres && !existsSync(options.db)) throw new CliError(`cannot open database ${options.db}: no such file`);
      // Beside a running issuer: a read and one audit row, not a second writer (docs/operations.md).
      const db = await openStore({ databasePath: options.db, postgres, initDatabase: false, integrityCheckBudgetMs: 0 }, { besideIssuer: true });
      try {
        const answer = await queryEntryLog(db, { venueId: options.venue, from, to, privateKeys, operator, now: unixSeconds(instantOption(undefined)) });
        if (options.json) {
          ctx.io.stdout(`${JSON.stringify({ venue: options.venue, from: isoSeconds(from), to: isoSeconds(to), ...answer, people: answer.people.map((p) => ({ ...p, entries: p.entries.map(isoSeconds) })) }, null, 2)}\n`);
        } else {
          ctx.io.stdout(`venue ${options.venue}, ${isoSeconds(from)} to ${isoSeconds(to)}: ${answer.people.length} people, ${answer.records} entries\n`);
          for (const p of answer.people) ctx.io.stdout(`${p.personId}\t${p.name}\t${p.birthDate}\t${p.entries.map(isoSeconds).join(' ')}\n`);
        }
        if (answer.unmatched > 0) ctx.io.stderr(`${answer.unmatched} entries name a pass the issuer no longer holds\n`);
        if (answer.unreadable > 0) ctx.io.stderr(`${answer.unreadable} records did not open with the given key(s); pass older keys with --key too\n`);
      } catch (error) {
        if (error instanceof EntryLogQueryError) throw new CliError(error.message);
        throw error;
      } finally {
        await db.close();
      }
    });
  withExamples(query, ['vaxpass entry-log query --venue cafe-mapo --from 2026-01-10T11:00:00+09:00 --to 2026-01-10T14:00:00+09:00 --key authority-private.jwk']);
}
