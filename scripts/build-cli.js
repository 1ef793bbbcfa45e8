#!/usr/bin/env node
// Bundles the `wgt` client commands (tsc's output under out/node) into out/cli
// with rolldown, as CommonJS: a client command then loads a few files instead
// of forty, which is what keeps `wgt id` near a bare `node -e 0` (npm run
// bench, client start-up). Measured here with Node 24 and the compile cache:
// our ESM modules loaded one by one cost ~1 ms each, and an ESM `import` of a
// builtin evaluates every lazy getter of it (node:crypto loads WebCrypto,
// node:process opens stdin), which require() does not.
//
// The daemon is not bundled: libp2p's packages are ESM-only, and the node is
// loaded as tsc built it, from out/node. bin/wgt starts `wgt daemon` from
// there directly; a daemon command that reaches the bundle anyway imports it.
import { rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import { build } from 'rolldown'

const daemon = resolve('out/node/main/cli/daemon.js')

// chunks of an earlier build must not linger beside this one's
await rm('out/cli', { recursive: true, force: true })
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
    paths: id => (id === daemon || id.endsWith('/daemon.js') ? '../node/main/cli/daemon.js' : id)
  }
})
