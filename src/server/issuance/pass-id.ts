// A new pass id (cti): 64 random bits whose first 40 no other pass of this issuer has, so the
// bundle's 40-bit revocation prefixes are exact (docs/pass-format.md §6.2); the unique index
// issued_passes_pass_id_prefix guarantees it. A collision is rare (about one issuance in 5,000
// with 200 million passes issued). Holder issuance looks before it signs (one indexed read);
// partner issuance saves that round trip and lets the index refuse the rare clash, then signs
// again with another id (partner-issuance.ts).
import { randomBytes } from 'node:crypto';
import { toHex } from '../../core/bytes.ts';
import { REVOKED_PREFIX_BYTES } from '../../core/revoked-pass-set.ts';
import { errorChain } from '../../db/error-chain.ts';
import { passIdPrefixTaken } from '../../db/queries/issued-passes.ts';
import type { Queryable } from '../../db/store.ts';

export const MAX_PASS_ID_DRAWS = 16;

export function randomPassId(): Uint8Array {
  return new Uint8Array(randomBytes(8));
}

export async function unusedPassId(db: Queryable): Promise<Uint8Array> {
  for (let draw = 0; draw < MAX_PASS_ID_DRAWS; draw++) {
    const id = randomPassId();
    if (!(await passIdPrefixTaken(db, toHex(id.subarray(0, REVOKED_PREFIX_BYTES))))) return id;
  }
  throw new Error(`no unused pass id prefix in ${MAX_PASS_ID_DRAWS} draws`);
}

/**
 * Whether a write failed because the pass id (or its 40-bit prefix) is already taken: SQLite's
 * constraint message names the index or column, PostgreSQL's error names the constraint. Neither
 * quotes the id, and nothing else in an issuance's write touches these.
 */
export function passIdTaken(error: unknown): boolean {
  for (const e of errorChain(error)) {
    const { code, constraint, message } = e as { code?: unknown; constraint?: unknown; message?: unknown };
    if (code === '23505' && (constraint === 'issued_passes_pass_id_prefix' || constraint === 'issued_passes_pkey')) return true;
    if ((code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') && typeof message === 'string' && (message.includes('issued_passes_pass_id_prefix') || message.includes('issued_passes.pass_id'))) return true;
  }
  return false;
}
