/**
 * Compute job figures (issue 10, item 10), on real `wgt daemon` processes on
 * loopback, each beside a baseline measured in the same run:
 *  - tiny-task round trips: one 1×1 matmul task at a time over
 *    /wgt/compute/1.0.0 from a libp2p node in this process (the real
 *    compute service, as a daemon's requester side uses it) to a daemon whose
 *    compute policy is 'anyone', vs an identify round trip (a new stream, a
 *    request and its answer) to the same daemon on the same connection;
 *    rounds interleaved. ratioP50 = task / identify;
 *  - a 1024×1024 matmul: submitted on a daemon with two workers that have it
 *    as a contact (three daemons, one machine), vs the same job on a daemon
 *    with no peers (local-only), rounds interleaved. ratio = spread / local:
 *    on one 2-core machine the peers share the same cores, so this measures
 *    the cost of distribution (transfer, verification), not a speed-up;
 *  - verification overhead: Freivalds' check of one 256×1024 · 1024×256 block
 *    (10 rounds, as jobs run it) vs computing that block with the WASM kernel,
 *    in this process (both warm); and the extra task runs (replicas, spot
 *    checks) of the spread jobs as a fraction of their tasks, once the workers
 *    are proven (two warm-up jobs first).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { connectWs, wsUrlFor } from '../out/node/main/cli/client.js'
import { computeService } from '../out/node/main/node/compute/compute-service.js'
import { freivalds } from '../out/node/main/node/compute/kernels/freivalds.js'
import { matmulWasm } from '../out/node/main/node/compute/kernels/matmul.js'
import { encodeMatrix } from '../out/node/main/node/compute/matrix.js'
import { resultSha256 } from '../out/node/main/node/compute/sandbox/result-hash.js'
import { randomMatrix } from '../out/node/main/node/compute/split.js'
import { onInterrupt } from './lib/children.js'
import { sleep, startDaemon, stopDaemons } from './lib/daemons.js'
import { median, percentile, round } from './lib/stats.js'

const WAIT_MS = 120_000

export async function measureComputeJobs ({ rounds = 5, tiny = 200, n = 1024, log = () => {} } = {}) {
  const base = await mkdtemp(join(tmpdir(), 'wgt-bench-compute-'))
  const clients = []
  let node = null
  const cleanup = async () => {
    for (const c of clients) c.close()
    await node?.stop()
    await stopDaemons()
    await rm(base, { recursive: true, force: true })
  }
  const unregister = onInterrupt(cleanup)
  try {
    const connect = async d => {
      const c = await connectWs(wsUrlFor(d.api.apiUrl), d.api.token)
      clients.push(c)
      return c.api
    }
    log('compute: starting four daemons (a requester, two workers, one alone)')
    const dr = await startDaemon('requester', join(base, 'r'))
    const [d1, d2, dl] = await Promise.all([
      startDaemon('w1', join(base, 'w1')), startDaemon('w2', join(base, 'w2')), startDaemon('alone', join(base, 'alone'))
    ])
    const r = await connect(dr)
    const w1 = await connect(d1)
    const w2 = await connect(d2)
    const alone = await connect(dl)
    for (const [w, d] of [[w1, d1], [w2, d2]]) await makeContacts(r, w, dr.api.peerId, d.api.peerId, d)

    const verification = measureFreivalds(rounds, log)

    // tiny tasks: this process's node to w1, which takes tasks from anyone for the figure
    await w1.setPolicy('compute', 'anyone')
    node = await createLibp2p({
      transports: [tcp()],
      connectionEncrypters: [tls(), noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        compute: computeService({ reputation: { recordViolation: () => {} }, mayCompute: () => false, hashResult: resultSha256 })
      }
    })
    const conn = await node.dial(multiaddr(loopback(d1)))
    const tinyInput = new Uint8Array([...encodeMatrix({ rows: 1, cols: 1, data: Float64Array.of(2) }), ...encodeMatrix({ rows: 1, cols: 1, data: Float64Array.of(3) })])
    const limits = { timeoutMs: 10_000, memoryBytes: 16 * 2 ** 20 }
    const task = async () => { await node.services.compute.run(d1.api.peerId, { kernel: 'matmul', input: tinyInput }, limits) }
    const ident = async () => { await node.services.identify.identify(conn) }
    for (let i = 0; i < 20; i++) { await task(); await ident() }
    const taskMs = []
    const identMs = []
    for (let round_ = 0; round_ < rounds; round_++) {
      const t = await timeEach(task, tiny)
      const b = await timeEach(ident, tiny)
      taskMs.push(median(t))
      identMs.push(median(b))
      log(`compute: tiny task round ${round_ + 1}/${rounds}: p50 ${round(median(t), 2)} ms, p95 ${round(percentile(t, 95), 2)} ms; identify p50 ${round(median(b), 2)} ms`)
    }

    // a matmul spread over two peers vs one daemon alone
    const spreadMs = []
    const localMs = []
    const extra = []
    const job = async (api) => {
      const t0 = performance.now()
      const { operation } = await api.submitCompute({ kernel: 'matmul', n })
      const final = await api.waitOperation(operation)
      const ms = performance.now() - t0
      if (final.state !== 'done') throw new Error(`the ${n}×${n} job ended ${final.state}: ${final.error?.message}`)
      return { ms, job: await api.getComputeJob(operation) }
    }
    // warm-up, and the workers' records: after two jobs of 16 tasks they are proven (≥ 10 valid results in a row),
    // so the rounds measure adaptive replication's steady state (single runs, spot checks)
    for (let i = 0; i < 2; i++) await job(r)
    await job(alone)
    for (let i = 0; i < rounds; i++) {
      const s = await job(r)
      const l = await job(alone)
      spreadMs.push(s.ms)
      localMs.push(l.ms)
      extra.push(s.job.verification.extraRuns / s.job.tasks.total)
      const peers = s.job.workers.filter(w => !w.self && w.runs > 0).length
      log(`compute: ${n}² round ${i + 1}/${rounds}: spread ${Math.round(s.ms)} ms (${peers} peers ran tasks, ${s.job.verification.extraRuns} extra runs of ${s.job.tasks.total}), local-only ${Math.round(l.ms)} ms`)
    }
    return {
      tinyTask: {
        p50Ms: round(median(taskMs), 3),
        perSecond: round(1000 / median(taskMs), 1),
        identifyP50Ms: round(median(identMs), 3),
        ratioP50: round(median(taskMs) / median(identMs), 2)
      },
      matmul: {
        n,
        spreadMs: Math.round(median(spreadMs)),
        localOnlyMs: Math.round(median(localMs)),
        ratio: round(median(spreadMs) / median(localMs), 2)
      },
      verification: {
        ...verification,
        extraRunsFraction: round(median(extra), 3)
      }
    }
  } finally {
    unregister()
    await cleanup()
  }
}

/** Freivalds (10 rounds) of one 256×1024 · 1024×256 block vs computing it with the WASM kernel. */
function measureFreivalds (rounds, log) {
  const a = { ...randomMatrix(1024), rows: 256 }
  a.data = a.data.subarray(0, 256 * 1024)
  const bFull = randomMatrix(1024)
  const b = { rows: 1024, cols: 256, data: new Float64Array(1024 * 256) }
  for (let i = 0; i < 1024; i++) b.data.set(bFull.data.subarray(i * 1024, i * 1024 + 256), i * 256)
  const c = matmulWasm(a, b)
  const check = []
  const compute = []
  // both JIT-compiled and warm before anything is timed
  for (let i = 0; i < 3; i++) { matmulWasm(a, b); freivalds(a, b, c, 10) }
  for (let i = 0; i < rounds; i++) {
    let t0 = performance.now()
    matmulWasm(a, b)
    compute.push(performance.now() - t0)
    t0 = performance.now()
    if (!freivalds(a, b, c, 10).ok) throw new Error('Freivalds refused an honest block')
    check.push(performance.now() - t0)
  }
  log(`compute: 256×1024·1024×256 block: WASM ${round(median(compute), 1)} ms, Freivalds (10 rounds) ${round(median(check), 1)} ms`)
  return { blockComputeMs: round(median(compute), 2), freivaldsMs: round(median(check), 2), freivaldsVsCompute: round(median(check) / median(compute), 3) }
}

async function timeEach (fn, count) {
  const ms = []
  for (let i = 0; i < count; i++) {
    const t0 = performance.now()
    await fn()
    ms.push(performance.now() - t0)
  }
  return ms
}

function loopback (d) {
  const addr = d.api.multiaddrs.find(m => /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//.test(m))
  if (addr == null) throw new Error(`no loopback address for ${d.name}`)
  return addr
}

async function makeContacts (a, b, peerA, peerB, db) {
  await a.addContact(loopback(db))
  await until('the contact request', async () => (await b.listContacts()).some(c => c.peerId === peerA && c.trust === 'request-received'))
  await b.acceptContact(peerA)
  await until('the contact', async () => (await a.listContacts()).some(c => c.peerId === peerB && c.trust === 'contact'))
  await until('the worker as a compute peer', async () => (await a.listPeers()).some(p => p.peerId === peerB && p.connected && p.protocols.includes('/wgt/compute/1.0.0')))
}

async function until (what, fn) {
  const deadline = Date.now() + WAIT_MS
  while (!await fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}
