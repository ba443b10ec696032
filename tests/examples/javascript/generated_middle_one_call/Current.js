<<<<<<< ours
function connect(host, timeout) {
  return open(host, 80, { timeout });
||||||| base
function connect(host) {
  return open(host, 80);
=======
function connect(host) {
  return open(host, 443);
>>>>>>> theirs
}
