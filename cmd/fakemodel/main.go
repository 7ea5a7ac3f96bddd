// Command fakemodel is a local OpenAI-compatible server for development and
// measurement: /v1/chat/completions answers from the first clause of the
// prompt (quoting it with [1], or 无法回答 without clauses) and
// /v1/embeddings returns hashed character vectors. It lets `incubot eval`
// and the demo run the model path with no network.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"log"
	"math"
	"net/http"
	"regexp"
	"strings"
)

var clause = regexp.MustCompile(`(?s)\[1\] [^\n]*\n(.*?)(?:\n\n\[2\]|\n\n</clauses>|\n</clauses>)`)

func main() {
	addr := flag.String("addr", "127.0.0.1:8089", "listen address")
	dims := flag.Int("dims", 256, "embedding size")
	flag.Parse()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model    string `json:"model"`
			Messages []struct{ Role, Content string }
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) == 0 {
			http.Error(w, `{"error":{"message":"bad request"}}`, 400)
			return
		}
		user := req.Messages[len(req.Messages)-1].Content
		answer := "无法回答"
		if m := clause.FindStringSubmatch(user); m != nil {
			first := strings.SplitAfterN(strings.TrimSpace(m[1]), "。", 2)[0]
			answer = "根据条款：" + first + "[1]"
		} else if !strings.Contains(user, "<clauses>") {
			answer = user // a rewrite request: return the follow-up as asked
		}
		json.NewEncoder(w).Encode(map[string]any{
			"id": "fake", "object": "chat.completion", "model": req.Model,
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop", "message": map[string]string{"role": "assistant", "content": answer}}},
		})
	})
	mux.HandleFunc("POST /v1/embeddings", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Input []string `json:"input"`
			Model string   `json:"model"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":{"message":"bad request"}}`, 400)
			return
		}
		var data []map[string]any
		for i, s := range req.Input {
			v := make([]float64, *dims)
			rs := []rune(s)
			for j := 0; j+1 < len(rs); j++ {
				h := fnv.New32a()
				h.Write([]byte(string(rs[j : j+2])))
				v[h.Sum32()%uint32(*dims)]++
			}
			var n float64
			for _, x := range v {
				n += x * x
			}
			out := make([]float32, *dims)
			for j, x := range v {
				if n > 0 {
					out[j] = float32(x / math.Sqrt(n))
				}
			}
			data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": out})
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model})
	})
	fmt.Println("fake OpenAI-compatible model on http://" + *addr + "/v1")
	log.Fatal(http.ListenAndServe(*addr, mux))
}
