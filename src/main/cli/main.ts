/**
 * `wgt` after start-up: parse, run, and turn every failure into one line on
 * stderr, `wgt: <message>`, and the exit code of its WgtError code (see
 * exit-codes.ts and `wgt --help`). WGT_DEBUG=1 adds the stack.
 */
import { writeSync } from 'node:fs'
import { isatty } from 'node:tty'
import { WgtError } from '../../shared/errors.js'
import type { CliIo } from './commands/command.js'
import { exitCodeFor } from './exit-codes.js'
import { printable } from './format.js'
import { parseArgv } from './program.js'

function oneLine (text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}

/**
 * Output goes straight to the file descriptor: creating process.stdout or
 * process.stderr costs ~4 ms each here, a quarter of a client command's
 * start-up budget. The descriptors are as the shell gave them (blocking),
 * since nothing made streams of them; if one is not, the stream takes over.
 */
function writeAll (fd: 1 | 2, text: string): void {
  const stream = (): NodeJS.WriteStream => fd === 1 ? process.stdout : process.stderr
  let buf = Buffer.from(text)
  while (buf.length > 0) {
    try {
      buf = buf.subarray(writeSync(fd, buf))
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EAGAIN') { stream().write(buf); return }
      if (code === 'EPIPE') return
      throw err
    }
  }
}

function exit (code: number): void {
  process.exit(code)
}

export const io: CliIo = {
  out: text => { writeAll(1, text + '\n') },
  err: line => { writeAll(2, line + '\n') },
  // progress only for a person watching: never into a pipe or a log file
  progress: isatty(2) ? { write: text => { writeAll(2, text) }, get columns () { return process.stderr.columns } } : undefined,
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
    // messages quote peers (an offer's refusal, a file name): printable keeps them to one harmless line
    writeAll(2, `wgt: ${printable(oneLine(error.message))}\n`)
    if (process.env.WGT_DEBUG != null && error.stack != null) writeAll(2, error.stack + '\n')
    exit(exitCodeFor(error.code))
  }
}
