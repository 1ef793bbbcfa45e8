/**
 * Exit codes of the `wgt` command, one per WgtError code, so scripts can tell
 * "daemon not running" from "peer unreachable" without parsing stderr.
 * 2 is also what getopt-style tools use for usage errors, hence INVALID_INPUT.
 */
import type { ErrorCode } from '../../shared/errors.js'

export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  INTERNAL: 1,
  INVALID_INPUT: 2,
  NOT_RUNNING: 3,
  NOT_FOUND: 4,
  PEER_UNREACHABLE: 5,
  TIMEOUT: 6,
  UNAUTHORIZED: 7,
  POLICY_DENIED: 8,
  PROTOCOL: 9,
  UNAVAILABLE: 10,
  INTEGRITY: 11,
  QUOTA_EXCEEDED: 12,
  /** the user pressed Ctrl-C and the work was cancelled: 128 + SIGINT, as shells report it */
  CANCELLED: 130
}

export function exitCodeFor (code: ErrorCode): number {
  return EXIT_CODES[code]
}

export function exitCodeTable (): string {
  return Object.entries(EXIT_CODES)
    .sort((a, b) => a[1] - b[1])
    .map(([code, n]) => `  ${String(n).padStart(3)}  ${code}`)
    .join('\n')
}
