export const routes = [
<<<<<<< ours
  "/home",
  "/about",
  "/contact"
||||||| base
  "/home",
  "/about"
=======
  "/",
  "/about",
>>>>>>> theirs
];
