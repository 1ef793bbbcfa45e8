/**
 * `wgt`'s command line on cac (the parser vite and vitest use; it loads in
 * under a millisecond bundled, where commander took ~8 ms of a ~17 ms
 * start-up budget: see scripts/build-cli.js). The descriptors in
 * commands/index.ts become commands; a space in a name makes a subcommand
 * (`token rotate`). Parsing never exits the process, and every usage error
 * is one line with exit code 2 (INVALID_INPUT). Help text is ours, from the
 * descriptors.
 */
import { cac, type Command } from 'cac'
import { WgtError } from '../../shared/errors.js'
import { WGT_VERSION } from '../node/version.js'
import { CLIENT_OPTION_HELP, type CommandSpec } from './commands/command.js'
import { COMMANDS } from './commands/index.js'
import { defaultDataDir } from './data-dir.js'
import { exitCodeTable } from './exit-codes.js'
import { usage } from './options.js'

export type Parsed =
  | { kind: 'help', text: string }
  | { kind: 'version', text: string }
  | { kind: 'run', spec: CommandSpec, command: unknown }

const GLOBAL_FLAGS = ['--data-dir', '-h', '--help', '-V', '--version']

/** argv without node and the script; env and cwd for defaults and relative paths. */
export async function parseArgv (argv: string[], env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd(), specs: readonly CommandSpec[] = COMMANDS): Promise<Parsed> {
  const words = joinSubcommand(argv, specs)
  if (words[0] === 'help') {
    const spec = specs.find(s => s.name === words.slice(1).filter(w => !w.startsWith('-')).join(' '))
    return { kind: 'help', text: spec != null ? commandHelp(spec, env) : mainHelp(specs, env) }
  }

  const cli = cac('wgt')
  cli.option('--data-dir <DIR>', '').option('-h, --help', '').option('-V, --version', '')
  const bySpec = new Map<Command, CommandSpec>()
  // only the command named is registered: nothing else is needed to parse it, and start-up counts
  const named = commandWord(words)
  for (const spec of specs.filter(s => s.name === named)) {
    const args = (spec.args ?? []).map(a => a.optional === true ? `[${a.name}]` : `<${a.name}>`).join(' ')
    const cmd = cli.command(`${spec.name}${args !== '' ? ` ${args}` : ''}`, '')
    for (const o of spec.options ?? []) cmd.option(o.flags.replace(/\.\.\.>/, '>'), '')
    if (spec.client) cmd.option('--json', '')
    bySpec.set(cmd, spec)
  }

  const matchedName = specs.find(s => s.name === named)?.name
  checkBooleanValues(words, specs.find(s => s.name === matchedName))
  // what follows `--` is positional whatever it looks like; cac sets it aside, the checks below count it
  const dashes = words.indexOf('--')
  const head = dashes < 0 ? words : words.slice(0, dashes)
  const tail = dashes < 0 ? [] : words.slice(dashes + 1)
  const raw = new RawWords()
  let parsed: { args: readonly string[], options: Record<string, unknown> }
  try {
    parsed = cli.parse(['node', 'wgt', ...raw.shield(head)], { run: false })
  } catch (err) {
    throw fromCac(err, matchedName, specs, 0, raw)
  }
  const positional = [...parsed.args.map(a => String(raw.restore(a))), ...tail]
  ;(cli as unknown as { args: readonly string[] }).args = positional
  const options = parsed.options
  const command = cli.matchedCommand
  const spec = command != null ? bySpec.get(command) : undefined
  if (spec == null || command == null) {
    if (positional.length > 0) throw usage(`unknown command ${JSON.stringify(positional[0])}`)
    if (options.version === true) return { kind: 'version', text: `wgt ${WGT_VERSION}` }
    if (options.help === true) return { kind: 'help', text: mainHelp(specs, env) }
    throw usage('missing command')
  }
  if (options.help === true) return { kind: 'help', text: commandHelp(spec, env) }
  try {
    // a missing value first: `--quota -5` leaves -5 looking like an unknown option
    command.checkOptionValue()
    command.checkUnknownOptions()
    command.checkRequiredArgs()
    command.checkUnusedArgs()
  } catch (err) {
    throw fromCac(err, spec.name, specs, positional.length, raw)
  }
  const dataDirValue = options.dataDir
  if (Array.isArray(dataDirValue)) throw usage('--data-dir was given more than once', spec.name)
  const dataDir = dataDirValue == null ? defaultDataDir(env) : String(raw.restore(dataDirValue))
  if (dataDir === '') throw usage('--data-dir must not be empty', spec.name)
  const opts: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    if (key === '--' || key === 'dataDir') continue
    opts[key] = Array.isArray(value) ? value.map(v => raw.restore(v)) : raw.restore(value)
  }
  const cmd = await spec.parse({ args: positional, opts, dataDir, json: options.json === true, env, cwd })
  return { kind: 'run', spec, command: cmd }
}

/**
 * mri (under cac) reads every word that looks like a number as one: a file
 * named 0010 would become "10", --out 1e3 would save to "1000". So each
 * word that is not an option reaches it as an opaque token and comes back
 * exactly as typed.
 */
class RawWords {
  private readonly words: string[] = []

  shield (words: string[]): string[] {
    const commandAt = commandIndex(words)
    return words.map((w, i) => {
      if (i === commandAt) return w
      if (!w.startsWith('-')) return this.token(w)
      const eq = w.indexOf('=')
      return w.startsWith('--') && eq > 0 ? `${w.slice(0, eq + 1)}${this.token(w.slice(eq + 1))}` : w
    })
  }

