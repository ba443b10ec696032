function connect(host, timeout) {
  return open(host, 80, { timeout });
}
