function connect(host, timeout) {
  return open(host, 443, { timeout });
}
