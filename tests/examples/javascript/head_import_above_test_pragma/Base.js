import { a } from "./a";

test("x", () => {
  a();
});
