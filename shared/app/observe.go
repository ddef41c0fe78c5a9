package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/shared/audit"
	"github.com/bizmcp/bizmcp/shared/config"
	"github.com/bizmcp/bizmcp/shared/telemetry"
)

// startTracing sets up OpenTelemetry tracing from the OTEL_* variables in
// environ (off unless an exporter or endpoint is configured); the returned
// function flushes pending spans.
func startTracing(ctx context.Context, binary, version string, environ []string) (func(), error) {
	tc, err := telemetry.TracingFromEnv(otelEnv(environ))
	if err != nil {
		return nil, err
	}
	shutdown, err := telemetry.SetupTracing(ctx, tc, binary, version)
	if err != nil {
		return nil, err
	}
	return func() {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		shutdown(c)
	}, nil
}

// auditOptions is the audit sink configuration: MCP_AUDIT_LOG with its
// rotation, and with MCP_AUDIT_OTLP the OTLP logs exporter from the
// OTEL_EXPORTER_OTLP_* variables in environ.
func auditOptions[X any](cfg *config.Config[X], version string, environ []string, log *slog.Logger) (audit.Options, error) {
	o := audit.Options{Sink: cfg.AuditLog, MaxBytes: cfg.AuditMaxBytes, MaxAge: cfg.AuditMaxAge, MaxFiles: cfg.AuditMaxFiles, Version: version, Logger: log}
	if !cfg.AuditOTLP {
		return o, nil
	}
	oc, err := telemetry.OTLPFromEnv(otelEnv(environ), "LOGS")
	if err != nil {
		return o, fmt.Errorf("MCP_AUDIT_OTLP: %w", err)
	}
	o.OTLP = &oc
	return o, nil
}

// otelEnv looks up OTEL_* variables in environ.
func otelEnv(environ []string) func(string) string {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "OTEL_") {
			env[k] = v
		}
	}
	return func(k string) string { return env[k] }
}
