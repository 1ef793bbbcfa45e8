/** A peer's free-text reason (a refusal, a failure), made safe to show to a person. */

/** a refusal's reason, in characters: a sentence, not a page */
export const MAX_REASON_CHARS = 200

/** A peer's reason, made safe to show: printable, one line, bounded. */
export function cleanReason (reason: string): string {
  // eslint-disable-next-line no-control-regex
  const line = reason.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim()
  return line.length > MAX_REASON_CHARS ? line.slice(0, MAX_REASON_CHARS - 1) + '…' : line
}
