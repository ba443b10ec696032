import { a } from "./a";
import { b } from "./b";
import { c } from "./c";

test("x", () => {
  a();
});
