/**
 * Start at login. macOS and Windows keep login items themselves
 * (app.setLoginItemSettings); Linux desktops start what an autostart
 * .desktop file in $XDG_CONFIG_HOME/autostart names (the XDG Autostart spec),
 * so there we write or remove that file. Electron objects are passed in
 * (structurally typed) so this is tested without an Electron binary.
 *
 * How a start at login is recognised (to start hidden): Windows and Linux
 * launch us with HIDDEN_FLAG; macOS ignores `args` (Electron: Windows only)
 * and tells instead, through getLoginItemSettings().wasOpenedAtLogin.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const HIDDEN_FLAG = '--hidden'
/** the autostart entry's file name; a desktop entry id, so one per app */
export const AUTOSTART_FILE = 'wgt.desktop'

/** What we use of Electron's app for login items (macOS, Windows). */
export interface LoginItemAppLike {
  setLoginItemSettings: (settings: { openAtLogin: boolean, args?: string[] }) => void
  getLoginItemSettings: (options?: { args?: string[] }) => { openAtLogin: boolean, wasOpenedAtLogin?: boolean }
}

export interface LoginItemContext {
  /** process.platform */
  platform: string
  app: LoginItemAppLike
  /** process.execPath */
  execPath: string
  /**
   * what follows the executable to start this app: [] when packaged; the app's
   * folder in development (process.defaultApp), where the executable is Electron itself
   */
  appArgs: string[]
  /** process.env: XDG_CONFIG_HOME, and APPIMAGE when running from an AppImage */
  env: Record<string, string | undefined>
  /** os.homedir() */
  homeDir: string
}

/** The autostart folder (XDG Base Directory: $XDG_CONFIG_HOME, else ~/.config; a relative value is invalid and ignored). */
export function autostartDir (env: Record<string, string | undefined>, homeDir: string): string {
  const config = env.XDG_CONFIG_HOME
  return join(config != null && config.startsWith('/') ? config : join(homeDir, '.config'), 'autostart')
}

/**
 * The command that starts this app at login. From an AppImage, the AppImage
 * itself: process.execPath is inside its mount, which is gone once it exits.
 */
export function startCommand (ctx: Pick<LoginItemContext, 'execPath' | 'appArgs' | 'env'>): string[] {
  const appImage = ctx.env.APPIMAGE
  if (appImage != null && appImage !== '') return [appImage, HIDDEN_FLAG]
  return [ctx.execPath, ...ctx.appArgs, HIDDEN_FLAG]
}

// Desktop Entry spec, "The Exec key": reserved characters make an argument need quoting
const RESERVED = /[ \t\n"'\\><~|&;$*?#()`]/
// eslint-disable-next-line no-control-regex -- exactly what a desktop entry value cannot hold
const CONTROL = /[\u0000-\u001f\u007f]/

/**
 * One argument as the Exec key wants it: "%" doubled (it starts field codes);
 * with a reserved character, the whole argument in double quotes, with
 * `"`, backquote, `$` and `\` inside escaped by a backslash.
 */
export function quoteExecArg (arg: string): string {
  if (CONTROL.test(arg)) throw new Error('a path with control characters cannot be written into an autostart entry')
  const literal = arg.replace(/%/g, '%%')
  if (literal !== '' && !RESERVED.test(literal)) return literal
  return `"${literal.replace(/["`$\\]/g, c => `\\${c}`)}"`
}

/**
 * The Exec value as it is written in the file: the quoted arguments, then the
 * spec's escaping of string values (a backslash is written as two), which
 * readers undo before they unquote. So one literal backslash in a path is four.
 * A program path the spec cannot express (control characters, "=") is refused.
 */
export function execValue (args: string[]): string {
  // Desktop Entry spec, "The Exec key": the program's name may not hold "=" (quoted or not)
  if (args[0]?.includes('=') === true) throw new Error(`a program path with "=" cannot be written into an autostart entry: ${args[0]}`)
  return args.map(quoteExecArg).join(' ').replace(/\\/g, '\\\\')
}

export function autostartEntry (command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=WGT',
    'Comment=Start WGT in the tray when you log in',
    `Exec=${execValue(command)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    ''
  ].join('\n')
}

/** Make the system start this app at login, or stop it doing so. Throws when it cannot (the caller reports it). */
export async function applyStartAtLogin (ctx: LoginItemContext, enabled: boolean): Promise<void> {
  if (ctx.platform === 'darwin' || ctx.platform === 'win32') {
    // Windows writes args after the executable as they are: a path among them needs quotes (Electron's docs)
    const args = [...ctx.appArgs.map(a => ctx.platform === 'win32' ? `"${a}"` : a), HIDDEN_FLAG]
    ctx.app.setLoginItemSettings({ openAtLogin: enabled, args })
    return
  }
  if (ctx.platform !== 'linux' && ctx.platform !== 'freebsd' && ctx.platform !== 'openbsd') {
    // nothing was ever set up there, so there is nothing to undo
    if (!enabled) return
    throw new Error(`starting at login is not supported on ${ctx.platform}`)
  }
  const dir = autostartDir(ctx.env, ctx.homeDir)
  const file = join(dir, AUTOSTART_FILE)
  if (!enabled) {
    await rm(file, { force: true })
    return
  }
  const text = autostartEntry(startCommand(ctx))
  await mkdir(dir, { recursive: true })
  // written aside and renamed: a session starting meanwhile never reads half an entry
  const partial = `${file}.${process.pid}.partial`
  await writeFile(partial, text, { mode: 0o644 })
  await rename(partial, file)
}

/**
 * applyStartAtLogin, one at a time: on then off quickly must not race (the
 * write of the entry finishing after its removal would leave it in place).
 * Each apply waits for the one before, then applies the latest value asked
 * for, so the last call always wins.
 */
export class StartAtLoginApplier {
  private chain: Promise<void> = Promise.resolve()
  private wanted = false

  constructor (private readonly ctx: LoginItemContext, private readonly apply = applyStartAtLogin) {}

  /** Settles once this value, or a later one, has been applied; rejects when that apply failed. */
  async set (enabled: boolean): Promise<void> {
    this.wanted = enabled
    const run = this.chain.then(async () => { await this.apply(this.ctx, this.wanted) })
    // the next one waits for this one, failed or not
    this.chain = run.catch(() => {})
    await run
  }
}

/** Whether this launch is the system starting us at login. */
export function launchedAtLogin (platform: string, argv: readonly string[], app: Pick<LoginItemAppLike, 'getLoginItemSettings'>): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true
  return platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true
}
