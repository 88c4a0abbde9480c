/**
 * The text of a thrown value, for one-line messages: an `Error`'s message, else the value as text.
 *
 * @module
 */

/** `cause.message` for an `Error`, `String(cause)` for anything else thrown. */
export const messageOf = (cause: unknown): string => cause instanceof Error ? cause.message : String(cause)
