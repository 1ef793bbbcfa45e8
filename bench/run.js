/**
 * `npm run bench`: WGT's performance figures, each a median over
 * several rounds beside a baseline measured in the same run. Progress goes to
 * stderr; stdout carries exactly one JSON document.
 *
 * Environment (for quick checks only; defaults are what the report uses):
 *   WGT_BENCH_ROUNDS  rounds per figure (default 7)
 *   WGT_BENCH_MIB     MiB per throughput transfer (default 256)
 *   WGT_BENCH_CES_MIB MiB of each input per CES round (default 64)
 *   WGT_BENCH_FILES_MIB      MiB shared and fetched per files round (default 256)
 *   WGT_BENCH_FILES_ROUNDS   files rounds (default 3: each moves the file through seven daemons, two Helia nodes and one libp2p stream)
 *   WGT_BENCH_RSS_MIB        MiB of the file whose peak RSS is reported (default 4096)
 *   WGT_BENCH_IDLE_SECONDS   seconds the idle daemons' CPU is measured over (default 60)
 *   WGT_BENCH_CHAT_SAMPLES   chat delivery-latency samples per round (default 100)
 *   WGT_BENCH_CHAT_MESSAGES  chat messages per sustained-rate round (default 2000)
 *   WGT_BENCH_CHAT_HISTORY   messages in the conversation whose first page is timed (default 10000; at least what the rounds before sent)
 *   WGT_BENCH_CALLS_ROUNDS   calls rounds (default 5: each is a call on each path, ~40 s)
 *   WGT_BENCH_CALLS_SECONDS  seconds of steady call measured per call (default 10)
 */
import { cpus, loadavg, platform, release, totalmem } from 'node:os'
import { measureRtt } from './rtt.js'
import { measureThroughput } from './throughput.js'
import { measureCes } from './ces.js'
import { measureComputeKernel } from './compute-kernel.js'
import { measureFiles } from './files.js'
import { measureIdle } from './idle.js'
import { measureChat } from './chat.js'
import { measureComputeJobs } from './compute-jobs.js'
import { measureCallsRelay } from './calls-relay.js'
import { measureCalls } from './calls.js'
import { measurePeerMap } from './peer-map.js'
import { measureStartup } from './startup.js'
import { startChild, stopAllChildren } from './lib/children.js'
import { round } from './lib/stats.js'

// the calls phase alone takes ~4 min (11 calls of ~20 s); the files phase
// ~15 min (a 4 GiB share and fetch at ~10 MB/s, three rounds of 256 MiB through
// WGT, Helia and one stream, 20 fetches on a loaded machine), idle 1 min
const WATCHDOG_MS = 45 * 60_000
const rounds = positiveInt(process.env.WGT_BENCH_ROUNDS)
const mib = positiveInt(process.env.WGT_BENCH_MIB) ?? 256
const cesMib = positiveInt(process.env.WGT_BENCH_CES_MIB) ?? 64
const filesMib = positiveInt(process.env.WGT_BENCH_FILES_MIB) ?? 256
const filesRounds = positiveInt(process.env.WGT_BENCH_FILES_ROUNDS) ?? 3
const rssMib = positiveInt(process.env.WGT_BENCH_RSS_MIB) ?? 4096
const idleSeconds = positiveInt(process.env.WGT_BENCH_IDLE_SECONDS) ?? 60
const callsOptions = {
  rounds: positiveInt(process.env.WGT_BENCH_CALLS_ROUNDS) ?? 5,
  seconds: positiveInt(process.env.WGT_BENCH_CALLS_SECONDS) ?? 10
}
const chatOptions = {
  samples: positiveInt(process.env.WGT_BENCH_CHAT_SAMPLES) ?? 100,
  messages: positiveInt(process.env.WGT_BENCH_CHAT_MESSAGES) ?? 2000,
  history: positiveInt(process.env.WGT_BENCH_CHAT_HISTORY) ?? 10_000
}

