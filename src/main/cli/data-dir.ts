/** Where a node keeps its state when no --data-dir is given: the platform's per-user data directory. */
import { homedir } from 'node:os'
import { join } from 'node:path'

export function defaultDataDir (
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir()
): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'wgt')
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'wgt')
  // XDG Base Directory spec: a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME
  if (xdg != null && xdg.startsWith('/')) return join(xdg, 'wgt')
  return join(home, '.local', 'share', 'wgt')
}
