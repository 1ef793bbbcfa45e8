export * from './errors.js'
export * from './api/index.js'
export * from './rpc.js'
