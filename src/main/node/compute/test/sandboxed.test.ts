/**
 * The worker with the real sandbox (task threads) behind /wgt/compute/1.0.0:
 * a matmul block computed on a peer comes back bit-identical to the same
 * block computed here, its hash computed here; a malformed block is a
 * result ('invalid') that hashes the same on both; stopping ends the threads.
 */
import { MemoryDatastore } from 'datastore-core'
import type { Libp2p } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { EventHub } from '../../../../shared/rpc.js'
import { makeNode, ViolationLog } from '../../metrics/test/nodes.js'
import { computeService, type ComputeService } from '../compute-service.js'
import { encodeMatrix } from '../matrix.js'
import { resultSha256 } from '../sandbox/result-hash.js'
import { createTaskRunner } from '../sandbox/runner.js'
import { ComputeStore, defaultSettings } from '../store.js'
import type { TaskLimits } from '../types.js'
import { ComputeWorker } from '../worker.js'
import { concat, randomMatrix } from './helpers.js'

const stops: Array<() => Promise<void>> = []
afterEach(async () => { for (const s of stops.splice(0).reverse()) await s() })
const LIMITS: TaskLimits = { timeoutMs: 60_000, memoryBytes: 64 * 1024 * 1024 }

async function peer (allow: () => string | null): Promise<{ node: Libp2p<{ compute: ComputeService }>, worker: ComputeWorker }> {
  const node = await makeNode({
    compute: computeService({ reputation: new ViolationLog(), mayCompute: p => p === allow(), hashResult: resultSha256 })
  }) as unknown as Libp2p<{ compute: ComputeService }>
  const store = new ComputeStore(new MemoryDatastore(), defaultSettings(3))
  await store.load()
  const runner = createTaskRunner({ concurrency: 4 })
  const worker = new ComputeWorker({ selfId: node.peerId.toString(), store, runner, events: new EventHub(), hashResult: resultSha256 })
  worker.start()
  node.services.compute.host = worker
  stops.push(async () => { await worker.stop(); await runner.stop(); await node.stop() })
  return { node, worker }
}

describe('the worker with the sandbox', () => {
  it('computes a matmul block for a peer exactly as it does for itself', async () => {
    let requester: string | null = null
    const a = await peer(() => null)
    const b = await peer(() => requester)
    requester = a.node.peerId.toString()
    await a.node.dial(b.node.getMultiaddrs()[0])
    const input = concat(encodeMatrix(randomMatrix(24, 40, 1)), encodeMatrix(randomMatrix(40, 16, 2)))
    const remote = await a.node.services.compute.run(b.node.peerId.toString(), { kernel: 'matmul', input }, LIMITS)
    const local = await a.worker.local({ kernel: 'matmul', input }, LIMITS)
    expect(remote.result.ok).toBe(true)
    expect(remote.sha256).toBe(local.sha256)
    expect(Buffer.from((remote.result as { output: Uint8Array }).output).equals(Buffer.from((local.result as { output: Uint8Array }).output))).toBe(true)
    expect(remote.cpuMs).toBeGreaterThanOrEqual(0)
    // mismatched shapes: the task's own failure, the same result on both sides
    const bad = concat(encodeMatrix(randomMatrix(3, 4, 1)), encodeMatrix(randomMatrix(5, 2, 2)))
    const r2 = await a.node.services.compute.run(b.node.peerId.toString(), { kernel: 'matmul', input: bad }, LIMITS)
    const l2 = await a.worker.local({ kernel: 'matmul', input: bad }, LIMITS)
    expect(r2.result).toMatchObject({ ok: false, verdict: 'invalid' })
    expect(r2.sha256).toBe(l2.sha256)
    expect(b.worker.getContribution().totals).toMatchObject({ tasks: 2, failed: 1 })
    expect(a.worker.getContribution().totals.tasks).toBe(0)
  })
})
