import { render } from "./view.js";
import { load } from "./data.js";
import { log } from "./log.js";

export function show(id) {
  log("show", id);
  return render(load(id));
}
