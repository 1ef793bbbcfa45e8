/** Quit sequencing, kept free of electron so it can be tested. */

/** How long quitting waits for the node to stop before it exits anyway. */
export const SHUTDOWN_DEADLINE_MS = 20_000

/**
 * Returns a function that stops the node and then exits, however many times
 * (and from however many quit paths) it is called: the node is stopped once,
 * exit is called once, after the stop has finished. A stop that takes longer
 * than deadlineMs (a peer that never answers, a datastore that hangs) must
 * not leave the app unable to quit: then it is logged and exit(1) is called
 * without waiting further.
 */
export function shutdownOnce (
  stop: () => Promise<void>,
  exit: (code: number) => void,
  deadlineMs = SHUTDOWN_DEADLINE_MS
): () => Promise<void> {
  let running: Promise<void> | undefined
  return async () => {
    running ??= (async () => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const deadline = new Promise<number>(resolve => {
        timer = setTimeout(() => {
          console.error(`wgt: the node did not stop within ${deadlineMs / 1000} s; exiting anyway`)
          resolve(1)
        }, deadlineMs)
      })
      const stopped = stop().then(() => 0, (err: unknown) => {
        console.error('wgt: the node did not stop cleanly', err)
        return 1
      })
      const code = await Promise.race([stopped, deadline])
      clearTimeout(timer)
      exit(code)
    })()
    await running
  }
}
