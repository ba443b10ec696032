import { readFile } from 'fs/promises';

export async function loadJson(file) {
  const text = await readFile(file, 'utf8');
  return JSON.parse(text);
}

export function isJsonFile(file) {
  return file.endsWith('.json');
}
