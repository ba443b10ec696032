interface Options {
  mode: string;
}

export function open(path: string): number {
  return path.length;
}

export function close(fd: number): void {
  void fd;
}

interface Options {
  retries: number;
}
