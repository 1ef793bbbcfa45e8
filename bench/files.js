/**
 * Files figures (issue 12), from seven real `wgt daemon` processes on
 * loopback: A shares, B to G hold (4+2: six shards per segment on six
 * distinct peers), G fetches. Share and fetch are driven through the CLI.
 *  - rounds interleave three transfers of the same bytes, so drift on this
 *    shared machine hits them alike: WGT (`wgt share` on A, `wgt fetch` on
 *    G), Helia (add on one Helia node, cat on another, helia.js) and one
 *    js-libp2p TLS stream between two processes (the wire);
 *  - CPU seconds of every process of each phase (/proc/<pid>/stat utime +
 *    stime before and after): the seven daemons, the CLI processes (cutime +
 *    cstime of this process: the reaped `wgt` commands) and both Helia
 *    processes;
 *  - time to a link: shareFile of a 1 MiB file through A's WebSocket API
 *    until its operation is done, beside the probe RTT A → G (api.ping);
 *    and a 1 MiB file dropped on A's UI in Chromium until it shows the link
 *    (files-ui.js);
 *  - robustness: 20 fetches of 32 MiB files with one busy-loop process per
 *    core for the duration;
 *  - peak RSS (VmHWM over the process's life) of every daemon for one big
 *    file, on fresh daemons, beside their idle RSS.
 * Share time covers encoding, placing every shard on a peer and sealing the
 * manifest; fetch time covers finding the manifest, fetching k shards per
 * segment, keeping them (keepFetchedShards), decoding, writing, and the
 * SHA-256 of the whole file. Both include the CLI's start (cliStartMs).
 */
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { connectWs, wsUrlFor } from '../out/node/main/cli/client.js'
import { followOperation } from '../out/node/shared/follow.js'
import { measureDropToLink } from './files-ui.js'
import { startHeliaPair } from './helia.js'
import { createBenchHost } from './lib/libp2p.js'
import { onInterrupt, startChild } from './lib/children.js'
import { cpuSeconds, reapedChildrenCpuSeconds } from './lib/cpu.js'
import { peakRss, rss, sleep, startDaemon, stopDaemons, wgtJson } from './lib/daemons.js'
import { median, round } from './lib/stats.js'
import { sendLibp2p } from './throughput.js'

const SHARD = '/wgt/shard/1.0.0'
const NAMES = ['A', 'B', 'C', 'D', 'E', 'F', 'G']
const MB = 1e6
const MiB = 2 ** 20
const RSS_TARGET_MIB = 200
// seven daemons meshing took over 60 s once with this machine's load average at 11 (other benches)
const MESH_MS = 180_000

export async function measureFiles ({
  rounds = 3, bytes = 256 * MiB, rssBytes = 4096 * MiB, linkRounds = 7, loadFetches = 20, loadBytes = 32 * MiB, log = () => {}
} = {}) {
  // peak RSS first, on daemons that have done nothing else: VmHWM is then the
  // whole life of each process, start-up included, and nothing earlier inflates it
  const peakRss = await withDaemons(log, async (ds, base) => await measurePeakRss(ds, base, rssBytes, log))
  const rest = await withDaemons(log, async (ds, base) => {
    const timeToLink = { ...await measureTimeToLink(ds, base, linkRounds, log), droppedInUi: await measureDropToLink(ds[0], linkRounds, log) }
    const transfers = await measureTransfers(ds, base, rounds, bytes, log)
    const underLoad = await measureUnderLoad(ds, base, loadFetches, loadBytes, log)
    return { ...transfers, timeToLink, underLoad }
  })
  return { daemons: NAMES.length, k: 4, m: 2, ...rest, peakRss }
}

export async function withDaemons (log, fn) {
  const base = await mkdtemp(join(tmpdir(), 'wgt-bench-files-'))
  const unregister = onInterrupt(async () => { await stopDaemons(); await rm(base, { recursive: true, force: true }) })
  try {
    log(`files: starting ${NAMES.length} daemons`)
    const ds = [await startDaemon('A', join(base, 'a'), ['--quota', '40GiB'])]
    const boot = ds[0].api.multiaddrs.find(a => a.startsWith('/ip4/127.0.0.1/tcp/'))
    ds.push(...await Promise.all(NAMES.slice(1).map(async n => await startDaemon(n, join(base, n.toLowerCase()), ['--bootstrap', boot, '--quota', '40GiB']))))
    await untilMeshed(ds)
    return await fn(ds, base)
  } finally {
    unregister()
    await stopDaemons()
    await rm(base, { recursive: true, force: true })
  }
}

