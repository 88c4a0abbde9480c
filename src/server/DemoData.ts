/**
 * The demo API's data: cat facts, users and their posts, numbers. Deterministic, so tests and
 * the demo can say exactly what comes back.
 *
 * @module
 */

export const catFacts: ReadonlyArray<string> = [
  "Cats sleep for around thirteen to sixteen hours a day.",
  "A group of cats is called a clowder.",
  "Cats have five toes on their front paws and four on the back.",
  "A cat's purr vibrates at a frequency of 25 to 150 hertz.",
  "Cats cannot taste sweetness.",
  "The oldest known pet cat was found in a 9,500-year-old grave on Cyprus.",
  "Cats walk like camels and giraffes: both right feet, then both left feet.",
  "A cat has 32 muscles in each ear.",
  "Adult cats meow mostly to talk to people, not to other cats.",
  "A cat's nose print is unique, like a human fingerprint.",
  "Cats can rotate their ears 180 degrees.",
  "Most cats are lactose intolerant.",
  "A cat's whiskers are roughly as wide as its body.",
  "Cats spend a third of their waking hours grooming.",
  "The first cat in space was a French cat named Félicette, in 1963.",
  "A cat can jump up to six times its length.",
  "Cats have a third eyelid called a haw.",
  "Kittens are born with blue eyes.",
  "Cats sweat only through their paw pads.",
  "A house cat shares about 95.6 percent of its genome with tigers."
]

/** The fact of page `n` (pages wrap around the list). */
export const factOf = (n: number) => {
  const fact = catFacts[((n % catFacts.length) + catFacts.length) % catFacts.length]!
  return { fact, length: fact.length }
}

export interface User {
  readonly id: number
  readonly name: string
  readonly username: string
  readonly email: string
}

export interface Post {
  readonly id: number
  readonly userId: number
  readonly title: string
  readonly body: string
}

const names = ["Ada", "Brian", "Chidi", "Dana", "Emeka", "Fatima", "Goran", "Hana", "Ivo", "Jun"] as const

export const users: ReadonlyArray<User> = names.map((name, i) => ({
  id: i + 1,
  name,
  username: name.toLowerCase(),
  email: `${name.toLowerCase()}@example.test`
}))

const topics = ["concurrency", "retries", "rate limits", "backoff", "timeouts"] as const

/** User `id` has 3 to 5 posts. */
export const postsOf = (userId: number): ReadonlyArray<Post> =>
  Array.from({ length: 3 + (userId % 3) }, (_, i) => ({
    id: userId * 100 + i + 1,
    userId,
    title: `${names[(userId - 1) % names.length]} on ${topics[(userId + i) % topics.length]}`,
    body: `Post ${i + 1} of user ${userId}.`
  }))

/** `count` deterministic integers in 1–100, like random.org's integer page. */
export const numbers = (count: number): ReadonlyArray<number> =>
  Array.from({ length: count }, (_, i) => ((i * 37 + 11) % 100) + 1)
