const baseOptions = {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
};

export function buildOptions(body, overrides) {
  return {
    ...baseOptions,
    body: JSON.stringify(body),
<<<<<<< ours
    ...overrides,
||||||| base
=======
    keepalive: true,
>>>>>>> theirs
  };
}