  restore (value: unknown): unknown {
    if (typeof value === 'number') return String(value)
    if (typeof value !== 'string') return value
    // eslint-disable-next-line no-control-regex -- the token's marker is a control character no one types
    const m = /^\u0001(\d+)$/.exec(value)
    return m != null ? this.words[Number(m[1])] : value
  }

  /** every token in `text` put back (cac quotes them in its messages) */
  restoreIn (text: string): string {
    // eslint-disable-next-line no-control-regex -- as above
    return text.replace(/\u0001(\d+)/g, (_all, n: string) => this.words[Number(n)] ?? '')
  }

  private token (w: string): string {
    this.words.push(w)
    return `\u0001${this.words.length - 1}`
  }
}

/** The first word that is neither an option nor the value of --data-dir: the command's name. */
function commandWord (words: string[]): string | undefined {
  const at = commandIndex(words)
  return at < 0 ? undefined : words[at]
}

function commandIndex (words: string[]): number {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]
    if (w === '--') return i + 1 < words.length ? i + 1 : -1
    if (w === '--data-dir') { i++; continue }
    if (!w.startsWith('-')) return i
  }
  return -1
}

/** `wgt token rotate …` becomes `wgt 'token rotate' …`, the name cac matches. */
function joinSubcommand (argv: string[], specs: readonly CommandSpec[]): string[] {
  const first = commandIndex(argv)
  if (first < 0 || first + 1 >= argv.length) return argv
  const joined = `${argv[first]} ${argv[first + 1]}`
  if (!specs.some(s => s.name === joined)) return argv
  return [...argv.slice(0, first), joined, ...argv.slice(first + 2)]
}

/** A boolean flag given a value (--json=yes) is a mistake mri would quietly take as a positional. */
function checkBooleanValues (words: string[], spec: CommandSpec | undefined): void {
  const booleans = new Set(['--help', '--version', ...(spec?.client === true ? ['--json'] : []), ...(spec?.options ?? []).filter(o => !o.flags.includes('<')).flatMap(o => o.flags.split(/[ ,]+/))])
  for (const w of words) {
    if (w === '--') return
    const [flag] = w.split('=')
    if (w.includes('=') && booleans.has(flag)) throw usage(`option ${flag} takes no value`, spec?.name)
  }
}

/** cac's messages, in wgt's words: one line, the flag or command named, and where to read more. */
function fromCac (err: unknown, name: string | undefined, specs: readonly CommandSpec[], argCount = 0, raw?: RawWords): WgtError {
  if (!(err instanceof Error) || err.name !== 'CACError') return WgtError.from(err)
  const message = raw?.restoreIn(err.message) ?? err.message
  const quoted = /`([^`]*)`/.exec(message)?.[1] ?? ''
  const spec = specs.find(s => s.name === name)
  if (message.startsWith('Unknown option')) {
    if (name != null && specs.some(s => knownFlags(s).has(quoted))) return usage(`'wgt ${name}' has no option ${quoted}`, name)
    return usage(`unknown option ${quoted}`, name)
  }
  if (message.startsWith('option')) return usage(`option ${quoted.split(/[ ,]+/).find(f => f.startsWith('--')) ?? quoted} needs a value`, name)
  if (message.startsWith('missing required args')) {
    const missing = (spec?.args ?? []).filter(a => a.optional !== true).slice(argCount).map(a => a.name)
    return usage(`'wgt ${name ?? ''}' needs ${missing.join(' ')}`, name)
  }
  if (message.startsWith('Unused args')) return usage(`unexpected argument ${JSON.stringify(quoted)}`, name)
  return usage(message, name)
}

function knownFlags (spec: CommandSpec): Set<string> {
  const flags = new Set(GLOBAL_FLAGS)
  if (spec.client) flags.add('--json')
  for (const o of spec.options ?? []) for (const f of o.flags.split(/[ ,]+/)) if (f.startsWith('-')) flags.add(f)
  return flags
}

export function commandHelp (spec: CommandSpec, env: NodeJS.ProcessEnv = process.env): string {
  const options = (spec.options ?? []).map(o => {
    const flags = o.flags.replace(/<([^>.]+)(\.\.\.)?>/g, '$1')
    const lines = o.help.split('\n')
    // flags too long for their column get a line of their own rather than running into the help
    const first = flags.length < 22 ? [`  ${flags.padEnd(22)}${lines[0]}`] : [`  ${flags}`, `${' '.repeat(24)}${lines[0]}`]
    return [...first, ...lines.slice(1).map(l => `${' '.repeat(24)}${l}`)].join('\n')
  })
  const dataDir = `  --data-dir DIR        ${spec.client ? 'the daemon\'s data directory (reads DIR/api.json)' : 'identity, peer store and state'}; default: ${defaultDataDir(env)}`
  const common = spec.client ? CLIENT_OPTION_HELP.split('\n').slice(1) : []
  return [`Usage: wgt ${spec.name} ${spec.usage}`, '', spec.description, '', ...options, dataDir, ...common].join('\n')
}

export function mainHelp (specs: readonly CommandSpec[] = COMMANDS, env: NodeJS.ProcessEnv = process.env): string {
  const width = Math.max(...specs.map(s => s.name.length)) + 3
  return `Usage: wgt <command> [options]

Commands:
${specs.map(s => `  ${s.name.padEnd(width)}${s.summary}`).join('\n')}

Client commands reach a running daemon through --data-dir DIR (DIR/api.json);
the default DIR is ${defaultDataDir(env)}.
'wgt <command> --help' describes each one; 'wgt --version' prints the version.

Exit codes:
    0  success
${exitCodeTable()}`
}
