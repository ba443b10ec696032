<<<<<<< ours
import { expect } from "vitest";
||||||| base
=======
/// <reference types="vitest/globals" />
>>>>>>> theirs
import { describe, it } from "vitest";

describe("sum", () => {
  it("adds", () => {
    expect(1).toBe(1);
  });
});
