/**
 * FilesService: the API's file methods (FileMethods) on top of the shard and
 * offer protocols, the shard store, the DHT and the file records. Every
 * operation gets an AbortSignal that stop() fires, so stopping the node never
 * waits on a transfer.
 */
import type { Libp2p, Logger } from '@libp2p/interface'
import { WgtError } from '../../../shared/errors.js'
import type { EventHub } from '../../../shared/rpc.js'
import type { FetchResult, FileEntry, FileHealth, PeerEntry, RepairResult, ShareOptions, ShareResult, StorageInfo } from '../../../shared/types.js'
import type { FileMethods } from '../api/node-api.js'
import type { ViolationReporter } from '../guard/reputation.js'
import type { ShardStore } from '../storage/index.js'
import type { FilesContext } from './context.js'
import { fetchFile, openLink } from './fetch.js'
import { census, repair } from './health.js'
import { parseLink } from './link.js'
import { Announcer, Locator } from './locate.js'
import type { OfferService } from './offer-service.js'
import { Progress } from './progress.js'
import { FileRecords, type FileRecord } from './records.js'
import { shareFile } from './share.js'
import type { ShardService } from './shard-service.js'

export interface FilesServiceInit {
  libp2p: Libp2p
  shards: ShardService
  offers: OfferService
  store: ShardStore
  records: FileRecords
  announcer: Announcer
  hub: EventHub
  reputation: ViolationReporter
  peers: () => Promise<PeerEntry[]>
  rtt: (peerId: string) => number
  downloadDir: string
  log: Logger
  /** lease asked of peers for placed shards (default 365 days) */
  leaseMs?: number
}

export class FilesService implements FileMethods {
  private readonly ctx: FilesContext
  private readonly running = new Set<AbortController>()
  private stopped = false
  // No re-announce at start: kad-dht keeps the records we provided in the datastore and its
  // reprovider republishes them before they expire, across restarts.

  constructor (private readonly init: FilesServiceInit) {
    this.ctx = {
      self: init.libp2p.peerId.toString(),
      shards: init.shards,
      store: init.store,
      locator: new Locator(init.libp2p),
      announcer: init.announcer,
      records: init.records,
      peers: init.peers,
      rtt: init.rtt,
      reputation: init.reputation,
      hub: init.hub,
      downloadDir: () => init.downloadDir,
      leaseMs: init.leaseMs ?? 365 * 24 * 3600_000,
      log: init.log
    }
  }

  /** Aborts every running operation and waits for them to unwind. */
  async stop (): Promise<void> {
    this.stopped = true
    for (const c of this.running) c.abort(new WgtError('NOT_RUNNING', 'the node is stopping'))
    this.init.announcer.stop()
    while (this.running.size > 0) await new Promise(resolve => setTimeout(resolve, 10))
  }

  private async run<T> (fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.stopped) throw new WgtError('NOT_RUNNING', 'the node is stopping')
    const ctrl = new AbortController()
    this.running.add(ctrl)
    try {
      return await fn(ctrl.signal)
    } finally {
      this.running.delete(ctrl)
    }
  }

  async shareFile (path: string, options: ShareOptions = {}): Promise<ShareResult> {
    return await this.run(async signal => await shareFile(this.ctx, path, options, signal))
  }

  async fetchFile (link: string, outPath?: string): Promise<FetchResult> {
    return await this.run(async signal => await fetchFile(this.ctx, link, outPath, signal))
  }

  async listFiles (): Promise<FileEntry[]> {
    return await this.init.records.list()
  }

  async fileHealth (idOrLink: string): Promise<FileHealth> {
    return await this.run(async signal => (await census(this.ctx, await this.record(idOrLink, signal), signal)).health)
  }

  async repairFile (idOrLink: string): Promise<RepairResult> {
    return await this.run(async signal => {
      const rec = await this.record(idOrLink, signal)
      const progress = new Progress('repair', rec.entry.name, p => { this.ctx.hub.emit('file:progress', p) })
      progress.fileId = rec.entry.id
      try {
        const { recreated, record } = await repair(this.ctx, rec, progress, signal)
        const { health } = await census(this.ctx, record, signal)
        progress.report('done', recreated, recreated, 'shards')
        return { id: rec.entry.id, recreated, health }
      } catch (err) {
        const e = WgtError.from(err)
        progress.failed(e)
        throw e
      }
    })
  }

  async offerFile (peerId: string, link: string): Promise<void> {
    await this.run(async signal => {
      const { manifestId } = parseLink(link)
      const rec = await this.init.records.get(manifestId)
      const { name, size } = rec != null ? rec.entry : (await openLink(this.ctx, link, new Set(), signal)).manifest
      await this.init.offers.send(peerId, { link, name, size }, { signal })
    })
  }

  async getStorage (): Promise<StorageInfo> {
    const s = this.init.store.stats()
    return { used: s.used, quota: s.quota, shards: s.shards, downloadDir: this.init.downloadDir }
  }

  async setStorageQuota (bytes: number): Promise<StorageInfo> {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new WgtError('INVALID_INPUT', `quota must be a non-negative integer, got ${bytes}`)
    this.init.store.setQuota(bytes)
    await this.init.records.saveQuota(bytes)
    return await this.getStorage()
  }

  /** A file's record by id or link; a link we have no record of is opened (root + manifest) on the spot. */
  private async record (idOrLink: string, signal: AbortSignal): Promise<FileRecord> {
    const isLink = idOrLink.startsWith('wgt://')
    const id = isLink ? parseLink(idOrLink).manifestId : idOrLink
    const rec = await this.init.records.get(id)
    if (rec != null) return rec
    if (!isLink) throw new WgtError('NOT_FOUND', `no file ${id} on this node; pass its wgt:// link instead`)
    const file = await openLink(this.ctx, idOrLink, new Set(), signal)
    const { manifest } = file
    return {
      entry: { id, link: idOrLink, name: manifest.name, size: manifest.size, k: manifest.params.k, m: manifest.params.m, segments: manifest.segments.length, direction: 'received', path: null, createdAt: Date.now() },
      root: file.root,
      manifest,
      rootHolders: file.rootHolders
    }
  }
}
