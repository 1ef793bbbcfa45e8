/**
 * Whether the renderer may use the camera, the microphone and screen capture
 * now. Media is refused until the user starts or accepts a call: a renderer
 * that is compromised, or a bug, must not be able to listen or watch at any
 * other time. The permission handlers (permissions.ts) ask has() for every
 * request and every check, so the two always agree.
 *
 * CallGrants (call-grants.ts) grants one per call the user started or
 * accepted and revokes it when the call ends; nothing else grants.
 */
export class MediaGrants {
  /** one entry per grant (objects, so two grants for the same reason revoke separately) */
  private readonly held = new Set<{ reason: string }>()
  private readonly listeners = new Set<() => void>()

  /** Allow media until the returned function is called (calling it again does nothing). */
  grant (reason: string): () => void {
    const entry = { reason }
    this.held.add(entry)
    this.changed()
    return () => { if (this.held.delete(entry)) this.changed() }
  }

  has (): boolean {
    return this.held.size > 0
  }

  /** why media is allowed now, e.g. for a log line or an indicator; empty when it is not */
  reasons (): string[] {
    return [...this.held].map(e => e.reason)
  }

  /**
   * Be told after every grant and revocation, e.g. to close the screen picker
   * the moment the last call ends. Returns the function that unsubscribes.
   */
  onChange (listener: () => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  private changed (): void {
    for (const l of [...this.listeners]) l()
  }
}
