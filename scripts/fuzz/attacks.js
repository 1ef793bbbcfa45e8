/**
 * Stream attacks on a live `wgt daemon` from hostile peers: bare libp2p nodes
 * (TCP, TLS or noise, yamux; no services) that open streams on the victim's
 * protocols and write what no honest peer writes.
 *
 * Kinds, on each protocol:
 *   malformed   mutated frames (gen.js), one per stream, then our half closed
 *   endless     an endless varint length prefix (0xff x 64)
 *   oversized   a length prefix past the protocol's bound (the DHT's: 1 MiB)
 *   truncated   a length prefix, half the message, then silence
 *   silent-length  a length of 2^31 and nothing else
 *   slow        a valid frame at 1 byte per second
 *   concurrent  200 streams at once, each with half a frame, held open
 *   bomb        the DHT only: a 4 MiB message of empty closer peers (past its
 *               1 MiB frame), and 1 MiB of them (past its 64 closer peers)
 *   ban         /wgt/shard only: 12 endless varints from one identity (a ban at the 10th)
 *
 * Each attack runs under fresh hostile identities, at most `perIdentity`
 * expected violations each (a ban takes 10), so the victim's count of
 * violations can be compared with the count expected. A refused stream
 * (maxInboundStreams, or a banned peer) is an outcome, counted as such.
 *
 * Silence is no violation. On /wgt/shard a request that arrives slower than
 * its pace (16 KiB/s at least, judged over 5 s windows once it holds a slot)
 * is cut, but counted only while other peers wait for a slot: these attacks
 * alone leave slots free (one peer holds at most 3 of 8), so a cut is
 * expected, a violation is not.
 * Plain JavaScript: the integration test and `npm run fuzz` both use it.
 */
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { evaluate } from './decoders.js'
import { concat, endless, field, mutatedCase, repeatTo, Rng, validCase, varint, WIRE } from './gen.js'

const sleep = async ms => { await new Promise(resolve => setTimeout(resolve, ms)) }
/** violations within the reputation window that ban a peer (guard/reputation.ts banAt); the victim counts no more */
export const BAN_AT = 10

/**
 * The protocols WGT serves, what the node reads on each (target of
 * targets.js) and the longest it waits for a message (its read deadline).
 */
export const WGT_PROTOCOLS = [
  // shard-service.ts: 60 s per request, but one arriving below the floor is cut within a 5 s window or two
  { protocol: '/wgt/shard/1.0.0', target: 'shard.ShardRequest', waitMs: 60_000, maxInboundStreams: 32, floor: true },
  { protocol: '/wgt/offer/1.0.0', target: 'offer.Offer', waitMs: 5000, maxInboundStreams: 2 },
  { protocol: '/wgt/probe/1.0.0', target: 'probe.Probe', waitMs: 5 * 60_000, maxInboundStreams: 2 },
  { protocol: '/wgt/capacity/1.0.0', target: 'capacity.CapacityMessage', waitMs: 5000, maxInboundStreams: 2 },
  { protocol: '/wgt/contact/1.0.0', target: 'contact.ContactMessage', waitMs: 10_000, maxInboundStreams: 4 },
  { protocol: '/wgt/chat/1.0.0', target: 'chat.ChatFrame', waitMs: 20_000, maxInboundStreams: 32 },
  { protocol: '/wgt/mailbox/1.0.0', target: 'mailbox.MailboxRequest', waitMs: 10_000, maxInboundStreams: 16 },
  { protocol: '/wgt/call/1.0.0', target: 'call.CallMessage', waitMs: 10_000, maxInboundStreams: 32 },
  // kad-dht: 10 s per message, at most 1 MiB (patches/@libp2p+kad-dht+16.4.5.patch)
  { protocol: '/wgt/kad/1.0.0', target: 'dht.Message', waitMs: 10_000, maxInboundStreams: 32, dht: true }
]

export async function hostileNode () {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [tls(), noise()],
    streamMuxers: [yamux()]
  })
  await node.start()
  return node
}

/** What happened to one stream, seen from the attacker's side (it may have been reset before we got it). */
function watch (stream) {
  const w = { stream, received: 0, remoteClosed: false, closed: false, reset: false, endedAt: 0 }
  const end = () => { if (w.endedAt === 0) w.endedAt = performance.now() }
  stream.addEventListener('message', evt => { w.received += evt.data.byteLength })
  stream.addEventListener('remoteCloseWrite', () => { w.remoteClosed = true; end() })
  stream.addEventListener('close', evt => { w.closed = true; if (evt.error != null && evt.local !== true) w.reset = true; end() })
  if (stream.status === 'reset' || stream.status === 'aborted' || stream.status === 'closed') { w.closed = true; w.reset = stream.status === 'reset'; end() }
  return w
}

