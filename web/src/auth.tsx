import { createContext, useContext } from 'react';
import type { Me, Role } from './api/types.ts';

export interface Session {
  me: Me;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

const RANK: Record<Role, number> = { viewer: 0, maintainer: 1, admin: 2 };

export function can(me: Me, role: Role): boolean {
  return RANK[me.role] >= RANK[role];
}
