package wecom

import (
	"fmt"
	"github.com/incubot/incubot/bot/wecom/wecomfake"
	"runtime"
	"slices"
	"testing"
	"time"
)

// BenchmarkWeComThroughput sends b.N questions from 50 people over the fake
// long connection and reports messages/s, the p95 from callback to the
// finished stream, and the Go heap in use after the run.
//
//	go test -run '^$' -bench WeComThroughput -benchtime 500x ./bot/wecom/
func BenchmarkWeComThroughput(b *testing.B) {
	r := newRig(b, nil)
	questions := []string{"购买科技成果补助的比例是多少？", "购买科技成果补助需要提交什么材料？", "单个项目最高补助多少？"}
	sent := make(map[string]time.Time, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		user := fmt.Sprintf("user%02d", i%50)
		req := r.fake.Text(fmt.Sprintf("bench-%d", i), user, "", questions[i%len(questions)])
		sent[req] = time.Now()
		// WeCom holds at most three questions of one person at once.
		if i%50 == 49 {
			r.waitAll(b, sent)
		}
	}
	r.waitAll(b, sent)
	elapsed := time.Since(start)
	b.StopTimer()
	var lat []time.Duration
	for req, at := range sent {
		done, _ := r.fake.Finished(req)
		lat = append(lat, done.Sub(at))
	}
	slices.Sort(lat)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(lat[len(lat)*95/100].Milliseconds()), "p95_ms")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap_MB")
}

func (r *rig) waitAll(b *testing.B, sent map[string]time.Time) {
	wecomfake.WaitFor(b, "all answers", func() bool {
		for req := range sent {
			if _, ok := r.fake.Finished(req); !ok {
				return false
			}
		}
		return true
	})
}
