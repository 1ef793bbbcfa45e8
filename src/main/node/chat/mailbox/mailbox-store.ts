/**
 * What this node holds for others as a mailbox holder: sealed messages by
 * recipient tag, in the datastore under /wgt/chat/mailbox/<tag>/<id> so they
 * survive a restart. Only an index (tag, id, depositor, size, time) stays in
 * memory; the sealed bytes are read when a recipient fetches them.
 *
 * Bounded per depositor (so one peer cannot take the whole mailbox) and in
 * total (so many identities of one attacker cannot fill the disk); items
 * expire after a week, as long as Jami keeps retrying a message. An item is
 * named by its tag and its id, the first 16 bytes of SHA-256(sealed): the
 * same deposit twice is one item, and removing one needs its tag, which only
 * sender and recipient can compute.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { Key, type Datastore } from 'interface-datastore'
import { WgtError } from '../../../../shared/errors.js'
import { KeyedLock } from '../../storage/keyed-lock.js'
import { MailboxRecord } from './pb/mailbox-record.js'
import { MAILBOX_TAG_BYTES, MAX_SEALED, SEAL_OVERHEAD } from './seal.js'

const PREFIX = '/wgt/chat/mailbox'
export const MAILBOX_ID_BYTES = 16
const MAX_PEER_ID_CHARS = 128

export interface MailboxStoreInit {
  /** items and bytes one depositor may have held here at once (default 256, 4 MiB) */
  perDepositorItems?: number
  perDepositorBytes?: number
  /** items and bytes held in all (default 4096, 64 MiB) */
  maxItems?: number
  maxBytes?: number
  /** how long an item is kept (default 7 days) */
  ttlMs?: number
  /**
   * Depositors that are our contacts; the others (strangers, whose
   * identities cost nothing) share at most half of maxItems and maxBytes,
   * so a few throwaway PeerIds cannot fill the store against our contacts.
   * Without it every depositor is treated alike.
   */
  isContact?: (peerId: string) => boolean
  now?: () => number
}

export interface HeldItem {
  id: Uint8Array
  tag: Uint8Array
  sealed: Uint8Array
}

/** 'full': a quota (the depositor's or the total) has no room for it */
export type PutResult = 'stored' | 'duplicate' | 'full'

interface Entry {
  key: Key
  tag: Uint8Array
  id: Uint8Array
  depositor: string
  bytes: number
  storedAt: number
}

interface Usage { items: number, bytes: number }

/** The id a holder gives a sealed message. */
export function itemId (sealed: Uint8Array): Uint8Array {
  return sha256(sealed).subarray(0, MAILBOX_ID_BYTES)
}

export class MailboxStore {
  private readonly perDepositorItems: number
  private readonly perDepositorBytes: number
  private readonly maxItems: number
  private readonly maxBytes: number
  private readonly ttlMs: number
  private readonly isContact: ((peerId: string) => boolean) | undefined
  private readonly now: () => number
  /** by key string; insertion order is storage order, oldest first */
  private readonly entries = new Map<string, Entry>()
  private readonly byTag = new Map<string, Set<string>>()
  private readonly byDepositor = new Map<string, Usage>()
  private readonly total: Usage = { items: 0, bytes: 0 }
  private readonly lock = new KeyedLock()

  constructor (private readonly datastore: Datastore, init: MailboxStoreInit = {}) {
    this.perDepositorItems = init.perDepositorItems ?? 256
    this.perDepositorBytes = init.perDepositorBytes ?? 4 * 1024 * 1024
    this.maxItems = init.maxItems ?? 4096
    this.maxBytes = init.maxBytes ?? 64 * 1024 * 1024
    this.ttlMs = init.ttlMs ?? 7 * 24 * 3600_000
    this.isContact = init.isContact
    this.now = init.now ?? Date.now
  }

  /** A store with what the datastore holds loaded. */
  static async open (datastore: Datastore, init: MailboxStoreInit = {}): Promise<MailboxStore> {
    const store = new MailboxStore(datastore, init)
    await store.load()
    return store
  }

