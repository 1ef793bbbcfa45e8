#!/usr/bin/env node
/**
 * `npm run fuzz`: WGT's wire fuzzing (scripts/fuzz/), after `build:node`.
 * Progress goes to stderr; stdout carries exactly one JSON report.
 *
 * 1. Decoders: at least WGT_FUZZ_CASES (default 1,000,000) cases over every
 *    decoder the node applies to network input, on worker threads; a worker
 *    silent for a minute is stopped and its case reported as a hang. Then each
 *    decoder's worst frame at its full size limit (bombs).
 * 2. Streams: a `wgt daemon` victim attacked from hostile peers on every
 *    protocol it serves (attacks.js), while an honest daemon pings it and
 *    fetches small files it shares; an honest fetch while one peer holds 32
 *    silent /wgt/shard streams; then the DHT bombs on their own, last (4 MiB
 *    and 1 MiB of empty closer peers: refused by the kad-dht patch, but they
 *    would leave the victim's memory high were it undone).
 *
 * Environment:
 *   WGT_FUZZ_SEED     seed (default: random, printed in the report)
 *   WGT_FUZZ_CASES    decoder cases (default 1000000)
 *   WGT_FUZZ_WORKERS  decoder threads (default: the CPU count, at most 4)
 *   WGT_FUZZ_HOLD_MS  longest wait on the victim per stream attack (default 12000)
 *   WGT_FUZZ_STREAMS  0 skips the stream attacks
 *   WGT_FUZZ_CASE     target:phase:index replays one decoder case and prints it
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { startDaemon, stopDaemons } from '../bench/lib/daemons.js'
import { runAttacks } from './fuzz/attacks.js'
import { caseBytes, DEFAULT_BOUNDS, evaluate, hex, PHASES, runBombs, summarize } from './fuzz/decoders.js'
import { truncationBase } from './fuzz/gen.js'
import { fetchVia, honestLoop, pingVia, reputations, statusKiB, watchRss, wgtJsonIn } from './fuzz/live.js'
import { loadTargets } from './fuzz/targets.js'

const NODE_DIR = fileURLToPath(new URL('../out/node/main/node', import.meta.url))
const SEED = process.env.WGT_FUZZ_SEED != null ? Number(process.env.WGT_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31)
const CASES = Number(process.env.WGT_FUZZ_CASES ?? 1_000_000)
const WORKERS = Number(process.env.WGT_FUZZ_WORKERS ?? Math.min(4, cpus().length))
const HOLD_MS = Number(process.env.WGT_FUZZ_HOLD_MS ?? 12_000)
const HANG_MS = 60_000
const MiB = 2 ** 20

console.log = console.error
console.info = console.error
const log = msg => { process.stderr.write(`[fuzz] ${msg}\n`) }
const sleep = async ms => { await new Promise(resolve => setTimeout(resolve, ms)) }
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d

/** Cases per target: a few valid ones, every prefix of 20 of them, the rest mutated, split between workers. */
function plan (targets, workers) {
  const per = Math.ceil(CASES / targets.length)
  const shares = Array.from({ length: workers }, () => [])
  for (const t of targets) {
    const valid = Math.ceil(per * 0.02)
    const truncations = 20
    // every prefix of each of those samples is a case; the mutated cases make up the rest
    let prefixes = 0
    for (let j = 0; j < truncations; j++) prefixes += truncationBase(t, SEED, j).length
    const mutated = Math.max(0, per - valid - prefixes)
    const step = Math.ceil(mutated / workers)
    for (let w = 0; w < workers; w++) {
      const from = w * step
      const n = Math.max(0, Math.min(step, mutated - from))
      shares[w].push({ target: t.name, valid: w === 0 ? valid : 0, truncations: w === 0 ? truncations : 0, mutated: n, mutatedFrom: from })
    }
  }
  return shares
}

