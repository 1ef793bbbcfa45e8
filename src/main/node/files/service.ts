/**
 * FilesService: the files slice of the API on top of the shard and offer
 * protocols, the shard store, the DHT, the file records and the inbox.
 * Share, fetch and repair run as operations (operations/registry.ts): the
 * call checks its input and answers the operation's id at once. Every other
 * call gets an AbortSignal that stop() fires, so stopping the node never
 * waits on the network.
 */
import { rm, stat } from 'node:fs/promises'
import type { FileEntry, FileHealth, FileOffer, InspectOptions, LinkPreview, OperationRef, RemoveOptions, ShareOptions, SliceApi, files } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import type { OperationRegistry } from '../operations/registry.js'
import type { FilesContext } from './context.js'
import { fetchFile, openLink } from './fetch.js'
import { census, repair } from './health.js'
import type { Inbox } from './inbox.js'
import { MAX_INSPECTIONS, inspectLink } from './inspect.js'
import { parseLink } from './link.js'
import { sanitizeName } from './names.js'
import { offerProblem } from './offer-check.js'
import type { OfferService } from './offer-service.js'
import type { FileRecord } from './records.js'
import { holdings, releaseEverywhere } from './release.js'
import { shareFile, shareTarget } from './share.js'

export interface FilesServiceDeps {
  operations: OperationRegistry
  offers: OfferService
  inbox: Inbox
}

export class FilesService implements SliceApi<typeof files> {
  private readonly running = new Set<AbortController>()
  private stopped = false
  /** offer id → the fetch accepting it */
  private readonly accepting = new Map<string, string>()
  /** inspectLink calls running now */
  private inspecting = 0

  constructor (private readonly ctx: FilesContext, private readonly deps: FilesServiceDeps) {}

