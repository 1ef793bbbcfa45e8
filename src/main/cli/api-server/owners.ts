/**
 * Who started which operation, so that work nobody is left to watch, take or
 * cancel is cancelled (issue 6: "a client that goes away cancels what it
 * started"), and nothing else is:
 * - a client that names itself (the browser UI sends a per-tab id that
 *   survives a reload) gets a grace period: a tab that reconnects within it,
 *   after a network blip or a daemon restart of its WebSocket, keeps its work;
 * - a client that does not (the `wgt` command) is gone when its connection is;
 * - a connection the server closes itself (the token was rotated) cancels nothing.
 * Calls a client started or answered are its work too (its window holds the
 * media): they go by callWork(id), and "cancel" hangs them up.
 */
export const CLIENT_GRACE_MS = 60_000

const CALL = 'call:'
/** The owned-work id of a call (operation ids never contain ':'). */
export function callWork (callId: string): string {
  return CALL + callId
}
/** The call id of owned work, or null when it is an operation. */
export function callOf (work: string): string | null {
  return work.startsWith(CALL) ? work.slice(CALL.length) : null
}

interface Owner {
  ops: Set<string>
  sessions: number
  timer?: ReturnType<typeof setTimeout>
}

export class OperationOwners {
  private readonly owners = new Map<string, Owner>()
  private readonly ownerOf = new Map<string, string>()
  private stopped = false

  constructor (private readonly cancel: (op: string) => void, private readonly graceMs = CLIENT_GRACE_MS) {}

  opened (owner: string): void {
    if (this.stopped) return
    const o = this.get(owner)
    o.sessions++
    clearTimeout(o.timer)
    o.timer = undefined
  }

  started (owner: string, op: string): void {
    if (this.stopped) return
    this.get(owner).ops.add(op)
    this.ownerOf.set(op, owner)
  }

  ended (op: string): void {
    const owner = this.ownerOf.get(op)
    if (owner == null) return
    this.ownerOf.delete(op)
    const o = this.owners.get(owner)
    o?.ops.delete(op)
    if (o != null && o.ops.size === 0 && o.sessions === 0) this.forget(owner)
  }

  /** A connection of `owner` closed; `named`: the client gave an id it may come back with. */
  closed (owner: string, how: { named: boolean, cancel: boolean }): void {
    const o = this.owners.get(owner)
    if (o == null || this.stopped) return
    o.sessions = Math.max(0, o.sessions - 1)
    if (o.sessions > 0) return
    if (!how.cancel || o.ops.size === 0) {
      if (o.ops.size === 0) this.forget(owner)
      return
    }
    if (!how.named || this.graceMs === 0) { this.cancelAll(owner); return }
    o.timer = setTimeout(() => { this.cancelAll(owner) }, this.graceMs)
    o.timer.unref?.()
  }

  /** the server is stopping: nothing is cancelled from here on */
  stop (): void {
    this.stopped = true
    for (const o of this.owners.values()) clearTimeout(o.timer)
    this.owners.clear()
    this.ownerOf.clear()
  }

  private cancelAll (owner: string): void {
    const o = this.owners.get(owner)
    if (o == null || o.sessions > 0) return
    for (const op of o.ops) this.cancel(op)
    this.forget(owner)
  }

  private forget (owner: string): void {
    const o = this.owners.get(owner)
    if (o == null) return
    clearTimeout(o.timer)
    for (const op of o.ops) this.ownerOf.delete(op)
    this.owners.delete(owner)
  }

  private get (owner: string): Owner {
    let o = this.owners.get(owner)
    if (o == null) { o = { ops: new Set(), sessions: 0 }; this.owners.set(owner, o) }
    return o
  }
}
