export const routes = [
  "/home",
  "/about"
];
