// The consortium's members by id, read once per signed-in token (`medchain_hospitals`, any
// role).
import { useEffect, useState } from 'preact/hooks';
import type { Api, Hospital } from './api';

/** The members by id; empty until the list is read (or if it can't be). */
export function useMembers(api: Api): Map<number, Hospital> {
  const [members, setMembers] = useState<Map<number, Hospital>>(new Map());
  useEffect(() => {
    api.hospitals().then(
      (page) => setMembers(new Map(page.hospitals.map((member) => [member.id, member]))),
      () => setMembers(new Map()),
    );
  }, [api]);
  return members;
}

/** A function naming a member id: its registry name, or "hospital N" until the list is read. */
export function useHospitalNames(api: Api): (id?: number) => string {
  const members = useMembers(api);
  return (id) => (id === undefined ? 'unknown' : (members.get(id)?.name ?? `hospital ${id}`));
}
