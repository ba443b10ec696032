export const VERSION = "4.0.3";

export function banner(): string {
  return `demo ${VERSION}`;
}
