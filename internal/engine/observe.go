package engine

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// cacheCounters count lookups in the engine's caches. They are plain
// atomics so the hot path pays one add; metrics read them when scraped.
type cacheCounters struct {
	documentHits, documentMisses atomic.Uint64
	planHits, planMisses         atomic.Uint64
}

// CacheStats are the engine's cache lookups since it was created.
type CacheStats struct {
	DocumentHits, DocumentMisses uint64
	PlanHits, PlanMisses         uint64
	// Documents is the number of cached documents now.
	Documents int
}

// CacheStats reports the engine's cache lookups.
func (e *Engine) CacheStats() CacheStats {
	e.mu.RLock()
	n := len(e.docs)
	e.mu.RUnlock()
	return CacheStats{
		DocumentHits:   e.stats.documentHits.Load(),
		DocumentMisses: e.stats.documentMisses.Load(),
		PlanHits:       e.stats.planHits.Load(),
		PlanMisses:     e.stats.planMisses.Load(),
		Documents:      n,
	}
}

// startSpan starts a span when tracing is on; the nil span it returns
// otherwise is accepted by endSpan.
func (e *Engine) startSpan(ctx context.Context, name string) (context.Context, trace.Span) {
	if e.opts.Tracer == nil {
		return ctx, nil
	}
	return e.opts.Tracer.Start(ctx, name)
}

// endSpan ends span (if any), marking it failed when err is a non-nil
// error (a typed nil list counts as success).
func endSpan[E error](span trace.Span, err E) {
	if span == nil {
		return
	}
	var e error = err
	if e != nil && e.Error() != "" {
		span.SetStatus(codes.Error, e.Error())
	}
	span.End()
}

// compileTraced is compile inside a "graphql.plan" span.
func (e *Engine) compileTraced(ctx context.Context, d *document, op *ast.OperationDefinition, vars map[string]any) (*compiled, error) {
	if e.opts.Tracer == nil {
		return e.compile(d, op, vars)
	}
	_, span := e.opts.Tracer.Start(ctx, "graphql.plan")
	c, err := e.compile(d, op, vars)
	endSpan(span, err)
	return c, err
}

// appendJSON runs one read statement, inside a "db.query" span when
// tracing. The SQL text is recorded (it holds no values: every value is a
// bound parameter).
func (e *Engine) appendJSON(ctx context.Context, dst []byte, sql string, args []any) ([]byte, error) {
	if e.opts.Tracer == nil {
		return e.db.AppendJSON(ctx, dst, sql, args...)
	}
	ctx, span := e.opts.Tracer.Start(ctx, "db.query", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system", string(e.db.Dialect())), attribute.String("db.statement", sql)))
	dst, err := e.db.AppendJSON(ctx, dst, sql, args...)
	endSpan(span, err)
	return dst, err
}

// withContextErr joins the context's error to err when the context ended,
// so a statement cancelled by the request timeout is reported as a timeout
// whatever error the driver gave.
func withContextErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return errors.Join(err, cerr)
	}
	return err
}

// rulesWithoutSuggestions is gqlparser's rule set with the variants that
// leave "Did you mean …?" out of their messages.
func rulesWithoutSuggestions() *rules.Rules {
	r := rules.NewDefaultRules()
	for _, v := range []struct{ with, without core.Rule }{
		{rules.FieldsOnCorrectTypeRule, rules.FieldsOnCorrectTypeRuleWithoutSuggestions},
		{rules.KnownArgumentNamesRule, rules.KnownArgumentNamesRuleWithoutSuggestions},
		{rules.KnownTypeNamesRule, rules.KnownTypeNamesRuleWithoutSuggestions},
		{rules.ScalarLeafsRule, rules.ScalarLeafsRuleWithoutSuggestions},
		{rules.ValuesOfCorrectTypeRule, rules.ValuesOfCorrectTypeRuleWithoutSuggestions},
	} {
		r.RemoveRule(v.with.Name)
		r.AddRule(v.without.Name, v.without.RuleFunc)
	}
	return r
}
