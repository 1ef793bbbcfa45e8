#!/usr/bin/env node
// Bundles the `wgt` client commands (tsc's output under out/node) into out/cli
// with rolldown, as CommonJS: a client command then loads a few files instead
// of forty, which is what keeps `wgt id` near a bare `node -e 0` (npm run
// bench, client start-up). Measured here with Node 24 and the compile cache:
// our ESM modules loaded one by one cost ~1 ms each, and an ESM `import` of a
// builtin evaluates every lazy getter of it (node:crypto loads WebCrypto,
// node:process opens stdin), which require() does not.
//
// The daemon is a second bundle, ESM (libp2p's packages are ESM-only), in
// out/daemon with its dependencies inside: `wgt daemon` imports it from the
// client bundle. Loaded as ~700 files from node_modules, an idle daemon held
// 34.2 MiB of live V8 heap (10 MiB of it module source) and 136 MiB RSS;
// bundled, 22.9 MiB and 118-125 MiB (Node 24, the daemon's V8 flags, two runs
// each, after a full GC; issue 12 bounds a daemon's peak at 200 MiB).
// Minified it saved another ~1.5 MiB, not worth unreadable stack traces.
import { rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import { build } from 'rolldown'

const daemon = resolve('out/node/main/cli/daemon.js')
/** where the client bundle finds the daemon's, relative to out/cli */
const DAEMON_BUNDLE = '../daemon/daemon.js'

// Left outside the daemon bundle: Node's builtins; the N-API modules, which
// find their binaries from their own package; binaryen (100 MB, imported
// only when a compute task is checked, and by the task thread).
const DAEMON_EXTERNAL = /^(node:|classic-level$|node-datachannel($|\/)|@node-datachannel\/|binaryen$)/

// chunks of an earlier build must not linger beside this one's
await rm('out/cli', { recursive: true, force: true })
await rm('out/daemon', { recursive: true, force: true })
await build({
  input: 'out/node/main/cli/wgt.js',
  platform: 'node',
  logLevel: 'warn',
  external: (id, importer) => {
    if (importer != null && resolve(importer, '..', id) === daemon) return true
    return !id.startsWith('.') && !id.startsWith('/') && id !== 'cac'
  },
  output: {
    dir: 'out/cli',
    format: 'cjs',
    entryFileNames: 'wgt.cjs',
    chunkFileNames: '[name].cjs',
    sourcemap: true,
    paths: id => (id === daemon || id.endsWith('/daemon.js') ? DAEMON_BUNDLE : id)
  }
})

await build({
  // task-thread: the compute sandbox's worker entry, beside the chunks where sandbox/runner.ts looks for it
  input: { daemon, 'task-thread': resolve('out/node/main/node/compute/sandbox/task-thread.js') },
  platform: 'node',
  logLevel: 'warn',
  external: id => DAEMON_EXTERNAL.test(id),
  output: {
    dir: 'out/daemon',
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name].js',
    sourcemap: true
  }
})