const ended = w => w.remoteClosed || w.closed || w.stream.status === 'reset' || w.stream.status === 'closed' || w.stream.readStatus === 'closed'

async function until (w, ms) {
  const deadline = performance.now() + ms
  while (!ended(w) && performance.now() < deadline) await sleep(25)
  return ended(w)
}

async function sendAll (stream, bytes, signal) {
  for (let i = 0; i < bytes.length; i += 64 * 1024) {
    if (stream.status !== 'open' || stream.writeStatus !== 'writable') throw new Error('the victim ended the stream')
    if (!stream.send(bytes.subarray(i, i + 64 * 1024))) await stream.onDrain({ signal })
  }
}

async function sendSlowly (stream, bytes, w, perByteMs) {
  for (let i = 0; i < bytes.length && !ended(w); i++) {
    if (stream.status !== 'open' || stream.writeStatus !== 'writable') return
    stream.send(bytes.subarray(i, i + 1))
    await sleep(perByteMs)
  }
}

const lp = bytes => concat(varint(bytes.length), bytes)

/**
 * One stream: open it, write(stream, w), then wait up to holdMs for the victim
 * to end it. Outcome: refused (no stream), answered (bytes came back, then it
 * ended), ended (closed or reset without an answer), open (still open at holdMs;
 * we abort it).
 */
async function oneStream (node, addr, protocol, write, { holdMs, halfClose = false }) {
  let stream
  try {
    stream = await node.dialProtocol(addr, protocol, { signal: AbortSignal.timeout(10_000), maxOutboundStreams: 10_000, runOnLimitedConnection: true })
  } catch (err) {
    return { outcome: 'refused', why: `${err.name}: ${err.message}`.slice(0, 120) }
  }
  const w = watch(stream)
  const t0 = performance.now()
  try {
    await write(stream, w)
    if (halfClose && !ended(w)) await stream.close({ signal: AbortSignal.timeout(2000) }).catch(() => {})
  } catch {}
  await until(w, holdMs)
  const ms = Math.round((w.endedAt || performance.now()) - t0)
  if (!ended(w)) {
    stream.abort(new Error('attack over'))
    return { outcome: 'open', ms }
  }
  return { outcome: w.received > 0 ? 'answered' : 'ended', reset: w.reset, ms }
}

/**
 * A fresh hostile node, connected to the victim. libp2p takes at most 5 new
 * inbound connections per second from one host (inboundConnectionThreshold),
 * and every hostile node here is 127.0.0.1: a refused connection is retried.
 */
async function connectedNode (addr, stats) {
  const node = await hostileNode()
  for (let attempt = 0; ; attempt++) {
    try {
      await node.dial(addr, { signal: AbortSignal.timeout(10_000) })
      return node
    } catch (err) {
      if (attempt >= 20) {
        await node.stop().catch(() => {})
        throw err
      }
      stats.connectRetries++
      await sleep(250 + 100 * attempt)
    }
  }
}

/** Fresh hostile identities for one attack, each used for at most `perIdentity` expected violations. */
class Identities {
  constructor (addr, perIdentity) {
    this.addr = addr
    this.perIdentity = perIdentity
    this.used = []
    this.current = null
    this.expected = 0
    this.stats = { connectRetries: 0 }
  }

  /** the node for a stream expected to cost the sender `violations` (0 or 1) */
  async next (violations) {
    if (this.current == null || this.expected + violations > this.perIdentity) {
      this.current = await connectedNode(this.addr, this.stats)
      this.used.push({ node: this.current, expected: 0 })
      this.expected = 0
    }
    this.expected += violations
    this.used[this.used.length - 1].expected += violations
    return this.current
  }
}

/**
 * Run the attacks on each protocol and answer one record per attack:
 * { protocol, kind, streams, outcomes: { refused, answered, ended, open },
 * expectedViolations, violations, banned, identities, ms }.
 *
 * victim: { addr (multiaddr string with /p2p/), protocols (its `wgt id` list),
 *   reputations: async () => Map(peerId → { violations, state }) }.
 * opts: seed, targets (loadTargets), frames (malformed frames per protocol),
 *   concurrent (streams), holdMs (cap on waiting for the victim), slowBytes,
 *   kinds (which to run), only (protocols), parallel (protocols attacked at
 *   once, default 1), bombs, perIdentity, signal (ends held streams early), log.
 */
