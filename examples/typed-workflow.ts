/**
 * A workflow built in TypeScript (no YAML): users, then each user's posts, five at a time.
 * In your project, import from "volley" instead of "../src/index.js".
 */
import { Effect } from "effect"
import { stepRecords, Volley, Workflow } from "../src/index.js"

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
  // The result has the shape `volley run` prints: each step's record, or its records for a forEach.
  Effect.runPromise(postsOfUsers(base).pipe(Effect.provide(Volley.layer()))).then((result) => {
    for (const [name, step] of Object.entries(result.steps)) {
      const records = stepRecords(step)
      console.log(`${name}: ${records.filter((r) => r.ok).length} of ${records.length} ok`)
    }
  })
}
