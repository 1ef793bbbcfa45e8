/**
 * Keeps the configured bootstrap peers connected, and at start redials the
 * peers remembered in the peer store, as users of Syncthing or IPFS expect
 * after a restart. @libp2p/bootstrap dials them
 * once at start, through the peer store, where a restarted node still holds
 * the peer's old addresses; that dial can spend its whole timeout on dead ones.
 * This dials the exact configured multiaddr whenever that peer is not
 * connected, with exponential backoff, until stopped.
 */
import type { Libp2p } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

interface Target { addr: Multiaddr, peerId: string, delayMs: number, timer?: ReturnType<typeof setTimeout>, dialing: boolean }

export class BootstrapKeeper {
  private readonly targets: Target[]
  private running = false
  private readonly onDisconnect = (evt: CustomEvent<{ toString: () => string }>): void => {
    const id = evt.detail.toString()
    for (const t of this.targets) if (t.peerId === id) { t.delayMs = this.minDelayMs; this.schedule(t) }
  }

  /** remembered peers redialled at start; more would be a dial storm on a big peer store */
  static readonly REMEMBERED_LIMIT = 32

  constructor (private readonly libp2p: Libp2p, addrs: string[], private readonly minDelayMs = 1000, private readonly maxDelayMs = 30_000) {
    this.targets = addrs.map(a => multiaddr(a)).flatMap(addr => {
      const peerId = addr.getComponents().findLast(c => c.name === 'p2p')?.value
      return peerId == null ? [] : [{ addr, peerId, delayMs: minDelayMs, dialing: false }]
    })
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    for (const t of this.targets) { t.delayMs = 0; this.schedule(t) }
    void this.redialRemembered()
  }

  private async redialRemembered (): Promise<void> {
    const self = this.libp2p.peerId
    const bootstrap = new Set(this.targets.map(t => t.peerId))
    const peers = (await this.libp2p.peerStore.all().catch(() => []))
      .filter(p => !p.id.equals(self) && p.addresses.length > 0 && !bootstrap.has(p.id.toString()))
      .slice(0, BootstrapKeeper.REMEMBERED_LIMIT)
    await Promise.all(peers.map(async p => {
      if (!this.running || this.libp2p.getConnections(p.id).length > 0) return
      // best effort: a remembered peer may be gone for good
      await this.libp2p.dial(p.id).catch(() => {})
    }))
  }

  stop (): void {
    this.running = false
    this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    for (const t of this.targets) { clearTimeout(t.timer); t.timer = undefined }
  }

  private schedule (t: Target): void {
    if (!this.running || t.timer != null || t.dialing) return
    t.timer = setTimeout(() => { t.timer = undefined; void this.attempt(t) }, t.delayMs)
  }

  private connected (t: Target): boolean {
    return this.libp2p.getConnections().some(c => c.remotePeer.toString() === t.peerId)
  }

  private async attempt (t: Target): Promise<void> {
    if (!this.running || this.connected(t)) return
    t.dialing = true
    try {
      await this.libp2p.dial(t.addr)
      t.delayMs = this.minDelayMs
    } catch {
      t.delayMs = Math.min(Math.max(t.delayMs * 2, this.minDelayMs), this.maxDelayMs)
    } finally {
      t.dialing = false
    }
    if (!this.connected(t)) this.schedule(t)
  }
}
