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

/**
 * The caller's signal (if any) combined with a deadline, let go when the
 * work ends: `done()` clears the timer and the listener on the caller's
 * signal. For work that opens streams, use this rather than anySignal().
 *
 * Why: Node keeps an AbortSignal.timeout() that has abort listeners, with
 * everything those listeners hold, until its timer fires; AbortSignal.any()
 * likewise while its sources live. libp2p's stream code adds such listeners
 * and leaves them. Every shard PUT of a share ran under one 60 s timeout, so
 * a daemon sharing at 40 MB/s held a minute's worth of finished streams:
 * after sharing 1 GiB a heap snapshot still had 1509 YamuxStreams, 3052
 * AbortSignals and 10577 abort closures, and the sharer's heap grew with the
 * file (issue 12: 4 GiB peaked at 334 MiB RSS).
 */
export function deadline (signal: AbortSignal | undefined, timeoutMs: number): { signal: AbortSignal, done: () => void } {
  const ctrl = new AbortController()
  const timer = setTimeout(() => { ctrl.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')) }, timeoutMs)
  // like AbortSignal.timeout(): a pending deadline does not keep the process alive
  timer.unref()
  const onAbort = (): void => { ctrl.abort(signal?.reason) }
  if (signal?.aborted === true) ctrl.abort(signal.reason)
  else signal?.addEventListener('abort', onAbort, { once: true })
  return {
    signal: ctrl.signal,
    done: () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }
}

/** The caller's signal (if any) combined with a deadline. */
export function anySignal (signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const deadline = AbortSignal.timeout(timeoutMs)
  return signal == null ? deadline : AbortSignal.any([signal, deadline])
}
