export const VERSION = "4.0.2";

export function banner(): string {
  return `demo ${VERSION}`;
}
