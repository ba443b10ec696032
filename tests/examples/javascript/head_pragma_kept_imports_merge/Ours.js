// @vitest-environment jsdom
import { a } from "./a";
import { c } from "./c";

test("x", () => {
  a();
});
