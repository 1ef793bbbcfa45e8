/**
 * The inbox: links peers sent us, kept in the datastore under /wgt/inbox
 * until the user accepts or declines them, so an offer survives a reload of
 * the UI and a restart of the node. Bounded: a peer re-sending the same link
 * replaces its earlier offer, and past MAX_OFFERS the oldest go.
 */
import { randomBytes } from 'node:crypto'
import { Key, type Datastore } from 'interface-datastore'
import type { FileOffer } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'

const PREFIX = '/wgt/inbox'
export const MAX_OFFERS = 200
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class Inbox {
  constructor (private readonly datastore: Datastore, private readonly now: () => number = Date.now) {}

  /** Keep an offer; returns it with its id, and the ids of offers it replaced or pushed out. */
  async add (offer: Omit<FileOffer, 'id' | 'receivedAt'>): Promise<{ offer: FileOffer, removed: string[] }> {
    const all = await this.list()
    const removed = all.filter(o => o.from === offer.from && o.link === offer.link).map(o => o.id)
    const rest = all.filter(o => !removed.includes(o.id))
    removed.push(...rest.slice(MAX_OFFERS - 1).map(o => o.id))
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
      try { out.push(JSON.parse(decoder.decode(value)) as FileOffer) } catch {}
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

  async remove (id: string): Promise<void> {
    await this.datastore.delete(keyOf(id))
  }
}

function keyOf (id: string): Key {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new WgtError('INVALID_INPUT', 'not an offer id')
  return new Key(`${PREFIX}/${id}`)
}
