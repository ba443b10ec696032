export const routes = [
  "/",
  "/about",
];
