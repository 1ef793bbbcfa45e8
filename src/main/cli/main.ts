/**
 * `wgt` after start-up: parse, run, and turn every failure into one line on
 * stderr, `wgt: <message>`, and the exit code of its WgtError code (see
 * exit-codes.ts and `wgt --help`). WGT_DEBUG=1 adds the stack.
 */
import { WgtError } from '../../shared/errors.js'
import type { CliIo } from './commands/command.js'
import { exitCodeFor } from './exit-codes.js'
import { parseArgv } from './program.js'

function oneLine (text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}

function exit (code: number): void {
  // let piped stdout drain before leaving (pipes are asynchronous on some platforms)
  process.stdout.write('', () => { process.exit(code) })
}

export const io: CliIo = {
  out: text => { process.stdout.write(text + '\n') },
  err: line => { process.stderr.write(line + '\n') },
  // progress only for a person watching: never into a pipe or a log file
  progress: process.stderr.isTTY ? { write: text => { process.stderr.write(text) }, columns: process.stderr.columns } : undefined,
  onInterrupt: handler => {
    process.on('SIGINT', handler)
    return () => { process.off('SIGINT', handler) }
  }
}

export async function main (argv: string[]): Promise<void> {
  try {
    const parsed = await parseArgv(argv)
    if (parsed.kind === 'help' || parsed.kind === 'version') {
      io.out(parsed.text)
      exit(0)
      return
    }
    const code = await parsed.spec.run(parsed.command, io)
    exit(code ?? 0)
  } catch (err) {
    const error = WgtError.from(err)
    process.stderr.write(`wgt: ${oneLine(error.message)}\n`)
    if (process.env.WGT_DEBUG != null && error.stack != null) process.stderr.write(error.stack + '\n')
    exit(exitCodeFor(error.code))
  }
}
