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

  it('a waiter that gives up leaves no trace, and a release twice counts once', async () => {
    const sem = new FairSemaphore(1, 1)
    const r1 = await sem.acquire('a')
    const ctrl = new AbortController()
    const waiting = sem.acquire('b', ctrl.signal)
    ctrl.abort(new Error('gave up'))
    await expect(waiting).rejects.toThrow()
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
