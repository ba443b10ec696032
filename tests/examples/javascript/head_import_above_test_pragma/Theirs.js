import { b } from "./b";
import { a } from "./a";

test("x", () => {
  a();
  b();
});
