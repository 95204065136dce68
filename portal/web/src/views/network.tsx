// The consortium as this node sees it: its members, the validators, finality, peers and the
// outbox.
import { useEffect, useState } from 'preact/hooks';
import type { Health, Hospital } from '../api';
import type { Context } from '../app';
import { Problem, ScrollTable, Section } from '../components';

export function Network({ api, session }: Context) {
  const [hospitals, setHospitals] = useState<Hospital[]>([]);
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<unknown>(null);
  const refresh = () => {
    setError(null);
    api.hospitals().then((page) => setHospitals(page.hospitals), setError);
    if (session.role !== 'patient') api.health().then(setHealth, setError);
  };
  useEffect(refresh, [api]);
  return (
    <Section title="Network">
      <Problem error={error} />
      {health && (
        <dl class="health">
          <dt>This node’s hospital</dt>
          <dd>{health.hospital}</dd>
          <dt>Best block</dt>
          <dd>#{health.bestBlock}</dd>
          <dt>Finalized block</dt>
          <dd>
            #{health.finalizedBlock} ({health.bestBlock - health.finalizedBlock} behind)
          </dd>
          <dt>Peers</dt>
          <dd>{health.peers}</dd>
          <dt>Records waiting for their anchor</dt>
          <dd>{health.outboxDepth}</dd>
        </dl>
      )}
      <button type="button" onClick={refresh}>
        Refresh
      </button>
      <ScrollTable
        label="Members"
        caption="Members of the consortium"
        columns={['Id', 'Name', 'Kind', 'Status', 'Validator', 'Nodes']}
      >
          {hospitals.map((hospital) => (
            <tr key={hospital.id}>
              <td>{hospital.id}</td>
              <td>{hospital.name}</td>
              <td>{hospital.kind}</td>
              <td>{hospital.status}</td>
              <td>{hospital.validator ? 'yes' : 'no'}</td>
              <td>{hospital.nodes.length}</td>
            </tr>
          ))}
        </ScrollTable>
    </Section>
  );
}
