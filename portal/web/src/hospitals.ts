// The consortium's members by id, read once when someone signs in (`medchain_hospitals`, any
// role), and how the portal names them.
import type { Api, Hospital } from './api';

/** The members by id; empty if the list can't be read (ids are shown then). */
export async function readMembers(api: Api): Promise<Map<number, Hospital>> {
  try {
    const page = await api.hospitals();
    return new Map(page.hospitals.map((member) => [member.id, member]));
  } catch {
    return new Map();
  }
}

/** A member's registry name, or "hospital N" if the list doesn't have it. */
export function memberName(members: Map<number, Hospital>, id?: number): string {
  return id === undefined ? 'unknown' : (members.get(id)?.name ?? `hospital ${id}`);
}
