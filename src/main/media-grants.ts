/**
 * Whether the renderer may use the camera, the microphone and screen capture
 * now. Media is refused until the user starts or accepts a call: a renderer
 * that is compromised, or a bug, must not be able to listen or watch at any
 * other time. The permission handlers (permissions.ts) ask has() for every
 * request and every check, so the two always agree.
 *
 * Nothing in the app grants yet: calls are not built, so today media stays
 * refused and only tests grant. The calls capability will grant when a call
 * is started or accepted and revoke when it ends, one grant per call.
 */
export class MediaGrants {
  /** one entry per grant (objects, so two grants for the same reason revoke separately) */
  private readonly held = new Set<{ reason: string }>()

  /** Allow media until the returned function is called (calling it again does nothing). */
  grant (reason: string): () => void {
    const entry = { reason }
    this.held.add(entry)
    return () => { this.held.delete(entry) }
  }

  has (): boolean {
    return this.held.size > 0
  }

  /** why media is allowed now, e.g. for a log line or an indicator; empty when it is not */
  reasons (): string[] {
    return [...this.held].map(e => e.reason)
  }
}
