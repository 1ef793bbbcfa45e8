import { MemoryDatastore } from 'datastore-core'
import { describe, expect, it } from 'vitest'
import { ReputationBook } from '../reputation.js'

describe('ReputationBook', () => {
  it('moves a peer from active to purgatory to banned; violations age out of the window but the ban lasts until it expires', () => {
    let now = 1_000_000
    const book = new ReputationBook({ purgatoryAt: 2, banAt: 4, windowMs: 1000, banMs: 10_000, now: () => now })
    const changes: string[] = []
    book.onChange((id, info) => changes.push(`${id}:${info.state}`))
    expect(book.get('p')).toMatchObject({ state: 'active', violations: 0 })
    book.recordViolation('p', 'oversized')
    expect(book.get('p').state).toBe('active')
    book.recordViolation('p', 'malformed')
    expect(book.get('p').state).toBe('purgatory')
    book.recordViolation('p', 'malformed')
    book.recordViolation('p', 'malformed')
    expect(book.isBanned('p')).toBe(true)
    expect(book.get('p')).toMatchObject({ state: 'banned', bannedUntil: now + 10_000, lastReason: 'malformed' })
    expect(book.get('q').state).toBe('active')
    now += 1001
    expect(book.get('p')).toMatchObject({ state: 'banned', violations: 0 })
    expect(book.banned()).toEqual(['p'])
    now += 10_000
    expect(book.get('p')).toMatchObject({ state: 'active', violations: 0, bannedUntil: null })
    expect(changes).toEqual(['p:active', 'p:purgatory', 'p:purgatory', 'p:banned'])
  })

  it('doubles the ban for a peer banned before, and the user can lift it', () => {
    let now = 0
    const book = new ReputationBook({ banAt: 2, windowMs: 1000, banMs: 10_000, now: () => now })
    book.recordViolation('p', 'x'); book.recordViolation('p', 'x')
    expect(book.get('p').bannedUntil).toBe(10_000)
    now = 20_000
    book.recordViolation('p', 'x'); book.recordViolation('p', 'x')
    expect(book.get('p').bannedUntil).toBe(20_000 + 20_000)
    book.unban('p')
    expect(book.get('p')).toMatchObject({ state: 'active', violations: 0 })
  })

  it('keeps bans and violations across a restart, prunes what says nothing, and deletes it from the datastore', async () => {
    let now = 1_000_000
    const ds = new MemoryDatastore()
    const book = new ReputationBook({ banAt: 2, windowMs: 1000, banMs: 60_000, maxBanMs: 120_000, now: () => now }, ds)
    book.recordViolation('banned', 'x'); book.recordViolation('banned', 'x')
    book.recordViolation('once', 'x')
    await book.flush()

    const again = new ReputationBook({ banAt: 2, windowMs: 1000, banMs: 60_000, maxBanMs: 120_000, now: () => now }, ds)
    await again.load()
    expect(again.isBanned('banned')).toBe(true)
    expect(again.get('once').violations).toBe(1)

    now += 2000 // 'once' ages out of the window
    again.prune()
    await again.flush()
    const keys = async (): Promise<string[]> => { const out: string[] = []; for await (const k of ds.queryKeys({ prefix: '/wgt/guard/reputation' })) out.push(k.baseNamespace()); return out }
    expect(await keys()).toEqual(['banned'])
    now += 60_000 + 120_000 // the ban ended, and so did the time it could double in
    again.prune()
    await again.flush()
    expect(await keys()).toEqual([])
  })

  it('holds at most maxPeers records: a flood of fresh PeerIds evicts the oldest unbanned', () => {
    let now = 0
    const book = new ReputationBook({ banAt: 2, maxPeers: 3, now: () => now })
    book.recordViolation('b', 'x'); book.recordViolation('b', 'x')
    for (let i = 0; i < 100; i++) { now++; book.recordViolation(`p${i}`, 'x') }
    expect(book.isBanned('b')).toBe(true)
    expect(book.get('p99').violations).toBe(1)
    expect(book.get('p0').violations).toBe(0)
  })
})
