// `npm start`: the desktop app when the Electron binary is installed, otherwise
// the headless daemon serving the same UI to a browser. Builds first if needed.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)

/**
 * Where the Electron binary would be. Read path.txt ourselves: require('electron')
 * tries to download the binary when it is missing.
 */
function electronBinary () {
  const pkg = join(root, 'node_modules', 'electron')
  const pathTxt = join(pkg, 'path.txt')
  if (!existsSync(pathTxt)) return undefined
  const bin = join(pkg, 'dist', readFileSync(pathTxt, 'utf8').trim())
  return existsSync(bin) ? bin : undefined
}

function ensureBuilt (artifacts) {
  const missing = artifacts.filter(a => !existsSync(join(root, a)))
  if (missing.length === 0) return
  console.log(`wgt: building (missing ${missing.join(', ')})`)
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const result = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
  if (result.status !== 0) {
    console.error('wgt: the build failed')
    process.exit(result.status ?? 1)
  }
}

/**
 * Run a child in its own process group and forward our signals to it exactly
 * once (sharing the terminal's group would deliver Ctrl+C to it twice); exit
 * the way it exits.
 */
function runForwarding (command, commandArgs, stdio) {
  const child = spawn(command, commandArgs, { cwd: root, stdio, detached: process.platform !== 'win32' })
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP']
  const forward = (signal) => { if (child.exitCode === null && child.signalCode === null) child.kill(signal) }
  for (const s of signals) process.on(s, forward)
  child.on('error', (err) => {
    console.error(`wgt: could not run ${command}: ${err.message}`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, forward)
    if (signal != null) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
}

const electron = electronBinary()
if (electron != null) {
  ensureBuilt(['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'])
  // the V8 memory settings of bin/wgt (measured there), but for a 64 MiB initial
  // old space: Electron's main bundle loads libp2p from node_modules (~40 MiB
  // live heap, where the daemon's bundle has ~23). Electron takes its main
  // process's V8 flags only from the command line
  runForwarding(electron, ['--js-flags=--max-semi-space-size=2 --heap-growing-percent=25 --initial-old-space-size=64 --expose-gc --no-separate-gc-phases', '.', ...args], 'inherit')
} else {
  console.log('wgt: the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD); starting the headless daemon with the same UI instead — open the URL it prints.')
  ensureBuilt(['out/daemon/daemon.js', 'out/cli/wgt.cjs', 'out/renderer/index.html'])
  const wgt = join(root, 'bin', 'wgt')
  if (!existsSync(wgt)) {
    console.error(`wgt: ${wgt} is missing`)
    process.exit(1)
  }
  // the daemon does not read stdin; a child outside the terminal's foreground group must not try
  runForwarding(wgt, ['daemon', ...args], ['ignore', 'inherit', 'inherit'])
}
