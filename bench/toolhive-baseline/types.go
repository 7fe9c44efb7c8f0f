package main

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// The wire shape of ToolHive v0.63.0's VirtualMCPServer status, as its CRD documents it
// (field names and JSON tags; our own declarations). Objects stay unstructured.Unstructured
// on the wire and in caches; these structs are how the code reads and edits their status,
// as ToolHive's typed structs would.

// DiscoveredBackend is one entry of status.discoveredBackends and status.runtime.discoveredBackends.
type DiscoveredBackend struct {
	Name                string      `json:"name"`
	URL                 string      `json:"url,omitempty"`
	Status              string      `json:"status,omitempty"`
	AuthConfigRef       string      `json:"authConfigRef,omitempty"`
	AuthType            string      `json:"authType,omitempty"`
	LastHealthCheck     metav1.Time `json:"lastHealthCheck,omitempty"`
	Message             string      `json:"message,omitempty"`
	CircuitBreakerState string      `json:"circuitBreakerState,omitempty"`
	CircuitLastChanged  metav1.Time `json:"circuitLastChanged,omitempty"`
	ConsecutiveFailures int         `json:"consecutiveFailures,omitempty"`
	MCPRevision         string      `json:"mcpRevision,omitempty"`
}

// RuntimeStatus is status.runtime, written only by the vMCP process.
type RuntimeStatus struct {
	Phase              string              `json:"phase,omitempty"`
	Message            string              `json:"message,omitempty"`
	Conditions         []metav1.Condition  `json:"conditions,omitempty"`
	DiscoveredBackends []DiscoveredBackend `json:"discoveredBackends,omitempty"`
	BackendCount       int32               `json:"backendCount,omitempty"`
}

// VMCPStatus is the whole status stanza.
type VMCPStatus struct {
	Runtime             *RuntimeStatus      `json:"runtime,omitempty"`
	Conditions          []metav1.Condition  `json:"conditions,omitempty"`
	ObservedGeneration  int64               `json:"observedGeneration,omitempty"`
	Phase               string              `json:"phase,omitempty"`
	Message             string              `json:"message,omitempty"`
	URL                 string              `json:"url,omitempty"`
	DiscoveredBackends  []DiscoveredBackend `json:"discoveredBackends,omitempty"`
	BackendCount        int32               `json:"backendCount,omitempty"`
	AuthzConfigHash     string              `json:"authzConfigHash,omitempty"`
	OIDCConfigHash      string              `json:"oidcConfigHash,omitempty"`
	TelemetryConfigHash string              `json:"telemetryConfigHash,omitempty"`
}

// statusOf reads an object's status into the typed view.
func statusOf(object *unstructured.Unstructured) (VMCPStatus, error) {
	var status VMCPStatus
	raw, ok := object.Object["status"].(map[string]any)
	if !ok {
		return status, nil
	}
	err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &status)
	return status, err
}

// setStatus writes the typed view back into the object, as a typed client would send it.
func setStatus(object *unstructured.Unstructured, status VMCPStatus) error {
	raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&status)
	if err != nil {
		return err
	}
	object.Object["status"] = raw
	return nil
}