  /** Read the index from the datastore; records that are damaged, misnamed or expired are deleted. */
  async load (): Promise<void> {
    const found: Entry[] = []
    const t = this.now()
    for await (const { key, value } of this.datastore.query({ prefix: PREFIX })) {
      const entry = parseRecord(key, value)
      if (entry == null || this.expired(entry, t)) {
        await this.datastore.delete(key)
        continue
      }
      // a clock that was set ahead when the item came must not keep it past its week
      entry.storedAt = Math.min(entry.storedAt, t)
      found.push(entry)
    }
    found.sort((a, b) => a.storedAt - b.storedAt)
    for (const e of found) this.index(e)
  }

  async put (depositor: string, tag: Uint8Array, sealed: Uint8Array): Promise<PutResult> {
    if (tag.byteLength !== MAILBOX_TAG_BYTES) throw new WgtError('INVALID_INPUT', `a mailbox tag is ${MAILBOX_TAG_BYTES} bytes, not ${tag.byteLength}`)
    if (sealed.byteLength < SEAL_OVERHEAD || sealed.byteLength > MAX_SEALED) throw new WgtError('INVALID_INPUT', `a sealed message is ${SEAL_OVERHEAD} to ${MAX_SEALED} bytes, not ${sealed.byteLength}`)
    if (depositor.length === 0 || depositor.length > MAX_PEER_ID_CHARS) throw new WgtError('INVALID_INPUT', 'not a depositor PeerId')
    const id = itemId(sealed)
    const key = keyOf(tag, id)
    // expired items may be what stands in the way; pruned outside the item's lock (prune takes other items' locks)
    if (!this.entries.has(key.toString()) && !this.fits(depositor, sealed.byteLength)) await this.prune()
    return await this.lock.run(key.toString(), async () => {
      if (this.entries.has(key.toString())) return 'duplicate'
      // checked again under the lock: the index changes synchronously, so concurrent puts cannot both take the last room
      if (!this.fits(depositor, sealed.byteLength)) return 'full'
      const entry: Entry = { key, tag: Uint8Array.from(tag), id, depositor, bytes: sealed.byteLength, storedAt: this.now() }
      this.index(entry)
      try {
        await this.datastore.put(key, MailboxRecord.encode({ tag: Uint8Array.from(tag), sealed: Uint8Array.from(sealed), depositor, storedAt: entry.storedAt }))
      } catch (err) {
        this.unindex(entry)
        throw new WgtError('INTERNAL', `cannot store a mailbox item: ${(err as Error).message}`, { cause: err })
      }
      return 'stored'
    })
  }

  /**
   * Items held under `tags`, oldest first, up to maxItems and maxBytes of
   * sealed bytes in all; `more` when items under those tags were left out.
   */
  async take (tags: Uint8Array[], maxBytes: number, maxItems = Infinity): Promise<{ items: HeldItem[], more: boolean }> {
    const t = this.now()
    const items: HeldItem[] = []
    let bytes = 0
    const seen = new Set<string>()
    for (const tag of tags) {
      const tagKey = hex(tag)
      if (seen.has(tagKey)) continue
      seen.add(tagKey)
      for (const k of [...(this.byTag.get(tagKey) ?? [])]) {
        const e = this.entries.get(k)
        if (e == null || this.expired(e, t)) continue
        if (items.length >= maxItems || bytes + e.bytes > maxBytes) return { items, more: true }
        const sealed = await this.read(e)
        if (sealed == null) continue
        items.push({ id: e.id, tag: e.tag, sealed })
        bytes += e.bytes
      }
    }
    return { items, more: false }
  }

  /** Remove an item; it goes only when both tag and id match. Answers whether it was held. */
  async remove (tag: Uint8Array, id: Uint8Array): Promise<boolean> {
    if (tag.byteLength !== MAILBOX_TAG_BYTES || id.byteLength !== MAILBOX_ID_BYTES) return false
    return await this.drop(keyOf(tag, id).toString())
  }

