/** Quit sequencing, kept free of electron so it can be tested. */

/**
 * Returns a function that stops the node and then exits, however many times
 * (and from however many quit paths) it is called: the node is stopped once,
 * exit is called once, after the stop has finished.
 */
export function shutdownOnce (stop: () => Promise<void>, exit: (code: number) => void): () => Promise<void> {
  let running: Promise<void> | undefined
  return async () => {
    running ??= (async () => {
      let code = 0
      try {
        await stop()
      } catch (err) {
        console.error('wgt: the node did not stop cleanly', err)
        code = 1
      }
      exit(code)
    })()
    await running
  }
}
