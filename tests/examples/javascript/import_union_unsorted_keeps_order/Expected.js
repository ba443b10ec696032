import { render } from "./view.js";
import { load } from "./data.js";
<<<<<<< ours
import { zip } from "./zip.js";
||||||| base
=======
import { cache } from "./cache.js";
>>>>>>> theirs
import { log } from "./log.js";

export function packed(id) {
  return zip(load(id));
}

export function show(id) {
  log("show", id);
  return render(cache(id, load));
}