  /** Drop expired items; answers how many went. */
  async prune (): Promise<number> {
    const t = this.now()
    const expired = [...this.entries.values()].filter(e => this.expired(e, t))
    let n = 0
    for (const e of expired) if (await this.drop(e.key.toString())) n++
    return n
  }

  /** Items and sealed bytes held, in all or for one depositor. */
  usage (depositor?: string): Usage {
    const u = depositor == null ? this.total : this.byDepositor.get(depositor)
    return { items: u?.items ?? 0, bytes: u?.bytes ?? 0 }
  }

  private async drop (k: string): Promise<boolean> {
    return await this.lock.run(k, async () => {
      const e = this.entries.get(k)
      if (e == null) return false
      await this.datastore.delete(e.key)
      this.unindex(e)
      return true
    })
  }

  private async read (e: Entry): Promise<Uint8Array | null> {
    try {
      const record = MailboxRecord.decode(await this.datastore.get(e.key))
      return record.sealed
    } catch {
      // removed meanwhile, or damaged on disk: not something to answer with
      return null
    }
  }

  private fits (depositor: string, bytes: number): boolean {
    const mine = this.byDepositor.get(depositor) ?? { items: 0, bytes: 0 }
    const fits = mine.items < this.perDepositorItems && mine.bytes + bytes <= this.perDepositorBytes &&
      this.total.items < this.maxItems && this.total.bytes + bytes <= this.maxBytes
    if (!fits || this.isContact == null || this.isContact(depositor)) return fits
    const strangers: Usage = { items: 0, bytes: 0 }
    for (const [d, u] of this.byDepositor) {
      if (!this.isContact(d)) { strangers.items += u.items; strangers.bytes += u.bytes }
    }
    return strangers.items < this.maxItems / 2 && strangers.bytes + bytes <= this.maxBytes / 2
  }

  private expired (e: Entry, t: number): boolean {
    return e.storedAt + this.ttlMs <= t
  }

  private index (e: Entry): void {
    const k = e.key.toString()
    this.entries.set(k, e)
    const tagKey = hex(e.tag)
    const set = this.byTag.get(tagKey) ?? new Set<string>()
    set.add(k)
    this.byTag.set(tagKey, set)
    const u = this.byDepositor.get(e.depositor) ?? { items: 0, bytes: 0 }
    u.items++
    u.bytes += e.bytes
    this.byDepositor.set(e.depositor, u)
    this.total.items++
    this.total.bytes += e.bytes
  }

  private unindex (e: Entry): void {
    const k = e.key.toString()
    if (!this.entries.delete(k)) return
    const tagKey = hex(e.tag)
    const set = this.byTag.get(tagKey)
    set?.delete(k)
    if (set?.size === 0) this.byTag.delete(tagKey)
    const u = this.byDepositor.get(e.depositor)
    if (u != null) {
      u.items--
      u.bytes -= e.bytes
      if (u.items <= 0) this.byDepositor.delete(e.depositor)
    }
    this.total.items--
    this.total.bytes -= e.bytes
  }
}

function parseRecord (key: Key, value: Uint8Array): Entry | null {
  let r: MailboxRecord
  try {
    r = MailboxRecord.decode(value)
  } catch {
    return null
  }
  if (r.tag.byteLength !== MAILBOX_TAG_BYTES || r.sealed.byteLength < SEAL_OVERHEAD || r.sealed.byteLength > MAX_SEALED) return null
  if (r.depositor.length === 0 || r.depositor.length > MAX_PEER_ID_CHARS || !Number.isFinite(r.storedAt)) return null
  const id = itemId(r.sealed)
  const expected = keyOf(r.tag, id)
  if (expected.toString() !== key.toString()) return null
  return { key: expected, tag: r.tag, id, depositor: r.depositor, bytes: r.sealed.byteLength, storedAt: r.storedAt }
}

function keyOf (tag: Uint8Array, id: Uint8Array): Key {
  return new Key(`${PREFIX}/${hex(tag)}/${hex(id)}`)
}

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}
