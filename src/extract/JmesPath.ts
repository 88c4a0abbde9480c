/**
 * JMESPath (the AWS CLI `--query` language) over JSON bodies and over workflow contexts, on the
 * maintained `@jmespath-community/jmespath` implementation.
 *
 * @module
 */
import { compile, type JSONValue, TreeInterpreter } from "@jmespath-community/jmespath"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { DecodeError, ExtractError } from "../domain/FetchError.js"
import { UsageError } from "../domain/UsageError.js"
import type { Extractor } from "./Extractor.js"

/** A parsed JMESPath expression, ready to run against any JSON value. */
export interface JmesPathQuery {
  readonly source: string
  readonly search: (data: unknown) => Either.Either<unknown, string>
}

const messageOf = (cause: unknown): string => cause instanceof Error ? cause.message : String(cause)

/** Parses a JMESPath expression; a syntax error is reported with the expression it is in. */
export const parseJmesPath = (source: string): Either.Either<JmesPathQuery, string> => {
  try {
    const ast = compile(source)
    return Either.right({
      source,
      search: (data) => {
        try {
          return Either.right(TreeInterpreter.search(ast, data as JSONValue))
        } catch (cause) {
          return Either.left(messageOf(cause))
        }
      }
    })
  } catch (cause) {
    return Either.left(messageOf(cause))
  }
}

/**
 * An extractor running a JMESPath query on the JSON body. The query is checked here, so a bad
 * one is a set-up error naming `flag`, not one failure per record. A query that finds nothing
 * (`null`) fails the record with an `ExtractError`, so a typo'd field is never a silent null,
 * unless `allowEmpty` is set.
 */
export const jmespathExtractor = (
  query: string,
  flag = "--extract",
  options: { readonly allowEmpty?: boolean | undefined } = {}
): Effect.Effect<Extractor, UsageError> =>
  Either.match(parseJmesPath(query), {
    onLeft: (reason) =>
      Effect.fail(new UsageError({ message: `${flag}: invalid JMESPath query '${query}': ${reason}` })),
    onRight: (compiled) =>
      Effect.succeed<Extractor>({
        description: `jmespath ${query}`,
        needsJson: true,
        apply: (body, url) =>
          Option.match(body.json, {
            onNone: () =>
              Effect.fail(
                new DecodeError({
                  url,
                  message: `body is not JSON (${body.contentType ?? "no content type"}), so '${query}' cannot run: ${
                    preview(body.text)
                  }`
                })
              ),
            onSome: (json) =>
              Either.match(compiled.search(json), {
                onLeft: (reason) => Effect.fail(new ExtractError({ url, message: `'${query}' failed: ${reason}` })),
                onRight: (value) =>
                  value === null && options.allowEmpty !== true
                    ? Effect.fail(new ExtractError({ url, message: `'${query}' matched nothing` }))
                    : Effect.succeed(value)
              })
          })
      })
  })

/** The start of a body, on one line, for error messages. */
export const preview = (text: string, max = 60): string => {
  const line = text.replace(/\s+/g, " ").trim()
  return line.length > max ? JSON.stringify(line.slice(0, max) + "…") : JSON.stringify(line)
}
