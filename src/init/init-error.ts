/** A reason `init` stops without writing, with the exit code the command ends with. */
export class InitError extends Error {
  constructor (message: string, readonly exitCode: number) {
    super(message)
  }
}

/** The user pressed Ctrl-C or closed the input at a question. */
export const CANCELLED_EXIT_CODE = 130
