/**
 * Entry point of the `wgt` command (bin/wgt runs this file with Node >= 22).
 * Every failure ends as one line on stderr, `wgt: <message>`, and the exit
 * code of its WgtError code (see exit-codes.ts and `wgt --help`).
 */
import { WgtError } from '../../shared/errors.js'
import { WGT_VERSION } from '../node/config.js'
import { parseCommand } from './args.js'
import { runClientCommand } from './client-commands.js'
import { exitCodeFor } from './exit-codes.js'

function oneLine (text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}

function exit (code: number): void {
  // let piped stdout drain before leaving (pipes are asynchronous on some platforms)
  process.stdout.write('', () => { process.exit(code) })
}

async function main (argv: string[]): Promise<number> {
  const cmd = parseCommand(argv)
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(cmd.text + '\n')
      return 0
    case 'version':
      process.stdout.write(`wgt ${WGT_VERSION}\n`)
      return 0
    case 'daemon': {
      // loaded only here: the node pulls in all of libp2p, which client commands don't need
      const { runDaemon } = await import('./daemon.js')
      return await runDaemon(cmd, {
        out: line => { process.stdout.write(line + '\n') },
        err: line => { process.stderr.write(line + '\n') }
      })
    }
    default:
      await runClientCommand(cmd, {
        out: text => { process.stdout.write(text + '\n') },
        // progress only for a person watching: never into a pipe or a log file
        progress: process.stderr.isTTY ? { write: text => { process.stderr.write(text) }, columns: process.stderr.columns } : undefined
      })
      return 0
  }
}

main(process.argv.slice(2)).then(exit, (err: unknown) => {
  const error = WgtError.from(err)
  process.stderr.write(`wgt: ${oneLine(error.message)}\n`)
  if (process.env.WGT_DEBUG != null && error.stack != null) process.stderr.write(error.stack + '\n')
  exit(exitCodeFor(error.code))
})
