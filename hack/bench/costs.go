package main

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// costsNamespace holds the objects of the write-cost measurement.
const costsNamespace = "bench-costs"

// writeCost is one kind of write request the two phases send.
type writeCost struct {
	name  string
	write func(ctx context.Context, c client.Client, i int) error
}

// measureWriteCosts sends n requests of each kind of write the phases
// send and prints the CPU the API server and etcd spent per request. In
// a phase bound by the machine's CPU these costs, times the counts the
// phases log, say where the time goes: a custom resource write costs the
// API server several times a built-in one (JSON instead of protobuf,
// schema pruning, defaulting, validation and CEL rules over the whole
// object, managed fields of an unstructured object).
func (b *bench) measureWriteCosts(ctx context.Context, n int) error {
	if err := b.cluster.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: costsNamespace}}); err != nil {
		return err
	}
	defer func() {
		if err := b.deleteNamespace(ctx, costsNamespace); err != nil {
			logf("write costs: %v", err)
		}
	}()
	cfg := rest.CopyConfig(b.cluster.Config)
	cfg.QPS, cfg.Burst = -1, 0
	c, err := client.New(cfg, client.Options{Scheme: b.cluster.Scheme})
	if err != nil {
		return err
	}
	for _, wc := range b.writeCosts() {
		// Let the previous kind's watch events and garbage settle.
		time.Sleep(2 * time.Second)
		before := b.cpuSnapshot()
		err := parallel(ctx, n, b.cfg.workers, func(ctx context.Context, i int) error { return wc.write(ctx, c, i) })
		if err != nil {
			return fmt.Errorf("%s: %w", wc.name, err)
		}
		time.Sleep(time.Second)
		after := b.cpuSnapshot()
		perRequest := func(process string) float64 {
			return float64((after[process] - before[process]).Microseconds()) / 1000 / float64(n)
		}
		figure("apiserver_cpu_ms_per_"+wc.name, perRequest("kube-apiserver"), 2)
		figure("etcd_cpu_ms_per_"+wc.name, perRequest("etcd"), 2)
	}
	return nil
}

func (b *bench) writeCosts() []writeCost {
	return []writeCost{
		{"configmap_create", func(ctx context.Context, c client.Client, i int) error {
			return c.Create(ctx, &corev1.ConfigMap{ObjectMeta: costsMeta(fmt.Sprintf("cm-%d", i)), Data: map[string]string{"key": "value"}})
		}},
		{"configmap_patch", func(ctx context.Context, c client.Client, i int) error {
			return c.Patch(ctx, &corev1.ConfigMap{ObjectMeta: costsMeta(fmt.Sprintf("cm-%d", i))},
				client.RawPatch(types.MergePatchType, []byte(`{"data":{"key":"changed"}}`)))
		}},
		{"event_create", func(ctx context.Context, c client.Client, i int) error {
			return c.Create(ctx, &eventsv1.Event{ObjectMeta: costsMeta(fmt.Sprintf("event-%d", i)),
				EventTime: metav1.NewMicroTime(time.Now()), ReportingController: "ecs-operator", ReportingInstance: "bench",
				Action: "Deploy", Reason: "SteadyState", Type: corev1.EventTypeNormal, Note: "(service bench) has reached a steady state.",
				Regarding: corev1.ObjectReference{Kind: "ECSService", Namespace: costsNamespace, Name: "bench"}})
		}},
		{"taskdefinition_create", func(ctx context.Context, c client.Client, i int) error {
			td, _ := newInstance(b.shapes, i).objects(costsNamespace)
			return c.Create(ctx, td)
		}},
		{"taskdefinition_status", func(ctx context.Context, c client.Client, i int) error {
			td, _ := newInstance(b.shapes, i).objects(costsNamespace)
			return c.Status().Patch(ctx, td, client.RawPatch(types.MergePatchType, []byte(`{"status":{"revision":1,"observedGeneration":1}}`)))
		}},
		{"ecsservice_create", func(ctx context.Context, c client.Client, i int) error {
			_, svc := newInstance(b.shapes, i).objects(costsNamespace)
			return c.Create(ctx, svc)
		}},
		{"ecsservice_status", func(ctx context.Context, c client.Client, i int) error {
			svc := &ecsv1.ECSService{ObjectMeta: costsMeta(newInstance(b.shapes, i).name)}
			return c.Status().Patch(ctx, svc, client.RawPatch(types.MergePatchType, []byte(`{"status":{"runningCount":1,"observedGeneration":1}}`)))
		}},
	}
}

func costsMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: costsNamespace, Name: name}
}
