import { PerformanceObserver, constants } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { BULK_GC_STEP, noteBulkBytes, releaseBuffer } from '../bulk-garbage.js'

describe('noteBulkBytes', () => {
  it('runs a young-generation collection once a step of bytes has moved', async () => {
    const minor = new Promise<void>(resolve => {
      const obs = new PerformanceObserver(list => {
        if (list.getEntries().some(e => (e.detail as { kind?: number } | undefined)?.kind === constants.NODE_PERFORMANCE_GC_MINOR)) {
          obs.disconnect()
          resolve()
        }
      })
      obs.observe({ entryTypes: ['gc'] })
    })
    noteBulkBytes(BULK_GC_STEP / 2)
    noteBulkBytes(BULK_GC_STEP / 2)
    await minor
  })
})

describe('releaseBuffer', () => {
  it('frees a large buffer that is all its own message', () => {
    const shard = new Uint8Array(new ArrayBuffer(1 << 20), 40, (1 << 20) - 40)
    releaseBuffer(shard)
    expect(shard.buffer.byteLength).toBe(0)
    expect(shard.byteLength).toBe(0)
  })

  it('leaves small buffers and views of larger allocations alone', () => {
    const small = new Uint8Array(64 * 1024)
    const view = new Uint8Array(new ArrayBuffer(4 << 20)).subarray(0, 1 << 20)
    releaseBuffer(small)
    releaseBuffer(view)
    expect(small.byteLength).toBe(64 * 1024)
    expect(view.byteLength).toBe(1 << 20)
  })
})
