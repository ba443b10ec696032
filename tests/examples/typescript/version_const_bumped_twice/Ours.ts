export const VERSION = "4.1.2";

export function banner(): string {
  return `demo ${VERSION}`;
}
