// Checks an introspection result the way a graphql-js client uses it.
//
//   node check-introspection.mjs result.json [--exact]
//
// result.json is a GraphQL response ({"data": {"__schema": …}}) or its data
// ({"__schema": …}); "-" reads standard input. The script
//   1. builds a client schema with buildClientSchema and runs validateSchema;
//   2. prints that schema as SDL and builds it again with buildSchema, which
//      catches output a client accepts but cannot round-trip (for example a
//      directive location graphql-js does not know);
//   3. with --exact, introspects the client schema with graphql-js itself and
//      requires the same answer for every type and directive the schema
//      declares (graphql-js substitutes its own built-in scalars and
//      introspection types, so those are left out of the comparison).
// It prints "ok" and exits 0, or prints every problem and exits 1.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import {
  buildClientSchema,
  buildSchema,
  introspectionFromSchema,
  printSchema,
  specifiedScalarTypes,
  validateSchema,
} from 'graphql';

const args = process.argv.slice(2);
const exact = args.includes('--exact');
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: node check-introspection.mjs result.json|- [--exact]');
  process.exit(2);
}

const problems = [];
try {
  const input = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
  const data = input.data ?? input;
  if (input.errors) {
    problems.push(`response has errors: ${JSON.stringify(input.errors)}`);
  }
  const schema = buildClientSchema(data);
  for (const err of validateSchema(schema)) {
    problems.push(`validateSchema: ${err.message}`);
  }
  const sdl = printSchema(schema);
  const rebuilt = buildSchema(sdl);
  for (const err of validateSchema(rebuilt)) {
    problems.push(`validateSchema(buildSchema(printSchema)): ${err.message}`);
  }
  if (exact) {
    const ours = data.__schema;
    const theirs = introspectionFromSchema(schema, {
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: ours.types.some((t) => 'isOneOf' in t),
      experimentalDirectiveDeprecation: false,
    }).__schema;
    const builtIn = new Set(specifiedScalarTypes.map((t) => t.name));
    const declared = (t) => !t.name.startsWith('__') && !builtIn.has(t.name);
    compare('types', byName(ours.types.filter(declared)), byName(theirs.types.filter(declared)));
    compare('directives', byName(ours.directives), byName(theirs.directives));
    for (const key of ['description', 'queryType', 'mutationType', 'subscriptionType']) {
      compare(key, ours[key], theirs[key]);
    }
  }
} catch (err) {
  problems.push(err.stack ?? String(err));
}

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log('ok');

function byName(list) {
  return Object.fromEntries(list.map((x) => [x.name, x]));
}

function compare(what, ours, theirs) {
  if (isDeepStrictEqual(ours, theirs)) return;
  if (Array.isArray(ours) && Array.isArray(theirs) && ours.length === theirs.length) {
    ours.forEach((x, i) => compare(`${what}[${x?.name ?? i}]`, x, theirs[i]));
    return;
  }
  if (ours && theirs && typeof ours === 'object' && !Array.isArray(ours) && !Array.isArray(theirs)) {
    for (const key of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
      compare(`${what}.${key}`, ours[key], theirs[key]);
    }
    return;
  }
  problems.push(`${what}: got ${JSON.stringify(ours)}, graphql-js says ${JSON.stringify(theirs)}`);
}