/** Share a file of rssBytes on A, fetch it on G; VmHWM of A (sharing, then serving its shards), G and the other holders. */
export async function measurePeakRss (ds, base, rssBytes, log) {
  const sharer = ds[0]
  const fetcher = ds.at(-1)
  log(`files: peak RSS for ${rssBytes / MiB} MiB`)
  const idle = await Promise.all(ds.map(rss))
  const big = join(base, 'big.bin')
  const bigDigest = await randomFile(big, rssBytes)
  const t0 = performance.now()
  const shared = await wgtJson(sharer, ['share', big])
  const shareSecs = (performance.now() - t0) / 1000
  const afterShare = await peakRss(sharer)
  await rm(big)
  const t1 = performance.now()
  const out = join(base, 'big-fetched.bin')
  const got = await wgtJson(fetcher, ['fetch', shared.link, '-o', out])
  const fetchSecs = (performance.now() - t1) / 1000
  if (got.sha256 !== bigDigest) throw new Error(`the ${rssBytes / MiB} MiB fetch returned other bytes`)
  await rm(out)
  const peak = await Promise.all(ds.map(peakRss))
  const holders = peak.slice(1, -1)
  const mib = v => round(v / MiB, 1)
  return {
    fileBytes: rssBytes,
    unit: 'MiB',
    sharer: { peak: mib(peak[0]), peakAfterShare: mib(afterShare), idle: mib(idle[0]), shareSeconds: round(shareSecs, 1) },
    fetcher: { peak: mib(peak.at(-1)), idle: mib(idle.at(-1)), fetchSeconds: round(fetchSecs, 1) },
    holders: { peakMax: mib(Math.max(...holders)), idleMax: mib(Math.max(...idle.slice(1, -1))) },
    target: { peakBelowMiB: RSS_TARGET_MIB, met: Math.max(...peak) < RSS_TARGET_MIB * MiB }
  }
}

/** shareFile of a fresh 1 MiB file through A's API until the link, rounds interleaved with a probe RTT A → G. */
async function measureTimeToLink (ds, base, rounds, log) {
  const sharer = ds[0]
  const peer = ds.at(-1).api.peerId
  const client = await connectWs(wsUrlFor(sharer.api.apiUrl), sharer.api.token)
  try {
    const linkMs = []
    const rttMs = []
    // one unmeasured share: the first call of a connection sets things up a user pays once
    const warm = join(base, 'link-warm.bin')
    await randomFile(warm, MiB)
    await followOperation(client.api, async () => await client.api.shareFile(warm, {})).done
    for (let r = 0; r < rounds; r++) {
      const path = join(base, `link-${r}.bin`)
      await randomFile(path, MiB)
      const t0 = performance.now()
      const op = await followOperation(client.api, async () => await client.api.shareFile(path, {})).done
      linkMs.push(performance.now() - t0)
      if (typeof op.result?.link !== 'string') throw new Error(`shareFile finished without a link: ${JSON.stringify(op.result)}`)
      const rtts = (await client.api.ping(peer, 5)).rtts.filter(v => v != null)
      if (rtts.length === 0) throw new Error('every probe to G was lost')
      rttMs.push(median(rtts))
    }
    const link = median(linkMs)
    const rtt = median(rttMs)
    log(`files: time to a link ${round(link, 1)} ms, probe RTT ${round(rtt, 2)} ms`)
    return {
      fileBytes: MiB,
      rounds,
      linkMs: round(link, 1),
      probeRttMs: round(rtt, 3),
      linkVsRtt: round(link / rtt, 1),
      linkMsPerRound: linkMs.map(v => round(v, 1))
    }
  } finally {
    client.close()
  }
}

