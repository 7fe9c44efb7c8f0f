package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// debug prints every status patch to stderr (TOOLHIVE_BASELINE_DEBUG=1).
var debug = os.Getenv("TOOLHIVE_BASELINE_DEBUG") == "1"

// Projection is ToolHive's operator, reduced to its status path: a controller-runtime
// manager whose client reads from the informer cache (ToolHive's typed objects are
// cached; unstructured ones are only when asked, so it asks), and a controller For the
// VirtualMCPServer with no predicate.
type Projection struct {
	mgr   manager.Manager
	gvk   schema.GroupVersionKind
	cfg   *Config
	stats *Stats
}

// NewProjection builds the manager and, with the projection role, the controller.
func NewProjection(config *rest.Config, cfg *Config, stats *Stats) (*Projection, error) {
	mgr, err := ctrl.NewManager(config, ctrl.Options{
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  cache.Options{DefaultNamespaces: map[string]cache.Config{cfg.Namespace: {}}},
		Client:                 client.Options{Cache: &client.CacheOptions{Unstructured: true}},
	})
	if err != nil {
		return nil, fmt.Errorf("manager: %w", err)
	}
	p := &Projection{
		mgr:   mgr,
		gvk:   schema.GroupVersionKind{Group: cfg.Group, Version: cfg.Version, Kind: cfg.Kind},
		cfg:   cfg,
		stats: stats,
	}
	if cfg.Roles.Projection {
		if err := ctrl.NewControllerManagedBy(mgr).For(p.object()).Named("virtualmcpserver").Complete(p); err != nil {
			return nil, fmt.Errorf("controller: %w", err)
		}
	}
	return p, nil
}

func (p *Projection) object() *unstructured.Unstructured {
	object := &unstructured.Unstructured{}
	object.SetGroupVersionKind(p.gvk)
	return object
}

// Run starts the manager; returns when ctx ends.
func (p *Projection) Run(ctx context.Context) error { return p.mgr.Start(ctx) }

// WaitSynced returns once the VirtualMCPServer informer has listed.
func (p *Projection) WaitSynced(ctx context.Context) error {
	if _, err := p.mgr.GetCache().GetInformer(ctx, p.object()); err != nil {
		return fmt.Errorf("informer: %w", err)
	}
	if !p.mgr.GetCache().WaitForCacheSync(ctx) {
		return fmt.Errorf("cache did not sync")
	}
	return nil
}

// Reconcile follows VirtualMCPServerReconciler.Reconcile's status path.
func (p *Projection) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	p.stats.add("reconciles")
	c := p.mgr.GetClient()
	vmcp := p.object()
	if err := c.Get(ctx, req.NamespacedName, vmcp); err != nil {
		if apierrors.IsNotFound(err) {
			return reconcile.Result{}, nil
		}
		return reconcile.Result{}, err
	}
	status, err := statusOf(vmcp)
	if err != nil {
		return reconcile.Result{}, err
	}
	collector := newStatusCollector(vmcp.GetGeneration(), status)
	// validateSpec: Valid condition and observedGeneration.
	collector.setObservedGeneration(vmcp.GetGeneration())
	collector.setCondition("Valid", "ValidationSucceeded", "Spec validation passed", metav1.ConditionTrue)
	// The latest version before updating status.
	latest := p.object()
	if err := c.Get(ctx, req.NamespacedName, latest); err != nil {
		return reconcile.Result{}, err
	}
	latestStatus, err := statusOf(latest)
	if err != nil {
		return reconcile.Result{}, err
	}
	// updateVirtualMCPServerStatus with one ready pod: determineStatusFromPods.
	decision := decideFromBackends(runtimeDiscoveredBackends(latestStatus))
	collector.phase, collector.message = &decision.phase, &decision.message
	collector.setCondition("Ready", decision.reason, decision.conditionMsg, decision.conditionState)
	collector.setObservedGeneration(latest.GetGeneration())
	if err := p.applyStatusUpdates(ctx, req.NamespacedName, collector.updateStatus); err != nil {
		if ctx.Err() == nil {
			p.stats.addError("projection: " + err.Error())
		}
		return reconcile.Result{}, err
	}
	return reconcile.Result{}, nil
}

// applyStatusUpdates is the reconciler's applyStatusUpdates: a fresh Get, then
// MutateAndPatchStatus (controllerutil/status.go).
func (p *Projection) applyStatusUpdates(ctx context.Context, key types.NamespacedName, mutate func(*VMCPStatus), counter ...string) error {
	c := p.mgr.GetClient()
	latest := p.object()
	if err := c.Get(ctx, key, latest); err != nil {
		return fmt.Errorf("failed to get latest VirtualMCPServer: %w", err)
	}
	status, err := statusOf(latest)
	if err != nil {
		return err
	}
	// The snapshot is taken as a typed object would be: the status in its typed shape.
	if err := setStatus(latest, status); err != nil {
		return err
	}
	original := latest.DeepCopy()
	mutate(&status)
	if err := setStatus(latest, status); err != nil {
		return err
	}
	data, err := client.MergeFrom(original).Data(latest)
	if err != nil {
		return err
	}
	name := "projectionPatches"
	if len(counter) > 0 {
		name = counter[0]
	}
	if bytes.Equal(data, []byte("{}")) {
		p.stats.add(name + "Skipped")
		return nil
	}
	if debug {
		fmt.Fprintf(os.Stderr, "%s %s: %s\n", name, key.Name, data)
	}
	err = c.Status().Patch(ctx, latest, client.RawPatch(types.MergePatchType, data))
	// Counted once answered, as the apiserver counts it.
	p.stats.add(name)
	return err
}

