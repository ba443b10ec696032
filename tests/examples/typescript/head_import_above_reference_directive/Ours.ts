import { expect } from "vitest";
import { describe, it } from "vitest";

describe("sum", () => {
  it("adds", () => {
    expect(1).toBe(1);
  });
});
