/**
 * One descriptor per `wgt` command: its name (a space for a subcommand, as in
 * `token rotate`), its help, its arguments and options, a pure parse step
 * that validates them (and may load a validator lazily), and the run step.
 * program.ts turns the list in commands/index.ts into a commander program.
 */
import type { ProgressSink } from '../progress.js'

export interface ArgSpec {
  name: string
  optional?: boolean
}

export interface OptionSpec {
  /** commander flags: '-c, --count <N>', '--no-mdns', '--listen <MULTIADDR...>' */
  flags: string
  help: string
}

export interface ParseInput {
  /** positional arguments, in the order of `args` */
  args: string[]
  /** this command's options as commander parsed them (camelCase keys) */
  opts: Record<string, unknown>
  /** --data-dir, or the per-user default */
  dataDir: string
  json: boolean
  env: NodeJS.ProcessEnv
  /** resolves relative paths: the daemon that opens them may run in another directory */
  cwd: string
}

export interface CliIo {
  out: (text: string) => void
  err: (line: string) => void
  /** where operation progress is drawn; absent when stderr is not a terminal */
  progress?: ProgressSink
  /** Ctrl-C while the command runs; returns the function that stops listening */
  onInterrupt: (handler: () => void) => () => void
}

export interface CommandSpec<P = any> {
  name: string
  /** one line for `wgt --help` */
  summary: string
  /** what follows `wgt NAME` on the usage line */
  usage: string
  /** paragraphs for `wgt NAME --help` */
  description: string
  args?: ArgSpec[]
  options?: OptionSpec[]
  /** a client of a running daemon: takes --json and reads DIR/api.json */
  client: boolean
  parse: (input: ParseInput) => P | Promise<P>
  /** resolves with the exit code, or undefined for 0 */
  run: (command: P, io: CliIo) => Promise<number | undefined | void>
}

export const CLIENT_OPTION_HELP = `  --data-dir DIR   the daemon's data directory (reads DIR/api.json); default: see 'wgt --help'
  --json           print JSON instead of text`
