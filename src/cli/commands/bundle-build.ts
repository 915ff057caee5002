// vaxpass bundle build: signs the trust bundle scanners cache (issuer keys, revocations, rules).
import type { Command } from 'commander';
import { DEFAULT_RULES, openBundle, readRules, type Rules } from '../../core/index.ts';
import { createNodeCryptoBackend } from '../../node/node-crypto-backend.ts';
import { buildForeignTrust, ForeignTrustError } from '../../publication/foreign-trust-sources.ts';
import { signTrustBundle } from '../../publication/sign-trust-bundle.ts';
import type { CliContext } from '../support/cli-io.ts';
import { commandAt, withExamples } from '../support/command-tree.ts';
import { CliError } from '../support/exit-codes.ts';
import { readJsonFile, writeOutputFile } from '../support/files.ts';
import { DEFAULT_KEY_DIR, loadKeys } from '../support/key-files.ts';
import { instantOption, isoSeconds, parseDuration, unixSeconds } from '../support/time-options.ts';

interface BundleBuildOptions {
  readonly keys: string;
  readonly out?: string;
  readonly version?: string;
  readonly ttl: string;
  readonly rules?: string;
  readonly at?: string;
  readonly euDccTrust: string[];
  readonly shcDirectory: string[];
  readonly nzcpTrust: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerBundleBuild(program: Command, ctx: CliContext): void {
  const command = commandAt(program, 'bundle build')
    .summary('sign a trust bundle with the current keys and rules')
    .description(
      'Sign a trust bundle (compact JWS) with the key directory\'s bundle-signing key: the issuer keys from keyring.json, ' +
        'the validity rules (the built-in Korea January 2022 rules unless --rules is given) and no revocations. ' +
        'Writes the bundle to --out or stdout.',
    )
    .option('--keys <dir>', 'key directory', DEFAULT_KEY_DIR)
    .option('--out <file>', 'write the bundle here instead of stdout')
    .option('--version <n>', 'bundle version; must grow with every bundle (default: the build time in unix seconds)')
    .option('--ttl <duration>', 'how long scanners may use the bundle, e.g. 48h or 7d', '48h')
    .option('--rules <file>', 'validity rules as JSON (same shape as the bundle\'s "rules")')
    .option('--at <iso>', 'pretend the clock is at this instant (demos and tests)')
    .option('--eu-dcc-trust <file>', 'EU DCC trust list {"certificates":[{kid, country, certificateType, rawData}]} (repeatable)', collect, [])
    .option('--shc-directory <file>', 'SMART Health Card directory snapshot {"issuer_info":[…]} (repeatable)', collect, [])
    .option('--nzcp-trust <file>', 'NZ COVID Pass trust {"trustedIssuers":[DID…],"didDocuments":{…}} (repeatable)', collect, [])
    .action(async (options: BundleBuildOptions) => {
      const now = unixSeconds(instantOption(options.at));
      const ttl = parseDuration(options.ttl, '--ttl');
      const version = options.version === undefined ? now : parseVersion(options.version);
      const rules = options.rules === undefined ? DEFAULT_RULES : loadRules(options.rules);
      const foreign = loadForeignTrust(options);
      const keys = loadKeys(options.keys);
      if (now > keys.signer.certificateExpiresAt) {
        throw new CliError(`the bundle-signing certificate in ${options.keys} expired at ${isoSeconds(keys.signer.certificateExpiresAt)}; create a new bundle-signing key`);
      }
      const expiresAt = now + ttl;
      if (expiresAt > keys.signer.certificateExpiresAt) {
        ctx.io.stderr(`warning: scanners reject this bundle after ${isoSeconds(keys.signer.certificateExpiresAt)}, when its signing certificate expires\n`);
      }
      const bundle = await signTrustBundle(
        { version, issuedAt: now, expiresAt, keys: keys.issuerKeys, revokedPassPrefixes: {}, revokedKeys: [], rules, ...(foreign ? { foreign } : {}) },
        { privateKey: keys.signer.privateKey, kid: keys.signer.kid, certificate: keys.signer.certificate },
      );
      // Open it exactly as a scanner would before anyone gets it: a damaged keyring (a kid listed
      // twice, a key that is not base64url) or a certificate from another root would otherwise
      // only show up as "cannot verify" at every venue.
      const check = await openBundle(bundle, { root: keys.rootPublicKey, now: new Date(now * 1000), backend: createNodeCryptoBackend() });
      if (!check.ok) throw new CliError(`refusing to publish a bundle scanners would reject (${check.code}: ${check.message}); check ${options.keys}`);
      if (options.out === undefined) ctx.io.stdout(`${bundle}\n`);
      else writeOutputFile(options.out, `${bundle}\n`, 'bundle file');
      ctx.io.stderr(
        `signed bundle version ${version}: ${keys.issuerKeys.length} issuer key(s)` +
          `${foreign ? `, foreign trust: ${foreign.euDcc.length} EU DCC signer(s), ${foreign.shc.length} SHC issuer(s), ${foreign.nzcp.length} NZCP issuer(s)` : ''}, valid ${isoSeconds(now)} to ${isoSeconds(expiresAt)}` +
          `${options.out === undefined ? '' : `, written to ${options.out}`}\n`,
      );
    });
  withExamples(command, [
    'vaxpass bundle build --out bundle.jws',
    'vaxpass bundle build --ttl 7d --rules rules.json --out bundle.jws',
    'vaxpass bundle build --at 2022-01-15T00:00:00+09:00 --out demo-bundle.jws',
    'vaxpass bundle build --out bundle.jws --eu-dcc-trust eu-dsc.json --shc-directory vci-issuers.json --nzcp-trust nzcp.json',
  ]);
}

function parseVersion(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new CliError(`--version must be a non-negative integer (got ${JSON.stringify(text)})`);
  return Number(text);
}

function loadRules(path: string): Rules {
  const rules = readRules(readJsonFile(path, 'rules file'));
  if (typeof rules === 'string') throw new CliError(`rules file ${path}: ${rules}`);
  return rules;
}

function loadForeignTrust(options: BundleBuildOptions): ReturnType<typeof buildForeignTrust> {
  const read = (paths: readonly string[], what: string) => paths.map((path) => ({ source: path, json: readJsonFile(path, what) }));
  try {
    return buildForeignTrust({
      euDcc: read(options.euDccTrust, 'EU DCC trust list'),
      shc: read(options.shcDirectory, 'SMART Health Card directory'),
      nzcp: read(options.nzcpTrust, 'NZ COVID Pass trust file'),
    });
  } catch (error) {
    if (error instanceof ForeignTrustError) throw new CliError(error.message);
    throw error;
  }
}
