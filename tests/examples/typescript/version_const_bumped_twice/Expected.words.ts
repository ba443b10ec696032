<<<<<<< ours
export const VERSION = "4.1.2";
||||||| base
export const VERSION = "4.0.2";
=======
export const VERSION = "4.0.3";
>>>>>>> theirs

export function banner(): string {
  return `demo ${VERSION}`;
}
