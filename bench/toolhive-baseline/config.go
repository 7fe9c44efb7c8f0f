package main

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// Config is what the TypeScript harness (bench/run-benchmarks.ts) writes.
type Config struct {
	// Kubeconfig is the path of an admin kubeconfig.
	Kubeconfig string `json:"kubeconfig"`
	// Group, Version, Resource and Kind name the CRD with status.runtime.
	Group    string `json:"group"`
	Version  string `json:"version"`
	Resource string `json:"resource"`
	Kind     string `json:"kind"`
	// Namespace holds every VirtualMCPServer of the run.
	Namespace string `json:"namespace"`
	Roles     Roles  `json:"roles"`
	// ReportIntervalMs is statusReportingInterval (ToolHive's default: 30 000).
	ReportIntervalMs int64 `json:"reportIntervalMs"`
	// OperatorWriteIntervalMs: how often the operator writes one of its own conditions
	// on each object, besides the projection (0: never).
	OperatorWriteIntervalMs int64 `json:"operatorWriteIntervalMs"`
	// VMCPs are the objects; each replays one of Timelines.
	VMCPs     []VMCP     `json:"vmcps"`
	Timelines []Timeline `json:"timelines"`
}

// Roles says which parts of ToolHive run.
type Roles struct {
	// Reporter: the vMCP runtime's periodic ReportStatus, one per VMCP.
	Reporter bool `json:"reporter"`
	// Projection: the operator's reconcile on every watch event.
	Projection bool `json:"projection"`
	// OperatorWriter: the operator's own periodic condition write.
	OperatorWriter bool `json:"operatorWriter"`
}

// VMCP is one VirtualMCPServer and the index of its timeline.
type VMCP struct {
	Name     string `json:"name"`
	Timeline int    `json:"timeline"`
}

// Timeline is a scripted sequence of health check results.
type Timeline struct {
	// Backends are the configured backends, by index.
	Backends []Backend `json:"backends"`
	// Initial checks are in before the first report (WaitForInitialHealthChecks).
	Initial []Check `json:"initial"`
	// Events are replayed after "start", at their time.
	Events []Check `json:"events"`
}

// Backend is a configured MCP backend.
type Backend struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Check is one health check result: [atMs, backendIndex, status, toolCount, consecutiveFailures],
// status one of healthy, degraded, unhealthy, unauthenticated, unknown.
type Check struct {
	AtMs                int64
	Backend             int
	Status              string
	ToolCount           int
	ConsecutiveFailures int
}

// UnmarshalJSON reads the compact array form.
func (c *Check) UnmarshalJSON(data []byte) error {
	var raw [5]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	at, ok1 := raw[0].(float64)
	backend, ok2 := raw[1].(float64)
	status, ok3 := raw[2].(string)
	tools, ok4 := raw[3].(float64)
	failures, ok5 := raw[4].(float64)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return fmt.Errorf("check %s: expected [atMs, backendIndex, status, toolCount, consecutiveFailures]", data)
	}
	*c = Check{int64(at), int(backend), status, int(tools), int(failures)}
	return nil
}

func (c *Config) validate() error {
	switch {
	case c.Kubeconfig == "":
		return fmt.Errorf("kubeconfig: expected a path")
	case c.Group == "" || c.Version == "" || c.Resource == "" || c.Kind == "":
		return fmt.Errorf("group, version, resource, kind: expected the CRD's names")
	case c.Namespace == "":
		return fmt.Errorf("namespace: expected a namespace")
	case c.ReportIntervalMs <= 0:
		return fmt.Errorf("reportIntervalMs: expected a positive number, got %d", c.ReportIntervalMs)
	case c.OperatorWriteIntervalMs < 0:
		return fmt.Errorf("operatorWriteIntervalMs: expected 0 or more, got %d", c.OperatorWriteIntervalMs)
	}
	for i, vmcp := range c.VMCPs {
		if vmcp.Name == "" || vmcp.Timeline < 0 || vmcp.Timeline >= len(c.Timelines) {
			return fmt.Errorf("vmcps[%d]: expected a name and a timeline index below %d", i, len(c.Timelines))
		}
	}
	for i, timeline := range c.Timelines {
		for _, check := range append(append([]Check{}, timeline.Initial...), timeline.Events...) {
			if check.Backend < 0 || check.Backend >= len(timeline.Backends) {
				return fmt.Errorf("timelines[%d]: backend index %d out of range", i, check.Backend)
			}
			if _, ok := crdStatus[check.Status]; !ok {
				return fmt.Errorf("timelines[%d]: status %q: expected healthy, degraded, unhealthy, unauthenticated or unknown", i, check.Status)
			}
		}
	}
	return nil
}

// Stats counts calls; the summary holds what happened after "start".
type Stats struct {
	mu       sync.Mutex
	counts   map[string]int
	baseline map[string]int
	errors   []string
	started  time.Time
}

func (s *Stats) add(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts == nil {
		s.counts = map[string]int{}
	}
	s.counts[name]++
}

func (s *Stats) addError(message string) {
	s.add("errors")
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errors) < 10 {
		s.errors = append(s.errors, message)
	}
}

func (s *Stats) startAt(start time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.started = start
	s.baseline = map[string]int{}
	for name, n := range s.counts {
		s.baseline[name] = n
	}
}

func (s *Stats) summary() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	window := map[string]int{}
	for name, n := range s.counts {
		window[name] = n - s.baseline[name]
	}
	return map[string]any{"counts": window, "total": s.counts, "errors": s.errors}
}
