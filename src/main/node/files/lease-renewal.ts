/**
 * The owner's node keeps its shares alive: every renewEveryMs it asks each
 * holder of a file it shared to extend its leases (RENEW, a small request
 * per holder, no data). Holders let a lease lapse that nobody renews, so the
 * shards of a file whose owner is gone for good, or of a share that failed
 * half-way on a peer that could not be told, are collected in the end
 * instead of being kept forever.
 */
import type { Logger } from '@libp2p/interface'
import type { FilesContext } from './context.js'

export interface RenewalResult { holders: number, renewed: number, lost: number }

export class LeaseRenewal {
  private timer: ReturnType<typeof setInterval> | undefined
  private first: ReturnType<typeof setTimeout> | undefined
  private running: Promise<RenewalResult> | undefined
  private readonly stopping = new AbortController()
  private readonly log: Logger

  constructor (private readonly ctx: FilesContext, private readonly renewEveryMs: number) {
    this.log = ctx.log.newScope('renew')
  }

  /**
   * A round a minute after start (once peers are connected), then every
   * renewEveryMs: a desktop app restarted more often than that still renews.
   */
  start (firstAfterMs = 60_000): void {
    const round = (): void => { void this.runOnce(this.stopping.signal).catch(err => { if (!this.stopping.signal.aborted) this.log.error('lease renewal failed - %e', err) }) }
    this.first = setTimeout(round, Math.min(firstAfterMs, this.renewEveryMs))
    this.first.unref()
    this.timer = setInterval(round, this.renewEveryMs)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearTimeout(this.first)
    clearInterval(this.timer)
    this.stopping.abort()
    await this.running?.catch(() => {})
  }

  /** One round over every file this node shared; a round already running is joined. */
  async runOnce (signal?: AbortSignal): Promise<RenewalResult> {
    this.running ??= this.round(signal).finally(() => { this.running = undefined })
    return await this.running
  }

  private async round (signal?: AbortSignal): Promise<RenewalResult> {
    const byHolder = new Map<string, Set<string>>()
    for (const entry of await this.ctx.records.list()) {
      if (entry.direction !== 'shared') continue
      const rec = await this.ctx.records.get(entry.id)
      if (rec == null) continue
      const add = (peer: string, cid: string): void => {
        if (peer === this.ctx.self) return
        let s = byHolder.get(peer)
        if (s == null) { s = new Set(); byHolder.set(peer, s) }
        s.add(cid)
      }
      for (const p of rec.rootHolders) add(p, rec.entry.id)
      for (const seg of [...rec.root.segments, ...rec.manifest.segments]) {
        seg.shards.forEach((cid, i) => { for (const p of seg.holders[i] ?? []) add(p, cid) })
      }
    }
    let renewed = 0
    let lost = 0
    for (const [peer, cids] of byHolder) {
      signal?.throwIfAborted()
      try {
        const flags = await this.ctx.shards.renew(peer, [...cids], this.ctx.leaseMs, { signal })
        renewed += flags.filter(Boolean).length
        lost += flags.filter(f => !f).length
      } catch (err) {
        // unreachable now: the next round tries again, well within the lease
        this.log('cannot renew %d leases at %s: %s', cids.size, peer, (err as Error).message)
      }
    }
    return { holders: byHolder.size, renewed, lost }
  }
}
