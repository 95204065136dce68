// The seed flow in the portal, as people use it, in Debian's Chromium (playwright-core), against
// a running local network. Run by `tests/tests/end_to_end/portal.rs`, which starts the network,
// registers the patient, writes the config (argument 1) and checks the FHIR bundle this saves.
//
// Steps (numbered as in issue 29; 5, consent requests, needs the patient's own chain calls, not
// built yet): A's records staff issue a DIAGNOSIS by keyboard alone; the patient signs a share of
// diagnosis and severity with B in A's share view; B opens it (two fields verified, notes
// absent); C is refused (wrong hospital); the share is revoked and B is refused (revoked); the
// patient sees B's read in "who saw my data"; A's auditor filters the log to the patient and
// downloads a FHIR bundle. Every view is checked
// with axe-core (no serious or critical violation), every request stays on the node, and each
// step leaves a screenshot.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const STEP_TIMEOUT = 180_000;
let shot = 0;
/** Requests that left the node, page errors and policy violations: the run fails on any. */
const violations = [];

function step(name) {
  console.log(`==> portal: ${name}`);
}

async function screenshot(page, name) {
  shot += 1;
  const file = join(config.out, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`    screenshot ${file}`);
}

/** Fails on any serious or critical axe-core violation of the page as it is now. */
async function accessible(page, view) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }),
  );
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0) {
    const lines = bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`);
    throw new Error(`axe-core, ${view}:\n${lines.join('\n')}`);
  }
  console.log(`    axe-core: ${view}: no serious or critical violation (${result.violations.length} minor)`);
}

/** Presses Tab until `selector` has the focus: the control is reachable by keyboard. */
async function tabTo(page, selector) {
  for (let presses = 0; presses < 60; presses += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} is not reachable with Tab`);
}

async function signIn(page, url, token) {
  await page.goto(`${url}/portal/`);
  await tabTo(page, '#api-token');
  await page.keyboard.type(token);
  await page.keyboard.press('Enter');
  await page.getByText('Signed in as').waitFor({ timeout: 30_000 });
}

async function view(page, title) {
  await page.getByRole('button', { name: title, exact: true }).click();
  await page.getByRole('heading', { name: title }).waitFor();
}

