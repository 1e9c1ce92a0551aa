package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/procfs"
	"k8s.io/client-go/rest"
)

// metricsClient reads the operator's Prometheus endpoint (served over
// plain HTTP on localhost: --metrics-secure=false).
type metricsClient struct {
	url  string
	http *http.Client
	// pprofAddr serves the operator's profiles ("" when off).
	pprofAddr string
}

func newMetricsClient(addr string) *metricsClient {
	return &metricsClient{url: "http://" + addr + "/metrics", http: &http.Client{Timeout: 10 * time.Second}}
}

// sample is one Prometheus sample: metric name, labels and value.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// scrape reads every sample. The text exposition format is line based:
// `name{label="value",...} number`; comments start with #.
func (m *metricsClient) scrape(ctx context.Context) ([]sample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := m.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("GET %s: %s: %s", m.url, resp.Status, body)
	}
	var samples []sample
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, ok := parseSample(line)
		if ok {
			samples = append(samples, s)
		}
	}
	return samples, sc.Err()
}

func parseSample(line string) (sample, bool) {
	s := sample{labels: map[string]string{}}
	rest := line
	if i := strings.IndexByte(line, '{'); i >= 0 {
		j := strings.LastIndexByte(line, '}')
		if j < i {
			return sample{}, false
		}
		s.name = line[:i]
		for _, pair := range splitLabels(line[i+1 : j]) {
			k, v, ok := strings.Cut(pair, "=")
			if !ok {
				continue
			}
			if unq, err := strconv.Unquote(v); err == nil {
				v = unq
			}
			s.labels[k] = v
		}
		rest = strings.TrimSpace(line[j+1:])
	} else {
		name, value, ok := strings.Cut(line, " ")
		if !ok {
			return sample{}, false
		}
		s.name, rest = name, value
	}
	value, _, _ := strings.Cut(rest, " ") // an optional timestamp follows
	v, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return sample{}, false
	}
	s.value = v
	return s, true
}

// splitLabels splits `a="x",b="y,z"` at the commas outside quotes.
func splitLabels(s string) []string {
	var parts []string
	inQuote, escaped, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		parts = append(parts, s[start:])
	}
	return parts
}

// sum adds the samples named name whose labels match every entry of want
// (a value list matches any of its values).
func sum(samples []sample, name string, want map[string][]string) float64 {
	total := 0.0
	for _, s := range samples {
		if s.name != name {
			continue
		}
		match := true
		for k, values := range want {
			if !containsString(values, s.labels[k]) {
				match = false
				break
			}
		}
		if match {
			total += s.value
		}
	}
	return total
}

func containsString(list []string, v string) bool {
	for _, item := range list {
		if item == v {
			return true
		}
	}
	return false
}

// writeMethods are the HTTP methods that change something on the API
// server.
var writeMethods = []string{"POST", "PUT", "PATCH", "DELETE"}

// writeRequests counts the operator's write requests to the API server
// (client-go's rest_client_requests_total, every client of the process:
// reconcilers, status writers, events, leader election).
func writeRequests(samples []sample) int {
	return int(sum(samples, "rest_client_requests_total", map[string][]string{"method": writeMethods}))
}

// writesByMethod describes the write requests per method, for the log.
func writesByMethod(samples []sample) string {
	var parts []string
	for _, m := range writeMethods {
		if n := int(sum(samples, "rest_client_requests_total", map[string][]string{"method": {m}})); n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", m, n))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// peakRSSMiB is a process's peak resident set size (VmHWM) in MiB.
func peakRSSMiB(pid int) (float64, error) {
	proc, err := procfs.NewProc(pid)
	if err != nil {
		return 0, err
	}
	status, err := proc.NewStatus()
	if err != nil {
		return 0, err
	}
	return float64(status.VmHWM) / (1 << 20), nil
}

// freeAddr returns a free localhost TCP address for the operator to bind.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// requestStats are the API server's count of one kind of request and the
// seconds it spent serving them.
type requestStats struct {
	count, seconds float64
}

// apiserverRequests reads the API server's own request metrics
// (apiserver_request_total, apiserver_request_duration_seconds) and
// returns the requests by "VERB resource[/subresource]": what a phase
// cost the control plane, whoever sent it, and how long the API server
// took to answer.
func apiserverRequests(ctx context.Context, c rest.Interface) (map[string]requestStats, error) {
	data, err := c.Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, err
	}
	writes := map[string]requestStats{}
	for _, line := range strings.Split(string(data), "\n") {
		total := strings.HasPrefix(line, "apiserver_request_total{")
		if !total && !strings.HasPrefix(line, "apiserver_request_duration_seconds_sum{") {
			continue
		}
		s, ok := parseSample(line)
		if !ok {
			continue
		}
		key := s.labels["verb"] + " " + s.labels["resource"]
		if sub := s.labels["subresource"]; sub != "" {
			key += "/" + sub
		}
		st := writes[key]
		if total {
			st.count += s.value
		} else {
			st.seconds += s.value
		}
		writes[key] = st
	}
	return writes, nil
}

// requestsDelta is after minus before of the requests whose verb is one
// of verbs, and their total count.
func requestsDelta(before, after map[string]requestStats, verbs ...string) (map[string]requestStats, float64) {
	delta := map[string]requestStats{}
	total := 0.0
	for k, v := range after {
		verb, _, _ := strings.Cut(k, " ")
		if !slices.Contains(verbs, verb) {
			continue
		}
		if d := v.count - before[k].count; d > 0 {
			delta[k] = requestStats{count: d, seconds: v.seconds - before[k].seconds}
			total += d
		}
	}
	return delta, total
}

// describeRequests lists the most frequent requests with their mean
// latency, for the log.
func describeRequests(delta map[string]requestStats, top int) string {
	keys := make([]string, 0, len(delta))
	for k := range delta {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return delta[keys[i]].count > delta[keys[j]].count })
	var parts []string
	for i, k := range keys {
		if i == top {
			break
		}
		parts = append(parts, fmt.Sprintf("%s=%.0f(%.0fms)", k, delta[k].count, 1000*delta[k].seconds/delta[k].count))
	}
	return strings.Join(parts, " ")
}

