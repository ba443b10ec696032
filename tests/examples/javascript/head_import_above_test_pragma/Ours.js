// @vitest-environment jsdom
import { a } from "./a";

test("x", () => {
  a();
});
