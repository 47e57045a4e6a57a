/** Who an entry code lets onto which content host. */
export interface Entry {
  sessionId: string;
  participantId: string;
  label: string;
}

/** Single-use, short-lived codes that carry a participant from one origin onto a content host. */
export interface EntryCodes {
  issue(entry: Entry): string;
  redeem(code: string, accept: (entry: Entry) => boolean): Entry | null;
}

export const ENTRY_CODE_LIFETIME_MS = 60_000;

/** Where a code is redeemed on its content host; `to` is the path the browser lands on afterwards. */
export const entryUrl = (contentOrigin: string, code: string, to: string) =>
  `${contentOrigin}/__tandem/enter?code=${code}&to=${encodeURIComponent(to)}`;
