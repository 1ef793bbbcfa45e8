/**
 * The files capability: the shard and offer protocols, DHT announcements of
 * what this node holds, file records, the inbox, and the files slice of the
 * API (share, fetch, health, repair, unshare, offers).
 */
import type { FileOffer } from '../../../shared/api/index.js'
import { GUARD, REPUTATION } from '../guard/module.js'
import { part, type NodeModule } from '../module.js'
import { PEER_SELECTION } from '../net/module.js'
import { OPERATIONS } from '../operations/module.js'
import { SETTINGS } from '../settings/module.js'
import { SHARD_STORE } from '../storage/module.js'
import type { FilesContext } from './context.js'
import { statfsFreeBytes } from './disk-space.js'
import { ShardGroups } from './groups.js'
import { Inbox } from './inbox.js'
import { LeaseRenewal } from './lease-renewal.js'
import { Announcer, Locator } from './locate.js'
import { offerService, type OfferService } from './offer-service.js'
import { FileRecords } from './records.js'
import { FilesService } from './service.js'
import { SHARD_PROTOCOL, shardService, type ShardService, type StoredShard } from './shard-service.js'

/** the running files service, for tests and tools that wait on DHT announcements */
export const FILES = part<{ service: FilesService, announcer: Announcer, renewal: LeaseRenewal, shards: ShardService }>('files.service')

export const filesModule: NodeModule = {
  name: 'files',
  libp2p: ctx => {
    const reputation = ctx.need(REPUTATION)
    const guard = ctx.need(GUARD)
    return {
      services: {
        shards: shardService({ store: ctx.need(SHARD_STORE), reputation, mayStore: peer => guard.may(peer, 'storage') }),
        offers: offerService({ reputation, inbox: new Inbox(ctx.datastore), verdict: peer => guard.decide(peer, 'offers') })
      }
    }
  },
  start: ctx => {
    const { libp2p } = ctx
    const shards = ctx.service<ShardService>('shards')
    const offers = ctx.service<OfferService>('offers')
    const selection = ctx.need(PEER_SELECTION)
    const settings = ctx.need(SETTINGS)
    const announcer = new Announcer(libp2p, ctx.logger.forComponent('wgt:files:announce'))
    // every holder announces what it stores, so a file outlives the sharer's
    // placement list: the shard's file group once (groups.ts), or a root record itself
    const groups = new ShardGroups(ctx.datastore)
    const log = ctx.logger.forComponent('wgt:files')
    const onStored = (evt: CustomEvent<StoredShard>): void => {
      const { cid, group } = evt.detail
      if (group == null) { announcer.announce(cid); return }
      groups.add(cid, group).then(() => { announcer.announce(group) }, err => { log.error('recording the group of %s failed: %e', cid, err) })
    }
    shards.events.addEventListener('stored', onStored)
    const offRemoved = ctx.need(SHARD_STORE).onRemove(cid => {
      groups.remove(cid).then(last => {
        if (last != null) announcer.withdraw(last)
        else announcer.withdraw(cid)
      }, err => { log.error('forgetting the group of %s failed: %e', cid, err) })
    })
    const onOffer = (evt: CustomEvent<{ offer: FileOffer, removed: string[] }>): void => {
      for (const id of evt.detail.removed) ctx.events.emit('offer:remove', { id })
      ctx.events.emit('offer:new', evt.detail.offer)
    }
    offers.events.addEventListener('received', onOffer)
    // a blocked peer's offers leave the inbox with it: nothing it sent is kept (DESIGN.md §6)
    const offBlocked = ctx.need(GUARD).contacts.onChange(({ peerId, contact }) => {
      if (contact?.trust !== 'blocked') return
      void offers.inbox.removeFrom(peerId).then(ids => { for (const id of ids) ctx.events.emit('offer:remove', { id }) }, () => {})
    })
    const files: FilesContext = {
      self: libp2p.peerId.toString(),
      shards,
      store: ctx.need(SHARD_STORE),
      locator: new Locator(libp2p),
      announcer,
      records: new FileRecords(ctx.datastore),
      candidates: async () => await selection.candidates(SHARD_PROTOCOL),
      rtt: id => selection.rttMs(id),
      reputation: ctx.need(REPUTATION),
      events: ctx.events,
      settings: () => settings.get(),
      log,
      leaseMs: ctx.config.shardLeaseMs,
      freeBytes: statfsFreeBytes
    }
    const service = new FilesService(files, { operations: ctx.need(OPERATIONS), offers, inbox: offers.inbox })
    const renewal = new LeaseRenewal(files, ctx.config.leaseRenewMs)
    renewal.start()
    ctx.provide(FILES, { service, announcer, renewal, shards })
    return {
      api: service,
      stop: async () => {
        shards.events.removeEventListener('stored', onStored)
        offRemoved()
        offBlocked()
        offers.events.removeEventListener('received', onOffer)
        // running shares and fetches use the shard service and the store: end them first
        await ctx.need(OPERATIONS).stop()
        await renewal.stop()
        await service.stop()
        announcer.stop()
      }
    }
  }
}
