/**
 * The canonical hash of a TaskResult, the value honest workers agree on and
 * the requester's majority vote compares:
 *
 *   ok:      SHA-256(0x01 || output)
 *   failure: SHA-256(0x00 || verdict as ASCII)
 *
 * A failure's message is left out on purpose: it carries the engine's trap
 * text ("unreachable", "memory access out of bounds" — wording that differs
 * between V8 versions and between engines) and our own wording, which may
 * change between WGT versions; the verdict is the deterministic part. Two
 * honest workers that both ran out of budget agree; a worker claiming 'trap'
 * where others computed an output is outvoted like any other wrong answer.
 */
import { createHash } from 'node:crypto'
import type { TaskResult } from '../types.js'

export function resultSha256 (result: TaskResult): string {
  const h = createHash('sha256')
  if (result.ok) {
    h.update(new Uint8Array([1]))
    h.update(result.output)
  } else {
    h.update(new Uint8Array([0]))
    h.update(result.verdict, 'ascii')
  }
  return h.digest('hex')
}
