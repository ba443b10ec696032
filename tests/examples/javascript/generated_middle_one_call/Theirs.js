function connect(host) {
  return open(host, 443);
}
