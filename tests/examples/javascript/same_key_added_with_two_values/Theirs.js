const defaults = {
  method: 'GET',
  headers: { Accept: 'application/json' },
  credentials: 'same-origin',
  cache: 'no-cache',
};

export async function request(url, options = {}) {
  const response = await fetch(url, { ...defaults, ...options });
  if (!response.ok) {
    throw new Error(`${response.status} ${response.statusText}`);
  }
  return response.json();
}
