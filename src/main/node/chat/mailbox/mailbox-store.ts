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
 * same deposit twice is one item. Removing one needs its release token,
 * whose SHA-256 came with the deposit and which only sender and recipient can
 * compute (seal.ts): knowing the tag is not enough.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { Key, type Datastore } from 'interface-datastore'
import { WgtError } from '../../../../shared/errors.js'
import { KeyedLock } from '../../storage/keyed-lock.js'
import { MailboxRecord } from './pb/mailbox-record.js'
import { MAILBOX_TAG_BYTES, MAX_SEALED, RELEASE_BYTES, SEAL_OVERHEAD, sameBytes } from './seal.js'

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
  /** SHA-256 of the token that releases it */
  release: Uint8Array
}

/** A place in the store's order (time stored, then tag and id): where a FETCH goes on from. */
const CURSOR_BYTES = 8 + MAILBOX_TAG_BYTES + MAILBOX_ID_BYTES

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
  private lastStoredAt = 0

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
    this.lastStoredAt = Math.max(this.lastStoredAt, ...found.map(e => e.storedAt))
  }

  async put (depositor: string, tag: Uint8Array, sealed: Uint8Array, release: Uint8Array): Promise<PutResult> {
    if (tag.byteLength !== MAILBOX_TAG_BYTES) throw new WgtError('INVALID_INPUT', `a mailbox tag is ${MAILBOX_TAG_BYTES} bytes, not ${tag.byteLength}`)
    if (release.byteLength !== RELEASE_BYTES) throw new WgtError('INVALID_INPUT', `a release hash is ${RELEASE_BYTES} bytes, not ${release.byteLength}`)
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
      // strictly increasing, so the store's order (and a FETCH's place in it) is the order items came in
      const storedAt = Math.max(this.now(), this.lastStoredAt + 0.001)
      this.lastStoredAt = storedAt
      const entry: Entry = { key, tag: Uint8Array.from(tag), id, depositor, bytes: sealed.byteLength, storedAt, release: Uint8Array.from(release) }
      this.index(entry)
      try {
        await this.datastore.put(key, MailboxRecord.encode({ tag: Uint8Array.from(tag), sealed: Uint8Array.from(sealed), depositor, storedAt: entry.storedAt, release: Uint8Array.from(release) }))
      } catch (err) {
        this.unindex(entry)
        throw new WgtError('INTERNAL', `cannot store a mailbox item: ${(err as Error).message}`, { cause: err })
      }
      return 'stored'
    })
  }

  /**
   * Items held under `tags`, oldest first, after the place `after` (the
   * `next` of an earlier answer; from the start when null), up to maxItems
   * and maxBytes of sealed bytes in all; `more` when items were left out, and
   * `next` the place to go on from. Paging goes past what the asker does not
   * remove (garbage under its tag), so that cannot hide what comes after.
   */
  async take (tags: Uint8Array[], maxBytes: number, maxItems = Infinity, after: Uint8Array | null = null): Promise<{ items: HeldItem[], more: boolean, next: Uint8Array }> {
    const t = this.now()
    const matching: Entry[] = []
    for (const tagKey of new Set(tags.map(hex))) {
      for (const k of this.byTag.get(tagKey) ?? []) {
        const e = this.entries.get(k)
        if (e != null && !this.expired(e, t) && (after == null || compareCursor(cursorOf(e), after) > 0)) matching.push(e)
      }
    }
    matching.sort((a, b) => compareCursor(cursorOf(a), cursorOf(b)))
    const items: HeldItem[] = []
    let bytes = 0
    let next = after ?? new Uint8Array(0)
    for (const e of matching) {
      if (items.length >= maxItems || bytes + e.bytes > maxBytes) return { items, more: true, next }
      next = cursorOf(e)
      const sealed = await this.read(e)
      if (sealed == null) continue
      items.push({ id: e.id, tag: e.tag, sealed })
      bytes += e.bytes
    }
    return { items, more: false, next }
  }

  /** Remove an item: tag and id must match, and SHA-256(token) the release hash it came with. Answers whether it went. */
  async remove (tag: Uint8Array, id: Uint8Array, token: Uint8Array): Promise<boolean> {
    if (tag.byteLength !== MAILBOX_TAG_BYTES || id.byteLength !== MAILBOX_ID_BYTES || token.byteLength !== RELEASE_BYTES) return false
    const e = this.entries.get(keyOf(tag, id).toString())
    if (e == null || !sameBytes(sha256(token), e.release)) return false
    return await this.drop(e.key.toString())
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
  if (r.depositor.length === 0 || r.depositor.length > MAX_PEER_ID_CHARS || !Number.isFinite(r.storedAt) || r.release.byteLength !== RELEASE_BYTES) return null
  const id = itemId(r.sealed)
  const expected = keyOf(r.tag, id)
  if (expected.toString() !== key.toString()) return null
  return { key: expected, tag: r.tag, id, depositor: r.depositor, bytes: r.sealed.byteLength, storedAt: r.storedAt, release: r.release }
}

function cursorOf (e: Entry): Uint8Array {
  const c = new Uint8Array(CURSOR_BYTES)
  new DataView(c.buffer).setFloat64(0, e.storedAt)
  c.set(e.tag, 8)
  c.set(e.id, 8 + MAILBOX_TAG_BYTES)
  return c
}

/** Order of places: time stored, then tag and id bytes (a cursor of another length sorts by its bytes). */
function compareCursor (a: Uint8Array, b: Uint8Array): number {
  if (a.byteLength === CURSOR_BYTES && b.byteLength === CURSOR_BYTES) {
    const ta = new DataView(a.buffer, a.byteOffset, 8).getFloat64(0)
    const tb = new DataView(b.buffer, b.byteOffset, 8).getFloat64(0)
    if (ta !== tb) return ta < tb ? -1 : 1
  }
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}

export { CURSOR_BYTES }

function keyOf (tag: Uint8Array, id: Uint8Array): Key {
  return new Key(`${PREFIX}/${hex(tag)}/${hex(id)}`)
}

/** Bytes as lowercase hex (tags and ids as map keys). */
export function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}
