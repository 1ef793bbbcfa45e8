import { useCallback, useRef, useState } from 'react'
import { describeError, type ErrorContext, type HumanError } from './errors.js'

export interface Action {
  busy: boolean
  error: HumanError | null
  /** run `work` unless one is running; a failure becomes `error` (described for `context`), never a throw */
  run: (context: ErrorContext, work: () => Promise<unknown>) => Promise<boolean>
  clear: () => void
}

/** One button's (or row's) call on the node: busy while it runs, and what went wrong, as a person would put it. */
export function useAction (): Action {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<HumanError | null>(null)
  const running = useRef(false)
  const run = useCallback(async (context: ErrorContext, work: () => Promise<unknown>): Promise<boolean> => {
    if (running.current) return false
    running.current = true
    setBusy(true)
    setError(null)
    try {
      await work()
      return true
    } catch (err) {
      setError(describeError(context, err))
      return false
    } finally {
      running.current = false
      setBusy(false)
    }
  }, [])
  return { busy, error, run, clear: useCallback(() => { setError(null) }, []) }
}
