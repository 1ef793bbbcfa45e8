/**
 * Helpers for bench child processes: announce readiness as one JSON line on
 * stdout, then run until the parent closes our stdin (which also happens when
 * the parent dies, so a crashed bench never leaves a child behind) or sends
 * SIGTERM/SIGINT.
 */
export function announce (info) {
  process.stdout.write(JSON.stringify(info) + '\n')
}

export function serveUntilParentGone (stop) {
  let stopping = false
  const shutdown = (why) => {
    if (stopping) return
    stopping = true
    Promise.resolve()
      .then(stop)
      .then(() => { process.exit(0) }, err => {
        process.stderr.write(`bench child: stop after ${why} failed: ${err?.stack ?? err}\n`)
        process.exit(1)
      })
  }
  process.stdin.on('end', () => { shutdown('stdin end') })
  process.stdin.on('close', () => { shutdown('stdin close') })
  process.stdin.resume()
  process.on('SIGTERM', () => { shutdown('SIGTERM') })
  process.on('SIGINT', () => { shutdown('SIGINT') })
}

export function failAndExit (err) {
  process.stderr.write(`bench child failed: ${err?.stack ?? err}\n`)
  process.exit(1)
}
