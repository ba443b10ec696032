<<<<<<< ours
// @vitest-environment jsdom
||||||| base
=======
import { b } from "./b";
>>>>>>> theirs
import { a } from "./a";

test("x", () => {
  a();
  b();
});
