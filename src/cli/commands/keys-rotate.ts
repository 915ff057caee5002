// vaxpass keys rotate: adds the next issuer key without downtime. The new key is published in
// trust bundles (status "next") for a lead time before it signs, so every scanner holding an
// unexpired bundle already knows it when the first pass signed by it appears. The current key
// stops signing when the new one starts and keeps verifying until its verify-until.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { addIssuerKey, KEY_PERIODS, readKeyring, writeKeyring, type KeyringFile } from '../../keys/key-directory.ts';
import { bundlePeriods, ConfigError } from '../../server/config.ts';
import type { CliContext } from '../support/cli-io.ts';
import { commandAt, withExamples } from '../support/command-tree.ts';
import { CliError } from '../support/exit-codes.ts';
import { DEFAULT_KEY_DIR, loadKeys } from '../support/key-files.ts';
import { instantOption, isoSeconds, parseDuration, unixSeconds } from '../support/time-options.ts';

/** Default lead time: one full bundle lifetime (48 h), so no scanner with an unexpired bundle misses the new key. */
export const DEFAULT_ROTATION_LEAD_SECONDS = 48 * 3600;

export interface RotationResult {
  readonly kid: string;
  readonly activatesAt: number;
  /** The key that signs until then (null when none signs now). */
  readonly previousKid: string | null;
  readonly keyring: KeyringFile;
}

/** Adds the next issuer key to the key directory; the caller checks `leadSeconds` ≥ one bundle refresh period. */
export function rotateIssuerKeys(dir: string, options: { now: number; leadSeconds: number }): RotationResult {
  const { now, leadSeconds } = options;
  const keyring = readKeyring(dir);
  const pending = keyring.issuerKeys.find((k) => k.status === 'next' && k.validFrom > now);
  if (pending) throw new CliError(`key ${pending.kid} is already waiting to start signing at ${isoSeconds(pending.validFrom)}; rotate again after that`);
  const activatesAt = now + leadSeconds;
  const signing = keyring.issuerKeys
    .filter((k) => (k.status === 'active' || k.status === 'next') && k.validFrom <= now && now <= k.signUntil)
    .sort((a, b) => b.validFrom - a.validFrom)[0];
  // The current key signs until the new one starts; its passes (exp ≤ signUntil + pass lifetime) keep verifying.
  const issuerKeys = keyring.issuerKeys.map((k) =>
    k === signing
      ? { ...k, signUntil: Math.min(k.signUntil, activatesAt), verifyUntil: Math.min(k.verifyUntil, activatesAt + KEY_PERIODS.passLifetimeSeconds) }
      : k,
  );
  const added = addIssuerKey(dir, { ...keyring, issuerKeys }, activatesAt);
  writeKeyring(dir, added.keyring);
  return { kid: added.kid, activatesAt, previousKid: signing?.kid ?? null, keyring: added.keyring };
}

