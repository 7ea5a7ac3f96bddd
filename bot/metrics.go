package bot

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"time"
)

// Metrics counts what Prometheus scrapes from /metrics. A nil *Metrics
// counts nothing.
type Metrics struct {
	mu        sync.Mutex
	inbound   map[string]int64
	outbound  map[string]int64
	declined  int64
	answers   int64
	failures  int64
	buckets   []float64 // seconds
	counts    []int64
	sum       float64
	LoginUp   func() float64 // 1 when the WeChat session is logged in
	OutboxLen func() int
	// ChannelUp reports, per channel with a connection of its own (wecom),
	// 1 while it is connected and authenticated. Set before serving.
	ChannelUp map[string]func() float64
	events    map[[2]string]int64
}

// NewMetrics makes a metrics set with answer-latency buckets.
func NewMetrics() *Metrics {
	b := []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30}
	return &Metrics{inbound: map[string]int64{}, outbound: map[string]int64{}, events: map[[2]string]int64{}, buckets: b, counts: make([]int64, len(b))}
}

func (m *Metrics) in(channel string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.inbound[channel]++
	m.mu.Unlock()
}

func (m *Metrics) out(channel string, n int) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.outbound[channel] += int64(n)
	m.mu.Unlock()
}

// ChannelEvent counts an event of a channel's connection or protocol:
// reconnect, displaced, bad_frame, busy, send_failed, feedback …
func (m *Metrics) ChannelEvent(channel, event string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.events[[2]string{channel, event}]++
	m.mu.Unlock()
}

func (m *Metrics) failed() {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.failures++
	m.mu.Unlock()
}

func (m *Metrics) answered(d time.Duration, ok bool) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answers++
	if !ok {
		m.declined++
	}
	s := d.Seconds()
	m.sum += s
	for i, b := range m.buckets {
		if s <= b {
			m.counts[i]++
		}
	}
}

// Write prints the metrics in the Prometheus text format.
func (m *Metrics) Write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	counter := func(name, help string, byChannel map[string]int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", name, help, name)
		var keys []string
		for k := range byChannel {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "%s{channel=%q} %d\n", name, k, byChannel[k])
		}
	}
	counter("incubot_messages_in_total", "Inbound messages recorded.", m.inbound)
	counter("incubot_messages_out_total", "Replies queued or delivered.", m.outbound)
	fmt.Fprintf(w, "# HELP incubot_answers_declined_total Questions the corpus did not cover.\n# TYPE incubot_answers_declined_total counter\nincubot_answers_declined_total %d\n", m.declined)
	fmt.Fprintf(w, "# HELP incubot_handling_failures_total Messages whose handling failed.\n# TYPE incubot_handling_failures_total counter\nincubot_handling_failures_total %d\n", m.failures)
	fmt.Fprintf(w, "# HELP incubot_answer_latency_seconds Time to answer a question.\n# TYPE incubot_answer_latency_seconds histogram\n")
	for i, b := range m.buckets {
		fmt.Fprintf(w, "incubot_answer_latency_seconds_bucket{le=\"%g\"} %d\n", b, m.counts[i])
	}
	fmt.Fprintf(w, "incubot_answer_latency_seconds_bucket{le=\"+Inf\"} %d\nincubot_answer_latency_seconds_sum %g\nincubot_answer_latency_seconds_count %d\n", m.answers, m.sum, m.answers)
	if m.OutboxLen != nil {
		fmt.Fprintf(w, "# HELP incubot_outbox_depth Replies waiting to be sent.\n# TYPE incubot_outbox_depth gauge\nincubot_outbox_depth %d\n", m.OutboxLen())
	}
	if len(m.events) > 0 {
		fmt.Fprintf(w, "# HELP incubot_channel_events_total Connection and protocol events per channel.\n# TYPE incubot_channel_events_total counter\n")
		var keys [][2]string
		for k := range m.events {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i][0] != keys[j][0] {
				return keys[i][0] < keys[j][0]
			}
			return keys[i][1] < keys[j][1]
		})
		for _, k := range keys {
			fmt.Fprintf(w, "incubot_channel_events_total{channel=%q,event=%q} %d\n", k[0], k[1], m.events[k])
		}
	}
	if len(m.ChannelUp) > 0 {
		fmt.Fprintf(w, "# HELP incubot_channel_up 1 while the channel's connection is up and authenticated.\n# TYPE incubot_channel_up gauge\n")
		var keys []string
		for k := range m.ChannelUp {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "incubot_channel_up{channel=%q} %g\n", k, m.ChannelUp[k]())
		}
	}
	if m.LoginUp != nil {
		fmt.Fprintf(w, "# HELP incubot_wechat_logged_in 1 when the WeChat session is logged in.\n# TYPE incubot_wechat_logged_in gauge\nincubot_wechat_logged_in %g\n", m.LoginUp())
	}
}
