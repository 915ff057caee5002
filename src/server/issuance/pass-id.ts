// A new pass id (cti): 64 random bits whose first 40 no other pass of this issuer has, so the
// bundle's 40-bit revocation prefixes are exact (docs/pass-format.md §6.2). A collision is rare
// (about one issuance in 5,000 with 200 million passes issued) and costs one more indexed lookup.
import { randomBytes } from 'node:crypto';
import { toHex } from '../../core/bytes.ts';
import { REVOKED_PREFIX_BYTES } from '../../core/revoked-pass-set.ts';
import { passIdPrefixTaken } from '../../db/queries/issued-passes.ts';
import type { Queryable } from '../../db/store.ts';

const MAX_DRAWS = 16;

export async function unusedPassId(db: Queryable): Promise<Uint8Array> {
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const id = new Uint8Array(randomBytes(8));
    if (!(await passIdPrefixTaken(db, toHex(id.subarray(0, REVOKED_PREFIX_BYTES))))) return id;
  }
  throw new Error(`no unused pass id prefix in ${MAX_DRAWS} draws`);
}
