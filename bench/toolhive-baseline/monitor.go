package main

import (
	"fmt"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// crdStatus is BackendHealthStatus.ToCRDStatus (pkg/vmcp/types.go).
var crdStatus = map[string]string{
	"healthy":         "ready",
	"degraded":        "degraded",
	"unhealthy":       "unavailable",
	"unauthenticated": "unauthenticated",
	"unknown":         "unknown",
}

// backendState is the part of health.State (pkg/vmcp/health) a status is built from.
type backendState struct {
	status              string
	consecutiveFailures int
	lastCheck           time.Time
	failed              bool
}

// Monitor holds the latest check of each backend, as ToolHive's health monitor does,
// and builds a status from it (health.Monitor.BuildStatus).
type Monitor struct {
	mu       sync.Mutex
	backends []Backend
	states   map[string]*backendState
}

// NewMonitor makes a monitor for the configured backends.
func NewMonitor(backends []Backend) *Monitor {
	return &Monitor{backends: backends, states: map[string]*backendState{}}
}

// Apply records one check, done now.
func (m *Monitor) Apply(check Check, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	name := m.backends[check.Backend].Name
	m.states[name] = &backendState{
		status:              check.Status,
		consecutiveFailures: check.ConsecutiveFailures,
		lastCheck:           now,
		failed:              check.Status == "unhealthy",
	}
}

type summary struct{ total, healthy, degraded, unhealthy, unknown, unauthenticated int }

func (s summary) routable() int { return s.healthy + s.unauthenticated }

// BuildStatus follows health.Monitor.BuildStatus and its helpers.
func (m *Monitor) BuildStatus() RuntimeStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	var sum summary
	for _, state := range m.states {
		sum.total++
		switch state.status {
		case "healthy":
			sum.healthy++
		case "degraded":
			sum.degraded++
		case "unhealthy":
			sum.unhealthy++
		case "unauthenticated":
			sum.unauthenticated++
		default:
			sum.unknown++
		}
	}
	configured := len(m.backends)
	phase := determinePhase(sum, configured)
	urls := make(map[string]string, len(m.backends))
	for _, backend := range m.backends {
		urls[backend.Name] = backend.URL
	}
	// Ranging over the map, as convertToDiscoveredBackends does: the order is Go's.
	discovered := make([]DiscoveredBackend, 0, len(m.states))
	for name, state := range m.states {
		discovered = append(discovered, DiscoveredBackend{
			Name:                name,
			URL:                 urls[name],
			Status:              crdStatus[state.status],
			LastHealthCheck:     metav1.NewTime(state.lastCheck),
			Message:             backendMessage(state),
			ConsecutiveFailures: state.consecutiveFailures,
			MCPRevision:         "2025-11-25",
		})
	}
	return RuntimeStatus{
		Phase:              phase,
		Message:            statusMessage(sum, phase, configured),
		Conditions:         buildConditions(sum, phase, configured),
		DiscoveredBackends: discovered,
		BackendCount:       int32(sum.routable()),
	}
}

func determinePhase(sum summary, configured int) string {
	switch {
	case sum.total == 0 && configured == 0:
		return "Ready"
	case sum.total == 0:
		return "Pending"
	case sum.routable() == sum.total:
		return "Ready"
	case sum.routable() == 0:
		return "Failed"
	default:
		return "Degraded"
	}
}

func plural(n int) string {
	if n == 1 {
		return "backend"
	}
	return "backends"
}

func statusMessage(sum summary, phase string, configured int) string {
	if sum.total == 0 {
		if configured == 0 {
			return "Ready, no backends configured"
		}
		return fmt.Sprintf("Waiting for initial health checks (%d backends configured)", configured)
	}
	if phase == "Ready" {
		if sum.unauthenticated == 0 {
			return fmt.Sprintf("All %d %s healthy", sum.healthy, plural(sum.healthy))
		}
		return fmt.Sprintf("%d %s healthy, %d require authentication", sum.healthy, plural(sum.healthy), sum.unauthenticated)
	}
	details := fmt.Sprintf("%d degraded, %d unhealthy, %d unknown", sum.degraded, sum.unhealthy, sum.unknown)
	if phase == "Failed" {
		return fmt.Sprintf("No routable backends (%s)", details)
	}
	return fmt.Sprintf("%d/%d backends routable (%s)", sum.routable(), sum.total, details)
}

func backendMessage(state *backendState) string {
	if state.failed {
		if state.consecutiveFailures > 1 {
			return fmt.Sprintf("Connection failed (failures: %d)", state.consecutiveFailures)
		}
		return "Connection failed"
	}
	switch state.status {
	case "healthy":
		return "Healthy"
	case "degraded":
		if state.consecutiveFailures > 0 {
			return fmt.Sprintf("Recovering from %d failures", state.consecutiveFailures)
		}
		return "Degraded performance"
	case "unauthenticated":
		return "Authentication misconfigured (backend requires auth, none configured)"
	default:
		return "Unknown"
	}
}

func buildConditions(sum summary, phase string, configured int) []metav1.Condition {
	now := metav1.Now()
	ready := metav1.Condition{Type: "Ready", Status: metav1.ConditionFalse, LastTransitionTime: now}
	switch phase {
	case "Ready":
		ready.Status, ready.Reason = metav1.ConditionTrue, "AllBackendsRoutable"
		ready.Message = fmt.Sprintf("All %d %s are healthy", sum.healthy, plural(sum.healthy))
	case "Degraded":
		ready.Reason = "SomeBackendsUnhealthy"
		ready.Message = fmt.Sprintf("%d/%d backends routable", sum.routable(), sum.total)
	case "Failed":
		ready.Reason, ready.Message = "NoRoutableBackends", "No routable backends available"
	default:
		ready.Reason = "BackendsPending"
		ready.Message = fmt.Sprintf("Waiting for initial health checks (%d backends configured)", configured)
	}
	conditions := []metav1.Condition{ready, {
		Type:               "BackendsDiscovered",
		Status:             metav1.ConditionTrue,
		LastTransitionTime: now,
		Reason:             "BackendsDiscovered",
		Message:            fmt.Sprintf("Discovered %d backends", configured),
	}}
	if sum.degraded > 0 {
		conditions = append(conditions, metav1.Condition{
			Type:               "Degraded",
			Status:             metav1.ConditionTrue,
			LastTransitionTime: now,
			Reason:             "BackendsDegraded",
			Message:            fmt.Sprintf("%d backends degraded", sum.degraded),
		})
	}
	return conditions
}
