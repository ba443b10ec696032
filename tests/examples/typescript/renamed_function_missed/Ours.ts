import { api } from './api';

export async function loadUser(id: string): Promise<User> {
  return api.get(`/users/${id}`);
}

export async function userName(id: string): Promise<string> {
  const user = await loadUser(id);
  return user.name;
}

/** Whether the user may change settings. */
export function isAdmin(user: User): boolean {
  return user.role === 'admin';
}
