import { describe, expect, it, vi } from 'vitest'
import type { OperationInfo } from '../../../../shared/api/index.js'
import { WgtError } from '../../../../shared/errors.js'
import { EventHub } from '../../../../shared/rpc.js'
import { ProgressMeter } from '../progress.js'
import { OperationRegistry } from '../registry.js'

describe('progress', () => {
  it('is one fraction over the phases that never goes backwards, even when a phase reports less', () => {
    const m = new ProgressMeter('fetch', () => 0)
    m.update('locating', 1)
    const afterLocate = m.snapshot().fraction
    m.update('receiving', 0.5, { done: 50, total: 100 })
    const mid = m.snapshot().fraction
    expect(mid).toBeGreaterThan(afterLocate)
    m.update('receiving', 0.2, { done: 20, total: 100 })
    m.update('locating', 0)
    expect(m.snapshot().fraction).toBe(mid)
    expect(m.phase).toBe('receiving')
    expect(m.snapshot().bytesDone).toBe(50)
    m.update('verifying', 0)
    expect(m.snapshot().fraction).toBeGreaterThan(mid)
    m.complete()
    expect(m.snapshot()).toMatchObject({ fraction: 1, bytesDone: 100 })
  })

  it('measures speed and time left over the last seconds, and says nothing before it can', () => {
    let t = 0
    const m = new ProgressMeter('share', () => t)
    m.update('sending', 0, { done: 0, total: 1000 })
    t = 500
    m.update('sending', 0.1, { done: 100, total: 1000 })
    expect(m.snapshot()).toMatchObject({ rateBps: null, etaMs: null })
    for (let i = 2; i <= 4; i++) {
      t = i * 1000
      m.update('sending', i / 10, { done: i * 100, total: 1000 })
    }
    const s = m.snapshot()
    expect(s.rateBps).toBeCloseTo(100, 0)
    // 0.6 of the sending span left at 0.1 of it per second, plus the last phase
    expect(s.etaMs).toBeGreaterThan(5000)
    expect(s.etaMs).toBeLessThan(8000)
    // then nothing moves: the speed falls, then is none, and no time left is claimed
    t = 6000
    expect(m.snapshot().rateBps).toBeLessThan(s.rateBps ?? 0)
    t = 10_000
    expect(m.snapshot()).toMatchObject({ rateBps: 0, etaMs: null })
  })
})

describe('operation registry', () => {
  it('answers an id at once, carries it on every update, and keeps the result for late waiters', async () => {
    const hub = new EventHub()
    const updates: OperationInfo[] = []
    hub.on('operation:update', op => updates.push(op))
    const ops = new OperationRegistry(hub)
    let finish!: () => void
    const ref = ops.start('repair', { label: 'f' }, async op => {
      op.progress('checking', 1)
      await new Promise<void>(resolve => { finish = resolve })
      op.progress('rebuilding', 1)
      return { id: 'x', recreated: 2, health: { id: 'x', checkedAt: 1, manifestReachable: true, segments: [], minReachable: 0, recoverable: true } }
    })
    expect(ops.isRunning(ref.operation)).toBe(true)
    finish()
    const final = await ops.wait(ref.operation)
    expect(final).toMatchObject({ id: ref.operation, state: 'done', kind: 'repair', result: { recreated: 2 }, progress: { fraction: 1 } })
    expect(updates.every(u => u.id === ref.operation)).toBe(true)
    expect(updates.at(-1)?.state).toBe('done')
    expect(await ops.wait(ref.operation)).toMatchObject({ state: 'done' })
    expect(() => ops.cancel(ref.operation)).not.toThrow()
    await expect(ops.wait('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('re-sends a running operation that has been quiet for a second, and stops doing so when it ends', async () => {
    vi.useFakeTimers()
    try {
      const hub = new EventHub()
      const updates: OperationInfo[] = []
      hub.on('operation:update', op => updates.push(op))
      const ops = new OperationRegistry(hub)
      let finish!: () => void
      const ref = ops.start('fetch', { label: 'f' }, async op => {
        op.progress('receiving', 0.5, { done: 5, total: 10 })
        await new Promise<void>(resolve => { finish = resolve })
        return { id: 'x', name: 'f', size: 10, path: '/f', sha256: '', badHolders: [], resumedSegments: 0, existing: false }
      })
      const before = updates.length
      await vi.advanceTimersByTimeAsync(3000)
      expect(updates.length - before).toBeGreaterThanOrEqual(2)
      expect(updates.at(-1)).toMatchObject({ id: ref.operation, state: 'running', phase: 'receiving' })
      finish()
      await ops.wait(ref.operation)
      const atEnd = updates.length
      await vi.advanceTimersByTimeAsync(3000)
      expect(updates.length).toBe(atEnd)
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('ends as cancelled when cancelled, as failed with the work\'s error otherwise, and stops everything on stop', async () => {
    const ops = new OperationRegistry(new EventHub())
    const waitAbort = async (signal: AbortSignal): Promise<never> => await new Promise((_resolve, reject) => { signal.addEventListener('abort', () => { reject(signal.reason) }) })
    const a = ops.start('fetch', { label: 'a' }, async op => await waitAbort(op.signal))
    ops.cancel(a.operation)
    expect(await ops.wait(a.operation)).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } })
    const b = ops.start('fetch', { label: 'b' }, async () => { throw new WgtError('INTEGRITY', 'wrong key') })
    expect(await ops.wait(b.operation)).toMatchObject({ state: 'failed', error: { code: 'INTEGRITY', message: 'wrong key' } })
    const c = ops.start('share', { label: 'c' }, async op => await waitAbort(op.signal))
    await ops.stop()
    expect(await ops.wait(c.operation)).toMatchObject({ state: 'failed', error: { code: 'NOT_RUNNING' } })
    expect(() => ops.start('share', { label: 'd' }, async op => await waitAbort(op.signal))).toThrow(/stopping/)
  })
})
