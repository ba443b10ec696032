export const routes = [
  "/home",
  "/about",
  "/contact"
];