/** A page of its own for one person at one hospital; every request it makes stays on the node. */
async function portal(browser, hospital, token, phone = false) {
  const context = await browser.newContext({
    viewport: phone ? { width: 390, height: 844 } : { width: 1100, height: 900 },
    acceptDownloads: true,
  });
  const origin = new URL(hospital).origin;
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) {
      return route.continue();
    }
    violations.push(`a request left the node: ${url}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => violations.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) {
      violations.push(`policy violation: ${message.text()}`);
    }
  });
  const response = await page.goto(`${hospital}/portal/`);
  const policy = response?.headers()['content-security-policy'] ?? '';
  if (!policy.startsWith("default-src 'none'")) throw new Error(`no strict policy: ${policy}`);
  await signIn(page, hospital, token);
  return page;
}

/** Waits until the issue view shows the record finalized: live, from the node's events. */
async function waitFinalized(page) {
  await page
    .locator('[data-testid="record-status"]', { hasText: /^finalized$/ })
    .waitFor({ timeout: STEP_TIMEOUT });
}

async function expectProblem(page, sentence) {
  const problem = page.locator('.problem .sentence');
  await problem.waitFor({ timeout: STEP_TIMEOUT });
  const text = await problem.textContent();
  if (!text.includes(sentence)) throw new Error(`expected "${sentence}", the page says "${text}"`);
}

const browser = await chromium.launch({ executablePath: config.chromium, args: ['--no-sandbox'] });
try {
  step('1. A’s records staff issue a DIAGNOSIS, by keyboard alone');
  const a = await portal(browser, config.nodes.a, config.tokens.aApp);
  await a.getByRole('heading', { name: 'Issue a record' }).waitFor();
  await accessible(a, 'issue a record');
  await tabTo(a, '#record-patient');
  await a.keyboard.type(config.patient);
  const values = {
    diagnosis: 'Influenza A',
    icd10_code: 'J10.1',
    severity: 'moderate',
    treatment: 'oseltamivir 75 mg twice daily',
    doctor: 'Dr. Ada',
    date: '2026-12-08',
    notes: 'fever since Monday',
  };
  for (const [field, value] of Object.entries(values)) {
    await tabTo(a, `#field-${field}`);
    await a.keyboard.type(value);
  }
  await screenshot(a, 'issue-form');
  await tabTo(a, 'form[aria-label="Issue a record"] button[type=submit]');
  await a.keyboard.press('Enter');
  const recordId = (await a.getByTestId('record-id').textContent({ timeout: 60_000 })).trim();
  console.log(`    record ${recordId}`);
  await waitFinalized(a);
  await screenshot(a, 'issued');

  step('2. the patient shares diagnosis and severity with B for a day');
  await view(a, 'Share a record');
  await a.locator('#share-record').fill(recordId);
  await a.locator('#share-type').selectOption('DIAGNOSIS');
  await a.locator('#share-field-diagnosis').check();
  await a.locator('#share-field-severity').check();
  await a.locator('#share-grantee').selectOption(String(config.hospitalB));
  await a.locator('#share-hours').fill('24');
  await a.locator('#share-secret').fill(config.patientSecret);
  await accessible(a, 'share a record');
  await a.getByRole('button', { name: 'Sign and share' }).click();
  const token = (await a.getByTestId('share-token').textContent({ timeout: STEP_TIMEOUT })).trim();
  await screenshot(a, 'share-token');

  step('3. B’s clinician opens it: two fields, both verified, and no notes');
  const b = await portal(browser, config.nodes.b, config.tokens.bApp, true);
  await view(b, 'Open a shared record');
  await b.locator('#open-token').fill(token);
  await b.locator('#open-record').fill(recordId);
  await accessible(b, 'open a shared record');
  await b.getByRole('button', { name: 'Open the record' }).click();
  const fields = b.getByTestId('shared-fields');
  await fields.waitFor({ timeout: STEP_TIMEOUT });
  const granted = await fields.locator('.granted').evaluateAll((nodes) =>
    nodes.map((node) => [node.dataset.field, node.textContent]),
  );
  const names = granted.map(([name]) => name).sort();
  if (names.join() !== 'diagnosis,severity') throw new Error(`granted fields: ${names}`);
  if (!granted.every(([, text]) => text.includes('verified against the chain'))) {
    throw new Error(`a field is not marked verified: ${JSON.stringify(granted)}`);
  }
  if ((await fields.locator('.absent[data-field="notes"]').count()) !== 1) {
    throw new Error('notes are not shown as absent');
  }
  if ((await fields.textContent()).includes(values.notes)) throw new Error('the notes leaked');
  await accessible(b, 'an opened shared record');
  await screenshot(b, 'opened-shared-record');

  step('4. C’s clinician is refused: wrong hospital');
  const c = await portal(browser, config.nodes.c, config.tokens.cApp);
  await view(c, 'Open a shared record');
  await c.locator('#open-token').fill(token);
  await c.locator('#open-record').fill(recordId);
  await c.getByRole('button', { name: 'Open the record' }).click();
  await expectProblem(c, 'made for another hospital');
  await accessible(c, 'a refusal');
  await screenshot(c, 'wrong-hospital');

  step('6. the share is revoked; B is refused: revoked');
  await a.getByRole('button', { name: /^Revoke share/ }).click();
  await a.getByTestId('revoked').waitFor({ timeout: STEP_TIMEOUT });
  await b.getByRole('button', { name: 'Open the record' }).click();
  await expectProblem(b, 'revoked this share');
  await screenshot(b, 'revoked');

  step('7. the patient’s “who saw my data” lists B’s read, with the fields released');
  const patient = await portal(browser, config.nodes.a, config.tokens.aPatient, true);
  await patient.getByRole('heading', { name: 'Who saw my data' }).waitFor();
  const reads = patient.locator('.cards li.granted');
  await reads.first().waitFor({ timeout: STEP_TIMEOUT });
  const read = await reads.first().textContent();
  const expected = ['Hospital B', 'DIAGNOSIS', 'diagnosis, severity', 'TREAT'];
  if (!expected.every((part) => read.includes(part))) {
    throw new Error(`B's read as the patient sees it: ${read}`);
  }
  await accessible(patient, 'who saw my data');
  await screenshot(patient, 'who-saw-my-data');

  step('8. A’s auditor filters the log to the patient and downloads a FHIR bundle');
  const audit = await portal(browser, config.nodes.a, config.tokens.aAuditor);
  await audit.getByRole('heading', { name: 'Access log' }).waitFor();
  await audit.locator('#audit-subject').selectOption('patient');
  await audit.locator('#audit-value').fill(config.patient);
  await audit.getByRole('button', { name: 'Show accesses' }).click();
  const rows = audit.locator('table tbody tr');
  await rows.first().waitFor({ timeout: STEP_TIMEOUT });
  console.log(`    ${await rows.count()} rows in the log of the patient`);
  await accessible(audit, 'audit');
  await screenshot(audit, 'audit');
  const [download] = await Promise.all([
    audit.waitForEvent('download'),
    audit.getByRole('button', { name: 'Download FHIR AuditEvents' }).click(),
  ]);
  const bundle = join(config.out, 'audit-bundle.json');
  await download.saveAs(bundle);
  writeFileSync(join(config.out, 'record-id'), recordId);

  step('9. A issues a prescription with one refill, and verifies it: 2 fills allowed, none used');
  await view(a, 'Issue a record');
  await a.locator('#record-type').selectOption('PRESCRIPTION');
  await a.locator('#record-patient').fill(config.patient);
  const prescription = {
    medication: 'amoxicillin',
    dosage: '500 mg',
    refills: '1',
    doctor: 'Dr. Ada',
    date: '2026-12-08',
  };
  for (const [field, value] of Object.entries(prescription)) {
    await a.locator(`#field-${field}`).fill(value);
  }
  await a.getByRole('button', { name: 'Issue the record' }).click();
  const prescriptionId = (await a.getByTestId('record-id').textContent({ timeout: 60_000 })).trim();
  await waitFinalized(a);
  await view(a, 'Prescriptions');
  await a.locator('#rx-record').fill(prescriptionId);
  await a.getByRole('button', { name: 'Verify' }).click();
  const fills = (await a.getByTestId('fills').textContent({ timeout: STEP_TIMEOUT })).trim();
  if (fills !== '0 of 2 used, 2 left') throw new Error(`the prescription's fills: ${fills}`);
  await accessible(a, 'prescriptions');
  await screenshot(a, 'prescription-verified');

  if (violations.length > 0) throw new Error(`the pages broke their rules:\n${violations.join('\n')}`);
  console.log('    no request left the node, no page error, no policy violation');
  console.log(`    bundle ${bundle}`);
} finally {
  await browser.close();
}
