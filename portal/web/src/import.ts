// Reads an import file: NDJSON (one `submitRecord` object per line) or CSV (a header row with
// `patient`, `recordType`, optionally `clientRequestId` and `validUntil`, and field names).
// Give each record its source system's id as `clientRequestId`: then importing a file again
// stores nothing twice. Records without one get an id per reading of the file, which a resumed
// import keeps.

export interface ImportedRecord {
  clientRequestId: string;
  patient: string;
  recordType: string;
  fields: Record<string, string>;
  validUntil?: string;
}

/** Splits one CSV line, with double-quoted cells ("" inside quotes is a quote). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else cell += char;
  }
  cells.push(cell);
  return cells;
}

export function parseImport(name: string, text: string, newId: () => string): ImportedRecord[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new Error(`${name} holds no records`);
  if (/\.csv$/i.test(name)) {
    const header = csvCells(lines[0]).map((cell) => cell.trim());
    for (const column of ['patient', 'recordType']) {
      if (!header.includes(column)) throw new Error(`${name}: the header has no ${column} column`);
    }
    return lines.slice(1).map((line, row) => {
      const cells = csvCells(line);
      if (cells.length !== header.length) {
        throw new Error(`${name}, row ${row + 2}: ${cells.length} cells, the header has ${header.length}`);
      }
      const record: ImportedRecord = { clientRequestId: '', patient: '', recordType: '', fields: {} };
      header.forEach((column, index) => {
        const value = cells[index].trim();
        if (column === 'patient' || column === 'recordType' || column === 'clientRequestId') {
          record[column] = value;
        } else if (column === 'validUntil') {
          if (value !== '') record.validUntil = value;
        } else if (value !== '') record.fields[column] = value;
      });
      record.clientRequestId ||= newId();
      return record;
    });
  }
  return lines.map((line, index) => {
    let value: Partial<ImportedRecord>;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${name}, line ${index + 1}: not JSON`);
    }
    if (typeof value.patient !== 'string' || typeof value.recordType !== 'string') {
      throw new Error(`${name}, line ${index + 1}: needs patient and recordType`);
    }
    return {
      clientRequestId: value.clientRequestId || newId(),
      patient: value.patient,
      recordType: value.recordType,
      fields: value.fields ?? {},
      ...(typeof value.validUntil === 'string' && { validUntil: value.validUntil }),
    };
  });
}
