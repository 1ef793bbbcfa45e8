/**
 * Distributed compute across processes: three `wgt daemon`s on 127.0.0.1
 * (a requester and two workers that have it as a contact: guard's compute
 * policy defaults to contacts), driven through the CLI and the WebSocket API,
 * and one libp2p node in this process that serves /wgt/compute/1.0.0 with
 * wrong answers (the liar: the fault lives in the test, nothing in the
 * product can be switched to lie). A matmul whose blocks ran on both peers
 * equals a local multiply; a worker SIGKILLed mid-job and the job still
 * completes; the liar caught and charged; WASM modules: invalid, endless
 * (budget, time limit) and memory-hungry, with the worker healthy after;
 * a requester the policy does not allow refused; hostile and mismatched
 * matrix headers refused before anything is allocated.
 *
 * Sizes are modest (a 2-core machine shared); every deadline is a bound on
 * waiting, never a measurement.
 */
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ComputeJob, ContributedTask, PeerEntry, WgtApi } from '../../src/shared/api/index.js'
import { connectWs, wsUrlFor } from '../../src/main/cli/client.js'
import { COMPUTE_PROTOCOL, computeService, type ComputeService, type TaskHost } from '../../src/main/node/compute/compute-service.js'
import { matmulTs, multiplyMatmulTask } from '../../src/main/node/compute/kernels/matmul.js'
import { decodeMatrix, encodeMatrix, type Matrix } from '../../src/main/node/compute/matrix.js'
import { resultSha256 } from '../../src/main/node/compute/sandbox/result-hash.js'
import { randomMatrix } from '../../src/main/node/compute/split.js'
import { Daemons, loopbackTcp, makeContacts, until, wgt, wgtJson, type Daemon } from '../helpers/daemons.js'

const daemons = new Daemons()
const closers: Array<() => void> = []
let requester: Daemon
let w1: Daemon
let w2: Daemon
let api: WgtApi
let dir: string

async function connect (d: Daemon): Promise<WgtApi> {
  const c = await connectWs(wsUrlFor(d.info.apiUrl), d.info.token)
  closers.push(c.close)
  return c.api
}

async function matrixFiles (name: string, a: Matrix, b: Matrix): Promise<{ a: string, b: string }> {
  const pa = join(dir, `${name}-a.wgtm`)
  const pb = join(dir, `${name}-b.wgtm`)
  await writeFile(pa, encodeMatrix(a))
  await writeFile(pb, encodeMatrix(b))
  return { a: pa, b: pb }
}

/** `wgt compute submit … --json` on the requester: the job as it ended (exit code kept) */
async function submit (args: string[]): Promise<{ code: number | null, job: ComputeJob | null, stderr: string }> {
  const r = await wgt(['compute', 'submit', ...args, '--data-dir', requester.dataDir, '--json'])
  const job = r.code === 0 ? JSON.parse(r.stdout) as ComputeJob : null
  return { code: r.code, job, stderr: r.stderr }
}

async function resultMatrix (job: ComputeJob): Promise<Matrix> {
  const out = join(dir, `${job.id}.wgtm`)
  const saved = await wgtJson<{ path: string, bytes: number, sha256: string }>(requester, ['compute', 'result', job.id, '-o', out])
  const bytes = await readFile(saved.path)
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(job.result?.sha256)
  return decodeMatrix(new Uint8Array(bytes))
}

const peersUsed = (job: ComputeJob): string[] => job.workers.filter(w => !w.self && w.runs > 0).map(w => w.peerId)

beforeAll(async () => {
  dir = await daemons.tempDir('compute-files')
  requester = await daemons.start('requester')
  ;[w1, w2] = await Promise.all([
    daemons.start('w1', { bootstrap: loopbackTcp(requester) }),
    daemons.start('w2', { bootstrap: loopbackTcp(requester) })
  ])
  await makeContacts(w1, requester, loopbackTcp(requester), { a: 'w1', b: 'requester' })
  await makeContacts(w2, requester, loopbackTcp(requester), { a: 'w2', b: 'requester' })
  api = await connect(requester)
  // both workers connected and known to speak compute before the first job
  await until('both workers connected to the requester', async () => {
    const peers = await api.listPeers()
    return [w1, w2].every(w => peers.some((p: PeerEntry) => p.peerId === w.info.peerId && p.connected && p.protocols.includes(COMPUTE_PROTOCOL)))
  }, 60_000)
}, 180_000)

afterAll(async () => {
  for (const c of closers) c()
  await daemons.stopAll()
})

