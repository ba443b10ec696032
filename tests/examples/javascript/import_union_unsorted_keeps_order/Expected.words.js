import { render } from "./view.js";
import { load } from "./data.js";
import { zip } from "./zip.js";
import { cache } from "./cache.js";
import { log } from "./log.js";

export function packed(id) {
  return zip(load(id));
}

export function show(id) {
  log("show", id);
  return render(cache(id, load));
}
