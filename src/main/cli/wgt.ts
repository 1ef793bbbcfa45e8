/**
 * Entry point of the `wgt` command (bin/wgt runs this file with Node >= 22).
 * It loads almost nothing itself: a client command must start in well under
 * 1.5× a bare `node -e 0` (npm run bench, client start-up). The compile cache
 * is switched on before anything else loads (hence the dynamic import: a
 * static one would be evaluated first), so the next run reuses parsed code.
 */
import { writeSync } from 'node:fs'
import { enableCompileCache } from 'node:module'
import { WGT_VERSION } from '../node/version.js'

enableCompileCache?.()

const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // straight to the descriptor: making process.stdout costs ~4 ms (see main.ts)
  writeSync(1, `wgt ${WGT_VERSION}\n`)
} else {
  void import('./main.js').then(async ({ main }) => { await main(argv) })
}
