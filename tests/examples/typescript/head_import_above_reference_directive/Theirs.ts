/// <reference types="vitest/globals" />
import { describe, it } from "vitest";

describe("sum", () => {
  it("adds", () => {});
});