async function measureTransfers (ds, base, rounds, bytes, log) {
  const sharer = ds[0]
  const fetcher = ds.at(-1)
  const sink = await startChild('libp2p-sink.js', ['tls'])
  const host = await createBenchHost('tls')
  const helia = await startHeliaPair(base)
  const daemonCpu = async () => await Promise.all(ds.map(async d => await cpuSeconds(d.child.pid)))
  // CPU seconds of one phase: [per daemon..., CLI] for WGT, [node 1, node 2] for Helia
  const wgtCpu = async fn => {
    const before = [...await daemonCpu(), await reapedChildrenCpuSeconds()]
    const value = await fn()
    const after = [...await daemonCpu(), await reapedChildrenCpuSeconds()]
    return { value, cpu: after.map((v, i) => v - before[i]) }
  }
  const heliaCpu = async fn => {
    const before = await helia.cpu()
    const value = await fn()
    const after = await helia.cpu()
    return { value, cpu: after.map((v, i) => v - before[i]) }
  }
  const timed = async fn => { const t0 = performance.now(); const v = await fn(); return { v, s: (performance.now() - t0) / 1000 } }
  try {
    const cliStartMs = median(await Promise.all([0, 1, 2].map(async () => { const t0 = performance.now(); await wgtJson(sharer, ['id']); return performance.now() - t0 })))
    const chunk = randomBytes(64 * 1024)
    await sendLibp2p(host, sink.info.multiaddr, 32 * MiB, chunk)

    const s = { libp2p: [], share: [], fetch: [], add: [], heliaFetch: [], shareCpu: [], fetchCpu: [], addCpu: [], heliaFetchCpu: [] }
    for (let r = 0; r < rounds; r++) {
      const input = join(base, `input-${r}.bin`)
      const digest = await randomFile(input, bytes)
      const runners = {
        libp2p: async () => { s.libp2p.push(bytes / MB / (await sendLibp2p(host, sink.info.multiaddr, bytes, chunk) / 1000)) },
        wgt: async () => {
          const share = await wgtCpu(async () => await timed(async () => await wgtJson(sharer, ['share', input])))
          s.share.push(share.value.s)
          s.shareCpu.push(share.cpu)
          const out = join(base, `fetched-${r}.bin`)
          const fetch = await wgtCpu(async () => await timed(async () => await wgtJson(fetcher, ['fetch', share.value.v.link, '-o', out])))
          if (fetch.value.v.sha256 !== digest) throw new Error(`WGT fetched file hashes to ${fetch.value.v.sha256}, shared ${digest}`)
          s.fetch.push(fetch.value.s)
          s.fetchCpu.push(fetch.cpu)
          await rm(out)
        },
        helia: async () => {
          const add = await heliaCpu(async () => await timed(async () => await helia.add(input)))
          if (add.value.v.sha256 !== digest) throw new Error(`Helia added bytes hashing to ${add.value.v.sha256}, the file is ${digest}`)
          s.add.push(add.value.s)
          s.addCpu.push(add.cpu)
          const out = join(base, `helia-fetched-${r}.bin`)
          const fetch = await heliaCpu(async () => await timed(async () => await helia.fetch(add.value.v.cid, out)))
          if (fetch.value.v.sha256 !== digest) throw new Error(`Helia fetched bytes hashing to ${fetch.value.v.sha256}, the file is ${digest}`)
          s.heliaFetch.push(fetch.value.s)
          s.heliaFetchCpu.push(fetch.cpu)
          await rm(out)
        }
      }
      // each transfer runs first, second and last in turn
      const order = [['libp2p', 'wgt', 'helia'], ['wgt', 'helia', 'libp2p'], ['helia', 'libp2p', 'wgt']][r % 3]
      for (const name of order) await runners[name]()
      await rm(input)
      log(`files: round ${r + 1}/${rounds} (${order.join(', ')}): WGT share ${round(s.share.at(-1), 1)} s fetch ${round(s.fetch.at(-1), 1)} s, ` +
        `Helia add ${round(s.add.at(-1), 1)} s fetch ${round(s.heliaFetch.at(-1), 1)} s, libp2p ${Math.round(s.libp2p.at(-1))} MB/s`)
    }
    return { cliStartMs: round(cliStartMs, 0), ...summarize(s, rounds, bytes) }
  } finally {
    await helia.stop()
    await host.stop()
    await sink.stop()
  }
}

