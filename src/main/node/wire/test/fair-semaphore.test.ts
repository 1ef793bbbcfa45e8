import { describe, expect, it } from 'vitest'
import { FairSemaphore } from '../limits.js'

const tick = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

describe('FairSemaphore', () => {
  it('holds one key to its share, and gives a freed slot to the waiting key that holds the fewest', async () => {
    const sem = new FairSemaphore(4, 2)
    const order: string[] = []
    const take = (key: string): { release: Promise<() => void> } => ({ release: sem.acquire(key).then(r => { order.push(key); return r }) })
    const a1 = take('a'); const a2 = take('a'); const a3 = take('a') // a3 waits: a's share is 2
    const b1 = take('b'); const b2 = take('b')
    await tick()
    expect(order).toEqual(['a', 'a', 'b', 'b'])
    const c1 = take('c') // all 4 taken: c waits behind a3
    await tick()
    ;(await b1.release)()
    await tick()
    // a3 queued first, but a holds 2 and c none: c goes first
    expect(order).toEqual(['a', 'a', 'b', 'b', 'c'])
    ;(await a1.release)()
    await tick()
    expect(order.at(-1)).toBe('a')
    for (const x of [a2, a3, b2, c1]) (await x.release)()
  })

  it('counts as others waiting only a key that a freed slot could go to', async () => {
    const sem = new FairSemaphore(4, 2)
    const a = [await sem.acquire('a'), await sem.acquire('a')]
    const slow = await sem.acquire('s')
    // a holds its share: its third request waits, but a freed slot of s's would not go to it
    const a3 = sem.acquire('a')
    await tick()
    expect(sem.othersWaiting('s')).toBe(false)
    const b1 = await sem.acquire('b')
    // all four taken; b holds one of its two: it waits for a slot s's would give it
    const b2 = sem.acquire('b')
    await tick()
    expect(sem.othersWaiting('s')).toBe(true)
    expect(sem.othersWaiting('b')).toBe(false)
    slow()
    const rb2 = await b2
    for (const r of [...a, b1, rb2, await (async () => { a[0](); return await a3 })()]) r()
  })

  it('a waiter that gives up leaves no trace, and a release twice counts once', async () => {
    const sem = new FairSemaphore(1, 1)
    const r1 = await sem.acquire('a')
    const ctrl = new AbortController()
    const waiting = sem.acquire('b', ctrl.signal)
    expect(sem.queued).toBe(1)
    ctrl.abort(new Error('gave up'))
    await expect(waiting).rejects.toThrow()
    expect(sem.queued).toBe(0)
    r1(); r1()
    const r2 = await sem.acquire('c')
    let third = false
    void sem.acquire('d').then(() => { third = true })
    await tick()
    expect(third).toBe(false)
    r2()
    await tick()
    expect(third).toBe(true)
  })
})
