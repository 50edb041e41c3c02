// Runs the graphql-http server audit (the GraphQL-over-HTTP conformance
// checks) against a running endpoint and prints each audit's result.
//
//   node audit.mjs http://127.0.0.1:8080/graphql
//
// Each line is "<status> <id> <name>" with status ok, warn (a SHOULD or MAY
// not met) or error (a MUST not met), followed by the reason for the ones that
// are not ok. Exits 1 when any MUST audit fails, 2 on bad usage.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url || !/^https?:\/\//.test(url)) {
  console.error('usage: node audit.mjs <url of the GraphQL endpoint>');
  process.exit(2);
}

const results = await Promise.all(serverAudits({ url, fetchFn: fetch }).map((audit) => audit.fn()));
const counts = { ok: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status]++;
  console.log(`${result.status.padEnd(5)} ${result.id} ${result.name}`);
  if (result.status !== 'ok') {
    console.log(`      ${result.reason}`);
    if (result.response) {
      const body = await result.response.text().catch(() => '');
      console.log(`      got ${result.response.status} ${result.response.headers.get('content-type') ?? ''} ${body.slice(0, 300)}`);
    }
  }
}
console.log(`audits: ${counts.ok} ok, ${counts.warn} warn, ${counts.error} error`);
process.exit(counts.error > 0 ? 1 : 0);
