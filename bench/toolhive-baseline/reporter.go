package main

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Runtime is one vMCP process: its health monitor, fed by the timeline, and its
// periodic status reporting through K8sReporter.ReportStatus.
type Runtime struct {
	client   client.Client
	key      types.NamespacedName
	gvk      schema.GroupVersionKind
	interval time.Duration
	timeline Timeline
	monitor  *Monitor
	stats    *Stats
}

// NewRuntime builds the reporter's client as status.NewK8sReporter does: client.New,
// no cache, so every Get reaches the apiserver.
func NewRuntime(config *rest.Config, cfg *Config, vmcp VMCP, stats *Stats) (*Runtime, error) {
	c, err := client.New(config, client.Options{})
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", vmcp.Name, err)
	}
	timeline := cfg.Timelines[vmcp.Timeline]
	return &Runtime{
		client:   c,
		key:      types.NamespacedName{Namespace: cfg.Namespace, Name: vmcp.Name},
		gvk:      schema.GroupVersionKind{Group: cfg.Group, Version: cfg.Version, Kind: cfg.Kind},
		interval: time.Duration(cfg.ReportIntervalMs) * time.Millisecond,
		timeline: timeline,
		monitor:  NewMonitor(timeline.Backends),
		stats:    stats,
	}, nil
}

// Run is periodicStatusReporting: the initial checks are in (WaitForInitialHealthChecks),
// one report, then one per tick until ctx ends. firstDone is called after the first report.
func (r *Runtime) Run(ctx context.Context, firstDone func()) {
	now := time.Now()
	for _, check := range r.timeline.Initial {
		r.monitor.Apply(check, now)
	}
	ticker := time.NewTicker(r.interval)
	defer ticker.Stop()
	r.reportStatus(ctx)
	firstDone()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			r.reportStatus(ctx)
		}
	}
}

// Replay applies each timeline event at start + atMs.
func (r *Runtime) Replay(ctx context.Context, start time.Time) {
	for _, check := range r.timeline.Events {
		wait := time.Until(start.Add(time.Duration(check.AtMs) * time.Millisecond))
		if wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		r.monitor.Apply(check, time.Now())
	}
}

func (r *Runtime) reportStatus(ctx context.Context) {
	status := r.monitor.BuildStatus()
	r.stats.add("reports")
	if err := r.ReportStatus(ctx, status); err != nil && ctx.Err() == nil {
		r.stats.addError(err.Error())
	}
}

// ReportStatus is K8sReporter.ReportStatus: Get + Status().Update in RetryOnConflict.
func (r *Runtime) ReportStatus(ctx context.Context, status RuntimeStatus) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		object := &unstructured.Unstructured{}
		object.SetGroupVersionKind(r.gvk)
		err := r.client.Get(ctx, r.key, object)
		r.stats.add("runtimeGets")
		if err != nil {
			return fmt.Errorf("failed to get VirtualMCPServer: %w", err)
		}
		current, err := statusOf(object)
		if err != nil {
			return err
		}
		updateStatus(&current, status)
		if err := setStatus(object, current); err != nil {
			return err
		}
		err = r.client.Status().Update(ctx, object)
		r.stats.add("runtimeUpdates")
		if apierrors.IsConflict(err) {
			r.stats.add("runtimeConflicts")
		}
		return err
	})
}

// updateStatus is K8sReporter.updateStatus: the runtime snapshot in status.runtime.
func updateStatus(current *VMCPStatus, status RuntimeStatus) {
	if current.Runtime == nil {
		current.Runtime = &RuntimeStatus{}
	}
	runtime := current.Runtime
	runtime.Phase = status.Phase
	runtime.Message = status.Message
	runtime.BackendCount = status.BackendCount
	runtime.DiscoveredBackends = append(make([]DiscoveredBackend, 0, len(status.DiscoveredBackends)), status.DiscoveredBackends...)
	present := map[string]bool{}
	for _, condition := range status.Conditions {
		present[condition.Type] = true
	}
	for _, conditionType := range []string{"Ready", "Degraded", "BackendsDiscovered"} {
		if !present[conditionType] {
			meta.RemoveStatusCondition(&runtime.Conditions, conditionType)
		}
	}
	for _, condition := range status.Conditions {
		meta.SetStatusCondition(&runtime.Conditions, condition)
	}
}
