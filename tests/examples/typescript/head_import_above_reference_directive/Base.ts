import { describe, it } from "vitest";

describe("sum", () => {
  it("adds", () => {});
});