// describeOperator summarises where the operator's time went: per
// controller the reconciles, their mean duration and mean wait in the
// work queue, and the mean latency of its API requests.
func describeOperator(samples []sample) string {
	mean := func(name string, want map[string][]string) float64 {
		n := sum(samples, name+"_count", want)
		if n == 0 {
			return 0
		}
		return sum(samples, name+"_sum", want) / n
	}
	var parts []string
	for _, c := range []string{"taskdefinition", "ecsservice", "ecscluster"} {
		parts = append(parts, fmt.Sprintf("%s: %.0f reconciles of %.0f ms, %.0f ms queued", c,
			reconciles(samples, c),
			1000*mean("controller_runtime_reconcile_time_seconds", map[string][]string{"controller": {c}}),
			1000*mean("workqueue_queue_duration_seconds", map[string][]string{"name": {c}})))
	}
	for _, verb := range []string{"GET", "POST", "PATCH", "PUT", "DELETE"} {
		if n := sum(samples, "rest_client_request_duration_seconds_count", map[string][]string{"verb": {verb}}); n > 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f × %.0f ms", verb, n,
				1000*mean("rest_client_request_duration_seconds", map[string][]string{"verb": {verb}})))
		}
	}
	return strings.Join(parts, "; ")
}

// processTimes is a process's CPU time (user + system) so far.
func processTimes(pid int) (time.Duration, error) {
	proc, err := procfs.NewProc(pid)
	if err != nil {
		return 0, err
	}
	stat, err := proc.Stat()
	if err != nil {
		return 0, err
	}
	return time.Duration(stat.CPUTime() * float64(time.Second)), nil
}

// cpuTimes is the CPU time each process of a phase used so far, by name.
type cpuTimes map[string]time.Duration

// cpuSnapshot reads the CPU time of every control-plane component, the
// operator (when running) and the benchmark itself: in a phase bound by
// the machine's CPU, where it goes says what to make cheaper.
func (b *bench) cpuSnapshot() cpuTimes {
	pids, err := b.cluster.ComponentPIDs()
	if err != nil {
		logf("cpu: %v", err)
		pids = map[string]int{}
	}
	if b.op != nil && b.op.Running() {
		pids["operator"] = b.op.Pid()
	}
	pids["bench"] = os.Getpid()
	times := cpuTimes{}
	for name, pid := range pids {
		if t, err := processTimes(pid); err == nil {
			times[name] = t
		}
	}
	return times
}

// describeCPU lists the CPU seconds each process used since before,
// largest first, and their total.
func describeCPU(before, after cpuTimes) string {
	type use struct {
		name string
		cpu  time.Duration
	}
	var uses []use
	var total time.Duration
	for name, t := range after {
		d := t - before[name]
		uses = append(uses, use{name, d})
		total += d
	}
	slices.SortFunc(uses, func(a, b use) int { return cmp.Compare(b.cpu, a.cpu) })
	parts := []string{fmt.Sprintf("total %.1f", total.Seconds())}
	for _, u := range uses {
		parts = append(parts, fmt.Sprintf("%s %.1f", u.name, u.cpu.Seconds()))
	}
	return strings.Join(parts, " ")
}
