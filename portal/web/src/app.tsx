// The portal's shell: sign in with the hospital's API token, then the views the token's role
// may use.
import { useEffect, useState } from 'preact/hooks';
import { Api, type Hospital, type Role, type Session } from './api';
import { Problem } from './components';
import { memberName, readMembers } from './hospitals';
import { SignIn } from './views/signin';
import { IssueRecord } from './views/issue';
import { ShareRecord } from './views/share';
import { OpenShared } from './views/open';
import { Audit } from './views/audit';
import { Network } from './views/network';
import { WhoSawMyData } from './views/who-saw';
import { Prescriptions } from './views/prescriptions';

export interface Context {
  api: Api;
  session: Session;
  /** The consortium's members, read at sign-in. */
  members: Map<number, Hospital>;
  /** A member's name by id. */
  name: (id?: number) => string;
}

interface View {
  key: string;
  title: string;
  roles: Role[];
  render: (context: Context) => preact.JSX.Element;
}

const VIEWS: View[] = [
  { key: 'issue', title: 'Issue a record', roles: ['app'], render: (c) => <IssueRecord {...c} /> },
  { key: 'share', title: 'Share a record', roles: ['app'], render: (c) => <ShareRecord {...c} /> },
  { key: 'open', title: 'Open a shared record', roles: ['app'], render: (c) => <OpenShared {...c} /> },
  { key: 'audit', title: 'Audit', roles: ['auditor'], render: (c) => <Audit {...c} /> },
  {
    key: 'prescriptions',
    title: 'Prescriptions',
    roles: ['app', 'auditor', 'admin'],
    render: (c) => <Prescriptions {...c} />,
  },
  { key: 'who', title: 'Who saw my data', roles: ['patient'], render: (c) => <WhoSawMyData {...c} /> },
  { key: 'network', title: 'Network', roles: ['admin', 'auditor', 'app'], render: (c) => <Network {...c} /> },
];

export function App() {
  const [context, setContext] = useState<Context | null>(null);
  const [current, setCurrent] = useState<string | null>(null);
  // A new view takes the focus at its heading, so keyboard and screen-reader users land there.
  useEffect(() => {
    if (current) document.querySelector<HTMLElement>('main h2')?.focus();
  }, [current]);
  if (!context) {
    return (
      <main>
        <h1>medchain portal</h1>
        <SignIn
          onSignedIn={async (api, session) => {
            const members = await readMembers(api);
            setContext({ api, session, members, name: (id) => memberName(members, id) });
          }}
        />
      </main>
    );
  }
  const views = VIEWS.filter((view) => view.roles.includes(context.session.role));
  const view = views.find((candidate) => candidate.key === current) ?? views[0];
  return (
    <>
      <header>
        <h1>medchain portal</h1>
        <SignedInAs {...context} />
        <nav aria-label="Views">
          <ul>
            {views.map((candidate) => (
              <li key={candidate.key}>
                <button
                  type="button"
                  aria-current={candidate.key === view?.key ? 'page' : undefined}
                  onClick={() => setCurrent(candidate.key)}
                >
                  {candidate.title}
                </button>
              </li>
            ))}
            <li>
              <button type="button" onClick={() => setContext(null)}>
                Sign out
              </button>
            </li>
          </ul>
        </nav>
      </header>
      <main>
        {view ? view.render(context) : <Problem error={new Error('no view for this role yet')} />}
      </main>
    </>
  );
}

function SignedInAs({ session, name }: Context) {
  return (
    <p class="who">
      Signed in as <strong>{session.role}</strong>
      {session.role === 'patient' ? ' (your own records)' : ` at ${name(session.hospital)}`}
    </p>
  );
}
