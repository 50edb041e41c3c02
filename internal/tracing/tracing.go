// Package tracing sets up OpenTelemetry tracing for the server: an OTLP/HTTP
// exporter when an endpoint is configured, nothing otherwise (no tracer,
// so the engine and the HTTP layer skip every span). W3C trace context
// (traceparent) is the propagation format. No global provider is installed:
// the composition root hands the Tracer to the components.
package tracing

import (
	"context"
	"fmt"
	"net/url"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Options configure New.
type Options struct {
	// Endpoint is the OTLP/HTTP collector URL: a base URL
	// (http://collector:4318, /v1/traces is appended) or the full traces
	// URL; empty disables tracing.
	Endpoint    string
	ServiceName string
	Version     string
	// SampleRatio is the fraction of new traces sampled; a request that
	// arrives with a sampled traceparent is always traced.
	SampleRatio float64
}

// Provider owns the exporter. Its zero value (tracing off) is usable.
type Provider struct {
	tp *sdktrace.TracerProvider
}

// New creates the exporter for opts.Endpoint; with no endpoint it returns a
// disabled Provider. The exporter connects lazily.
func New(ctx context.Context, opts Options) (*Provider, error) {
	if opts.Endpoint == "" {
		return &Provider{}, nil
	}
	endpoint, err := url.Parse(opts.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("tracing: endpoint: %w", err)
	}
	// A base URL (OTEL_EXPORTER_OTLP_ENDPOINT style) gets the traces path.
	if endpoint.Path == "" || endpoint.Path == "/" {
		endpoint.Path = "/v1/traces"
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpoint.String()))
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	res := resource.NewSchemaless(
		attribute.String("service.name", opts.ServiceName),
		attribute.String("service.version", opts.Version),
	)
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(opts.SampleRatio))),
	)
	return &Provider{tp: tp}, nil
}

// Tracer returns the tracer, or nil when tracing is off.
func (p *Provider) Tracer() trace.Tracer {
	if p == nil || p.tp == nil {
		return nil
	}
	return p.tp.Tracer("github.com/autogql/autogql")
}

// Shutdown flushes pending spans and stops the exporter.
func (p *Provider) Shutdown(ctx context.Context) error {
	if p == nil || p.tp == nil {
		return nil
	}
	return p.tp.Shutdown(ctx)
}

// Propagator is the W3C trace context propagator (traceparent, tracestate).
var Propagator propagation.TextMapPropagator = propagation.TraceContext{}
