/**
 * Chat figures (issue 8, item 10), between two real `wgt daemon` processes on
 * loopback that are contacts, driven through their WebSocket APIs as the UI
 * and the CLI drive them:
 *  - delivery latency: A's API takes a message, B's API announces it
 *    (chat:message); one message at a time, p50 and p95. Baseline: the
 *    probe RTT between the same two daemons (api.ping on A, the long-lived
 *    /wgt/probe stream), in rounds interleaved with the latency rounds;
 *  - sustained messages per second, one way, with receipts: A's API is fed
 *    N messages with as many calls in flight as one API connection allows,
 *    timed until A counts none of them undelivered. Baseline: N round trips
 *    of a cheap call (listConversations) through the same window;
 *  - the first page of a long history: the conversation filled to H
 *    messages, B's daemon restarted, then chatHistory(A, { limit: 50 }) on B,
 *    the first call on its own and the median of the next ones, beside
 *    listContacts on the same connection.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectWs, wsUrlFor } from '../out/node/main/cli/client.js'
import { MAX_CALLS_IN_FLIGHT } from '../out/node/main/cli/api-server/ws-session.js'
import { onInterrupt } from './lib/children.js'
import { sleep, startDaemon, stopDaemon, stopDaemons } from './lib/daemons.js'
import { median, percentile, round } from './lib/stats.js'

const PAGE = 50
const HISTORY_CALLS = 21
const WAIT_MS = 120_000

export async function measureChat ({ rounds = 7, samples = 100, messages = 2000, history = 10_000, log = () => {} } = {}) {
  const base = await mkdtemp(join(tmpdir(), 'wgt-bench-chat-'))
  const clients = []
  const cleanup = async () => {
    for (const c of clients) c.close()
    await stopDaemons()
    await rm(base, { recursive: true, force: true })
  }
  const unregister = onInterrupt(cleanup)
  try {
    log('chat: starting two daemons')
    const connect = async d => {
      const c = await connectWs(wsUrlFor(d.api.apiUrl), d.api.token)
      clients.push(c)
      return c.api
    }
    const da = await startDaemon('A', join(base, 'a'))
    let db = await startDaemon('B', join(base, 'b'))
    const a = await connect(da)
    const b = await connect(db)
    const peerA = da.api.peerId
    const peerB = db.api.peerId
    await makeContacts(a, b, peerA, peerB, db)

    const delivery = await measureDelivery(a, b, peerB, rounds, samples, log)
    const sustained = await measureSustained(a, peerB, rounds, messages, log)

    // only A writes, so the newest message's Lamport order is the number of messages
    const count = async () => (await a.chatHistory(peerB, { limit: 1 })).messages[0]?.order ?? 0
    const fill = Math.max(0, history - await count())
    log(`chat: filling the conversation to ${history} messages (${fill} more)`)
    if (fill > 0) await sendAll(a, peerB, fill)
    const total = await count()

    log('chat: restarting B')
    await stopDaemon(db)
    db = await startDaemon('B', join(base, 'b'))
    const b2 = await connect(db)
    const page = await measureHistory(b2, peerA, log)
    return { daemons: 2, delivery, sustained, history: { messages: total, ...page } }
  } finally {
    unregister()
    await cleanup()
  }
}

async function makeContacts (a, b, peerA, peerB, db) {
  const addr = db.api.multiaddrs.find(m => m.startsWith('/ip4/127.0.0.1/tcp/'))
  await a.addContact(addr.includes('/p2p/') ? addr : `${addr}/p2p/${peerB}`)
  await until('the contact request at B', async () => (await b.listContacts()).some(c => c.peerId === peerA && c.trust === 'request-received'))
  await b.acceptContact(peerA)
  await until('A and B as contacts', async () => (await a.listContacts()).some(c => c.peerId === peerB && c.trust === 'contact'))
}

/** One message at a time: A's API takes it, B's API announces it. */
async function measureDelivery (a, b, peerB, rounds, samples, log) {
  const waiting = new Map()
  const off = b.on('chat:message', m => { waiting.get(m.id)?.(performance.now()) })
  const latencyRound = async n => {
    const ms = []
    const answered = []
    for (let i = 0; i < n; i++) {
      const id = randomBytes(16).toString('hex')
      const arrived = new Promise(resolve => { waiting.set(id, resolve) })
      const t0 = performance.now()
      await a.sendMessage(peerB, { text: `latency ${i}`, id })
      answered.push(performance.now() - t0)
      ms.push(await withTimeout(arrived, `message ${id} at B`) - t0)
      waiting.delete(id)
    }
    return { p50: percentile(ms, 50), p95: percentile(ms, 95), answered: percentile(answered, 50) }
  }
  const probeRound = async n => {
    const rtts = (await a.ping(peerB, n)).rtts.filter(r => r != null)
    if (rtts.length === 0) throw new Error('every probe in a round was lost')
    return { p50: percentile(rtts, 50), p95: percentile(rtts, 95) }
  }
  try {
    log('chat: delivery warm-up')
    await latencyRound(Math.min(20, samples))
    await probeRound(20)
    const latency = []
    const probe = []
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [[latency, latencyRound], [probe, probeRound]] : [[probe, probeRound], [latency, latencyRound]]
      for (const [into, fn] of order) into.push(await fn(samples))
      log(`chat: delivery round ${r + 1}/${rounds} p50 ${round(latency.at(-1).p50)} ms, probe RTT p50 ${round(probe.at(-1).p50)} ms`)
    }
    const p50 = median(latency.map(s => s.p50))
    const probeP50 = median(probe.map(s => s.p50))
    return {
      rounds,
      samplesPerRound: samples,
      p50Ms: round(p50, 3),
      p95Ms: round(median(latency.map(s => s.p95)), 3),
      p50MsPerRound: latency.map(s => round(s.p50, 3)),
      // of which: A's API answering sendMessage (the message stored in A's outbox)
      sendAnsweredP50Ms: round(median(latency.map(s => s.answered)), 3),
      probeRtt: { p50Ms: round(probeP50, 4), p95Ms: round(median(probe.map(s => s.p95)), 4) },
      ratioP50: round(p50 / probeP50, 1)
    }
  } finally {
    off()
  }
}

