// Starts GraphiQL on the page autogql serves at its GraphQL endpoint. It is a
// file rather than an inline script so the page's Content-Security-Policy can
// forbid inline scripts altogether.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var fetcher = GraphiQL.createFetcher({ url: root.getAttribute('data-endpoint') });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
    }),
  );
})();