export async function runAttacks (victim, opts) {
  const { seed, targets, frames = 20, concurrent = 200, holdMs = 12_000, slowBytes = 4, perIdentity = 8, parallel = 1, log = () => {} } = opts
  const kinds = new Set(opts.kinds ?? ['malformed', 'endless', 'oversized', 'truncated', 'silent-length', 'slow', 'concurrent', 'bomb'])
  const addr = multiaddr(victim.addr)
  const specs = WGT_PROTOCOLS.filter(p => victim.protocols.includes(p.protocol))
  // libp2p's own protocols the victim serves: random frames, endless and oversized lengths, floods
  for (const p of victim.protocols) {
    if (!specs.some(s => s.protocol === p) && !(opts.only != null && !opts.only.includes(p))) specs.push({ protocol: p, target: null, waitMs: 10_000, stock: true })
  }
  const chosen = opts.only == null ? specs : specs.filter(s => opts.only.includes(s.protocol))
  const records = []
  /** each record's hostile nodes, kept until the victim's reputations are read once at the end */
  const used = new Map()
  const queue = [...chosen]
  try {
    await Promise.all(Array.from({ length: Math.max(1, parallel) }, async () => {
      for (let spec = queue.shift(); spec != null; spec = queue.shift()) await attackProtocol(spec)
    }))
    // the victim counts a violation as it fails the stream; give the last ones a moment
    await sleep(500)
    const rep = await victim.reputations()
    for (const [rec, nodes] of used) {
      for (const node of nodes) {
        const r = rep.get(node.peerId.toString())
        rec.violations += r?.violations ?? 0
        if (r?.state === 'banned') rec.banned++
      }
    }
  } finally {
    await Promise.all([...used.values()].flat().map(async node => { await node.stop().catch(() => {}) }))
  }
  return records

  async function attackProtocol (spec) {
    const t = spec.target == null ? null : targets.find(x => x.name === spec.target)
    const maxFrame = t?.maxFrame ?? 4096
    const sample = i => t != null ? validCase(t, seed, 1_000_000 + i).bytes : Uint8Array.from([0x08, 0x01])
    const wait = Math.min(spec.waitMs + 3000, holdMs)

    const attack = async (kind, streams, body, budget = perIdentity) => {
      if (!kinds.has(kind)) return
      const ids = new Identities(addr, budget)
      const outcomes = { refused: 0, answered: 0, ended: 0, open: 0 }
      const refusedBecause = {}
      let expected = 0
      const t0 = performance.now()
      for (const r of await body(ids)) {
        outcomes[r.outcome]++
        expected += r.expected ?? 0
        if (r.why != null) refusedBecause[r.why] = (refusedBecause[r.why] ?? 0) + 1
      }
      const rec = { protocol: spec.protocol, kind, streams, outcomes, expectedViolations: expected, violations: 0, banned: 0, identities: ids.used.length, connectRetries: ids.stats.connectRetries, ms: Math.round(performance.now() - t0) }
      if (Object.keys(refusedBecause).length > 0) rec.refusedBecause = refusedBecause
      used.set(rec, ids.used.map(u => u.node))
      log(rec)
      records.push(rec)
    }

    // mutated frames, one per stream; the node's own decoder and validation say which must count
    await attack('malformed', frames, async ids => {
      const out = []
      for (let i = 0; i < frames; i++) {
        let bytes = t != null ? mutatedCase(t, seed, 2_000_000 + i).bytes : new Rng(seed, `${spec.protocol}/${i}`).bytes(1 + i * 7 % 200)
        if (bytes.length > maxFrame) bytes = bytes.subarray(0, maxFrame)
        const expected = t == null || spec.stock ? 0 : expectedViolation(t, bytes, spec)
        const node = await ids.next(expected)
        out.push({ ...await oneStream(node, addr, spec.protocol, async (s, w) => { await sendAll(s, lp(bytes), AbortSignal.timeout(wait)); void w }, { holdMs: wait, halfClose: true }), expected })
      }
      return out
    })

    await attack('endless', 1, async ids => {
      const expected = spec.stock ? 0 : 1
      const node = await ids.next(expected)
      return [{ ...await oneStream(node, addr, spec.protocol, async s => { s.send(endless(64)) }, { holdMs: wait }), expected }]
    })

    await attack('oversized', 1, async ids => {
      const expected = spec.stock ? 0 : 1
      const node = await ids.next(expected)
      return [{ ...await oneStream(node, addr, spec.protocol, async s => { s.send(concat(varint(maxFrame + 1), new Uint8Array(64))) }, { holdMs: wait }), expected }]
    })

    // silence: no violation (a shard stream cut below its pace counts only when others wait for a slot)
    const belowFloor = () => 0

    await attack('truncated', 1, async ids => {
      // at least two bytes declared, so even an empty message is cut short
      const frame = sample(0)
      const declared = Math.min(maxFrame, Math.max(2, frame.length))
      const node = await ids.next(0)
      const r = await oneStream(node, addr, spec.protocol, async s => { s.send(concat(varint(declared), frame.subarray(0, Math.min(frame.length, declared >> 1)), new Uint8Array(Math.max(0, (declared >> 1) - frame.length)))) }, { holdMs: wait })
      return [{ ...r, expected: belowFloor(r) }]
    })

    await attack('silent-length', 1, async ids => {
      // past every bound, the DHT's 1 MiB included: a violation at once
      const expected = spec.stock ? 0 : 1
      const node = await ids.next(expected)
      return [{ ...await oneStream(node, addr, spec.protocol, async s => { s.send(varint(2 ** 31)) }, { holdMs: wait }), expected }]
    })

    await attack('slow', 1, async ids => {
      // a valid frame at 1 byte/s: at most slowBytes of it, then silence until the victim decides
      const frame = spec.stock ? concat(varint(1024), new Uint8Array(slowBytes)).subarray(0, slowBytes) : lp(sample(1)).subarray(0, slowBytes)
      const node = await ids.next(0)
      const r = await oneStream(node, addr, spec.protocol, async (s, w) => { await sendSlowly(s, frame, w, 1000) }, { holdMs: Math.max(wait, slowBytes * 1000 + 2000) })
      return [{ ...r, expected: belowFloor(r) }]
    })

    await attack('concurrent', concurrent, async ids => {
      const node = await ids.next(0)
      // a length within the protocol's bound, and half of it
      const declared = Math.min(maxFrame, sample(2).length + 16)
      const half = concat(varint(declared), sample(2).subarray(0, declared >> 1))
      // all at once; those the victim refuses or resets within 2 s were turned away by its limits
      const streams = await Promise.all(Array.from({ length: concurrent }, async () => {
        try {
          const s = await node.dialProtocol(addr, spec.protocol, { signal: AbortSignal.timeout(15_000), maxOutboundStreams: 10_000, runOnLimitedConnection: true })
          const w = watch(s)
          try { s.send(half) } catch {}
          return { s, w }
        } catch {
          return null
        }
      }))
      await sleep(2000)
      const out = streams.map(x => x == null || ended(x.w) ? { outcome: 'refused' } : { outcome: 'open' })
      // held: the victim's timeouts decide; the honest peer is measured meanwhile
      const hold = Math.min(holdMs, spec.waitMs + 3000)
      const deadline = performance.now() + hold
      while (performance.now() < deadline && opts.signal?.aborted !== true && streams.some(x => x != null && !ended(x.w))) await sleep(100)
      let cut = 0
      streams.forEach((x, i) => {
        if (x == null || out[i].outcome === 'refused') return
        if (ended(x.w)) out[i] = { outcome: x.w.received > 0 ? 'answered' : 'ended' }
        else x.s.abort(new Error('attack over'))
        cut += belowFloor(out[i])
      })
      // one identity: counted up to its ban, whose closed connection ends the rest
      if (out.length > 0) out[0] = { ...out[0], expected: Math.min(cut, BAN_AT) }
      return out
    })

    // one identity that keeps sending endless varints: banned at its 10th, then refused
    if (spec.protocol === '/wgt/shard/1.0.0') {
      await attack('ban', 12, async ids => {
        const out = []
        for (let i = 0; i < 12; i++) {
          const node = await ids.next(1)
          out.push({ ...await oneStream(node, addr, spec.protocol, async s => { s.send(endless(64)) }, { holdMs: wait }), expected: i < 10 ? 1 : 0 })
        }
        return out
      }, Infinity)
    }

    if (spec.dht && kinds.has('bomb')) {
      // FIND_NODE (type 4) and empty closer peers (0x42 0x00) to fill 4 MiB (past the 1 MiB frame:
      // refused at its length) and to fill 1 MiB (a frame admitted, past the 64 closer peers of a message)
      const bomb = size => concat(field(1, WIRE.VARINT, varint(4)), repeatTo(field(8, WIRE.LEN), size - 16))
      const sizes = [4 * 1024 * 1024, maxFrame]
      await attack('bomb', sizes.length * (opts.bombs ?? 1), async ids => {
        const out = []
        for (let i = 0; i < (opts.bombs ?? 1); i++) {
          for (const size of sizes) {
            const node = await ids.next(1)
            const msg = bomb(size)
            out.push({ ...await oneStream(node, addr, spec.protocol, async s => { await sendAll(s, lp(msg), AbortSignal.timeout(30_000)) }, { holdMs, halfClose: true }), expected: 1 })
          }
        }
        return out
      })
    }
  }
}

/** 1 if the node must count this frame against its sender: it fails to decode or validate, and the node counts that failure. */
function expectedViolation (t, bytes, spec) {
  const r = evaluate(t, bytes, { measure: false })
  if (r.outcome === 'valid') return 0
  // the DHT counts what wire/screen.ts recognises, and only decoding failures (its handlers' own failures are not the screen's to judge)
  if (spec.dht) return r.outcome === 'error' && !r.failures.some(f => f.rule === 'uncounted') ? 1 : 0
  return 1
}
