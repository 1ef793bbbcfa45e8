/**
 * A client command: connect to the daemon of --data-dir, make its call(s),
 * print the result as text or as --json, and close. How long each call may
 * wait comes from the API's method metadata, like everywhere else.
 */
import type { WgtApi } from '../../shared/api/index.js'
import { connectToDaemon } from './client.js'
import type { CliIo, CommandSpec } from './commands/command.js'

export interface ClientCommandDef<P, R> extends Pick<CommandSpec<P>, 'name' | 'summary' | 'usage' | 'description' | 'args' | 'options' | 'parse'> {
  call: (api: WgtApi, command: P, io: CliIo) => Promise<R>
  /** the fixed --json shape (default: the result as it is) */
  json?: (result: R) => unknown
  text: (result: R) => string
  /** after printing: throw to exit non-zero */
  check?: (result: R, command: P) => void
}

export function clientCommand<P extends { dataDir: string, json: boolean }, R> (def: ClientCommandDef<P, R>): CommandSpec<P> {
  return {
    name: def.name,
    summary: def.summary,
    usage: def.usage,
    description: def.description,
    args: def.args,
    options: def.options,
    client: true,
    parse: def.parse,
    run: async (command, io) => {
      const conn = await connectToDaemon(command.dataDir, { eager: true })
      try {
        const result = await def.call(conn.api, command, io)
        io.out(command.json ? JSON.stringify(def.json != null ? def.json(result) : result, null, 2) : def.text(result))
        def.check?.(result, command)
      } finally {
        conn.close()
      }
    }
  }
}