async function fuzzDecoders (targets) {
  const began = performance.now()
  const shares = plan(targets, WORKERS)
  const stats = []
  const hangs = []
  await Promise.all(shares.map(async (share, w) => {
    const progress = new SharedArrayBuffer(5 * 4)
    const where = new Int32Array(progress)
    const worker = new Worker(new URL('./fuzz/decoder-worker.js', import.meta.url), {
      workerData: { nodeDir: NODE_DIR, seed: SEED, plan: share, bounds: DEFAULT_BOUNDS, hugeBytes: 16 * 1024, progress },
      resourceLimits: { maxOldGenerationSizeMb: 2048 }
    })
    worker.on('message', m => {
      stats.push(m.stats)
      log(`decoders: ${m.stats.target} (worker ${w}): ${m.stats.cases} cases, ${Object.values(m.stats.failureCounts).reduce((a, b) => a + b, 0)} failures, slowest ${round(m.stats.maxMs)} ms`)
    })
    let beat = -1
    let still = 0
    const watchdog = setInterval(() => {
      if (where[4] !== beat || where[0] === 0 && where[4] === 0) { beat = where[4]; still = 0; return }
      still += 1000
      if (still < HANG_MS) return
      const p = share[where[0]]
      const phase = PHASES[where[1]]
      const id = `${p.target}:${phase}:${phase === 'truncated' ? `${where[2]}.${where[3]}` : where[2]}`
      hangs.push({ id, seed: SEED, silentMs: still })
      log(`decoders: worker ${w} silent for ${still / 1000} s on ${id}; stopping it`)
      void worker.terminate()
    }, 1000)
    try {
      await new Promise((resolve, reject) => {
        worker.once('exit', resolve)
        worker.once('error', err => { hangs.push({ id: `worker ${w}`, seed: SEED, error: String(err?.message ?? err) }); resolve() })
        void reject
      })
    } finally {
      clearInterval(watchdog)
    }
  }))
  const sum = summarize(stats)
  const perTarget = {}
  for (const s of stats) {
    const t = (perTarget[s.target] ??= { cases: 0, valid: 0, rejected: 0, errors: 0, failures: {}, maxMs: 0 })
    t.cases += s.cases; t.valid += s.valid; t.rejected += s.rejected; t.errors += s.errors
    t.maxMs = round(Math.max(t.maxMs, s.maxMs), 2)
    for (const [rule, n] of Object.entries(s.failureCounts)) t.failures[rule] = (t.failures[rule] ?? 0) + n
  }
  const examples = []
  const seen = new Set()
  for (const s of stats) {
    for (const f of s.failures) {
      const key = `${f.id.split(':')[0]} ${f.rule}`
      if (seen.has(key)) continue
      seen.add(key)
      examples.push({ ...f, replay: `WGT_FUZZ_SEED=${SEED} WGT_FUZZ_CASE=${f.id} node scripts/fuzz.js` })
    }
  }
  log('decoders: bombs at each decoder\'s full frame size')
  const bombs = targets.flatMap(t => runBombs(t, t.maxFrame)).map(b => ({ ...b, failures: b.failures.map(f => `${f.rule}: ${f.detail}`) }))
  return {
    cases: sum.cases,
    targets: targets.length,
    workers: WORKERS,
    valid: sum.valid,
    rejected: sum.rejected,
    errors: sum.errors,
    failures: sum.failures,
    failuresByRule: sum.failureCounts,
    hangs,
    maxCaseMs: round(sum.maxMs, 2),
    slowest: sum.slowest,
    bounds: { caseMs: DEFAULT_BOUNDS.caseMs, caseHeapMiB: DEFAULT_BOUNDS.caseHeapBytes / MiB },
    perTarget,
    failureExamples: examples,
    bombs: bombs.filter(b => b.failures.length > 0 || b.heapMiB > 0 || b.ms > 10),
    bombsWithoutFailure: bombs.filter(b => b.failures.length === 0).length,
    durationS: round((performance.now() - began) / 1000)
  }
}

