import { render } from "./view.js";
import { load } from "./data.js";
import { cache } from "./cache.js";
import { log } from "./log.js";

export function show(id) {
  log("show", id);
  return render(cache(id, load));
}
