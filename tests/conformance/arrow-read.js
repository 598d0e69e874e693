// Reads an Arrow IPC stream with the reference JavaScript implementation (npm apache-arrow) and prints it as JSON:
// {"batches": N, "fields": [{"name", "type", "nullable"}], "rows": [{column: value}]}. Job on stdin: {"file": path}.
// Timestamps become ISO-8601 strings with milliseconds, 64-bit integers numbers.
'use strict';
const fs = require('fs');
const { tableFromIPC, Type } = require('apache-arrow');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const job = JSON.parse(input);
  const table = tableFromIPC(fs.readFileSync(job.file));
  const fields = table.schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable }));
  const rows = [];
  for (let i = 0; i < table.numRows; i++) {
    const row = {};
    for (const field of table.schema.fields) {
      row[field.name] = value(table.getChild(field.name).get(i), field.type);
    }
    rows.push(row);
  }
  process.stdout.write(JSON.stringify({ batches: table.batches.length, fields, rows }));
});

function value(v, type) {
  if (v === null || v === undefined) return null;
  if (type.typeId === Type.Timestamp) return new Date(Number(v)).toISOString();
  if (typeof v === 'bigint') return Number(v);
  return v;
}
