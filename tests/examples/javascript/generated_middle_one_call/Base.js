function connect(host) {
  return open(host, 80);
}
