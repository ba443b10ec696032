import { readFile } from 'fs/promises';

export async function loadJson(file) {
  const text = await readFile(file, 'utf8');
  return JSON.parse(text);
}

export async function loadLegacyIni(file) {
  const text = await readFile(file, 'latin1');
  const entries = text.split(/\r?\n/).filter((line) => line.includes('=') && !line.startsWith(';'));
  return Object.fromEntries(entries.map((line) => line.split('=', 2)));
}

export function isJsonFile(file) {
  return file.endsWith('.json');
}