// RunWriter writes one operator-owned condition (Available, a new message each time)
// on every object each operatorWriteIntervalMs, the way every operator status write
// goes out: Get from the cache, MutateAndPatchStatus.
func (p *Projection) RunWriter(ctx context.Context) {
	ticker := time.NewTicker(time.Duration(p.cfg.OperatorWriteIntervalMs) * time.Millisecond)
	defer ticker.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		message := fmt.Sprintf("Deployment has minimum availability (write %d)", n)
		for _, vmcp := range p.cfg.VMCPs {
			key := types.NamespacedName{Namespace: p.cfg.Namespace, Name: vmcp.Name}
			err := p.applyStatusUpdates(ctx, key, func(status *VMCPStatus) {
				meta.SetStatusCondition(&status.Conditions, metav1.Condition{
					Type: "Available", Status: metav1.ConditionTrue, Reason: "MinimumReplicasAvailable", Message: message,
				})
			}, "writerPatches")
			if err != nil && ctx.Err() == nil {
				p.stats.addError("writer: " + err.Error())
			}
		}
	}
}

// statusCollector is virtualmcpserverstatus.StatusCollector, reduced to what the
// status path sets.
type statusCollector struct {
	generation         int64
	phase, message     *string
	observedGeneration *int64
	conditions         map[string]metav1.Condition
	discoveredBackends []DiscoveredBackend
}

// newStatusCollector is NewStatusManager: it projects status.runtime at once.
func newStatusCollector(generation int64, status VMCPStatus) *statusCollector {
	s := &statusCollector{generation: generation, conditions: map[string]metav1.Condition{}}
	runtime := status.Runtime
	if runtime == nil {
		return s
	}
	s.phase, s.message = &runtime.Phase, &runtime.Message
	s.discoveredBackends = append([]DiscoveredBackend{}, runtime.DiscoveredBackends...)
	present := map[string]bool{}
	for _, condition := range runtime.Conditions {
		present[condition.Type] = true
		s.setCondition(condition.Type, condition.Reason, condition.Message, condition.Status)
	}
	for _, conditionType := range []string{"Ready", "Degraded", "BackendsDiscovered"} {
		if !present[conditionType] {
			s.conditions[conditionType] = metav1.Condition{Type: conditionType}
		}
	}
	return s
}

func (s *statusCollector) setCondition(conditionType, reason, message string, status metav1.ConditionStatus) {
	s.conditions[conditionType] = metav1.Condition{
		Type: conditionType, Status: status, Reason: reason, Message: message, ObservedGeneration: s.generation,
	}
}

func (s *statusCollector) setObservedGeneration(generation int64) { s.observedGeneration = &generation }

// updateStatus is StatusCollector.UpdateStatus.
func (s *statusCollector) updateStatus(status *VMCPStatus) {
	if s.phase != nil {
		status.Phase = *s.phase
	}
	if s.message != nil {
		status.Message = *s.message
	}
	if s.observedGeneration != nil {
		status.ObservedGeneration = *s.observedGeneration
	}
	for _, condition := range s.conditions {
		if condition.Status == "" {
			meta.RemoveStatusCondition(&status.Conditions, condition.Type)
		} else {
			meta.SetStatusCondition(&status.Conditions, condition)
		}
	}
	if s.discoveredBackends != nil {
		status.DiscoveredBackends = s.discoveredBackends
		var routable int32
		for _, backend := range s.discoveredBackends {
			if backend.Status == "ready" || backend.Status == "unauthenticated" {
				routable++
			}
		}
		status.BackendCount = routable
	}
}

func runtimeDiscoveredBackends(status VMCPStatus) []DiscoveredBackend {
	if status.Runtime != nil {
		return status.Runtime.DiscoveredBackends
	}
	return status.DiscoveredBackends
}

type statusDecision struct {
	phase, message, reason, conditionMsg string
	conditionState                       metav1.ConditionStatus
}

// decideFromBackends is determineStatusFromPods with one ready pod, and so
// determineStatusFromBackends once backends exist.
func decideFromBackends(backends []DiscoveredBackend) statusDecision {
	running := statusDecision{"Ready", "Virtual MCP server is running", "DeploymentReady", "Deployment is ready", metav1.ConditionTrue}
	if len(backends) == 0 {
		return running
	}
	routable, unhealthy := 0, 0
	for _, backend := range backends {
		if backend.Status == "ready" || backend.Status == "unauthenticated" {
			routable++
		} else {
			unhealthy++
		}
	}
	switch {
	case routable == 0 && unhealthy > 0:
		return statusDecision{"Degraded", fmt.Sprintf("Virtual MCP server is running but all %d backends are unhealthy", unhealthy),
			"BackendsUnavailable", "All backends are unhealthy", metav1.ConditionFalse}
	case unhealthy > 0:
		return statusDecision{"Degraded", fmt.Sprintf("Virtual MCP server is running with %d/%d backends available", routable, routable+unhealthy),
			"BackendsDegraded", "Some backends are unhealthy", metav1.ConditionFalse}
	default:
		return running
	}
}
