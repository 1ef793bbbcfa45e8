import { describe, expect, it } from 'vitest'
// @ts-expect-error a plain JavaScript module of the test runner
import { summarize } from '../test-summary.js'

const file = (status: string, tests: string[]): object => ({ status, assertionResults: tests.map(s => ({ status: s })) })

describe('the closing test line', () => {
  it('counts the tests of a file whose beforeAll failed as failed, not skipped', () => {
    const json = {
      numPassedTests: 3,
      numFailedTests: 0,
      numPendingTests: 2,
      numTodoTests: 0,
      testResults: [file('passed', ['passed', 'passed', 'passed']), file('failed', ['skipped', 'skipped'])]
    }
    expect(summarize(json)).toEqual({ passed: 3, failed: 2, skipped: 0 })
  })

  it('counts a file that did not load as one failure, and leaves ordinary failures and skips alone', () => {
    const json = {
      numPassedTests: 1,
      numFailedTests: 1,
      numPendingTests: 1,
      numTodoTests: 0,
      testResults: [file('failed', []), file('failed', ['passed', 'failed', 'skipped'])]
    }
    expect(summarize(json)).toEqual({ passed: 1, failed: 2, skipped: 1 })
  })
})
