// Command loadgen measures incubot serve: concurrent chats post questions to
// the HTTP API; it prints messages per second, reply latency percentiles
// and, given the server's pid, the peak memory of it and its children (the
// embedded database).
//
//	INCUBOT_HTTP_TOKEN=0123456789abcdef0123 incubot serve --http 127.0.0.1:18080 &
//	go run ./cmd/loadgen -url http://127.0.0.1:18080 -token 0123456789abcdef0123 -pid $!
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/incubot/incubot/internal/procmem"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "incubot HTTP API")
	token := flag.String("token", os.Getenv("INCUBOT_HTTP_TOKEN"), "bearer token")
	chats := flag.Int("chats", 50, "concurrent private chats")
	per := flag.Int("messages", 20, "messages per chat")
	pid := flag.Int("pid", 0, "pid of incubot serve, to report its peak memory")
	flag.Parse()
	questions := []string{"购买科技成果补助的比例是多少", "申请补助要提交什么材料", "高企认定奖励多少钱", "专精特新小巨人怎么申报", "帮助"}
	var mu sync.Mutex
	var lat []time.Duration
	failed := 0
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < *chats; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; i < *per; i++ {
				body := fmt.Sprintf(`{"id":"load-%d-%d-%d","chat_id":"chat-%d","sender_id":"u-%d","sender_name":"企业%d","text":%q}`,
					start.UnixNano(), c, i, c, c, c, questions[(c+i)%len(questions)])
				req, _ := http.NewRequest("POST", *url+"/v1/messages", bytes.NewBufferString(body))
				req.Header.Set("Authorization", "Bearer "+*token)
				t := time.Now()
				resp, err := http.DefaultClient.Do(req)
				d := time.Since(t)
				mu.Lock()
				if err != nil || resp.StatusCode != 200 {
					failed++
				} else {
					lat = append(lat, d)
				}
				mu.Unlock()
				if resp != nil {
					resp.Body.Close()
				}
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(lat) == 0 {
		fmt.Fprintf(os.Stderr, "loadgen: no request succeeded (%d failed)\n", failed)
		os.Exit(1)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Printf("messages %d, failed %d, %.1f msgs/s, p50 %v, p95 %v\n", len(lat), failed,
		float64(len(lat))/elapsed.Seconds(), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*95/100].Round(time.Millisecond))
	if *pid > 0 {
		p := strconv.Itoa(*pid)
		fmt.Printf("serve peak RSS %d kB\n", procmem.PeakKB(p))
		for _, child := range procmem.Children(p) {
			fmt.Printf("child %s (embedded database) peak RSS %d kB\n", child, procmem.PeakKB(child))
		}
	}
}
