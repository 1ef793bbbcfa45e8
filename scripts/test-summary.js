/**
 * The closing line's counts from vitest's JSON report. A file that failed as
 * a whole (it did not load, or a beforeAll threw) reports its tests as
 * skipped and its failure nowhere else: each of those tests failed, and a
 * file that had none to run counts as one failure. (A run whose beforeAll
 * failed once printed "301 passed, 0 failed".)
 */
export function summarize (json) {
  let passed = json.numPassedTests
  let failed = json.numFailedTests
  let skipped = json.numPendingTests + json.numTodoTests
  for (const file of json.testResults.filter(r => r.status === 'failed')) {
    if (file.assertionResults.some(a => a.status === 'failed')) continue
    const notRun = file.assertionResults.filter(a => a.status !== 'passed')
    failed += Math.max(1, notRun.length)
    skipped -= notRun.length
  }
  return { passed, failed, skipped: Math.max(0, skipped) }
}