  /** Aborts every running call (operations are stopped by their registry) and waits for them to unwind. */
  async stop (): Promise<void> {
    this.stopped = true
    for (const c of this.running) c.abort(new WgtError('NOT_RUNNING', 'the node is stopping'))
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

  async shareFile (path: string, options: ShareOptions = {}): Promise<OperationRef> {
    const target = await shareTarget(path)
    return this.deps.operations.start('share', { label: target.name }, async op => await shareFile(this.ctx, target, options, op))
  }

  async fetchFile (link: string, outPath?: string): Promise<OperationRef> {
    return await this.startFetch(link, { outPath, from: null, label: null })
  }

  private async startFetch (link: string, opts: { outPath?: string, from: string | null, label: string | null }): Promise<OperationRef> {
    const { manifestId } = parseLink(link)
    const known = await this.ctx.records.get(manifestId)
    const label = opts.label ?? known?.entry.name ?? `${link.slice(0, 22)}…`
    return this.deps.operations.start('fetch', { label, fileId: manifestId, from: opts.from },
      async op => await fetchFile(this.ctx, link, { outPath: opts.outPath, from: opts.from }, op))
  }

  /**
   * At most MAX_INSPECTIONS at once; more fail at once rather than queue:
   * links can be opened from outside faster than a person reads them, and
   * each inspection may ask up to ROOT_ASK_LIMIT peers.
   */
  async inspectLink (link: string, options: InspectOptions = {}): Promise<LinkPreview> {
    if (this.inspecting >= MAX_INSPECTIONS) {
      throw new WgtError('UNAVAILABLE', `this node is already reading ${MAX_INSPECTIONS} links; try again when one of them is done`)
    }
    this.inspecting++
    try {
      return await this.run(async signal => await inspectLink(this.ctx, link, options, { offers: async () => await this.deps.inbox.list() }, signal))
    } finally {
      this.inspecting--
    }
  }

  async listFiles (): Promise<FileEntry[]> {
    return await this.ctx.records.list()
  }

  async fileHealth (idOrLink: string): Promise<FileHealth> {
    return await this.run(async signal => (await census(this.ctx, await this.record(idOrLink, signal), signal)).health)
  }

  async repairFile (idOrLink: string): Promise<OperationRef> {
    const isLink = idOrLink.startsWith('wgt://')
    const id = isLink ? parseLink(idOrLink).manifestId : idOrLink
    const known = await this.ctx.records.get(id)
    if (known == null && !isLink) throw new WgtError('NOT_FOUND', `no file ${id} on this node; pass its wgt:// link instead`)
    return this.deps.operations.start('repair', { label: known?.entry.name ?? id, fileId: id }, async op => {
      const rec = known ?? await this.record(idOrLink, op.signal)
      op.setLabel(rec.entry.name)
      const { recreated, record } = await repair(this.ctx, rec, op)
      const { health } = await census(this.ctx, record, op.signal)
      return { id: rec.entry.id, recreated, health }
    })
  }

  async removeFile (id: string, options: RemoveOptions = {}): Promise<void> {
    await this.run(async () => {
      const rec = await this.ctx.records.get(id)
      if (rec == null) throw new WgtError('NOT_FOUND', `no file ${id} on this node`)
      const tables = [...rec.root.segments, ...rec.manifest.segments]
      if (rec.entry.direction === 'shared') {
        // unshare: every holder we know of, ourselves included, drops our lease on every shard
        await releaseEverywhere(this.ctx, holdings(tables, { id, holders: [...rec.rootHolders, this.ctx.self] }))
      } else {
        // a received file: only what this node kept goes (a shard another peer placed here keeps that peer's lease)
        const all = new Set([id, ...tables.flatMap(s => s.shards)])
        await releaseEverywhere(this.ctx, new Map([[this.ctx.self, all]]))
        if (options.deleteCopy === true && rec.entry.path != null) {
          const st = await stat(rec.entry.path).catch(() => null)
          if (st?.isFile() === true) await rm(rec.entry.path)
        }
      }
      await this.ctx.records.delete(id)
      this.ctx.events.emit('files:remove', { id })
    })
  }

  async offerFile (peerId: string, link: string): Promise<void> {
    await this.run(async signal => {
      const { manifestId } = parseLink(link)
      const rec = await this.ctx.records.get(manifestId)
      const { name, size } = rec != null ? rec.entry : (await openLink(this.ctx, link, new Set(), signal)).manifest
      // a shared file's name is its local file name, which may hold what the peer's check refuses: send it as it would be saved
      const offer = { link, name: sanitizeName(name), size }
      const problem = offerProblem(offer)
      if (problem != null) throw new WgtError('INVALID_INPUT', `cannot offer this file: ${problem}`)
      await this.deps.offers.send(peerId, offer, { signal })
    })
  }

  async listOffers (): Promise<FileOffer[]> {
    // Which offers are being fetched, taken before the read: an accepted offer leaves `accepting`
    // only once the stored inbox has dropped it, but a read that began before that drop still
    // returns it (CI caught one that way, checking `accepting` after the read).
    const fetching = new Set(this.accepting.keys())
    return (await this.deps.inbox.list()).filter(o => !fetching.has(o.id))
  }

  /**
   * Fetch what an offer links to. The offer leaves the inbox the user sees at
   * once, but leaves the stored inbox only when the file is here: a fetch that
   * fails or is cancelled puts it back, and a node stopped mid-way finds it
   * again after its restart (with the partial file to resume). Accepting an
   * offer that is already being fetched answers that fetch.
   */
  async acceptOffer (offerId: string, outPath?: string): Promise<OperationRef> {
    const already = this.accepting.get(offerId)
    if (already != null) return { operation: already }
    const offer = await this.deps.inbox.get(offerId)
    const ref = await this.startFetch(offer.link, { outPath, from: offer.from, label: offer.name })
    this.accepting.set(offerId, ref.operation)
    this.ctx.events.emit('offer:remove', { id: offerId })
    void this.deps.operations.wait(ref.operation).then(async op => {
      // out of `accepting` only once the stored inbox agrees, or listOffers
      // would show a fetched offer again in between
      if (op.state === 'done') {
        try { await this.deps.inbox.remove(offerId) } finally { this.accepting.delete(offerId) }
        return
      }
      this.accepting.delete(offerId)
      if (this.stopped) return
      // still in the stored inbox (200 newer offers may have pushed it out): back in view
      const back = await this.deps.inbox.get(offerId).catch(() => null)
      if (back != null) this.ctx.events.emit('offer:new', back)
    }).catch(err => { this.ctx.log('could not settle offer %s: %s', offerId, (err as Error).message) })
    return ref
  }

  /** Decline an offer; one being fetched has its fetch cancelled too. */
  async declineOffer (offerId: string): Promise<void> {
    await this.deps.inbox.get(offerId)
    const fetching = this.accepting.get(offerId)
    this.accepting.delete(offerId)
    if (fetching != null) this.deps.operations.cancel(fetching)
    await this.deps.inbox.remove(offerId)
    this.ctx.events.emit('offer:remove', { id: offerId })
  }

  /** A file's record by id or link; a link we have no record of is opened (root + manifest) on the spot. */
  private async record (idOrLink: string, signal: AbortSignal): Promise<FileRecord> {
    const isLink = idOrLink.startsWith('wgt://')
    const id = isLink ? parseLink(idOrLink).manifestId : idOrLink
    const rec = await this.ctx.records.get(id)
    if (rec != null) return rec
    if (!isLink) throw new WgtError('NOT_FOUND', `no file ${id} on this node; pass its wgt:// link instead`)
    const file = await openLink(this.ctx, idOrLink, new Set(), signal)
    const { manifest } = file
    return {
      entry: { id, link: idOrLink, name: sanitizeName(manifest.name), size: manifest.size, k: manifest.params.k, m: manifest.params.m, segments: manifest.segments.length, direction: 'received', path: null, from: null, createdAt: Date.now() },
      root: file.root,
      manifest,
      rootHolders: file.rootHolders
    }
  }
}