/** Medians over rounds, and the ratios the issue sets targets for. cpu arrays: [A, B..F, G, CLI] for WGT, [node 1, node 2] for Helia. */
function summarize (s, rounds, bytes) {
  const mib = bytes / MiB
  const mbPerS = secs => bytes / MB / secs
  const med = (arr, f) => median(arr.map(f))
  const sum = a => a.reduce((x, y) => x + y, 0)
  const daemons = cpu => cpu.slice(0, -1)
  const holderMean = cpu => sum(cpu.slice(1, -2)) / (cpu.length - 3)
  const perMiB = v => round(v / mib, 4)
  const roles = cpuRounds => ({
    sharer: perMiB(med(cpuRounds, c => c[0])),
    holderMean: perMiB(med(cpuRounds, holderMean)),
    fetcher: perMiB(med(cpuRounds, c => c.at(-2))),
    cli: perMiB(med(cpuRounds, c => c.at(-1))),
    all: perMiB(med(cpuRounds, sum))
  })
  const share = median(s.share)
  const fetch = median(s.fetch)
  const e2e = med(s.share.map((v, i) => v + s.fetch[i]), v => v)
  const add = median(s.add)
  const heliaFetch = median(s.heliaFetch)
  const heliaE2e = med(s.add.map((v, i) => v + s.heliaFetch[i]), v => v)
  const libp2p = median(s.libp2p)
  // CPU per MiB of the file over share + fetch (add + fetch), all processes
  const wgtAll = med(s.shareCpu.map((c, i) => sum(c) + sum(s.fetchCpu[i])), v => v) / mib
  const wgtDaemons = med(s.shareCpu.map((c, i) => sum(daemons(c)) + sum(daemons(s.fetchCpu[i]))), v => v) / mib
  const heliaAll = med(s.addCpu.map((c, i) => sum(c) + sum(s.heliaFetchCpu[i])), v => v) / mib
  const perRound = arr => arr.map(v => round(v, 2))
  return {
    rounds,
    bytesPerRound: bytes,
    wgt: {
      shareS: round(share, 2),
      fetchS: round(fetch, 2),
      e2eS: round(e2e, 2),
      shareMbPerS: round(mbPerS(share), 1),
      fetchMbPerS: round(mbPerS(fetch), 1),
      shareSPerRound: perRound(s.share),
      fetchSPerRound: perRound(s.fetch)
    },
    helia: {
      addS: round(add, 2),
      fetchS: round(heliaFetch, 2),
      e2eS: round(heliaE2e, 2),
      addMbPerS: round(mbPerS(add), 1),
      fetchMbPerS: round(mbPerS(heliaFetch), 1),
      addSPerRound: perRound(s.add),
      fetchSPerRound: perRound(s.heliaFetch)
    },
    libp2pSingleStreamTls: { mbPerS: round(libp2p, 1), mbPerSPerRound: s.libp2p.map(v => round(v, 1)) },
    vsHelia: {
      e2e: round(e2e / heliaE2e, 3),
      e2eTarget: '<= 1.0',
      fetchSpeed: round(heliaFetch / fetch, 3),
      fetchSpeedTarget: '>= 1.0',
      cpuPerMiB: round(wgtAll / heliaAll, 3),
      cpuPerMiBTarget: '<= 2.0'
    },
    vsLibp2p: {
      share: round(mbPerS(share) / libp2p, 3),
      shareTarget: '>= 0.5',
      fetch: round(mbPerS(fetch) / libp2p, 3),
      fetchTarget: '>= 0.7'
    },
    cpu: {
      unit: 'CPU seconds (user + system) per MiB of the file',
      wgt: { all: round(wgtAll, 4), daemons: round(wgtDaemons, 4), share: roles(s.shareCpu), fetch: roles(s.fetchCpu) },
      helia: {
        all: round(heliaAll, 4),
        add: { adder: perMiB(med(s.addCpu, c => c[0])), fetcher: perMiB(med(s.addCpu, c => c[1])), all: perMiB(med(s.addCpu, sum)) },
        fetch: { adder: perMiB(med(s.heliaFetchCpu, c => c[0])), fetcher: perMiB(med(s.heliaFetchCpu, c => c[1])), all: perMiB(med(s.heliaFetchCpu, sum)) }
      }
    }
  }
}

