/**
 * What every WGT protocol shares about reading from an untrusted peer:
 * which read errors are the peer's fault, and how to end a stream without
 * waiting on a peer that may not cooperate.
 */
import type { Stream } from '@libp2p/interface'

/**
 * Errors raised by @libp2p/utils' length-prefixed reader (and the byte stream
 * under it) when a peer declares or sends more than the bound, checked before
 * anything is allocated. These are protocol violations; EOF, reset and
 * timeouts are not: connections die for innocent reasons.
 */
const VIOLATION_ERRORS = new Set([
  'InvalidDataLengthError',
  'InvalidDataLengthLengthError',
  'InvalidMessageLengthError',
  'StreamBufferError'
])

export function isWireViolation (err: unknown): err is Error {
  return err instanceof Error && VIOLATION_ERRORS.has(err.name)
}

export function isAbort (err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')
}

/** Graceful close bounded by timeoutMs; a peer that does not cooperate gets its stream aborted. */
export async function closeStream (stream: Stream, timeoutMs = 500): Promise<void> {
  if (stream.status !== 'open') return
  try {
    await stream.close({ signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
  }
}

export function abortStream (stream: Stream, reason: string): void {
  if (stream.status === 'open' || stream.status === 'closing') stream.abort(new Error(reason))
}

/** The caller's signal (if any) combined with a deadline. */
export function anySignal (signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const deadline = AbortSignal.timeout(timeoutMs)
  return signal == null ? deadline : AbortSignal.any([signal, deadline])
}
