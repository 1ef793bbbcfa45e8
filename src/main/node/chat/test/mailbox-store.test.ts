import { randomBytes } from 'node:crypto'
import { sha256 } from '@noble/hashes/sha2.js'
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { describe, expect, it } from 'vitest'
import { MailboxStore, itemId } from '../mailbox/mailbox-store.js'
import { MAX_SEALED } from '../mailbox/seal.js'

const DAY = 24 * 3600_000
const TOKEN = new Uint8Array(32).fill(7)
const RELEASE = sha256(TOKEN)
const tagOf = (n: number): Uint8Array => new Uint8Array(16).fill(n)
/** Stands in for a sealed message: the store never looks inside. */
const blob = (size = 100): Uint8Array => Uint8Array.from(randomBytes(size))

describe('the mailbox store', () => {
  it('answers items only for the tags asked, and removes one only with its tag and release token', async () => {
    const store = new MailboxStore(new MemoryDatastore())
    const one = blob()
    const two = blob()
    expect(await store.put('depositorA', tagOf(1), one, RELEASE)).toBe('stored')
    expect(await store.put('depositorA', tagOf(2), two, RELEASE)).toBe('stored')
    const got = await store.take([tagOf(1)], 1 << 20)
    expect(got.more).toBe(false)
    expect(got.items).toHaveLength(1)
    expect(got.items[0]).toEqual({ id: itemId(one), tag: tagOf(1), sealed: one })
    expect((await store.take([tagOf(9)], 1 << 20)).items).toEqual([])

    // the id alone, or under another tag, removes nothing
    expect(await store.remove(tagOf(2), itemId(one), TOKEN)).toBe(false)
    expect(await store.remove(tagOf(1), itemId(two), TOKEN)).toBe(false)
    expect(store.usage().items).toBe(2)
    // the tag and id without the release token remove nothing either (a holder knows both)
    expect(await store.remove(tagOf(1), itemId(one), new Uint8Array(32))).toBe(false)
    expect(await store.remove(tagOf(1), itemId(one), TOKEN)).toBe(true)
    expect(await store.remove(tagOf(1), itemId(one), TOKEN)).toBe(false)
    expect(store.usage()).toEqual({ items: 1, bytes: two.length })
  })

  it('a deposit made twice is stored once', async () => {
    const store = new MailboxStore(new MemoryDatastore())
    const sealed = blob()
    expect(await store.put('depositorA', tagOf(1), sealed, RELEASE)).toBe('stored')
    expect(await store.put('depositorB', tagOf(1), sealed, RELEASE)).toBe('duplicate')
    const both = await Promise.all([store.put('depositorA', tagOf(3), sealed, RELEASE), store.put('depositorA', tagOf(3), sealed, RELEASE)])
    expect(both.sort()).toEqual(['duplicate', 'stored'])
    expect(store.usage()).toEqual({ items: 2, bytes: 2 * sealed.length })
    expect((await store.take([tagOf(1), tagOf(1)], 1 << 20)).items).toHaveLength(1)
  })

  it('keeps to the quota of each depositor and to the total', async () => {
    const store = new MailboxStore(new MemoryDatastore(), { perDepositorItems: 3, perDepositorBytes: 1000, maxItems: 5, maxBytes: 100_000 })
    for (let i = 0; i < 3; i++) expect(await store.put('greedy', tagOf(i), blob(), RELEASE)).toBe('stored')
    expect(await store.put('greedy', tagOf(7), blob(), RELEASE)).toBe('full')
    // another depositor still has room, until the total is reached
    expect(await store.put('other', tagOf(7), blob(), RELEASE)).toBe('stored')
    expect(await store.put('third', tagOf(8), blob(), RELEASE)).toBe('stored')
    expect(await store.put('fourth', tagOf(9), blob(), RELEASE)).toBe('full')
    expect(store.usage()).toMatchObject({ items: 5 })

    const bytes = new MailboxStore(new MemoryDatastore(), { perDepositorBytes: 2 * MAX_SEALED, maxBytes: 3 * MAX_SEALED })
    expect(await bytes.put('a', tagOf(1), blob(MAX_SEALED), RELEASE)).toBe('stored')
    expect(await bytes.put('a', tagOf(1), blob(MAX_SEALED), RELEASE)).toBe('stored')
    expect(await bytes.put('a', tagOf(1), blob(MAX_SEALED), RELEASE)).toBe('full')
    expect(await bytes.put('b', tagOf(2), blob(MAX_SEALED), RELEASE)).toBe('stored')
    expect(await bytes.put('c', tagOf(3), blob(100), RELEASE)).toBe('full')
    await expect(bytes.put('a', tagOf(1), blob(MAX_SEALED + 1), RELEASE)).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(bytes.put('a', new Uint8Array(15), blob(), RELEASE)).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })

  it('keeps half of the room for contacts: strangers together fill at most the other half', async () => {
    const contacts = new Set(['friend'])
    const store = new MailboxStore(new MemoryDatastore(), { perDepositorItems: 3, maxItems: 8, isContact: p => contacts.has(p) })
    const results: string[] = []
    for (const sybil of ['s1', 's2', 's3']) for (let i = 0; i < 3; i++) results.push(await store.put(sybil, tagOf(i), blob(), RELEASE))
    // four of the eight go to strangers, whoever they are; the rest waits for contacts
    expect(results.filter(r => r === 'stored')).toHaveLength(4)
    for (let i = 0; i < 3; i++) expect(await store.put('friend', tagOf(i), blob(), RELEASE)).toBe('stored')
    expect(store.usage()).toMatchObject({ items: 7 })
  })

  it('pages what it answers by bytes and count, oldest first', async () => {
    const store = new MailboxStore(new MemoryDatastore())
    const sent: Uint8Array[] = []
    for (let i = 0; i < 5; i++) { sent.push(blob(1000)); await store.put('a', tagOf(1), sent[i], RELEASE) }
    const page = await store.take([tagOf(1)], 2500)
    expect(page).toMatchObject({ more: true })
    expect(page.items.map(i => i.sealed)).toEqual(sent.slice(0, 2))
    const counted = await store.take([tagOf(1)], 1 << 20, 3)
    expect(counted.items).toHaveLength(3)
    expect(counted.more).toBe(true)
  })

  it('items expire after a week: not answered, and pruned (which frees the quota)', async () => {
    let now = 1_000_000
    const store = new MailboxStore(new MemoryDatastore(), { perDepositorItems: 1, now: () => now })
    expect(await store.put('a', tagOf(1), blob(), RELEASE)).toBe('stored')
    now += 6 * DAY
    expect((await store.take([tagOf(1)], 1 << 20)).items).toHaveLength(1)
    expect(await store.put('a', tagOf(1), blob(), RELEASE)).toBe('full')
    now += DAY
    expect((await store.take([tagOf(1)], 1 << 20)).items).toHaveLength(0)
    // a full depositor's expired items are pruned to make room
    expect(await store.put('a', tagOf(2), blob(), RELEASE)).toBe('stored')
    expect(store.usage()).toMatchObject({ items: 1 })
    now += 7 * DAY
    expect(await store.prune()).toBe(1)
    expect(store.usage()).toEqual({ items: 0, bytes: 0 })
  })

  it('what it holds survives a restart on the same datastore; damaged and expired records are dropped', async () => {
    let now = 5_000_000
    const ds = new MemoryDatastore()
    const first = new MailboxStore(ds, { now: () => now })
    const kept = blob()
    await first.put('b', tagOf(2), blob(), RELEASE)
    now += 1000
    await first.put('a', tagOf(1), kept, RELEASE)
    await ds.put(new Key('/wgt/chat/mailbox/00/11'), Uint8Array.from([0xff, 0xff, 0xff]))

    now += 7 * DAY - 500 // b's item expired 500 ms ago, a's has 500 ms left
    const second = new MailboxStore(ds, { now: () => now, perDepositorItems: 1 })
    await second.load()
    expect(second.usage()).toEqual({ items: 1, bytes: kept.length })
    expect(second.usage('a')).toEqual({ items: 1, bytes: kept.length })
    expect((await second.take([tagOf(1)], 1 << 20)).items[0].sealed).toEqual(kept)
    // the depositor's quota counts what it left before the restart
    expect(await second.put('a', tagOf(3), blob(), RELEASE)).toBe('full')
    const left: string[] = []
    for await (const k of ds.queryKeys({ prefix: '/wgt/chat/mailbox' })) left.push(k.toString())
    expect(left).toHaveLength(1)
  })
})
