/**
 * Camera and microphone for the calls the user placed or answered, and for
 * nothing else (media-grants.ts). The node tells every change of a call in a
 * 'call:state' event; a call is the user's once it is outgoing (only the
 * user's startCall creates one) or incoming and answered (state 'connecting'
 * or 'active', which only the user's acceptCall leads to). An incoming call
 * that only rings grants nothing: the peer ringing must not open the camera.
 * One grant per call id, revoked when that call ends, and all of them on
 * stop (quit).
 */
import type { Call, NodeApi } from '../shared/api/index.js'
import type { MediaGrants } from './media-grants.js'

/** Ended calls remembered, so a late event about one cannot grant again (ids are never reused). */
const ENDED_KEPT = 256

export class CallGrants {
  /** call id → its revocation */
  private readonly revokes = new Map<string, () => void>()
  private readonly ended = new Set<string>()
  private off: (() => void) | null

  constructor (on: NodeApi['on'], private readonly grants: MediaGrants) {
    this.off = on('call:state', call => { this.update(call) })
  }

  /** the calls that hold a grant now */
  calls (): string[] {
    return [...this.revokes.keys()]
  }

  /** Unsubscribe and revoke every grant (idempotent). */
  stop (): void {
    this.off?.()
    this.off = null
    for (const revoke of this.revokes.values()) revoke()
    this.revokes.clear()
  }

  private update (call: Call): void {
    if (this.off == null) return
    if (call.state === 'ended') {
      this.revokes.get(call.id)?.()
      this.revokes.delete(call.id)
      this.ended.add(call.id)
      if (this.ended.size > ENDED_KEPT) this.ended.delete(this.ended.values().next().value as string)
      return
    }
    const users = call.outgoing || call.state === 'connecting' || call.state === 'active'
    if (!users || this.revokes.has(call.id) || this.ended.has(call.id)) return
    this.revokes.set(call.id, this.grants.grant(`${call.outgoing ? 'call to' : 'call from'} ${call.peerId} (${call.id})`))
  }
}
