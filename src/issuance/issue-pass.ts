// Issuance: facts from the registry + the server clock → a signed pass. The issuer alone sets
// iss, kid, iat, nbf, exp and the pass id; nothing here comes from a client.
import { randomBytes } from 'node:crypto';
import type { PassContent } from '../core/pass-content.ts';
import { signPass } from '../core/sign-pass.ts';
import { toHex } from '../core/bytes.ts';
import type { IssuerSigningKey } from '../keys/key-directory.ts';
import { ed25519Signer } from '../keys/key-directory.ts';

const DAY = 86_400;
/** Pass lifetimes by type. The rules in the trust bundle decide acceptance; exp only bounds how long a pass can ever be used. */
export const PASS_LIFETIME_SECONDS = { vaccination: 365 * DAY, recovery: 365 * DAY, exemption: 365 * DAY } as const;
const TEST_PASS_LIFETIME_AFTER_SAMPLING = 7 * DAY;

export interface IssuedPass {
  readonly text: string;
  readonly passId: string;
  readonly kid: string;
  readonly type: PassContent['type'];
  readonly iat: number;
  readonly exp: number;
}

export interface IssuePassInput {
  readonly content: PassContent;
  readonly issuer: string;
  /** Server clock, unix seconds. */
  readonly now: number;
  readonly key: IssuerSigningKey;
  /** 8 random bytes (64 bits) unless a test injects them. */
  readonly passId?: Uint8Array;
}

export function passExpiry(content: PassContent, now: number, keyVerifyUntil: number): number {
  const exp = content.type === 'test' ? content.test.sampledAt + TEST_PASS_LIFETIME_AFTER_SAMPLING : now + PASS_LIFETIME_SECONDS[content.type];
  return Math.min(exp, keyVerifyUntil);
}

export async function issuePass(input: IssuePassInput): Promise<IssuedPass> {
  const cti = input.passId ?? new Uint8Array(randomBytes(8));
  const iat = input.now;
  const exp = passExpiry(input.content, iat, input.key.entry.verifyUntil);
  if (exp <= iat) throw new TypeError('pass would already be expired at issue');
  const text = await signPass({ iss: input.issuer, iat, nbf: iat, exp, cti, content: input.content }, input.key.kidBytes, ed25519Signer(input.key.privateKey));
  return { text, passId: toHex(cti), kid: input.key.kid, type: input.content.type, iat, exp };
}
