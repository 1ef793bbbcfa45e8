/**
 * Files figures (issue 3, item 12), from six real `wgt daemon` processes on
 * loopback driven through the CLI:
 *  - share (on A) and fetch (on F) of the same random file, 4+2, MB/s of file
 *    bytes, each beside one js-libp2p stream (TLS, as the daemons negotiate)
 *    moving the same number of bytes between two processes; rounds interleave
 *    the three so drift on this shared machine hits them alike;
 *  - peak RSS (VmHWM over the process's life) of the sharing and the
 *    fetching daemon for a 1 GiB file, on fresh daemons, beside their idle RSS.
 * Share time covers encoding, placing every shard on a peer (and the sharer's
 * own copy) and sealing the manifest; fetch time covers finding the manifest,
 * fetching k shards per segment, decoding, writing, and the SHA-256 of the
 * whole file. Both include the CLI's start (measured: `wgt id`).
 */
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { createBenchHost } from './lib/libp2p.js'
import { onInterrupt, startChild } from './lib/children.js'
import { peakRss, rss, sleep, startDaemon, stopDaemons, wgtJson } from './lib/daemons.js'
import { median, round } from './lib/stats.js'
import { sendLibp2p } from './throughput.js'

const SHARD = '/wgt/shard/1.0.0'
const NAMES = ['A', 'B', 'C', 'D', 'E', 'F']
const MB = 1e6

export async function measureFiles ({ rounds = 3, bytes = 256 * 2 ** 20, rssBytes = 2 ** 30, log = () => {} } = {}) {
  // peak RSS first, on daemons that have done nothing else: VmHWM is then the
  // whole life of each process, start-up included, and nothing earlier inflates it
  const peakRss = await withDaemons(log, async (ds, base) => await measurePeakRss(ds, base, rssBytes, log))
  const throughput = await withDaemons(log, async (ds, base) => await measureThroughputs(ds, base, rounds, bytes, log))
  return { daemons: NAMES.length, k: 4, m: 2, ...throughput, peakRss }
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

/** Share a file of rssBytes on A, fetch it on F; VmHWM of A (sharing, then serving its own copy), F and the other holders. */
export async function measurePeakRss (ds, base, rssBytes, log) {
  const [sharer, , , , , fetcher] = ds
  const MiB = 2 ** 20
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
  const got = await wgtJson(fetcher, ['fetch', shared.link, '-o', join(base, 'big-fetched.bin')])
  const fetchSecs = (performance.now() - t1) / 1000
  if (got.sha256 !== bigDigest) throw new Error(`the ${rssBytes / MiB} MiB fetch returned other bytes`)
  const peak = await Promise.all(ds.map(peakRss))
  const holders = peak.slice(1, -1)
  const mib = v => round(v / MiB, 1)
  return {
    fileBytes: rssBytes,
    unit: 'MiB',
    sharer: { peak: mib(peak[0]), peakAfterShare: mib(afterShare), idle: mib(idle[0]), shareSeconds: round(shareSecs, 1) },
    fetcher: { peak: mib(peak[5]), idle: mib(idle[5]), fetchSeconds: round(fetchSecs, 1) },
    holders: { peakMax: mib(Math.max(...holders)), idleMax: mib(Math.max(...idle.slice(1, -1))) },
    target: { peakBelowMiB: 300, met: Math.max(...peak) < 300 * MiB }
  }
}

async function measureThroughputs (ds, base, rounds, bytes, log) {
  const [sharer, , , , , fetcher] = ds
  const sink = await startChild('libp2p-sink.js', ['tls'])
  const host = await createBenchHost('tls')
  try {
    const cliStartMs = median(await Promise.all([0, 1, 2].map(async () => { const t0 = performance.now(); await wgtJson(sharer, ['id']); return performance.now() - t0 })))
    const chunk = randomBytes(64 * 1024)
    await sendLibp2p(host, sink.info.multiaddr, 32 * 2 ** 20, chunk)

    const samples = { libp2p: [], share: [], fetch: [] }
    for (let r = 0; r < rounds; r++) {
      const input = join(base, `input-${r}.bin`)
      const digest = await randomFile(input, bytes)
      const runners = {
        libp2p: async () => await sendLibp2p(host, sink.info.multiaddr, bytes, chunk),
        share: async () => {
          const t0 = performance.now()
          const shared = await wgtJson(sharer, ['share', input])
          runners.link = shared.link
          return performance.now() - t0
        },
        fetch: async () => {
          const out = join(base, `fetched-${r}.bin`)
          const t0 = performance.now()
          const got = await wgtJson(fetcher, ['fetch', runners.link, '-o', out])
          const ms = performance.now() - t0
          if (got.sha256 !== digest) throw new Error(`fetched file hashes to ${got.sha256}, shared ${digest}`)
          await rm(out)
          return ms
        }
      }
      // share before fetch; the baseline runs first, between them, or last, in turn
      const order = [['libp2p', 'share', 'fetch'], ['share', 'libp2p', 'fetch'], ['share', 'fetch', 'libp2p']][r % 3]
      for (const name of order) samples[name].push(bytes / MB / (await runners[name]() / 1000))
      await rm(input)
      log(`files: round ${r + 1}/${rounds} ${Object.keys(samples).map(n => `${n} ${Math.round(samples[n].at(-1))}`).join(', ')} MB/s`)
    }
    const m = Object.fromEntries(Object.keys(samples).map(n => [n, median(samples[n])]))
    return {
      rounds,
      bytesPerRound: bytes,
      unit: 'MB/s (10^6 bytes of the file per second)',
      libp2pSingleStreamTls: { mbPerS: round(m.libp2p, 1), mbPerSPerRound: samples.libp2p.map(v => round(v, 1)) },
      share: { mbPerS: round(m.share, 1), ratioVsLibp2p: round(m.share / m.libp2p, 3), mbPerSPerRound: samples.share.map(v => round(v, 1)) },
      fetch: { mbPerS: round(m.fetch, 1), ratioVsLibp2p: round(m.fetch / m.libp2p, 3), mbPerSPerRound: samples.fetch.map(v => round(v, 1)) },
      cliStartMs: round(cliStartMs, 0)
    }
  } finally {
    await host.stop()
    await sink.stop()
  }
}

/**
 * Until every daemon has the other five as connected shard peers. The bench
 * measures transfer, not discovery (the integration tests cover the DHT), so
 * a daemon that has not found a peer yet is told its address.
 */
export async function untilMeshed (ds) {
  const deadline = Date.now() + 60_000
  for (;;) {
    const seen = await Promise.all(ds.map(async d => new Set((await wgtJson(d, ['peers'])).filter(p => p.connected && p.protocols.includes(SHARD)).map(p => p.peerId))))
    if (seen.every(s => s.size >= ds.length - 1)) return
    if (Date.now() > deadline) throw new Error(`daemons did not all connect within 60 s (shard peers: ${seen.map(s => s.size).join(', ')})`)
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
    const piece = randomBytes(Math.min(4 * 2 ** 20, size - done))
    hash.update(piece)
    if (!out.write(piece)) await once(out, 'drain')
    done += piece.length
  }
  out.end()
  await once(out, 'finish')
  return hash.digest('hex')
}