describe('compute across processes', () => {
  it('a matmul in blocks runs on both peers and equals a local multiply', async () => {
    const a = randomMatrix(600)
    const b = randomMatrix(600)
    const r = await submit(['--a', (await matrixFiles('m1', a, b)).a, '--b', join(dir, 'm1-b.wgtm')])
    expect(r.stderr).toBe('')
    const job = r.job as ComputeJob
    expect(job.state).toBe('done')
    expect(job.tasks).toMatchObject({ total: 9, done: 9 })
    expect(new Set(peersUsed(job))).toEqual(new Set([w1.info.peerId, w2.info.peerId]))
    expect(job.verification.freivalds).toMatchObject({ rounds: 10, failed: 0 })
    const c = await resultMatrix(job)
    expect(c.data).toEqual(matmulTs(a, b).data)
    // status and list show the same job
    expect(await wgtJson<ComputeJob>(requester, ['compute', 'status', job.id])).toMatchObject({ id: job.id, state: 'done', result: job.result })
    expect((await wgtJson<ComputeJob[]>(requester, ['compute', 'list'])).map(j => j.id)).toContain(job.id)
  })

  it('a worker SIGKILLed mid-job: its tasks go elsewhere and the job completes', async () => {
    const api2 = await connect(w2)
    const running = new Promise<void>(resolve => {
      api2.on('compute:task', (t: ContributedTask) => { if (t.state === 'running' && t.requester === requester.info.peerId) resolve() })
    })
    const { operation } = await api.submitCompute({ kernel: 'matmul', n: 1280 })
    await running
    await daemons.stop(w2, 'SIGKILL')
    const final = await api.waitOperation(operation)
    expect(final.error).toBeNull()
    expect(final.state).toBe('done')
    const job = await api.getComputeJob(operation)
    expect(job.tasks).toMatchObject({ total: 25, done: 25 })
    expect(job.result?.rows).toBe(1280)
    // the killed worker got tasks, and the job still finished on the others
    expect(job.workers.map(w => w.peerId)).toContain(w2.info.peerId)
    w2 = await daemons.start('w2', { dataDir: w2.dataDir, bootstrap: loopbackTcp(requester) })
  })

  describe('a lying worker', () => {
    let liar: Libp2p
    beforeAll(async () => {
      liar = await liarNode()
      await liar.dial(multiaddr(loopbackTcp(requester)))
      await until('the liar as a compute candidate', async () => (await api.listPeers()).some((p: PeerEntry) => p.peerId === liar.peerId.toString() && p.connected && p.protocols.includes(COMPUTE_PROTOCOL)), 30_000)
    })
    afterAll(async () => { await liar?.stop() })

    it('is caught by Freivalds or outvoted, charged, and the result is still right', async () => {
      const a = randomMatrix(520)
      const b = randomMatrix(520)
      const files = await matrixFiles('liar', a, b)
      const r = await submit(['--a', files.a, '--b', files.b])
      expect(r.stderr).toBe('')
      const job = r.job as ComputeJob
      expect(job.state).toBe('done')
      const lied = job.workers.find(w => w.peerId === liar.peerId.toString())
      expect(lied?.rejected).toBeGreaterThan(0)
      expect(job.verification.freivalds?.failed).toBeGreaterThan(0)
      expect((await resultMatrix(job)).data).toEqual(matmulTs(a, b).data)
      const entry = (await api.listPeers()).find((p: PeerEntry) => p.peerId === liar.peerId.toString())
      expect(entry?.reputation.violations).toBeGreaterThan(0)
      expect(entry?.reputation.lastReason).toMatch(/compute/)
    })

    it('a requester the policy does not allow is refused (the liar is a stranger to the workers)', async () => {
      const service = liar.services.compute as ComputeService
      await liar.dial(multiaddr(loopbackTcp(w1)))
      const input = new Uint8Array([...encodeMatrix(randomMatrix(4)), ...encodeMatrix(randomMatrix(4))])
      await expect(service.run(w1.info.peerId, { kernel: 'matmul', input }, { timeoutMs: 10_000, memoryBytes: 16 * 2 ** 20 })).rejects.toMatchObject({ code: 'POLICY_DENIED' })
    })
  })

  it('hostile and mismatched matrix headers are refused before anything is allocated', async () => {
    const hostile = join(dir, 'hostile.wgtm')
    const head = new Uint8Array(16)
    head.set([0x57, 0x47, 0x54, 0x4d, 1])
    new DataView(head.buffer).setUint32(8, 2 ** 32 - 1, true)
    new DataView(head.buffer).setUint32(12, 2 ** 32 - 1, true)
    await writeFile(hostile, head)
    const r1 = await submit(['--a', hostile, '--b', hostile])
    expect(r1.code).toBe(2)
    expect(r1.stderr).toMatch(/4294967295 rows is outside 1\.\.4096/)
    const files = await matrixFiles('mismatch', randomMatrix(3), { rows: 4, cols: 2, data: new Float64Array(8) })
    const r2 = await submit(['--a', files.a, '--b', files.b])
    expect(r2.code).toBe(2)
    expect(r2.stderr).toMatch(/cannot multiply a 3×3 matrix by a 4×2 matrix/)
    const tooBig = await wgt(['compute', 'submit', '--matmul', '5000', '--data-dir', requester.dataDir])
    expect(tooBig.code).toBe(2)
  })

  describe('WASM modules', () => {
    let wat: (text: string) => Promise<Uint8Array>
    let input: string
    beforeAll(async () => {
      const wabt = await (await import('wabt')).default()
      wat = async text => {
        const m = wabt.parseWat('t.wat', text)
        try { return new Uint8Array(m.toBinary({}).buffer) } finally { m.destroy() }
      }
      input = join(dir, 'input.txt')
      await writeFile(input, 'one\ntwo\nthree\n')
    })

    const module = async (name: string, run: string): Promise<string> => {
      const path = join(dir, `${name}.wasm`)
      await writeFile(path, await wat(`(module
        (import "env" "memory" (memory 1))
        (global $out (mut i32) (i32.const 0))
        (func (export "alloc") (param i32) (result i32) (i32.const 1024))
        (func (export "output") (result i32) (global.get $out))
        (func (export "run") (param $ptr i32) (param $len i32) (result i32)
          (global.set $out (local.get $ptr))
          ${run}))`))
      return path
    }

    it('an echo module runs, and its output is the input', async () => {
      const r = await submit(['--wasm', await module('echo', '(local.get $len)'), '--input', input])
      expect(r.stderr).toBe('')
      expect(r.job?.state).toBe('done')
      const saved = await wgtJson<{ path: string }>(requester, ['compute', 'result', r.job?.id as string, '-o', join(dir, 'echo.out')])
      expect(await readFile(saved.path, 'utf8')).toBe('one\ntwo\nthree\n')
    })

    it('an invalid module is rejected with a clear error', async () => {
      const bad = join(dir, 'bad.wasm')
      await writeFile(bad, 'this is not a wasm module')
      const r = await submit(['--wasm', bad, '--input', input])
      expect(r.code).not.toBe(0)
      expect(r.stderr).toMatch(/WASM module: not a valid WebAssembly module/)
      const noRun = join(dir, 'norun.wasm')
      await writeFile(noRun, await wat('(module (import "env" "memory" (memory 1)) (func (export "alloc") (param i32) (result i32) (i32.const 0)) (func (export "output") (result i32) (i32.const 0)))'))
      expect((await submit(['--wasm', noRun, '--input', input])).stderr).toMatch(/does not export run/)
    })

    it('an endless loop is stopped at its budget, and at the time limit; the workers stay healthy', async () => {
      const loop = await module('loop', '(loop $l (br $l)) (i32.const 0)')
      const budget = await submit(['--wasm', loop, '--input', input, '--budget', '10000000'])
      expect(budget.code).not.toBe(0)
      expect(budget.stderr).toMatch(/instruction budget/)
      const timed = await submit(['--wasm', loop, '--input', input, '--budget', String(10 ** 12), '--timeout-s', '2', '--retries', '1'])
      expect(timed.code).not.toBe(0)
      expect(timed.stderr).toMatch(/TIMEOUT/)
      // the same workers run the next job fine
      const again = await submit(['--matmul', '300', '--redundancy', '3'])
      expect(again.stderr).toBe('')
      expect(again.job?.state).toBe('done')
    })

    it('a memory-hungry module is stopped at its cap', async () => {
      const hog = await module('hog', '(loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) (i32.const 0)')
      const r = await submit(['--wasm', hog, '--input', input, '--memory-mb', '16'])
      expect(r.code).not.toBe(0)
      expect(r.stderr).toMatch(/memory past its cap/)
    })
  })
})

/**
 * The liar: a libp2p node in this process serving /wgt/compute/1.0.0 with
 * the real service, whose host computes every block and flips a bit of the
 * last element: a result of the right shape and size, and wrong.
 */
async function liarNode (): Promise<Libp2p<{ compute: ComputeService }>> {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [tls(), noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      compute: computeService({ reputation: { recordViolation: () => {} }, mayCompute: () => true, hashResult: resultSha256 })
    }
  })
  const host: TaskHost = {
    admit: () => ({
      limits: req => ({ timeoutMs: req.timeoutMs, memoryBytes: req.memoryBytes }),
      run: async spec => {
        if (spec.kernel !== 'matmul') throw new Error('the liar only multiplies')
        const output = multiplyMatmulTask(spec.input)
        output[output.length - 1] ^= 0x40
        const result = { ok: true as const, output }
        return { result, sha256: resultSha256(result), cpuMs: 1 }
      },
      release: () => {}
    }),
    module: () => null,
    keepModule: () => {}
  }
  node.services.compute.host = host
  return node
}