/**
 * Fetches with one busy-loop process per core running: ceil(fetches / 6)
 * files shared on A first (unloaded), then fetch i takes file i / 6 on holder
 * B..G in turn, so no daemon fetches a file it kept shards of from an
 * earlier fetch (keepFetchedShards).
 */
async function measureUnderLoad (ds, base, fetches, bytes, log) {
  const sharer = ds[0]
  const fetchers = ds.slice(1)
  const files = []
  for (let f = 0; f < Math.ceil(fetches / fetchers.length); f++) {
    const path = join(base, `load-${f}.bin`)
    const digest = await randomFile(path, bytes)
    files.push({ link: (await wgtJson(sharer, ['share', path])).link, digest })
    await rm(path)
  }
  const cores = cpus().length
  log(`files: ${fetches} fetches of ${bytes / MiB} MiB with ${cores} busy-loop processes`)
  const stopLoad = startBusyLoops(cores)
  const failures = []
  const seconds = []
  try {
    for (let i = 0; i < fetches; i++) {
      const file = files[Math.floor(i / fetchers.length)]
      const d = fetchers[i % fetchers.length]
      const out = join(base, `load-fetched-${i}.bin`)
      const t0 = performance.now()
      try {
        const got = await wgtJson(d, ['fetch', file.link, '-o', out])
        if (got.sha256 !== file.digest) throw new Error(`fetched bytes hash to ${got.sha256}, shared ${file.digest}`)
        seconds.push((performance.now() - t0) / 1000)
      } catch (err) {
        failures.push(`fetch ${i + 1} on ${d.name}: ${err.message}`)
      }
      await rm(out, { force: true })
    }
  } finally {
    await stopLoad()
  }
  log(`files: under load ${fetches - failures.length}/${fetches} fetches succeeded`)
  return {
    fetches,
    fileBytes: bytes,
    busyLoops: cores,
    succeeded: fetches - failures.length,
    target: `${fetches}/${fetches}`,
    fetchSMedian: seconds.length > 0 ? round(median(seconds), 2) : null,
    failures
  }
}

/** One `for (;;) {}` process per core until the returned stop is called (or the bench exits). */
function startBusyLoops (n) {
  const kids = Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }))
  const killAll = () => { for (const k of kids) k.kill('SIGKILL') }
  process.on('exit', killAll)
  const stop = async () => {
    process.off('exit', killAll)
    await Promise.all(kids.map(async k => {
      if (k.exitCode !== null || k.signalCode !== null) return
      const exited = once(k, 'exit')
      k.kill('SIGKILL')
      await exited
    }))
  }
  const unregister = onInterrupt(stop)
  return async () => { unregister(); await stop() }
}

/**
 * Until every daemon has the other six as connected shard peers. The bench
 * measures transfer, not discovery (the integration tests cover the DHT), so
 * a daemon that has not found a peer yet is told its address.
 */
export async function untilMeshed (ds) {
  const deadline = Date.now() + MESH_MS
  for (;;) {
    const seen = await Promise.all(ds.map(async d => new Set((await wgtJson(d, ['peers'])).filter(p => p.connected && p.protocols.includes(SHARD)).map(p => p.peerId))))
    if (seen.every(s => s.size >= ds.length - 1)) return
    if (Date.now() > deadline) throw new Error(`daemons did not all connect within ${MESH_MS / 1000} s (shard peers: ${seen.map(s => s.size).join(', ')})`)
    await Promise.all(ds.map(async (d, i) => {
      for (const other of ds) {
        if (other === d || seen[i].has(other.api.peerId)) continue
        const addr = other.api.multiaddrs.find(a => a.startsWith('/ip4/127.0.0.1/tcp/'))
        await wgtJson(d, ['connect', addr.includes('/p2p/') ? addr : `${addr}/p2p/${other.api.peerId}`]).catch(() => {})
      }
    }))
    await sleep(500)
  }
}

async function randomFile (path, size) {
  const hash = createHash('sha256')
  const out = createWriteStream(path)
  for (let done = 0; done < size;) {
    const piece = randomBytes(Math.min(4 * MiB, size - done))
    hash.update(piece)
    if (!out.write(piece)) await once(out, 'drain')
    done += piece.length
  }
  out.end()
  await once(out, 'finish')
  return hash.digest('hex')
}