// libraries must not interleave text with the JSON document on stdout
console.log = console.error
console.info = console.error

const log = msg => { process.stderr.write(`[bench] ${msg}\n`) }
const load = () => loadavg().map(v => round(v, 2))

function positiveInt (value) {
  if (value == null || value === '') return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${JSON.stringify(value)}`)
  return n
}

async function main () {
  const began = performance.now()
  const cpuList = cpus()
  const machine = {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${platform()} ${release()}`,
    totalMemGiB: round(totalmem() / 2 ** 30, 1),
    loadavgStart: load(),
    loadavgEnd: null
  }
  log(`machine: ${machine.cpus} × ${machine.cpuModel}, node ${machine.node}, loadavg ${machine.loadavgStart.join(' ')}`)

  // CES first: it is in-process computation, and on this VM kind the phases
  // before it left the machine slower for minutes (measured: the native
  // ceiling on random data fell from 771 to 367 MB/s after the RTT and
  // throughput phases, and further after the files phase's gigabytes of
  // writeback), hitting the two-thread pipeline harder than its one-thread
  // baselines
  // client start-up first of all: it is milliseconds, and the most sensitive to a busy machine
  const startup = await measureStartup({ rounds: Math.max(rounds ?? 7, 30), log })
  const ces = await measureCes({ rounds: rounds ?? 7, mib: cesMib, log })
  const computeKernel = await measureComputeKernel({ rounds: rounds ?? 7, log })
  const tcpServer = await startChild('tcp-server.js')
  let rtt
  let throughput
  try {
    rtt = await measureRtt({ rounds: rounds ?? 7, count: 500, tcpServer: tcpServer.info, log })
    throughput = await measureThroughput({ rounds: rounds ?? 7, bytes: mib * 2 ** 20, warmupBytes: Math.min(mib, 32) * 2 ** 20, tcpServer: tcpServer.info, log })
  } finally {
    await stopAllChildren()
  }
  let files
  try {
    files = await measureFiles({ rounds: filesRounds, bytes: filesMib * 2 ** 20, rssBytes: rssMib * 2 ** 20, log })
  } finally {
    await stopAllChildren()
  }
  let idle
  try {
    idle = await measureIdle({ seconds: idleSeconds, log })
  } finally {
    await stopAllChildren()
  }
  const chat = await measureChat({ rounds: rounds ?? 7, ...chatOptions, log })
  const computeJobs = await measureComputeJobs({ rounds: rounds ?? 5, log })
  const callsRelay = await measureCallsRelay({ rounds: rounds ?? 7, log })
  const calls = await measureCalls({ ...callsOptions, log })
  const peerMap = await measurePeerMap({ rounds: rounds ?? 3, log })
  machine.loadavgEnd = load()

  const faster = throughput.tlsVsNoise >= 1 ? 'tls' : 'noise'
  const factor = throughput.tlsVsNoise >= 1 ? throughput.tlsVsNoise : 1 / throughput.tlsVsNoise
  return {
    bench: 'wgt',
    date: new Date().toISOString(),
    durationS: round((performance.now() - began) / 1000, 1),
    machine,
    startup,
    rttLoopback: rtt,
    throughputLoopback: throughput,
    files,
    idle,
    chat,
    computeJobs,
    calls,
    callsRelay,
    peerMap,
    ces,
    computeKernel,
    notes: [
      'Start-up: spawn to exit of `wgt --version` and `wgt id` (against a daemon on loopback) vs `node -e 0` with the same Node binary, interleaved in random order each round; ratios of medians (target under 1.5).',
      'Every figure is a median over rounds; each baseline was measured in the same run, in rounds interleaved with the figure it is compared to, between two processes like the figure.',
      'RTT: WGT ProbeService (/wgt/probe/1.0.0, one long-lived stream, via createNode and api.ping) between two processes, vs a raw node:net echo of the same application payload between two processes. ratioP50 = probe / raw.',
      'Throughput: one yamux stream over TCP between two processes, timed by the sender from first write to the receiver\'s byte-count acknowledgement; raw node:net moves the same bytes in the same chunk size. ratioVsRaw = libp2p / raw.',
      'Files: seven wgt daemons on loopback (A shares, B to G hold: 4+2, six shards per segment on six distinct peers; G fetches, so it also holds one shard of each segment and keeps the k it fetched, keepFetchedShards), share and fetch driven through the wgt CLI (CLI start included, cliStartMs). Helia: helia 7 (createHeliaLight + @helia/libp2p withLibp2pLight + @helia/bitswap withBitswap; createHelia\'s HTTP and delegated routing are left out) in two processes, each with its own libp2p (TCP 127.0.0.1, TLS, yamux, identify; node 2 dials node 1, no DHT), blockstore-fs and datastore-fs in temp dirs; node 1 adds the file (@helia/unixfs addByteStream, its defaults: 1 MiB chunks, raw leaves, CIDv1), node 2 cats it into a file (fsynced once at the end) over bitswap; both hash the bytes they handled against the source. blockstore-fs 4.0.1 does not fsync (steno: temp file, rename) and has no option to, so its put is replaced by WGT\'s write (temp file, fsync, rename, fsync of the directory, as src/main/node/storage/atomic-write.ts) for the same durability. Rounds interleave WGT share+fetch, Helia add+fetch and one libp2p TLS stream moving the same bytes between two processes (each first, second and last in turn); medians over rounds. vsHelia: e2e = (share + fetch) / (add + fetch) s, target <= 1.0; fetchSpeed = WGT fetch MB/s / Helia fetch MB/s, target >= 1.0; cpuPerMiB = CPU seconds per MiB of the file over both phases, WGT all seven daemons plus the wgt CLI processes (cpu.wgt.daemons leaves the CLI out) / both Helia processes, target <= 2.0. vsLibp2p: share and fetch MB/s / the stream\'s, targets 0.5 and 0.7. cpu: utime + stime from /proc/<pid>/stat before and after each phase (CLI processes: cutime + cstime of the bench process, which reaps them), per MiB of the file; per phase: sharer A, holderMean (B to F), fetcher G, cli. timeToLink: shareFile of a fresh 1 MiB file through A\'s WebSocket API (no CLI) until its operation is done with the link, median over rounds, beside the median probe RTT A to G (api.ping, 5 probes) measured between them. timeToLink.droppedInUi: a fresh 1 MiB file dropped on A\'s UI in headless Chromium (a DataTransfer built in the page before the clock starts) until the operation shows the link: the page\'s upload to the daemon, the share and the UI hearing of it; median over rounds (bench/files-ui.js). underLoad: one busy-loop process per core for the duration; 20 fetches (wgt fetch) of 32 MiB files shared on A before the load, on B to G in turn so none has the file\'s shards from an earlier fetch; successes and failure messages. peakRss: VmHWM (peak resident set over the whole process life) of the sharing daemon (sharing, then serving its shards), the fetching daemon and the other holders, on seven fresh daemons, for one WGT_BENCH_RSS_MIB file (default 4096 MiB); idle is VmRSS before the share; target: every daemon below 200 MiB.',
      'Idle: bench/idle.js (measureIdle): CPU of connected daemons with no work over WGT_BENCH_IDLE_SECONDS (default 60) s, target < 1% of one core each.',
      'Chat: two wgt daemons on loopback that are contacts, driven through their WebSocket APIs. delivery: sendMessage on A until chat:message for it on B, one at a time, vs the probe RTT between the same daemons (api.ping), rounds interleaved; ratioP50 = delivery / probe. sustained: N sendMessage calls with 64 in flight on one API connection, until A counts none pending (B acknowledged all), vs N listConversations calls through the same window; ratio = msgs/s / calls/s. history: the conversation holds `messages` (at least WGT_BENCH_CHAT_HISTORY), B restarted, chatHistory(A, {limit: 50}) on B, the first call and the median of the next, vs listContacts on the same connection.',
      'Calls: two wgt daemons on loopback that are contacts, each UI in Chromium (headless, fake 640×480 camera and microphone); A clicks the video call button in the conversation, B accepts as soon as it rings. setupMs: from the click to the first frame of B\'s video decoded in A\'s page (getStats framesDecoded polled every 20 ms), beside the probe RTT between the same daemons (api.ping, between the calls); setupVsProbeRtt = set-up / probe p50. receiverFps and inboundVideoKbps: getStats inbound video of both pages over secondsPerRound of a call settled for warmupMs, mean of the two pages, median over rounds; direct = ICE between the pages (mediaPath auto, path reported direct), libp2p = mediaPath libp2p on both nodes (media through the daemons\' libp2p connection); rounds alternate the paths; sent: what the pages encoded and sent (outbound video framesEncoded, bytesSent), which tells a figure capped by the fake camera and the encoder from one capped by the path. libp2pVsDirect = libp2p / direct.',
      'Compute jobs: four wgt daemons on loopback. tinyTask: one 1×1 matmul task at a time over /wgt/compute/1.0.0 from a libp2p node in the bench process to a daemon (compute policy anyone), vs an identify round trip on the same connection, rounds interleaved; ratioP50 = task / identify. matmul: a 1024×1024 job submitted on a daemon with two contact workers (three daemons sharing this machine\'s cores) vs on a daemon alone, rounds interleaved; ratio = spread / local-only (above 1 here means distribution costs more than it gains on one machine). verification: Freivalds (10 rounds) of one 256×1024·1024×256 block vs computing it with the WASM kernel, in-process and warm; extraRunsFraction = extra task runs (replicas, spot checks) / tasks of the spread jobs once the workers are proven.',
      'Calls relay: each node in its own process, this process as both renderers sending paced 1200-byte datagrams both ways; CPU (process.cpuUsage, user + system) per Mbit carried of A on the direct libp2p tunnel and of R on the relayed one (A ↔ R ↔ B, A and B connected only by a circuit relay connection), vs one process forwarding the same UDP datagrams between two ports, rounds interleaved.',
      'Peer map: the map view\'s scene (src/renderer/src/map/scene.ts, bundled with rolldown) laying out and drawing 500 peers (400 connected, 20 of them relayed, 100 known) on an 800×600 canvas at device pixel ratio 1 and 2 in headless Chromium (software raster, --disable-gpu), one d3-force tick and one draw per requestAnimationFrame. settle: from a fresh layout until it is still; animate: the settled map with a placement pulse started every 100 ms; fps beside an empty requestAnimationFrame loop in the same page (fpsVsBaseline); stepDrawMs: the scene\'s step + draw per frame on the main thread, p95VsFrameBudget = p95 / (1000 / baseline fps); idleFramesPerSecond: frames a settled map with nothing animating asks for (0: an idle map costs nothing).',
      `Encryption: ${faster} was faster by ${round(factor, 2)}× in Node ${process.version}. This is Node only: in Electron's main process noise falls back to a WASM AEAD and TLS uses BoringSSL, so the Electron comparison must be measured there.`
    ]
  }
}

const watchdog = setTimeout(() => {
  log(`still running after ${WATCHDOG_MS / 1000} s; stopping`)
  void stopAllChildren().finally(() => { process.exit(2) })
}, WATCHDOG_MS)
watchdog.unref()

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`${sig}: stopping children`)
    void stopAllChildren().finally(() => { process.exit(130) })
  })
}

try {
  const report = await main()
  process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  clearTimeout(watchdog)
} catch (err) {
  log(`failed: ${err?.stack ?? err}`)
  await stopAllChildren()
  process.exitCode = 1
}
