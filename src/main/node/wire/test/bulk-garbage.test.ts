import { PerformanceObserver, constants } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BULK_GC_STEP, noteBulkBytes, releaseBuffer } from '../bulk-garbage.js'

describe('noteBulkBytes', () => {
  const g = globalThis as { gc?: unknown }
  const hadGc = 'gc' in g
  // the daemon runs with --expose-gc (bin/wgt); the test runner does not, so gc() is exposed here the test-only way
  beforeAll(() => {
    if (typeof g.gc !== 'function') {
      setFlagsFromString('--expose-gc')
      g.gc = runInNewContext('gc')
    }
    expect(typeof g.gc).toBe('function')
  })
  afterAll(() => { if (!hadGc) delete g.gc })

  it('asks V8 for a collection once a step of bytes has moved, and not before', async () => {
    let forced = 0
    const obs = new PerformanceObserver(list => {
      for (const e of list.getEntries()) {
        const detail = e.detail as { kind?: number, flags?: number } | undefined
        // forced: asked for with gc(); V8 may upgrade a requested young collection to a full one
        if (((detail?.flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0) forced++
      }
    })
    obs.observe({ entryTypes: ['gc'] })
    try {
      noteBulkBytes(BULK_GC_STEP / 2)
      await new Promise(resolve => setTimeout(resolve, 50))
      expect(forced).toBe(0)
      noteBulkBytes(BULK_GC_STEP / 2)
      // gc entries are delivered asynchronously: a generous bound on waiting for the one asked for
      for (let i = 0; i < 100 && forced === 0; i++) await new Promise(resolve => setTimeout(resolve, 50))
      expect(forced).toBe(1)
    } finally {
      obs.disconnect()
    }
  })
})

describe('releaseBuffer', () => {
  it('frees a large buffer that is all its own message', () => {
    const shard = new Uint8Array(new ArrayBuffer(1 << 20), 40, (1 << 20) - 40)
    releaseBuffer(shard)
    expect(shard.buffer.byteLength).toBe(0)
    expect(shard.byteLength).toBe(0)
  })

  it('leaves small buffers, views of larger allocations and WebAssembly memory alone, without throwing', () => {
    const small = new Uint8Array(64 * 1024)
    const view = new Uint8Array(new ArrayBuffer(4 << 20)).subarray(0, 1 << 20)
    const wasm = new Uint8Array(new WebAssembly.Memory({ initial: 4 }).buffer)
    for (const b of [small, view, wasm]) releaseBuffer(b)
    expect(small.byteLength).toBe(64 * 1024)
    expect(view.byteLength).toBe(1 << 20)
    expect(wasm.byteLength).toBe(4 * 65536)
  })
})
