/**
 * Client start-up: how long `wgt --version` and `wgt id` take from spawn to
 * exit, as a ratio to a bare `node -e 0` of the same Node binary (the one
 * bin/wgt runs), measured in the same run with the three interleaved round by
 * round. `wgt id` talks to a real daemon on loopback, so it includes reading
 * api.json, the WebSocket handshake and the call. The target is a ratio
 * under 1.5 (issue 6).
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startDaemon, stopDaemon } from './lib/daemons.js'
import { median, round } from './lib/stats.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const WGT = join(ROOT, 'bin', 'wgt')
const NODE = join(ROOT, 'node_modules', 'node', 'bin', 'node')

function timeMs (cmd, args) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return ms
}

export async function measureStartup ({ rounds, log }) {
  const dir = await mkdtemp(join(tmpdir(), 'wgt-bench-startup-'))
  const daemon = await startDaemon('startup', dir)
  try {
    const cases = {
      node: [NODE, ['-e', '0']],
      version: [WGT, ['--version']],
      id: [WGT, ['id', '--data-dir', dir]]
    }
    // warm-up: page cache, and Node's compile cache for the CLI bundle
    for (let i = 0; i < 5; i++) for (const [cmd, args] of Object.values(cases)) timeMs(cmd, args)
    const times = { node: [], version: [], id: [] }
    for (let i = 0; i < rounds; i++) {
      // a different order each round, so no one case always runs right after another
      const order = Object.keys(cases).sort(() => Math.random() - 0.5)
      for (const name of order) times[name].push(timeMs(...cases[name]))
    }
    const med = name => median(times[name])
    const result = {
      rounds,
      nodeMs: round(med('node'), 1),
      versionMs: round(med('version'), 1),
      idMs: round(med('id'), 1),
      versionRatio: round(med('version') / med('node'), 2),
      idRatio: round(med('id') / med('node'), 2)
    }
    log(`start-up: node -e 0 ${result.nodeMs} ms, wgt --version ${result.versionMs} ms (${result.versionRatio}×), wgt id ${result.idMs} ms (${result.idRatio}×)`)
    return result
  } finally {
    await stopDaemon(daemon)
    await rm(dir, { recursive: true, force: true })
  }
}
