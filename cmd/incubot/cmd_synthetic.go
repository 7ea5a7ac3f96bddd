package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/incubot/incubot/internal/procmem"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/docfile"
	"github.com/incubot/incubot/knowledge/eval"
)

// synthWords is policy vocabulary for generated documents.
var synthWords = strings.Fields(`企业 科技 创新 研发 费用 补助 资金 申报 认定 孵化器 众创空间 高新技术 成果 转化 专利 知识产权
技术 合同 登记 税收 优惠 减免 项目 管理 办法 条件 材料 审核 公示 期限 年度 报告 考核 评价 服务 平台 人才 引进 培养 奖励
财政 部门 科学技术局 市场 监督 投资 融资 风险 补偿 贷款 贴息 设备 仪器 共享 开放 实验室 中心 园区 产业 集群 数字 经济
智能 制造 新材料 生物 医药 能源 环保 农业 乡村 振兴 标准 质量 品牌 国际 合作 交流 高校 院所 协同 攻关 揭榜 挂帅 首台 套
保险 采购 示范 应用 场景 推广 统计 信息 公开 监督 检查 违规 责任 追究 退回 取消 资格 失信 惩戒 申请人 法定代表人 营业执照`)

// corpusSentences reads the sentences of the documents in dir, so that
// generated text has the vocabulary of real policy documents.
func corpusSentences(dir string) ([]string, error) {
	files, failed := knowledge.Files([]string{dir})
	if len(failed) > 0 {
		return nil, failed[0].Err
	}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		p, err := docfile.Parse(context.Background(), filepath.Base(f), data)
		if err != nil {
			continue
		}
		for _, s := range strings.SplitAfter(strings.ReplaceAll(p.Text, "\n", ""), "。") {
			if s = strings.TrimSpace(s); len([]rune(s)) >= 8 {
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no sentences in %s", dir)
	}
	return out, nil
}

// evalSynthetic ingests n generated chunks into a scratch database and
// measures ingest rate, retrieval latency and peak memory. With a corpus,
// chunks are random sentences of it (real vocabulary); without one, random
// phrases of a small policy vocabulary (every term common: a worst case).
func evalSynthetic(ctx context.Context, a *app, n int, corpus string, asJSON bool) error {
	var real []string
	if corpus != "" {
		var err error
		if real, err = corpusSentences(corpus); err != nil {
			return err
		}
	}
	db, cleanup, err := a.scratchDB(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	kb := a.kbOn(db)
	rng := rand.New(rand.NewPCG(7, 42))
	sentence := func() string {
		if real != nil {
			return real[rng.IntN(len(real))]
		}
		k := 8 + rng.IntN(10)
		var b strings.Builder
		for i := 0; i < k; i++ {
			b.WriteString(synthWords[rng.IntN(len(synthWords))])
			if rng.IntN(7) == 0 {
				b.WriteString(strconv.Itoa(1 + rng.IntN(500)))
				b.WriteString([]string{"万元", "%", "个工作日", "家", "年"}[rng.IntN(5)])
			}
		}
		return b.String() + "。"
	}
	const perDoc = 50
	docs := (n + perDoc - 1) / perDoc
	var samples []string
	bar := newProgress(a.stderr, "synthetic ingest", n)
	start := time.Now()
	// A bulk load: chunks and vectors are written first, the term
	// statistics and each HNSW index built once at the end (counted in the
	// ingest time).
	if err := db.BeginBulkLoad(ctx); err != nil {
		return err
	}
	// Documents are made in order (the same corpus every run) and stored
	// by as many workers as the pool has connections: a document's parsing
	// and embedding overlap another's writing. The embedded server has one.
	workers := 1
	if !db.Embedded() {
		workers = int(min(db.MaxConns(), 8))
	}
	type job struct {
		name string
		text []byte
	}
	jobs := make(chan job)
	var (
		mu       sync.Mutex
		chunks   int
		firstErr error
	)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				res := kb.Add(ctx, j.name, j.text, knowledge.AddOptions{})
				mu.Lock()
				if res.Err != nil && firstErr == nil {
					firstErr = res.Err
				}
				chunks += res.Chunks
				bar.set(chunks, "")
				mu.Unlock()
			}
		}()
	}
	var peakHeap uint64
	made := 0
	for d := 0; d < docs && made < n; d++ {
		var b strings.Builder
		fmt.Fprintf(&b, "# 合成政策文件第%d号\n\n", d+1)
		for c := 0; c < perDoc && made+c < n; c++ {
			fmt.Fprintf(&b, "第%d条 %s%s%s\n", c+1, sentence(), sentence(), sentence())
		}
		made += min(perDoc, n-made)
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		jobs <- job{fmt.Sprintf("synthetic-%06d.txt", d+1), []byte(b.String())}
		if d%7 == 0 {
			samples = append(samples, sentence())
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peakHeap = max(peakHeap, ms.HeapInuse)
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	// Progress goes to stderr, so it shows with --json too.
	bar.done()
	loaded := time.Since(start)
	fmt.Fprintf(a.stderr, "counting terms and building the vector index…\n")
	if err := db.EndBulkLoad(ctx); err != nil {
		return err
	}
	if err := kb.FinishIngest(ctx); err != nil {
		return err
	}
	ingest := time.Since(start)
	r := a.retrieverOn(db)
	var lat []float64
	queries := samples
	if len(queries) > 200 {
		queries = queries[:200]
	}
	for _, q := range queries {
		t := time.Now()
		if _, err := r.Search(ctx, q, 5); err != nil {
			return err
		}
		lat = append(lat, float64(time.Since(t).Microseconds())/1000)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	peakHeap = max(peakHeap, ms.HeapInuse)
	out := map[string]any{
		"chunks":               chunks,
		"ingest_seconds":       round1(ingest.Seconds()),
		"ingest_chunks_per_s":  round1(float64(chunks) / ingest.Seconds()),
		"index_seconds":        round1((ingest - loaded).Seconds()),
		"queries":              len(lat),
		"latency_p50_ms":       eval.Percentile(lat, 50),
		"latency_p95_ms":       eval.Percentile(lat, 95),
		"go_peak_heap_mb":      round1(float64(peakHeap) / (1 << 20)),
		"go_sys_mb":            round1(float64(ms.Sys) / (1 << 20)),
		"process_peak_rss_mb":  round1(float64(procmem.PeakKB("self")) / 1024),
		"database_peak_rss_mb": round1(float64(databasePeakKB()) / 1024),
	}
	if asJSON {
		return json.NewEncoder(a.stdout).Encode(out)
	}
	for _, k := range []string{"chunks", "ingest_seconds", "ingest_chunks_per_s", "index_seconds", "queries", "latency_p50_ms", "latency_p95_ms", "go_peak_heap_mb", "go_sys_mb", "process_peak_rss_mb", "database_peak_rss_mb"} {
		a.printf("%-22s %v\n", k, out[k])
	}
	return nil
}

// startCPUProfile profiles the process's CPU into path until stop.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func round1(x float64) float64 { return float64(int(x*10+0.5)) / 10 }

// databasePeakKB is the peak memory of the embedded database servers this
// process started (its node children).
func databasePeakKB() int {
	total := 0
	for _, pid := range procmem.Children("self") {
		total += procmem.PeakKB(pid)
	}
	return total
}
