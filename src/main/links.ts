/**
 * wgt:// links opened from outside the app. The system hands them over three
 * ways: on the command line of the first launch (Windows, Linux), on the
 * command line of a second launch, which Electron passes to the running one
 * as 'second-instance' (Windows, Linux), and as 'open-url' (macOS, which can
 * fire before 'ready', even before the app could show anything). Each is read
 * with commandForUrl; anything else is ignored. Until the app is ready to show
 * a window, commands wait here (a bounded few). After that each link brings
 * the window forward, so they are rate-limited (LINK_BURST at once, then
 * LINK_PER_SECOND): a script or a page firing links at the app cannot keep
 * stealing the focus; what goes over is dropped, with one log line per run.
 *
 * A link's key is in its fragment: nothing here logs a link.
 */
import { commandForUrl, type ShellCommand } from '../shared/shell.js'

export const LINK_SCHEME = 'wgt'
/** Links kept until the app is ready; past this the oldest go. */
export const MAX_PENDING_LINKS = 16
/** Links handed on at once after start; then LINK_PER_SECOND */
export const LINK_BURST = 4
export const LINK_PER_SECOND = 1

/** A token bucket: `burst` at once, refilled at `perSecond`. */
export class RateLimit {
  private tokens: number
  private last: number

  constructor (private readonly burst: number, private readonly perSecond: number, private readonly now: () => number = Date.now) {
    this.tokens = burst
    this.last = now()
  }

  /** whether one more may go now (and, if so, it is counted) */
  take (): boolean {
    const now = this.now()
    this.tokens = Math.min(this.burst, this.tokens + Math.max(0, now - this.last) / 1000 * this.perSecond)
    this.last = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

/** What we use of Electron's app for links. */
export interface LinkAppLike {
  setAsDefaultProtocolClient: (protocol: string, path?: string, args?: string[]) => boolean
  on: ((event: 'open-url', listener: (event: { preventDefault: () => void }, url: string) => void) => unknown) &
  ((event: 'second-instance', listener: (event: unknown, argv: string[]) => void) => unknown)
  removeListener: ((event: 'open-url', listener: (event: { preventDefault: () => void }, url: string) => void) => unknown) &
  ((event: 'second-instance', listener: (event: unknown, argv: string[]) => void) => unknown)
}

export interface ProtocolClientOptions {
  /** process.defaultApp: run as `electron <app folder>` in development */
  defaultApp: boolean
  /** process.execPath */
  execPath: string
  /** the app's folder, resolved (process.argv[1] in development) */
  appPath: string | undefined
}

/**
 * Register this app as the wgt:// handler. In development the executable is
 * Electron itself, so (as Electron's deep-links tutorial says) the app's
 * folder goes along as an argument. macOS takes the scheme from Info.plist
 * (the packaged app's); there this only makes it the default handler.
 */
export function registerProtocolClient (app: Pick<LinkAppLike, 'setAsDefaultProtocolClient'>, opts: ProtocolClientOptions): boolean {
  if (opts.defaultApp) {
    if (opts.appPath == null) return false
    return app.setAsDefaultProtocolClient(LINK_SCHEME, opts.execPath, [opts.appPath])
  }
  return app.setAsDefaultProtocolClient(LINK_SCHEME)
}

/** The commands a command line carries: every argument that is a wgt:// link the app reads, in order. */
export function commandsFromArgv (argv: readonly string[]): ShellCommand[] {
  const out: ShellCommand[] = []
  for (const arg of argv) {
    if (!/^wgt:/i.test(arg)) continue
    const cmd = commandForUrl(arg)
    if (cmd != null) out.push(cmd)
  }
  return out
}

export interface LinkListenerOptions {
  app: LinkAppLike
  /** process.argv of this (first) launch */
  argv: readonly string[]
  /** a second launch happened: bring the app forward whatever it carried */
  onSecondInstance: () => void
  limit?: number
  /** Date.now, for tests */
  now?: () => number
}

/**
 * Listens from the moment it is called (call it before 'ready'); start()
 * says where commands go from then on and hands over those that waited.
 */
export class LinkListener {
  private pending: ShellCommand[] = []
  private deliver: ((cmd: ShellCommand) => void) | null = null
  private stopped = false
  private readonly limit: number
  private readonly rate: RateLimit
  /** links dropped since the last one handed on (logged once per run) */
  private dropped = 0
  private readonly onOpenUrl = (event: { preventDefault: () => void }, url: string): void => {
    // handled: macOS must not treat it as unhandled
    event.preventDefault()
    const cmd = commandForUrl(url)
    if (cmd != null) this.accept(cmd)
  }

  private readonly onSecond = (_event: unknown, argv: string[]): void => {
    if (this.stopped) return
    this.opts.onSecondInstance()
    for (const cmd of commandsFromArgv(Array.isArray(argv) ? argv : [])) this.accept(cmd)
  }

  constructor (private readonly opts: LinkListenerOptions) {
    this.limit = opts.limit ?? MAX_PENDING_LINKS
    this.rate = new RateLimit(LINK_BURST, LINK_PER_SECOND, opts.now)
    opts.app.on('open-url', this.onOpenUrl)
    opts.app.on('second-instance', this.onSecond)
    for (const cmd of commandsFromArgv(opts.argv)) this.accept(cmd)
  }

  /** commands still waiting for start() */
  get waiting (): number { return this.pending.length }

  start (deliver: (cmd: ShellCommand) => void): void {
    if (this.stopped) return
    this.deliver = deliver
    const waiting = this.pending
    this.pending = []
    for (const cmd of waiting) this.send(cmd)
  }

  stop (): void {
    if (this.stopped) return
    this.stopped = true
    this.deliver = null
    this.pending = []
    this.opts.app.removeListener('open-url', this.onOpenUrl)
    this.opts.app.removeListener('second-instance', this.onSecond)
  }

  private accept (cmd: ShellCommand): void {
    if (this.stopped) return
    if (this.deliver != null) {
      if (!this.rate.take()) {
        // the link itself is never logged: its fragment is the file's key
        if (this.dropped++ === 0) console.error(`wgt: links are coming faster than ${LINK_PER_SECOND} a second; dropping them until they slow down`)
        return
      }
      this.dropped = 0
      this.send(cmd)
      return
    }
    this.pending.push(cmd)
    while (this.pending.length > this.limit) this.pending.shift()
  }

  private send (cmd: ShellCommand): void {
    try {
      this.deliver?.(cmd)
    } catch (err) {
      // the link itself is never logged: its fragment is the file's key
      console.error(`wgt: could not hand a ${cmd.kind} link to the window`, err instanceof Error ? err.message : err)
    }
  }
}
