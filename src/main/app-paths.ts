/**
 * Where the built pieces live relative to out/main, and which origin the
 * renderer runs at. Pure (no electron) so it can be unit-tested.
 */
import { join } from 'node:path'

/**
 * The renderer is served from a privileged custom scheme instead of file://:
 * it gets a real origin (so 'self' in the CSP and the IPC origin check mean
 * exactly our files), it cannot read the rest of the disk the way a file://
 * page can, and our CSP header is attached to every response we serve.
 * Not `wgt:` — that scheme is for share links.
 */
export const APP_SCHEME = 'app'
export const APP_HOST = 'wgt'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`

export interface AppPaths {
  /** the sandboxed preload (CommonJS) */
  preload: string
  /** the built renderer (index.html and assets/) */
  rendererDir: string
  /** window icon */
  icon: string
}

/** mainDir: the folder of the running out/main/index.js; appRoot: app.getAppPath() */
export function appPaths (mainDir: string, appRoot: string): AppPaths {
  return {
    preload: join(mainDir, '..', 'preload', 'index.cjs'),
    rendererDir: join(mainDir, '..', 'renderer'),
    icon: join(appRoot, 'resources', 'icon.png')
  }
}

export interface RendererOrigin {
  /** what the window loads */
  readonly entryUrl: string
  /** set when running against electron-vite's dev server */
  readonly devServer: URL | undefined
  /** whether a frame showing this URL is our renderer */
  isTrusted: (url: string) => boolean
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * devServerUrl comes from ELECTRON_RENDERER_URL and is honoured only for an
 * unpackaged app (the caller checks app.isPackaged) and only on loopback:
 * whatever origin is trusted here gets the whole API.
 */
export function rendererOrigin (devServerUrl: string | undefined): RendererOrigin {
  if (devServerUrl != null && devServerUrl !== '') {
    const dev = new URL(devServerUrl)
    if ((dev.protocol !== 'http:' && dev.protocol !== 'https:') || !LOOPBACK_HOSTS.has(dev.hostname)) {
      throw new Error(`ELECTRON_RENDERER_URL must be an http(s) loopback URL, got ${devServerUrl}`)
    }
    return {
      entryUrl: dev.href,
      devServer: dev,
      isTrusted: url => sameOrigin(url, dev.origin)
    }
  }
  return {
    entryUrl: APP_ENTRY_URL,
    devServer: undefined,
    isTrusted: url => sameOrigin(url, APP_ORIGIN)
  }
}

function sameOrigin (url: string, origin: string): boolean {
  try {
    const u = new URL(url)
    // URL.origin is "null" for non-special schemes such as app:, so compare the parts
    return `${u.protocol}//${u.host}` === origin
  } catch {
    return false
  }
}
