// Prints the introspection query that graphql-js clients (GraphiQL, codegen
// tools) send, with every option on. internal/introspection/testdata holds
// its output:
//
//   node .ci/audit/introspection-query.mjs > internal/introspection/testdata/introspection_query.graphql
//   node .ci/audit/introspection-query.mjs --oneof > internal/introspection/testdata/introspection_query_oneof.graphql
import { getIntrospectionQuery } from 'graphql';

const options = {
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
};
if (process.argv.includes('--oneof')) {
  options.oneOf = true;
}
process.stdout.write(getIntrospectionQuery(options) + '\n');
