// Replays one vaxpass test vector (test/vectors/vaxpass-v1.json) against the core verifier with a
// given Ed25519 backend. Core, CLI and browser tests all replay the same file, so every consumer
// of the format is held to the same expected codes.
import { fromBase64Url } from '../../src/core/bytes.ts';
import type { Ed25519Backend } from '../../src/core/crypto/ed25519-backend.ts';
import { openBundle, type TrustedBundle } from '../../src/core/trust-bundle.ts';
import type { FailureCode, PassType, VerificationResult } from '../../src/core/verification-result.ts';
import { verify } from '../../src/core/verify-pass.ts';

export const VECTOR_FILE_FORMAT = 'vaxpass-vectors/1';

export type ExpectedOutcome =
  | {
      readonly ok: true;
      readonly passType: PassType;
      readonly holder: { readonly name: string; readonly birthDate: string };
      readonly rule: string;
    }
  | { readonly ok: false; readonly code: FailureCode };

export interface PassVector {
  readonly name: string;
  readonly description: string;
  readonly text: string;
  /** Name of the bundle (key of `bundles`) the scanner is offered. */
  readonly bundle: string;
  /** Name of a bundle the scanner already holds, or null. */
  readonly heldBundle: string | null;
  /** ISO-8601 instant of the scanner's clock. */
  readonly now: string;
  readonly expected: ExpectedOutcome;
}

export interface VectorFile {
  readonly format: typeof VECTOR_FILE_FORMAT;
  readonly provenance: string;
  readonly root: { readonly publicKey: string };
  readonly bundles: Readonly<Record<string, string>>;
  readonly vectors: readonly PassVector[];
}

export type ReplayResult = VerificationResult | { readonly ok: false; readonly code: FailureCode; readonly message: string };

/**
 * Contract: if heldBundle is set it is opened first and must open; then the offered bundle is
 * opened with { root, now, backend, held } and a failure there is the result; otherwise the
 * result is verify(text, bundle, { now }).
 */
export async function replayVector(vector: PassVector, file: VectorFile, backend: Ed25519Backend): Promise<ReplayResult> {
  const root = fromBase64Url(file.root.publicKey);
  if (!root) throw new Error(`vector file root key is not base64url`);
  const now = new Date(vector.now);
  let held: TrustedBundle | null = null;
  if (vector.heldBundle !== null) {
    const heldText = file.bundles[vector.heldBundle];
    if (heldText === undefined) throw new Error(`vector ${vector.name}: unknown held bundle ${vector.heldBundle}`);
    const opened = await openBundle(heldText, { root, now, backend });
    if (!opened.ok) throw new Error(`vector ${vector.name}: held bundle ${vector.heldBundle} does not open (${opened.code}: ${opened.message})`);
    held = opened.bundle;
  }
  const bundleText = file.bundles[vector.bundle];
  if (bundleText === undefined) throw new Error(`vector ${vector.name}: unknown bundle ${vector.bundle}`);
  const opened = await openBundle(bundleText, { root, now, backend, held });
  if (!opened.ok) return opened;
  return verify(vector.text, opened.bundle, { now });
}

/** Why a result does not match the vector's expectation, or null when it does. */
export function mismatch(result: ReplayResult, expected: ExpectedOutcome): string | null {
  if (expected.ok) {
    if (!result.ok) return `expected valid, got ${result.code} (${result.message})`;
    if (result.passType !== expected.passType) return `expected pass type ${expected.passType}, got ${result.passType}`;
    if (result.rule !== expected.rule) return `expected rule ${expected.rule}, got ${result.rule}`;
    if (result.holder.name !== expected.holder.name || result.holder.birthDate !== expected.holder.birthDate) {
      return `expected holder ${JSON.stringify(expected.holder)}, got ${JSON.stringify(result.holder)}`;
    }
    return null;
  }
  if (result.ok) return `expected ${expected.code}, got valid`;
  if (result.code !== expected.code) return `expected ${expected.code}, got ${result.code} (${result.message})`;
  return null;
}
