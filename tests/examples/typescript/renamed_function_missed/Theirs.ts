import { api } from './api';

export async function fetchUser(id: string): Promise<User> {
  return api.get(`/users/${id}`);
}

export async function userName(id: string): Promise<string> {
  const user = await fetchUser(id);
  return user.name;
}

export async function userEmail(id: string): Promise<string> {
  const user = await fetchUser(id);
  return user.email;
}

export function isAdmin(user: User): boolean {
  return user.role === 'admin';
}
