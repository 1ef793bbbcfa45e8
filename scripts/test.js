#!/usr/bin/env node
// Runs the whole test suite (unit, integration, e2e) with vitest and ends with
// one plain line "tests: N passed, N failed, N skipped" that CI reads.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { summarize } from './test-summary.js'

const report = 'out/test-report.json'
mkdirSync('out', { recursive: true })
rmSync(report, { force: true })
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]
const run = spawnSync('npx', args, { stdio: 'inherit' })

let passed = 0; let failed = 0; let skipped = 0
try {
  ({ passed, failed, skipped } = summarize(JSON.parse(readFileSync(report, 'utf8'))))
} catch (err) {
  console.error(`tests: no report from vitest (${err.message})`)
  process.exit(run.status || 1)
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(run.status !== 0 ? (run.status ?? 1) : (failed > 0 || passed === 0 ? 1 : 0))
