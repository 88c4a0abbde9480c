/**
 * A workflow built in TypeScript (no YAML): users, then each user's posts, five at a time.
 * In your project, import from "volley" instead of "../src/index.js".
 */
import { Effect } from "effect"
import { Volley, Workflow, workflowText } from "../src/index.js"

export const postsOfUsers = (base: string) =>
  Effect.gen(function*() {
    const workflow = yield* Workflow.make({
      name: "posts-of-users",
      vars: { base },
      steps: {
        users: Workflow.request("{{ vars.base }}/users"),
        posts: Workflow.forEach("users.body", "{{ vars.base }}/users/{{ item.id }}/posts", {
          concurrency: 5,
          extract: "[*].title"
        })
      }
    })
    const volley = yield* Volley.Volley
    return yield* volley.runWorkflow(workflow)
  })

if (process.argv[1]?.endsWith("typed-workflow.ts") === true) {
  const base = process.argv[2] ?? "http://127.0.0.1:8080"
  Effect.runPromise(postsOfUsers(base).pipe(Effect.provide(Volley.layer()))).then((result) =>
    console.log(workflowText(result))
  )
}
