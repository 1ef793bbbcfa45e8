/**
 * Stream attacks on a live `wgt daemon`, the bounded version of `npm run
 * fuzz` (scripts/fuzz/attacks.js): hostile peers write malformed and mutated
 * frames, endless varints, oversized lengths, half messages then silence,
 * slow bytes and 200 concurrent streams on every protocol the victim serves,
 * WGT's, the DHT and libp2p's own, while an honest daemon keeps probing it.
 * The victim must live, stay under an RSS bound, count a violation for every
 * frame its own decoders and validation reject (each attack uses fresh
 * identities, at most 8 expected violations each: a ban takes 10) and for
 * every /wgt/shard request it cut for arriving below its floor, refuse
 * streams beyond maxInboundStreams, and keep answering the honest peer.
 *
 * Known bugs are `it.fails`, each with what it takes to reproduce it; the
 * tests of bugs since fixed say what they guard against. Every wait here is
 * bounded generously: the machine is shared.
 */
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAttacks, WGT_PROTOCOLS } from '../../scripts/fuzz/attacks.js'
import { honestLoop, pingVia, reputations, watchRss, wgtJsonIn } from '../../scripts/fuzz/live.js'
import { loadTargets } from '../../scripts/fuzz/targets.js'
import { cidOf } from '../../src/main/node/ces/index.js'
import { ShardRequest } from '../../src/main/node/files/pb/shard.js'
import { Daemons, loopbackTcp, sleep, type Daemon } from '../helpers/daemons.js'
import { hostilePeer, sendRaw, untilEnded } from '../helpers/hostile.js'

const SEED = Number(process.env.WGT_FUZZ_SEED ?? 20_260_501)
/** an idle daemon is ~130 MiB here; an attack may cost it some, not multiples */
const RSS_BOUND = 512 * 2 ** 20
const daemons = new Daemons()

type Records = Awaited<ReturnType<typeof runAttacks>>
type Honest = ReturnType<typeof honestLoop>
let victim: Daemon
let honest: Daemon
let targets: Awaited<ReturnType<typeof loadTargets>>
let protocols: string[]
let rss: ReturnType<typeof watchRss>
let probe: Honest

const view = () => ({ addr: loopbackTcp(victim), protocols, reputations: async () => await reputations(victim.dataDir) })
const WGT = WGT_PROTOCOLS.map(p => p.protocol)
const attack = async (opts: Record<string, unknown>): Promise<Records> => await runAttacks(view(), { seed: SEED, targets, ...opts })
const wgtOnly = (r: Records[number]): boolean => WGT_PROTOCOLS.some(p => p.protocol === r.protocol)
const show = (r: unknown): string => JSON.stringify(r)

/**
 * A shard GET (for a shard nobody has) on a fresh stream: how many bytes of
 * answer came back within waitMs (NOT_FOUND comes at once; the victim then
 * waits for us to close, so we stop at the first bytes).
 */
async function askGet (node: Awaited<ReturnType<typeof hostilePeer>>, waitMs = 15_000): Promise<number> {
  const get = ShardRequest.encode({ kind: ShardRequest.Kind.GET, cid: cidOf(new Uint8Array(8)), data: new Uint8Array(0), leaseMs: 0, cids: [], nonce: new Uint8Array(0) })
  const stream = await sendRaw(node, loopbackTcp(victim), '/wgt/shard/1.0.0', Uint8Array.from([get.length, ...get]))
  let answered = 0
  stream.addEventListener('message', evt => { answered += evt.data.byteLength })
  const deadline = Date.now() + waitMs
  while (answered === 0 && stream.status === 'open' && Date.now() < deadline) await sleep(50)
  stream.abort(new Error('done'))
  return answered
}

/** the honest peer was answered in this phase: no `wgt ping` failed and at least 90% of probes came back */
function served (phase: string): void {
  const s = probe.summary()[phase]
  expect(s, `no honest probes in ${phase}`).toBeDefined()
  expect(s.calls, show(s)).toBeGreaterThan(0)
  expect(s.failedCalls, show(s)).toBe(0)
  expect(s.answered / s.samples, show(s)).toBeGreaterThanOrEqual(0.9)
}

