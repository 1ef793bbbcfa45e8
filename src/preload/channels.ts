/**
 * IPC channel names as the preload sees them. src/main/ipc.ts declares the same
 * strings (the preload may import only src/shared); a unit test keeps them equal.
 */
export const CALL_CHANNEL = 'wgt:call'
export const EVENT_CHANNEL = 'wgt:event'
export const SHELL_CHANNEL = 'wgt:shell'
export const SHELL_COMMAND_CHANNEL = 'wgt:shell-command'
