/**
 * A view that throws while rendering (a bug, or data it did not expect) must
 * not take the whole window down with it: React unmounts the root on an
 * uncaught render error, which leaves a blank window. The boundary shows
 * what broke, with the detail one click away, and keeps the navigation
 * working; choosing the view again (or another one) starts it afresh.
 */
import { Component, type ReactNode } from 'react'
import { ErrorNotice } from './ErrorNotice.js'
import type { HumanError } from './errors.js'

export function crashNotice (view: string, error: unknown): HumanError {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return {
    title: `The ${view} view stopped`,
    advice: 'Something in it could not be shown. The node is not affected: pick the view again, or another one. If it happens again, the detail below says what broke.',
    detail,
    code: 'INTERNAL'
  }
}

interface Props { view: string, children: ReactNode }
interface State { error: unknown }

export class ViewErrorBoundary extends Component<Props, State> {
  override state: State = { error: null }

  static getDerivedStateFromError (error: unknown): State {
    return { error: error ?? new Error('unknown error') }
  }

  override componentDidCatch (error: unknown): void {
    console.error(`wgt: the ${this.props.view} view stopped`, error)
  }

  override render (): ReactNode {
    if (this.state.error != null) return <ErrorNotice error={crashNotice(this.props.view, this.state.error)} />
    return this.props.children
  }
}