beforeAll(async () => {
  targets = await loadTargets(fileURLToPath(new URL('../../src/main/node', import.meta.url)))
  ;[victim, honest] = await Promise.all([daemons.start('victim'), daemons.start('honest')])
  protocols = (await wgtJsonIn(victim.dataDir, ['id'])).protocols
  await wgtJsonIn(honest.dataDir, ['connect', loopbackTcp(victim)])
  rss = watchRss(victim.proc.pid as number)
  probe = honestLoop(pingVia(honest.dataDir, victim.info.peerId), { first: 'warmup', base: 'before', pauseMs: 300 })
  await sleep(1000)
  probe.setPhase('before')
  await sleep(2000)
})

afterAll(async () => {
  rss?.stop()
  await probe?.stop()
  await daemons.stopAll()
})

describe('stream attacks on a live daemon', () => {
  it('serves the honest peer before the attacks: probes answered, a shard GET answered', async () => {
    served('before')
    const asker = await hostilePeer()
    await asker.start()
    try {
      expect(await askGet(asker)).toBeGreaterThan(0)
    } finally {
      await asker.stop()
    }
  })

  it('malformed frames, endless varints and oversized lengths on every WGT protocol and the DHT: each rejected frame counted, the victim alive and bounded, the honest peer answered', async () => {
    probe.setPhase('frames')
    rss.reset()
    const records = await attack({ frames: 6, holdMs: 2500, kinds: ['malformed', 'endless', 'oversized', 'silent-length'], only: WGT, parallel: WGT.length })
    probe.setPhase('between')
    expect(victim.proc.exitCode).toBeNull()
    expect(new Set(records.map(r => r.protocol))).toEqual(new Set(WGT))
    for (const r of records) expect(r.violations, show(r)).toBeGreaterThanOrEqual(r.expectedViolations)
    // an endless, oversized or 2^31 length is a violation on every WGT protocol and on the DHT (1 MiB since the kad-dht patch)
    for (const r of records.filter(r => wgtOnly(r) && ['endless', 'oversized', 'silent-length'].includes(r.kind))) expect(r.violations, show(r)).toBe(1)
    expect(records.filter(wgtOnly).reduce((n, r) => n + r.violations, 0)).toBeGreaterThanOrEqual(6 * 2)
    expect(rss.state.peak, `peak RSS ${rss.state.peak}`).toBeLessThan(RSS_BOUND)
    served('frames')
  })

  it('half messages then silence, 1 byte/s senders and 200 concurrent streams per protocol: no violation, streams beyond maxInboundStreams refused, the honest peer answered', async () => {
    probe.setPhase('streams')
    rss.reset()
    // One after the other: a /wgt/shard stream cut below its pace counts as a violation while
    // other peers wait for a slot it could free. The victim cuts the slow sender at ~5 s; run
    // side by side, whether that cut counted depended on the concurrent attacker's streams
    // still queued at that moment, which othersWaiting counted though they waited only on
    // their own peer's share (fixed in wire/limits.ts; the order keeps the test independent of it).
    const records = [
      ...await attack({ holdMs: 2500, slowBytes: 2, kinds: ['truncated', 'slow'], only: WGT, parallel: WGT.length }),
      ...await attack({ holdMs: 2500, concurrent: 200, kinds: ['concurrent'], only: WGT, parallel: WGT.length })
    ]
    probe.setPhase('between')
    expect(victim.proc.exitCode).toBeNull()
    for (const r of records) expect(Object.values(r.outcomes).reduce((a, b) => a + b, 0)).toBe(r.streams)
    for (const r of records.filter(wgtOnly)) {
      // a timeout is not a violation; /wgt/shard counts a request it cut below its floor
      // silence is no violation; a shard stream cut below its pace counts only when others wait for a slot
      expect(r.violations, `a timeout or an uncontended cut is not a violation: ${show(r)}`).toBe(0)
    }
    for (const spec of WGT_PROTOCOLS) {
      const r = records.find(x => x.protocol === spec.protocol && x.kind === 'concurrent')
      expect(r?.outcomes.refused, show(r)).toBeGreaterThanOrEqual(200 - spec.maxInboundStreams)
    }
    expect(rss.state.peak, `peak RSS ${rss.state.peak}`).toBeLessThan(RSS_BOUND)
    served('streams')
  })

  // Guards against one peer starving /wgt/shard: serve() used to take one of
  // 8 global slots before it read a byte and keep it for its 60 s deadline,
  // so 8 silent streams (any peer; 32 per connection) left nothing for
  // anyone, uncounted; an honest GET (NOT_FOUND at once otherwise) got no
  // answer, and in `npm run fuzz` an honest `wgt fetch` failed with "no
  // reachable peer holds file" after ~10 s. Now a peer holds at most 3 slots
  // and a request below the floor is cut within a 5 s window and counted.
  it('a peer holding 32 silent /wgt/shard streams does not keep another peer\'s request from being answered, and its streams are cut below the floor', async () => {
    const held = attack({ only: ['/wgt/shard/1.0.0'], kinds: ['concurrent'], concurrent: 32, holdMs: 12_000 })
    await sleep(2500)
    const asker = await hostilePeer()
    await asker.start()
    let answered: number
    try {
      answered = await askGet(asker)
    } finally {
      await asker.stop()
    }
    const [r] = await held
    expect(answered, 'bytes of the answer to a GET').toBeGreaterThan(0)
    // held ~14 s: the first three at least were cut (at ~5 s, and ~10 s for the next three); the
    // other peer found a free slot (one peer holds at most 3 of 8), so nobody waited and no cut counted
    expect(r.outcomes.ended, show(r)).toBeGreaterThanOrEqual(1)
  })

  // Per-peer slots do not bound a peer with many identities (one host, one
  // IP: a PeerId costs nothing): 12 identities holding 32 silent streams each
  // keep 36 requests in the FIFO queue for the 8 global slots, each cut only
  // after its 5 s window below the floor, so another peer's GET waits ~17 s
  // and an honest `wgt fetch` of a file only the victim holds fails with "no
  // reachable peer holds file" after ~17 s (none of the 12 is banned within
  // 60 s: 6-9 violations each). With 4 identities the fetch took ~22 s.
  it.fails('12 identities holding 32 silent /wgt/shard streams each do not keep another peer\'s GET unanswered for 10 s', async () => {
    const stop = new AbortController()
    const held = Promise.all(Array.from({ length: 12 }, async () => await attack({ only: ['/wgt/shard/1.0.0'], kinds: ['concurrent'], concurrent: 32, holdMs: 30_000, signal: stop.signal })))
    await sleep(4000)
    const asker = await hostilePeer()
    await asker.start()
    let answered: number
    try {
      answered = await askGet(asker, 10_000)
    } finally {
      stop.abort()
      await asker.stop()
      await held
    }
    expect(answered, 'bytes of the answer to a GET within 10 s').toBeGreaterThan(0)
  })

  // Guards wire/screen.ts isPeerFault counting protons' plain Errors: it
  // counted only MaxLengthError, MaxSizeError, ParseError and "index out of
  // range", so a bad wire type went uncounted. One frame: length 1, byte 0x7f
  // (field 15, wire type 7).
  it('a DHT message with an invalid wire type is counted against its sender', async () => {
    const node = await hostilePeer()
    await node.start()
    try {
      const stream = await sendRaw(node, loopbackTcp(victim), '/wgt/kad/1.0.0', Uint8Array.from([0x01, 0x7f]))
      await untilEnded(stream, 15_000)
      // the victim counts as it fails the stream; `wgt peers` may be a moment behind
      let violations = 0
      for (let i = 0; i < 20 && violations === 0; i++) {
        await sleep(250)
        violations = (await reputations(victim.dataDir)).get(node.peerId.toString())?.violations ?? 0
      }
      expect(violations).toBe(1)
    } finally {
      await node.stop()
    }
  })

  // Guards the kad-dht patch: kad-dht decoded a message's closer and provider
  // peers without a limit (its reader's bound was its 4 MiB buffer):
  // FIND_NODE followed by 2M empty PeerInfos (0x42 0x00) was a valid 4 MiB
  // message that took the victim from ~130 MiB to ~1 GiB RSS and blocked it
  // for seconds, uncounted. Now a frame is at most 1 MiB and a message lists
  // at most 64 peers: both bombs (4 MiB, and 1 MiB of empty peers) count.
  // Run last: were the bug back, it would leave the victim's RSS high.
  it('a 4 MiB DHT message of empty closer peers, and a 1 MiB one, are counted against their sender and cost the victim less than the RSS bound', async () => {
    rss.reset()
    const [r] = await attack({ only: ['/wgt/kad/1.0.0'], kinds: ['bomb'], bombs: 1, holdMs: 10_000 })
    await sleep(500)
    expect(victim.proc.exitCode).toBeNull()
    expect(rss.state.peak, `peak RSS ${rss.state.peak}`).toBeLessThan(RSS_BOUND)
    expect(r.expectedViolations, show(r)).toBe(2)
    expect(r.violations, show(r)).toBeGreaterThanOrEqual(r.expectedViolations)
  })
})