async function fuzzStreams (targets) {
  const began = performance.now()
  const dirs = await Promise.all(['victim', 'honest'].map(async n => await mkdtemp(join(tmpdir(), `wgt-fuzz-${n}-`))))
  try {
    const victim = await startDaemon('victim', dirs[0])
    // small files shared before the honest peer connects: the victim alone holds their shards
    const links = []
    for (let i = 0; i < 40; i++) {
      const file = join(dirs[0], `shared-${i}.txt`)
      await writeFile(file, `fuzz ${SEED} file ${i}\n`.repeat(500))
      links.push((await wgtJsonIn(dirs[0], ['share', file])).link)
    }
    await startDaemon('honest', dirs[1])
    const id = await wgtJsonIn(dirs[0], ['id'])
    const addr = id.multiaddrs.find(a => a.startsWith('/ip4/127.0.0.1/tcp/'))
    await wgtJsonIn(dirs[1], ['connect', addr])
    const pid = victim.child.pid
    const rss = watchRss(pid)
    const ping = honestLoop(pingVia(dirs[1], id.peerId, 5), { first: 'warmup', base: 'before', pauseMs: 200 })
    const fetch = honestLoop(fetchVia(dirs[1], links.slice(0, -1), dirs[1], 60_000), { first: 'before', pauseMs: 3000 })
    await sleep(3000)
    ping.setPhase('before')
    await sleep(20_000)
    const idleRss = (await statusKiB(pid, 'VmRSS')) * 1024
    log(`streams: victim idle at ${round(idleRss / MiB)} MiB; attacking ${id.protocols.length} protocols`)

    ping.setPhase('attack'); fetch.setPhase('attack')
    rss.reset()
    const view = { addr, protocols: id.protocols, reputations: async () => await reputations(dirs[0]) }
    const records = await runAttacks(view, {
      seed: SEED,
      targets,
      frames: 20,
      concurrent: 200,
      holdMs: HOLD_MS,
      slowBytes: 5,
      parallel: 4,
      kinds: ['malformed', 'endless', 'oversized', 'truncated', 'silent-length', 'slow', 'concurrent', 'ban'],
      log: r => { log(`streams: ${r.protocol} ${r.kind}: ${JSON.stringify(r.outcomes)} in ${r.ms} ms`) }
    })
    ping.setPhase('after'); fetch.setPhase('after')
    await sleep(5000)

    // 32 silent /wgt/shard streams from one peer (its maxInboundStreams) while the honest peer fetches once
    log('streams: one honest fetch while a peer holds 32 silent /wgt/shard streams')
    ping.setPhase('shard-held'); fetch.setPhase('shard-held')
    const stop = new AbortController()
    const held = runAttacks(view, { seed: SEED, targets, only: ['/wgt/shard/1.0.0'], kinds: ['concurrent'], concurrent: 32, holdMs: 30_000, signal: stop.signal })
    await sleep(2500)
    const t0 = performance.now()
    const shardHeld = await wgtJsonIn(dirs[1], ['fetch', links[links.length - 1], '-o', join(dirs[1], 'while-held')], 60_000)
      .then(() => ({ fetched: true }), err => ({ fetched: false, error: String(err.message).slice(0, 200) }))
    shardHeld.ms = Math.round(performance.now() - t0)
    stop.abort()
    const heldRecord = (await held)[0]
    shardHeld.attack = heldRecord == null ? null : { outcomes: heldRecord.outcomes, expectedViolations: heldRecord.expectedViolations, violations: heldRecord.violations, banned: heldRecord.banned }
    ping.setPhase('after'); fetch.setPhase('after')
    const attackPeakRss = rss.state.peak
    const hwmBeforeBomb = (await statusKiB(pid, 'VmHWM')) * 1024
    const aliveAfterAttacks = victim.child.exitCode == null && victim.child.signalCode == null

    log('streams: the DHT bombs (4 MiB and 1 MiB of empty closer peers), twice')
    ping.setPhase('bomb'); fetch.setPhase('bomb')
    rss.reset()
    const bomb = await runAttacks(view, { seed: SEED, targets, only: ['/wgt/kad/1.0.0'], kinds: ['bomb'], bombs: 2, holdMs: 30_000 })
    await sleep(3000)
    const bombPeakRss = rss.state.peak
    const pings = await ping.stop()
    const fetches = await fetch.stop()
    rss.stop()
    const alive = victim.child.exitCode == null && victim.child.signalCode == null

    const total = (list, f) => list.reduce((n, r) => n + f(r), 0)
    const outcomes = { refused: 0, answered: 0, ended: 0, open: 0 }
    for (const r of records) for (const [k, n] of Object.entries(r.outcomes)) outcomes[k] += n
    const byProtocol = {}
    for (const r of records) {
      const p = (byProtocol[r.protocol] ??= { streams: 0, refused: 0, expectedViolations: 0, violations: 0, banned: 0 })
      p.streams += r.streams; p.refused += r.outcomes.refused; p.expectedViolations += r.expectedViolations; p.violations += r.violations; p.banned += r.banned
    }
    return {
      protocols: id.protocols.length,
      attacks: records.length,
      streams: total(records, r => r.streams),
      outcomes,
      expectedViolations: total(records, r => r.expectedViolations),
      violationsRecorded: total(records, r => r.violations),
      identitiesUsed: total(records, r => r.identities),
      identitiesBanned: total(records, r => r.banned),
      connectRetries: total(records, r => r.connectRetries),
      victim: {
        alive: aliveAfterAttacks && alive,
        idleRssMiB: round(idleRss / MiB),
        peakRssMiB: round(Math.max(attackPeakRss, hwmBeforeBomb) / MiB),
        peakRssMiBDuringDhtBomb: round(bombPeakRss / MiB)
      },
      honest: {
        ping: pings,
        fetch: fetches,
        latencyDuringVsBefore: { median: pings.attack?.medianRatio ?? null, p95: pings.attack?.p95Ratio ?? null }
      },
      honestFetchWhileShardStreamsHeld: shardHeld,
      dhtBomb: bomb.map(r => ({ streams: r.streams, outcomes: r.outcomes, ms: r.ms, expectedViolations: r.expectedViolations, violations: r.violations })),
      byProtocol,
      records,
      durationS: round((performance.now() - began) / 1000)
    }
  } finally {
    await stopDaemons()
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  }
}

