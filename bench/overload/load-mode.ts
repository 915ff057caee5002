// How the overload generator sends its requests (OVERLOAD_GENERATOR): the generator decides what
// is due and when and records the samples; a mode only sends and reports the outcome.

export interface HolderOutcome {
  /** 0: no answer (timeout or connection lost). */
  readonly status: number;
  readonly etag: string | undefined;
  /** ms from the request being due until it had a connection to go out on. */
  readonly socketMs: number;
}

export interface PartnerOutcome {
  readonly status: number;
  /** The problem's code for a failure (NETWORK_ERROR when there was no answer). */
  readonly code: string | undefined;
}

export interface LoadMode {
  holder(cookie: string, etag: string | undefined, done: (outcome: HolderOutcome) => void): void;
  partner(personId: string, done: (outcome: PartnerOutcome) => void): void;
  close(): void;
}

export interface ModeSettings {
  readonly url: string;
  readonly apiKey: string;
  /** A client gives up this long after the request was due. */
  readonly timeoutMs: number;
}
