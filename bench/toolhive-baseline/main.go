// Command toolhive-baseline reproduces, for the benchmarks of vmcp-status, the status
// traffic of ToolHive v0.63.0's vMCP runtime and operator against a real kube-apiserver.
// It is a reproduction, not ToolHive's code: ToolHive's Go packages (even its CRD types)
// do not compile here because the module proxy refuses three of their dependencies, so
// this program makes the same calls, in the same order, with the same client libraries
// ToolHive v0.63.0 pins (k8s.io/client-go v0.37.2, sigs.k8s.io/controller-runtime v0.25.2),
// on unstructured objects of a CRD written to ToolHive's documented schema.
//
// What it follows (paths in github.com/stacklok/toolhive@v0.63.0):
//
//   - pkg/vmcp/server/status_reporting.go, periodicStatusReporting and reportStatus: one
//     report once the first health checks are in, then one per statusReportingInterval
//     (default 30 s, pkg/vmcp/config/defaults.go) on a time.Ticker, whatever changed.
//   - pkg/vmcp/health/monitor.go, BuildStatus, determinePhase, formatStatusMessage,
//     convertToDiscoveredBackends (iterates a Go map: backend order differs between
//     reports), formatBackendMessage and buildConditions: the status a report carries
//     (reproduced in monitor.go).
//   - pkg/vmcp/status/k8s_reporter.go, ReportStatus and updateStatus: a non-caching
//     controller-runtime client; retry.RetryOnConflict(retry.DefaultRetry, Get + write
//     status.runtime with meta.SetStatusCondition + Status().Update) (reporter.go).
//   - cmd/thv-operator/controllers/virtualmcpserver_controller.go, SetupWithManager
//     (For(VirtualMCPServer) with no predicate: every watch event, status included,
//     reconciles), Reconcile, validateSpec, updateVirtualMCPServerStatus,
//     determineStatusFromPods, determineStatusFromBackends and applyStatusUpdates;
//     cmd/thv-operator/pkg/virtualmcpserverstatus/collector.go, NewStatusManager,
//     projectRuntimeStatus and UpdateStatus; cmd/thv-operator/pkg/controllerutil/status.go,
//     MutateAndPatchStatus (a JSON merge patch of status, skipped when empty) (projection.go).
//
// Left out of the projection, because nothing in a benchmark changes them: the children
// (Deployment, Service, ConfigMap, RBAC) ensureAllResources reads and applies, and the
// reference validations (MCPGroup, auth, telemetry). The pod list of
// updateVirtualMCPServerStatus is taken as one ready pod (the runtime is running).
//
// Protocol: the configuration (JSON, see config.go) comes from the file named by the
// first argument, or stdin when it is "-". Control lines come on stdin afterwards:
// "start UNIX_MS" (timeline time 0 at that wall-clock instant), "mark" and "stop". It
// prints {"ready":true} once every role runs and the first reports are written, and a
// summary JSON line (counts since "start") on "mark" and on "stop".
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "toolhive-baseline:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 2 {
		return fmt.Errorf("usage: toolhive-baseline CONFIG.json|-")
	}
	stdin := bufio.NewReader(os.Stdin)
	var source io.Reader = stdin
	if os.Args[1] != "-" {
		file, err := os.Open(os.Args[1])
		if err != nil {
			return err
		}
		defer file.Close()
		source = file
	}
	var cfg Config
	decoder := json.NewDecoder(source)
	if err := decoder.Decode(&cfg); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := cfg.validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if os.Args[1] == "-" {
		// Control lines follow the config on stdin: keep what the decoder read ahead.
		stdin = bufio.NewReader(io.MultiReader(decoder.Buffered(), stdin))
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ctrl.SetLogger(logr.FromSlogHandler(slog.Default().Handler()))

	restConfig, err := clientcmd.BuildConfigFromFlags("", cfg.Kubeconfig)
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stats := &Stats{}

	var wg sync.WaitGroup
	var projection *Projection
	if cfg.Roles.Projection || cfg.Roles.OperatorWriter {
		// ctrl.GetConfigOrDie, as ToolHive's operator main uses, sets QPS 20 and Burst 30.
		operatorConfig := rest.CopyConfig(restConfig)
		operatorConfig.QPS, operatorConfig.Burst = 20, 30
		projection, err = NewProjection(operatorConfig, &cfg, stats)
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := projection.Run(ctx); err != nil && ctx.Err() == nil {
				stats.addError("operator: " + err.Error())
			}
		}()
		if err := projection.WaitSynced(ctx); err != nil {
			return err
		}
	}

	var runtimes []*Runtime
	if cfg.Roles.Reporter {
		for _, vmcp := range cfg.VMCPs {
			// rest.InClusterConfig, as ToolHive's vMCP uses, leaves QPS and Burst to
			// client-go's defaults (5 and 10); each vMCP is its own process with its own.
			runtime, err := NewRuntime(rest.CopyConfig(restConfig), &cfg, vmcp, stats)
			if err != nil {
				return err
			}
			runtimes = append(runtimes, runtime)
		}
		var first sync.WaitGroup
		for _, runtime := range runtimes {
			first.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.Run(ctx, first.Done)
			}()
		}
		first.Wait()
	}
	if projection != nil && cfg.Roles.OperatorWriter && cfg.OperatorWriteIntervalMs > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			projection.RunWriter(ctx)
		}()
	}
	emit(map[string]any{"ready": true})

	for {
		line, err := stdin.ReadString('\n')
		command := strings.Fields(line)
		if len(command) == 2 && command[0] == "start" {
			startMs, parseErr := strconv.ParseInt(command[1], 10, 64)
			if parseErr != nil {
				return fmt.Errorf("start: %w", parseErr)
			}
			start := time.UnixMilli(startMs)
			stats.startAt(start)
			for _, runtime := range runtimes {
				go runtime.Replay(ctx, start)
			}
		} else if len(command) == 1 && command[0] == "mark" {
			emit(stats.summary())
		} else if len(command) == 1 && command[0] == "stop" || err != nil {
			cancel()
			wg.Wait()
			emit(stats.summary())
			return nil
		} else if len(command) > 0 {
			return fmt.Errorf("unknown control line %q", strings.TrimSpace(line))
		}
	}
}

var emitMu sync.Mutex

func emit(value any) {
	emitMu.Lock()
	defer emitMu.Unlock()
	line, _ := json.Marshal(value)
	fmt.Println(string(line))
}
