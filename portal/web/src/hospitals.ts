// Members' names by id, read once per signed-in token (`medchain_hospitals`, any role).
import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api';

/** A function naming a member id: its registry name, or "hospital N" until the list is read. */
export function useHospitalNames(api: Api): (id?: number) => string {
  const [names, setNames] = useState<Map<number, string>>(new Map());
  useEffect(() => {
    api.hospitals().then(
      (page) => setNames(new Map(page.hospitals.map((hospital) => [hospital.id, hospital.name]))),
      () => setNames(new Map()),
    );
  }, [api]);
  return (id) => (id === undefined ? 'unknown' : (names.get(id) ?? `hospital ${id}`));
}
