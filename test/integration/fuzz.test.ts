/**
 * Stream attacks on a live `wgt daemon`, the bounded version of `npm run
 * fuzz` (scripts/fuzz/attacks.js): hostile peers write malformed and mutated
 * frames, endless varints, oversized lengths, half messages then silence,
 * slow bytes and 200 concurrent streams on every protocol the victim serves,
 * WGT's, the DHT and libp2p's own, while an honest daemon keeps probing it.
 * The victim must live, stay under an RSS bound, count a violation for every
 * frame its own decoders and validation reject (each attack uses fresh
 * identities, at most 8 expected violations each: a ban takes 10), refuse
 * streams beyond maxInboundStreams, and keep answering the honest peer.
 *
 * Known bugs are `it.fails`, each with what it takes to reproduce it.
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

/** A shard GET (for a shard nobody has) on a fresh stream: how many bytes of answer came back within 5 s. */
async function askGet (node: Awaited<ReturnType<typeof hostilePeer>>): Promise<number> {
  const get = ShardRequest.encode({ kind: ShardRequest.Kind.GET, cid: cidOf(new Uint8Array(8)), data: new Uint8Array(0), leaseMs: 0, cids: [] })
  const stream = await sendRaw(node, loopbackTcp(victim), '/wgt/shard/1.0.0', Uint8Array.from([get.length, ...get]))
  let answered = 0
  stream.addEventListener('message', evt => { answered += evt.data.byteLength })
  await untilEnded(stream, 5000)
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
    // an endless or oversized length is a violation on every WGT protocol and on the DHT
    for (const r of records.filter(r => wgtOnly(r) && (r.kind === 'endless' || r.kind === 'oversized'))) expect(r.violations, show(r)).toBe(1)
    expect(records.filter(wgtOnly).reduce((n, r) => n + r.violations, 0)).toBeGreaterThanOrEqual(6 * 2)
    expect(rss.state.peak, `peak RSS ${rss.state.peak}`).toBeLessThan(RSS_BOUND)
    served('frames')
  })

  it('half messages then silence, 1 byte/s senders and 200 concurrent streams per protocol: no violation, streams beyond maxInboundStreams refused, the honest peer answered', async () => {
    probe.setPhase('streams')
    rss.reset()
    const records = (await Promise.all([
      attack({ holdMs: 2500, slowBytes: 2, kinds: ['truncated', 'slow'], only: WGT, parallel: WGT.length }),
      attack({ holdMs: 2500, concurrent: 200, kinds: ['concurrent'], only: WGT, parallel: WGT.length })
    ])).flat()
    probe.setPhase('between')
    expect(victim.proc.exitCode).toBeNull()
    for (const r of records) expect(Object.values(r.outcomes).reduce((a, b) => a + b, 0)).toBe(r.streams)
    for (const r of records.filter(wgtOnly)) expect(r.violations, `a timeout is not a violation: ${show(r)}`).toBe(0)
    for (const spec of WGT_PROTOCOLS) {
      const r = records.find(x => x.protocol === spec.protocol && x.kind === 'concurrent')
      expect(r?.outcomes.refused, show(r)).toBeGreaterThanOrEqual(200 - spec.maxInboundStreams)
    }
    expect(rss.state.peak, `peak RSS ${rss.state.peak}`).toBeLessThan(RSS_BOUND)
    served('streams')
  })

  // shard-service.ts serve() takes one of 8 global slots before it reads a
  // byte and keeps it for its 60 s deadline: 8 silent streams on
  // /wgt/shard/1.0.0 (any peer; 32 per connection) leave nothing for anyone,
  // and no violation is counted. An honest GET (NOT_FOUND at once otherwise)
  // gets no answer; in `npm run fuzz` an honest `wgt fetch` fails with "no
  // reachable peer holds file" after ~10 s.
  it.fails('a peer holding silent /wgt/shard streams does not keep another peer\'s request from being answered', async () => {
    const stop = new AbortController()
    const held = attack({ only: ['/wgt/shard/1.0.0'], kinds: ['concurrent'], concurrent: 32, holdMs: 9000, signal: stop.signal })
    await sleep(2500)
    const asker = await hostilePeer()
    await asker.start()
    try {
      expect(await askGet(asker), 'bytes of the answer to a GET within 5 s').toBeGreaterThan(0)
    } finally {
      stop.abort()
      await asker.stop()
      await held
    }
  })

  // wire/screen.ts counts only MaxLengthError, MaxSizeError, ParseError and
  // "index out of range"; protons throws a plain Error for a bad wire type.
  // One frame: length 1, byte 0x7f (field 15, wire type 7).
  it.fails('a DHT message with an invalid wire type is counted against its sender', async () => {
    const node = await hostilePeer()
    await node.start()
    try {
      const stream = await sendRaw(node, loopbackTcp(victim), '/wgt/kad/1.0.0', Uint8Array.from([0x01, 0x7f]))
      await untilEnded(stream, 5000)
      await sleep(300)
      expect((await reputations(victim.dataDir)).get(node.peerId.toString())?.violations ?? 0).toBe(1)
    } finally {
      await node.stop()
    }
  })

  // kad-dht decodes a message's closer and provider peers without a limit
  // (its reader's bound is its 4 MiB buffer): FIND_NODE followed by 2M empty
  // PeerInfos (0x42 0x00) is a valid 4 MiB message that takes the victim
  // from ~130 MiB to ~1 GiB RSS and blocks it for seconds, uncounted.
  // Run last: it leaves the victim's RSS high.
  it.fails('a 4 MiB DHT message of empty closer peers is counted against its sender and costs the victim less than the RSS bound', async () => {
    rss.reset()
    const [r] = await attack({ only: ['/wgt/kad/1.0.0'], kinds: ['bomb'], bombs: 1, holdMs: 10_000 })
    await sleep(500)
    expect(victim.proc.exitCode).toBeNull()
    expect(rss.state.peak, `peak RSS ${rss.state.peak}`).toBeLessThan(RSS_BOUND)
    expect(r.violations, show(r)).toBeGreaterThan(0)
  })
})