/** N messages through a full window of calls; timed until A has none of them undelivered. */
async function measureSustained (a, peerB, rounds, messages, log) {
  const sendRound = async () => messages / (await sendAll(a, peerB, messages) / 1000)
  const callRound = async () => {
    const t0 = performance.now()
    await windowed(messages, async () => { await a.listConversations() })
    return messages / ((performance.now() - t0) / 1000)
  }
  log('chat: sustained warm-up')
  await sendAll(a, peerB, Math.min(200, messages))
  await callRound()
  const sent = []
  const calls = []
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [[sent, sendRound], [calls, callRound]] : [[calls, callRound], [sent, sendRound]]
    for (const [into, fn] of order) into.push(await fn())
    log(`chat: sustained round ${r + 1}/${rounds} ${round(sent.at(-1), 0)} msgs/s, listConversations ${round(calls.at(-1), 0)} calls/s`)
  }
  const rate = median(sent)
  const baseline = median(calls)
  return {
    rounds,
    messagesPerRound: messages,
    callsInFlight: MAX_CALLS_IN_FLIGHT,
    msgsPerSec: round(rate, 0),
    msgsPerSecPerRound: sent.map(v => round(v, 0)),
    baseline: { method: 'listConversations', callsPerSec: round(baseline, 0) },
    ratio: round(rate / baseline, 3)
  }
}

/** Send n messages A → B through the window; ms from the first call until A counts none pending. */
async function sendAll (a, peerB, n) {
  let settled = null
  const off = a.on('chat:conversation', c => { if (c.peerId === peerB && c.pending === 0) settled?.() })
  try {
    const t0 = performance.now()
    await windowed(n, async i => { await a.sendMessage(peerB, { text: `message ${i} ${randomBytes(24).toString('base64')}` }) })
    // every send was answered: wait for the receipt that leaves none pending (asking once, as it may have come already)
    const delivered = new Promise(resolve => { settled = () => { resolve(performance.now()) } })
    const now = (await a.listConversations()).find(c => c.peerId === peerB)
    const end = now?.pending === 0 ? performance.now() : await withTimeout(delivered, `${n} messages delivered`)
    return end - t0
  } finally {
    off()
  }
}

async function measureHistory (b, peerA, log) {
  // one cheap call first, so the first chatHistory pays only for the history, not for a new connection
  const t0 = performance.now()
  await b.listContacts()
  const baselineFirst = performance.now() - t0
  const t1 = performance.now()
  const first = await b.chatHistory(peerA, { limit: PAGE })
  const firstMs = performance.now() - t1
  if (first.messages.length !== PAGE) throw new Error(`the first page after the restart has ${first.messages.length} messages, not ${PAGE}`)
  const pages = []
  const contacts = []
  for (let i = 0; i < HISTORY_CALLS; i++) {
    const order = i % 2 === 0 ? [[pages, () => b.chatHistory(peerA, { limit: PAGE })], [contacts, () => b.listContacts()]] : [[contacts, () => b.listContacts()], [pages, () => b.chatHistory(peerA, { limit: PAGE })]]
    for (const [into, fn] of order) {
      const t = performance.now()
      await fn()
      into.push(performance.now() - t)
    }
  }
  const pageMs = median(pages)
  const baseline = median(contacts)
  log(`chat: history page first ${round(firstMs)} ms, then ${round(pageMs)} ms; listContacts ${round(baseline)} ms`)
  return {
    limit: PAGE,
    firstMs: round(firstMs, 3),
    medianMs: round(pageMs, 3),
    calls: HISTORY_CALLS,
    baseline: { method: 'listContacts', firstMs: round(baselineFirst, 3), medianMs: round(baseline, 3) },
    ratioFirst: round(firstMs / baseline, 1),
    ratio: round(pageMs / baseline, 1)
  }
}

/** Run fn(0..n-1) with as many calls in flight as one API connection serves. */
async function windowed (n, fn) {
  let next = 0
  const worker = async () => { while (next < n) await fn(next++) }
  await Promise.all(Array.from({ length: Math.min(MAX_CALLS_IN_FLIGHT, n) }, worker))
}

async function until (what, fn) {
  const deadline = Date.now() + WAIT_MS
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`chat: timed out waiting for ${what}`)
    await sleep(100)
  }
}

async function withTimeout (promise, what) {
  let timer
  const timeout = new Promise((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`chat: timed out waiting for ${what}`)) }, WAIT_MS) })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