async function replay (id) {
  const [name, phase, index] = id.split(':')
  const targets = await loadTargets(NODE_DIR)
  const t = targets.find(x => x.name === name)
  if (t == null) throw new Error(`no target ${name}; targets: ${targets.map(x => x.name).join(', ')}`)
  const bytes = caseBytes({ ...t, hugeBytes: 16 * 1024 }, SEED, phase, phase === 'truncated' ? index : Number(index))
  const r = evaluate(t, bytes, { phase, measure: true })
  return { replay: id, seed: SEED, bytes: bytes.length, hex: hex(bytes.subarray(0, 1024)), ...r }
}

async function main () {
  if (process.env.WGT_FUZZ_CASE != null) return await replay(process.env.WGT_FUZZ_CASE)
  const began = performance.now()
  const targets = await loadTargets(NODE_DIR)
  log(`seed ${SEED}; ${CASES} decoder cases over ${targets.length} decoders on ${WORKERS} workers`)
  const decoders = await fuzzDecoders(targets)
  log(`decoders: ${decoders.cases} cases, ${decoders.failures} failures, ${decoders.hangs.length} hangs in ${decoders.durationS} s`)
  const streams = process.env.WGT_FUZZ_STREAMS === '0' ? null : await fuzzStreams(targets)
  return {
    fuzz: 'wgt',
    date: new Date().toISOString(),
    seed: SEED,
    machine: { cpus: cpus().length, node: process.version, loadavgEnd: loadavg().map(v => round(v, 2)) },
    durationS: round((performance.now() - began) / 1000),
    decoders,
    streams,
    notes: [
      'decoders: each case must end valid, rejected by the node\'s validation, or in a normal Error, within bounds.caseMs and bounds.caseHeapMiB; failure rules are listed in scripts/fuzz/decoders.js; failureExamples carry the command that replays each.',
      'decoders.bombs: each decoder\'s worst frame at its full size limit (scripts/fuzz/gen.js bombs), heap measured from a collected heap.',
      'streams: each attack uses fresh hostile identities with at most 8 expected violations each (a ban takes 10); "ban" sends 12 on one identity. expectedViolations: frames the node\'s own decoder and validation reject, lengths past a bound, and /wgt/shard requests the victim cut for arriving below its floor (64 KiB/s over 5 s windows; at most 10 per identity). refused: streams the victim turned away (maxInboundStreams, a ban).',
      'honest.ping: RTT of the honest daemon\'s probe to the victim (`wgt ping -c 5` in a loop); ratios are medians and p95s over those of the phase before the attacks. honest.fetch: `wgt fetch` of small files only the victim holds, one every 2 s.'
    ]
  }
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`${sig}: stopping daemons`)
    void stopDaemons().finally(() => { process.exit(130) })
  })
}

try {
  const report = await main()
  process.stdout.write(JSON.stringify(report, null, 2) + '\n')
} catch (err) {
  log(`failed: ${err?.stack ?? err}`)
  await stopDaemons()
  process.exitCode = 1
}
