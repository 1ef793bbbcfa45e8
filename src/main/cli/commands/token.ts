/** wgt token rotate: replace the access token of the API and the UI. */
import { WgtError } from '../../../shared/errors.js'
import { readApiInfo, TOKEN_FILE } from '../api-info.js'
import { connectToDaemon } from '../client.js'
import type { CommandSpec } from './command.js'

const rotate: CommandSpec<{ kind: 'token rotate', dataDir: string, json: boolean }> = {
  name: 'token rotate',
  summary: 'replace the access token of the API and the UI',
  usage: '[--data-dir DIR] [--json]',
  description: `Replace the access token in DIR/${TOKEN_FILE}. A running daemon switches to the new
token at once and closes every connection made with the old one (open UIs show
their sign-in page); prints the UI's new address. Without a running daemon the
new token applies at its next start.`,
  client: true,
  parse: ({ dataDir, json }) => ({ kind: 'token rotate', dataDir, json }),
  run: async (cmd, io) => {
    let running = true
    await readApiInfo(cmd.dataDir).catch((err: unknown) => {
      if (err instanceof WgtError && err.code === 'NOT_RUNNING') running = false
      else throw err
    })
    if (!running) {
      // loaded here: it needs node:crypto, which client commands otherwise do without
      const { rotateTokenFile } = await import('../api-file.js')
      await rotateTokenFile(cmd.dataDir)
      io.out(cmd.json ? JSON.stringify({ uiUrl: null }, null, 2) : `new token saved in ${cmd.dataDir}/${TOKEN_FILE}; the daemon uses it when it starts`)
      return
    }
    const conn = await connectToDaemon(cmd.dataDir)
    try {
      const { uiUrl } = await conn.api.rotateToken()
      io.out(cmd.json ? JSON.stringify({ uiUrl }, null, 2) : uiUrl)
    } finally {
      conn.close()
    }
  }
}

export const tokenCommands: CommandSpec[] = [rotate]
