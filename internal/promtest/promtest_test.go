package promtest

import (
	"context"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/internal/testservice"
	"github.com/prometheus/common/model"
)

// TestScrapesARealService checks the harness itself: a real Prometheus
// scrapes the test service every second and answers a query with the
// service's own metric and the target's labels.
func TestScrapesARealService(t *testing.T) {
	svc := testservice.Start(t, "prometheus")
	srv := Start(t, []Target{{Job: "api", Addr: svc.Addr, Labels: map[string]string{"version": "v1"}}}, Options{})
	srv.WaitScrapes(t, `{job="api"}`, 1, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, _, _, err := srv.API.Query(ctx, `go_gc_duration_seconds_count{job="api"}`, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	vec, ok := v.(model.Vector)
	if !ok || len(vec) != 1 {
		t.Fatalf("query: %v", v)
	}
	if got := vec[0].Metric["instance"]; string(got) != svc.Addr {
		t.Errorf("instance = %q, want %q", got, svc.Addr)
	}
	if got := vec[0].Metric["version"]; got != "v1" {
		t.Errorf("version label = %q, want v1", got)
	}
}
