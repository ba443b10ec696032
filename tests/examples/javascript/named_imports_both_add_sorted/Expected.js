import { mkdir, readFile, stat, writeFile } from 'fs/promises';
import { join } from 'path';

export async function exists(file) {
  return stat(file).then(() => true, () => false);
}

export async function copyConfig(fromDir, toDir) {
  await mkdir(toDir, { recursive: true });
  const text = await readFile(join(fromDir, 'config.json'), 'utf8');
  await writeFile(join(toDir, 'config.json'), text);
}
