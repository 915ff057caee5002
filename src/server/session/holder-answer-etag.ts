// The ETag of a holder answer names the version of the code that built it. A stored ETag is
// confirmed with a 304 without rebuilding the answer (holder-not-modified.ts), so when a release
// changes what the answer holds or how it is laid out, the ETags stored by the previous release
// would go on confirming the previous release's answers to holders who still have them. Raise
// HOLDER_ANSWER_FORMAT in that release: a 304 is given only for ETags of the current format, so
// older ones take the full path once and get the new answer. No write at start and no operator
// step, and it holds during a rolling deploy too: a new instance never confirms an old instance's
// ETag, whichever of them stored it last (docs/operations.md "Holder refresh 304").
//
// test/server/holder-answer-format.test.ts fails when the answer for a fixed person and clock
// changes while the format stays: that test is the reminder to raise it.
import { strongEtag } from '../http-cache.ts';

/** Raise when the holder answer for the same data changes (fields, order, encoding, pass contents). */
export const HOLDER_ANSWER_FORMAT = 2;

const CURRENT = `"h${HOLDER_ANSWER_FORMAT}-`;

/** The strong ETag of a holder answer body, tagged with the current format. */
export function holderAnswerEtag(body: string): string {
  return `${CURRENT}${strongEtag(body).slice(1)}`;
}

/** Whether an ETag was made by this format (only those may be confirmed without rebuilding the answer). */
export function isCurrentHolderAnswerEtag(etag: string): boolean {
  return etag.startsWith(CURRENT);
}
