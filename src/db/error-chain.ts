// Drivers' errors arrive wrapped (drizzle's DrizzleQueryError keeps the driver's error as `cause`):
// whoever recognises one by its code looks at the error and the causes below it, a few deep.
const MAX_DEPTH = 5;

/** `error` and its causes, outermost first, objects only, at most five. */
export function* errorChain(error: unknown): Generator<object> {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < MAX_DEPTH; e = (e as { cause?: unknown }).cause, depth++) yield e;
}
