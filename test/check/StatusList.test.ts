import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { parseStatusList, successOnly } from "../../src/check/StatusList.js"

const accepted = (list: string, statuses: ReadonlyArray<number>) =>
  Either.map(parseStatusList(list), (rule) => statuses.filter(rule.accepts))

describe("parseStatusList", () => {
  it("takes codes, classes and ranges, separated by commas", () => {
    expect(accepted("200,304", [200, 201, 304, 404])).toEqual(Either.right([200, 304]))
    expect(accepted("2xx", [199, 200, 250, 299, 300])).toEqual(Either.right([200, 250, 299]))
    expect(accepted("200-299, 404", [200, 299, 300, 404, 405])).toEqual(Either.right([200, 299, 404]))
    expect(accepted("4XX", [400, 499, 500])).toEqual(Either.right([400, 499]))
  })

  it("names the part that is wrong", () => {
    expect(parseStatusList("200,20x")).toEqual(
      Either.left("'20x' is not a status code, a class such as 2xx, or a range such as 200-299")
    )
    expect(parseStatusList("299-200")).toEqual(Either.left("range '299-200' ends before it starts"))
    expect(parseStatusList("700")).toEqual(Either.left("'700' is outside the statuses 100-599"))
    expect(parseStatusList("6xx")._tag).toBe("Left")
    expect(parseStatusList("")).toEqual(Either.left("empty status list"))
    expect(parseStatusList("200,,404")).toEqual(Either.left("empty entry in '200,,404'"))
  })

  it("the default rule is 2xx", () => {
    expect([199, 200, 299, 300].filter(successOnly.accepts)).toEqual([200, 299])
  })
})
