/**
 * The inbox: links peers sent us, kept in the datastore under /wgt/inbox
 * until the user accepts or declines them, so an offer survives a reload of
 * the UI and a restart of the node. Bounded: a peer re-sending the same link
 * replaces its earlier offer, and past MAX_OFFERS the oldest go. Requests
 * (offers from peers the policy does not let straight in) are bounded apart:
 * MAX_REQUESTS_PER_PEER per peer and MAX_REQUESTS in all, and a request only
 * ever pushes out older requests, so strangers cannot crowd out contacts.
 */
import { randomBytes } from 'node:crypto'
import { Key, type Datastore } from 'interface-datastore'
import type { FileOffer } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'

const PREFIX = '/wgt/inbox'
export const MAX_OFFERS = 200
export const MAX_REQUESTS = 50
export const MAX_REQUESTS_PER_PEER = 3
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class Inbox {
  constructor (private readonly datastore: Datastore, private readonly now: () => number = Date.now) {}

  /** Keep an offer; returns it with its id, and the ids of offers it replaced or pushed out. */
  async add (offer: Omit<FileOffer, 'id' | 'receivedAt'>): Promise<{ offer: FileOffer, removed: string[] }> {
    const all = await this.list()
    const removed = all.filter(o => o.from === offer.from && o.link === offer.link).map(o => o.id)
    const rest = all.filter(o => !removed.includes(o.id))
    if (offer.request) {
      const requests = rest.filter(o => o.request)
      removed.push(...requests.filter(o => o.from === offer.from).slice(MAX_REQUESTS_PER_PEER - 1).map(o => o.id))
      removed.push(...requests.filter(o => !removed.includes(o.id)).slice(MAX_REQUESTS - 1).map(o => o.id))
    } else {
      removed.push(...rest.slice(MAX_OFFERS - 1).map(o => o.id))
    }
    const stored: FileOffer = { ...offer, id: randomBytes(9).toString('base64url'), receivedAt: this.now() }
    const batch = this.datastore.batch()
    for (const id of removed) batch.delete(keyOf(id))
    batch.put(keyOf(stored.id), encoder.encode(JSON.stringify(stored)))
    await batch.commit()
    return { offer: stored, removed }
  }

  /** Newest first. */
  async list (): Promise<FileOffer[]> {
    const out: FileOffer[] = []
    for await (const { value } of this.datastore.query({ prefix: PREFIX + '/' })) {
      try {
        const o = JSON.parse(decoder.decode(value)) as FileOffer
        out.push({ ...o, request: o.request === true })
      } catch {}
    }
    return out.sort((a, b) => b.receivedAt - a.receivedAt)
  }

  async get (id: string): Promise<FileOffer> {
    try {
      return JSON.parse(decoder.decode(await this.datastore.get(keyOf(id)))) as FileOffer
    } catch (err) {
      if ((err as Error).name === 'NotFoundError') throw new WgtError('NOT_FOUND', 'that offer is no longer in the inbox (accepted or declined already?)')
      throw WgtError.from(err, 'UNAVAILABLE')
    }
  }

  /** Drop every offer from `peerId` (it was blocked); answers their ids. */
  async removeFrom (peerId: string): Promise<string[]> {
    const ids = (await this.list()).filter(o => o.from === peerId).map(o => o.id)
    const batch = this.datastore.batch()
    for (const id of ids) batch.delete(keyOf(id))
    await batch.commit()
    return ids
  }

  async remove (id: string): Promise<void> {
    await this.datastore.delete(keyOf(id))
  }
}

function keyOf (id: string): Key {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new WgtError('INVALID_INPUT', 'not an offer id')
  return new Key(`${PREFIX}/${id}`)
}
