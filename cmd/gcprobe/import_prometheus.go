package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gcprobe/gcprobe/profiler/promimport"
)

const importPrometheusHelp = `Read the GC and memory of a fleet of Go programs from a Prometheus server
(or Thanos, Mimir, VictoriaMetrics: anything that answers Prometheus's
query API), and write one run record per instance into DIR.

The programs need nothing but client_golang's default collectors, which
give the GC cycles and stop-the-world total (exact, from
go_gc_duration_seconds count and sum), the longest recent pause
(quantile="1"), heap, next GC, RSS and CPU, and GOGC, GOMEMLIMIT and
GOMAXPROCS. The opt-in runtime metrics
(collectors.WithGoCollectorRuntimeMetrics) add the live heap, the GC's
CPU share and single-pause percentiles; the import says which are missing.

A restart (counters going back) is a note in the record, and the counters
continue across it. Records are named after the instance label. Nothing is
written unless every record was.

--since and --until take a duration before now (6h) or a time
(2026-12-01T15:00:00Z).

Examples:
  gcprobe import prometheus --url http://prom:9090 --selector '{job="api"}' --since 6h
  gcprobe import prometheus --url http://prom:9090 --selector '{job="api"}' --since 2h --step 30s -o api
  gcprobe compare --by version api`

func cmdImportPrometheus(ctx context.Context, io stdio, args []string) error {
	fs := newFlags(io, "import prometheus", "--url URL [--selector '{job=\"api\"}'] [--since 6h] [flags]", importPrometheusHelp)
	server := fs.String("url", "", "the Prometheus server's `URL` (http://HOST:9090)")
	selector := fs.String("selector", "{}", "label `SELECTOR` of the targets, in braces")
	since := fs.String("since", "1h", "start of the range: a `DURATION` before now, or a time (RFC 3339)")
	until := fs.String("until", "now", "end of the range: now, a `DURATION` before now, or a time")
	step := fs.Duration("step", 15*time.Second, "resolution of the samples (not below the scrape interval)")
	timeout := fs.Duration("timeout", time.Minute, "give up when the server has not answered everything within this `DURATION`")
	output := fs.StringP("output", "o", "fleet", "write the records into `DIR`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("import prometheus: unexpected argument %q (the server is --url)", fs.Arg(0))
	}
	if err := checkServerURL(*server); err != nil {
		return err
	}
	now := time.Now()
	start, err := parseWhen(*since, now)
	if err != nil {
		return usageErrorf("import prometheus: --since: %v", err)
	}
	end, err := parseWhen(*until, now)
	if err != nil {
		return usageErrorf("import prometheus: --until: %v", err)
	}
	switch {
	case !end.After(start):
		return usageErrorf("import prometheus: --until %s is not after --since %s", end.Format(time.RFC3339), start.Format(time.RFC3339))
	case *step < time.Second:
		return usageErrorf("import prometheus: --step must be at least 1s")
	case end.Sub(start)/(*step) >= promimport.MaxPoints:
		return usageErrorf("import prometheus: --step %s gives %d points over %s; Prometheus answers at most %d per series (use a larger --step)",
			*step, end.Sub(start)/(*step)+1, end.Sub(start), promimport.MaxPoints)
	case *timeout <= 0:
		return usageErrorf("import prometheus: --timeout must be positive")
	}

	client, err := promimport.NewAPI(*server)
	if err != nil {
		return usageErrorf("import prometheus: --url: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	began := time.Now()
	res, err := promimport.Import(ctx, client, promimport.Options{
		URL: *server, Selector: *selector, Start: start.Truncate(time.Second), End: end, Step: *step, GCProbeVersion: version(),
	})
	if errors.Is(err, promimport.ErrTimeout) {
		err = fmt.Errorf("%w (--timeout %s)", err, *timeout)
	}
	if err != nil {
		return fmt.Errorf("import prometheus: %w", err)
	}
	paths, err := promimport.WriteDir(*output, res.Instances)
	if err != nil {
		return fmt.Errorf("import prometheus: %w", err)
	}
	fmt.Fprintf(io.err, "gcprobe: %s\n", promImportLine(res, len(paths), *output, time.Since(began)))
	return nil
}

// checkServerURL wants an http(s) URL with a host.
func checkServerURL(s string) error {
	if s == "" {
		return usageErrorf("import prometheus: --url is required (the Prometheus server, http://HOST:9090)")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageErrorf("import prometheus: --url %q is not an http:// or https:// URL with a host", s)
	}
	return nil
}

// parseWhen reads "now", a duration before now, or an RFC 3339 time.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "now" {
		return now, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("%q: a duration before now is positive", s)
		}
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a duration (6h) nor a time (2026-12-01T15:00:00Z)", s)
	}
	return t, nil
}

// promImportLine is the one line printed at the end.
func promImportLine(res *promimport.Result, n int, dir string, took time.Duration) string {
	var b strings.Builder
	restarts := 0
	missing := map[string]int{}
	for _, in := range res.Instances {
		restarts += in.Restarts
		for _, m := range in.Missing {
			missing[m]++
		}
	}
	instances := "instances"
	if n == 1 {
		instances = "instance"
	}
	fmt.Fprintf(&b, "imported %d %s into %s in %s (%d queries)", n, instances, dir, took.Round(time.Millisecond), res.Queries)
	switch {
	case restarts == 1:
		fmt.Fprintf(&b, "; 1 restart (noted in its record)")
	case restarts > 1:
		fmt.Fprintf(&b, "; %d restarts (noted in the records)", restarts)
	}
	if len(res.NotGo) > 0 {
		fmt.Fprintf(&b, "; skipped %d targets without Go metrics: %s", len(res.NotGo), strings.Join(res.NotGo, ", "))
	}
	if len(missing) > 0 {
		var parts []string
		for _, m := range promimport.OptIn {
			if missing[m.Name] > 0 {
				parts = append(parts, fmt.Sprintf("%s (%s) by %d", m.Name, m.Gives, missing[m.Name]))
			}
		}
		fmt.Fprintf(&b, "; not exported: %s (enable with %s)", strings.Join(parts, ", "), promimport.EnableHint)
	}
	return b.String()
}