/** The refresh period the issuer publishes bundles with, read from the same variables as the server. */
function bundleRefreshSeconds(): number {
  try {
    return bundlePeriods(process.env).refreshSeconds;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

/**
 * A key that started signing less than one refresh period ago may still be unknown to scanners
 * that synced before it was published; an emergency rotation now would retire it before they ever
 * learn it (a repeated --emergency used to do exactly that). Returns that key, or null.
 */
export function recentlyStartedKey(keyring: KeyringFile, now: number, refreshSeconds: number): { kid: string; validFrom: number } | null {
  return keyring.issuerKeys.find((k) => k.status !== 'revoked' && k.validFrom > now - refreshSeconds && k.validFrom <= now) ?? null;
}

/** Emergency rotations are rare and consequential: each is recorded with its reason, next to the keyring (no key material). */
function recordEmergency(dir: string, entry: { at: number; kid: string; previousKid: string | null; reason: string; forced: boolean }): void {
  appendFileSync(join(dir, 'emergency-rotations.ndjson'), `${JSON.stringify({ ...entry, at: isoSeconds(entry.at) })}\n`, { mode: 0o600 });
}

const formatHours = (seconds: number): string => `${Math.round((seconds / 3600) * 10) / 10}h`;

interface KeysRotateOptions {
  readonly dir: string;
  readonly lead?: string;
  readonly at?: string;
  readonly emergency?: boolean;
  readonly reason?: string;
  readonly force?: boolean;
}

export function registerKeysRotate(program: Command, ctx: CliContext): void {
  const command = commandAt(program, 'keys rotate')
    .summary('add the next issuer key (published before it signs)')
    .description(
      'Add the next issuer key. It is listed in trust bundles with status "next" at once and starts signing after the lead time; ' +
        'the current key stops signing then and keeps verifying until its verify-until. A running issuer picks up the change without a restart. ' +
        'The lead time must be at least one bundle refresh period (VAXPASS_BUNDLE_REFRESH_SECONDS, default 24h, read from the environment like the server does); ' +
          'the default (48h, a whole bundle lifetime) guarantees every scanner with an unexpired bundle knows the new key before its first pass. ' +
          'After revoking a compromised only key, --emergency lets the new key sign at once (or after a shorter --lead): issuance resumes, and its first passes verify at scanners once they sync.',
    )
    .option('--dir <dir>', 'key directory', DEFAULT_KEY_DIR)
    .option('--lead <duration>', 'time before the new key signs (e.g. 48h, 7d) (default: "48h", with --emergency "0s")')
    .option('--emergency', 'allow a lead time shorter than the bundle refresh period (after revoking a compromised key); needs --reason')
    .option('--reason <text>', 'why the emergency rotation is needed (recorded in emergency-rotations.ndjson in the key directory)')
    .option('--force', 'allow an emergency rotation within one refresh period of the last key start (that key is compromised too)')
    .option('--at <iso>', 'pretend the clock is at this instant (demos and tests)')
    .action((options: KeysRotateOptions) => {
      const now = unixSeconds(instantOption(options.at));
      const leadSeconds = options.lead === undefined ? (options.emergency ? 0 : DEFAULT_ROTATION_LEAD_SECONDS) : options.lead === '0s' ? 0 : parseDuration(options.lead, '--lead');
      const refreshSeconds = bundleRefreshSeconds();
      const reason = options.reason?.trim() ?? '';
      if (options.emergency && (reason.length < 3 || reason.length > 500 || /[\p{Cc}]/u.test(reason))) {
        throw new CliError('--emergency needs --reason "<why>" (3-500 characters, one line), e.g. --reason "key QumIGzkWHY4 leaked, incident 2026-041"');
      }
      if (leadSeconds < refreshSeconds && !options.emergency) {
        throw new CliError(
          `--lead must be at least one bundle refresh period (${refreshSeconds}s = ${formatHours(refreshSeconds)}, from VAXPASS_BUNDLE_REFRESH_SECONDS or half of VAXPASS_BUNDLE_LIFETIME_SECONDS): ` +
            'a scanner that synced just before the rotation must fetch a bundle listing the new key before that key signs (after revoking a compromised key, add --emergency)',
        );
      }
      if (leadSeconds < refreshSeconds) {
        ctx.io.stderr(`warning: emergency rotation: passes signed by the new key verify only at scanners that fetched a bundle after ${isoSeconds(now)}; scanners sync at least every ${formatHours(refreshSeconds)}\n`);
      }
      loadKeys(options.dir); // a clear error when the directory is missing or damaged
      const recent = options.emergency ? recentlyStartedKey(readKeyring(options.dir), now, refreshSeconds) : null;
      if (recent && !options.force) {
        throw new CliError(
          `issuer key ${recent.kid} started signing at ${isoSeconds(recent.validFrom)}, less than one bundle refresh period (${formatHours(refreshSeconds)}) ago; ` +
            'another emergency rotation now would retire it before every scanner knows it. If that key is compromised too, revoke it and add --force',
        );
      }
      const result = rotateIssuerKeys(options.dir, { now, leadSeconds });
      if (options.emergency) recordEmergency(options.dir, { at: now, kid: result.kid, previousKid: result.previousKid, reason, forced: recent !== null });
      ctx.io.stdout(`added    issuer key ${result.kid} (status next, signs from ${isoSeconds(result.activatesAt)})\n`);
      if (result.previousKid) ctx.io.stdout(`current  issuer key ${result.previousKid} signs until ${isoSeconds(result.activatesAt)}, then retires\n`);
      ctx.io.stderr(`rotation scheduled in ${options.dir}; the next trust bundle lists the new key\n`);
    });
  withExamples(command, ['vaxpass keys rotate', 'vaxpass keys rotate --dir /srv/vaxpass/keys --lead 7d', 'vaxpass keys rotate --emergency --reason "key leaked, incident 41"   # after revoking a compromised key']);
}
