package bot_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/httpapi"
)

// BenchmarkHTTP50Chats sends questions from 50 concurrent private chats
// through the HTTP channel: router, offline answers, embedded database.
// It reports messages per second and the p95 reply latency.
func BenchmarkHTTP50Chats(b *testing.B) {
	w := newWorld(b)
	api := &httpapi.Server{Router: w.router, Token: "0123456789abcdef", Health: w.db.Ping, Metrics: bot.NewMetrics()}
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	questions := []string{"购买科技成果补助的比例是多少", "申请补助要提交什么材料", "审核结果公示几天", "专精特新小巨人怎么申报", "帮助"}
	var seq atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	per := (b.N + 49) / 50
	for c := 0; c < 50; c++ {
		wg.Add(1)
		go func(chat int) {
			defer wg.Done()
			for i := 0; i < per; i++ {
				n := seq.Add(1)
				body := fmt.Sprintf(`{"id":"bench-%d","chat_id":"chat-%d","sender_id":"u-%d","sender_name":"企业%d","text":%q}`, n, chat, chat, chat, questions[int(n)%len(questions)])
				req, _ := http.NewRequest("POST", srv.URL+"/v1/messages", bytes.NewBufferString(body))
				req.Header.Set("Authorization", "Bearer 0123456789abcdef")
				t := time.Now()
				resp, err := http.DefaultClient.Do(req)
				if err != nil || resp.StatusCode != 200 {
					b.Errorf("request: %v %v", err, resp)
					return
				}
				resp.Body.Close()
				mu.Lock()
				lat = append(lat, time.Since(t))
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "msgs/s")
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*95/100].Milliseconds()), "p95_ms")
	}
}
