package models

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
)

// Embedder turns texts into vectors. Name identifies the model in the store:
// vectors of different names are never compared.
type Embedder interface {
	Name() string
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// LocalEmbedder is the default, model-free embedder: hashed character
// unigram, bigram and trigram features with sublinear weights, L2-normalised.
// It is deterministic and needs no network.
type LocalEmbedder struct{ Dims int }

var _ Embedder = LocalEmbedder{}

// LocalDims is the local embedder's vector size.
const LocalDims = 384

// NewLocalEmbedder returns the local embedder.
func NewLocalEmbedder() LocalEmbedder { return LocalEmbedder{Dims: LocalDims} }

// Name includes the version and size: a change to the features is a new model.
func (e LocalEmbedder) Name() string { return fmt.Sprintf("local-hash-v1-%d", e.Dims) }

// Embed never fails.
func (e LocalEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = e.vector(t)
	}
	return out, nil
}

func (e LocalEmbedder) vector(text string) []float32 {
	rs := make([]rune, 0, len(text))
	for _, r := range text {
		if unicode.Is(unicode.Han, r) || unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, unicode.ToLower(r))
		} else {
			rs = append(rs, ' ')
		}
	}
	// Each gram's FNV-1a hash of its UTF-8 bytes, shifted left one bit
	// with the low bit set for a unigram (weight 0.5, else 1). Sorted,
	// equal hashes lie together and their weights add up: a sort is about
	// twice as fast as counting in a map.
	grams := make([]uint64, 0, 3*len(rs))
	var buf [utf8.UTFMax]byte
	for i := range rs {
		h := uint32(fnvOffset32)
		for n := 0; n < 3 && i+n < len(rs) && rs[i+n] != ' '; n++ {
			for _, c := range utf8.AppendRune(buf[:0], rs[i+n]) {
				h = (h ^ uint32(c)) * fnvPrime32
			}
			unigram := uint64(0)
			if n == 0 {
				unigram = 1
			}
			grams = append(grams, uint64(h)<<1|unigram)
		}
	}
	slices.Sort(grams)
	v := make([]float64, e.Dims)
	for i := 0; i < len(grams); {
		k := uint32(grams[i] >> 1)
		c := 0.0
		for ; i < len(grams) && uint32(grams[i]>>1) == k; i++ {
			if grams[i]&1 == 1 {
				c += 0.5
			} else {
				c++
			}
		}
		idx := int(k % uint32(e.Dims))
		sign := 1.0
		if (k>>16)&1 == 1 {
			sign = -1
		}
		v[idx] += sign * (1 + math.Log(c))
	}
	return normalize(v)
}

// FNV-1a, 32 bits (hash/fnv's New32a, computed in place).
const (
	fnvOffset32 = 2166136261
	fnvPrime32  = 16777619
)

func normalize(v []float64) []float32 {
	var sum float64
	for _, x := range v {
		sum += x * x
	}
	out := make([]float32, len(v))
	if sum == 0 {
		return out
	}
	n := math.Sqrt(sum)
	for i, x := range v {
		out[i] = float32(x / n)
	}
	return out
}

// OpenAIEmbedder calls an OpenAI-compatible embeddings endpoint.
type OpenAIEmbedder struct {
	client  *openai.Client
	model   string
	dims    int
	batch   int
	timeout time.Duration
}

var _ Embedder = (*OpenAIEmbedder)(nil)

// NewOpenAIEmbedder configures the client; dims 0 accepts what the model
// returns, as long as it stays the same.
func NewOpenAIEmbedder(baseURL, apiKey, model string, dims, batch int, timeout time.Duration) *OpenAIEmbedder {
	cfg := openai.DefaultConfig(apiKey)
	cfg.BaseURL = baseURL
	cfg.HTTPClient = &http.Client{Timeout: timeout}
	return &OpenAIEmbedder{client: openai.NewClientWithConfig(cfg), model: model, dims: dims, batch: max(1, batch), timeout: timeout}
}

// Name is the model as the endpoint names it.
func (e *OpenAIEmbedder) Name() string { return "openai:" + e.model }

// Embed sends the texts in batches, retrying on 429 and 5xx with backoff,
// and checks that every vector has the expected size.
func (e *OpenAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += e.batch {
		end := min(len(texts), start+e.batch)
		var resp openai.EmbeddingResponse
		err := withRetry(ctx, e.timeout, func(ctx context.Context) error {
			var err error
			resp, err = e.client.CreateEmbeddings(ctx, openai.EmbeddingRequest{Input: texts[start:end], Model: openai.EmbeddingModel(e.model)})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("embeddings: %w", err)
		}
		if len(resp.Data) != end-start {
			return nil, fmt.Errorf("embeddings: asked for %d vectors, got %d", end-start, len(resp.Data))
		}
		batch := make([][]float32, end-start)
		for _, d := range resp.Data {
			if d.Index < 0 || d.Index >= len(batch) || batch[d.Index] != nil {
				return nil, fmt.Errorf("embeddings: response has a bad index %d", d.Index)
			}
			if e.dims == 0 {
				e.dims = len(d.Embedding)
			}
			if len(d.Embedding) != e.dims || e.dims > 2000 {
				return nil, fmt.Errorf("embeddings: model %s returned %d dimensions, expected %d (INCUBOT_EMBED_DIMENSIONS; at most 2000)", e.model, len(d.Embedding), e.dims)
			}
			batch[d.Index] = d.Embedding
		}
		out = append(out, batch...)
	}
	return out, nil
}

// ModelError is a model call that failed after retries; Status is the last
// HTTP status, 0 for a network error or timeout.
type ModelError struct {
	Status int
	Err    error
}

func (e *ModelError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("model service answered HTTP %d: %v", e.Status, e.Err)
	}
	return fmt.Sprintf("model service unreachable: %v", e.Err)
}

func (e *ModelError) Unwrap() error { return e.Err }

// withRetry runs call under one overall deadline, retrying 429, 5xx and
// network errors with exponential backoff and jitter; other errors end it.
func withRetry(ctx context.Context, timeout time.Duration, call func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	wait := 300 * time.Millisecond
	var last error
	for attempt := 0; attempt < 4; attempt++ {
		err := call(ctx)
		if err == nil {
			return nil
		}
		status := httpStatus(err)
		last = &ModelError{Status: status, Err: err}
		retryable := status == 429 || status >= 500 || status == 0
		if !retryable || ctx.Err() != nil {
			return last
		}
		jitter := time.Duration(rand.Int64N(int64(wait / 2)))
		select {
		case <-ctx.Done():
			return last
		case <-time.After(wait + jitter):
		}
		wait *= 2
	}
	return last
}

func httpStatus(err error) int {
	var ae *openai.APIError
	if errors.As(err, &ae) {
		return ae.HTTPStatusCode
	}
	var re *openai.RequestError
	if errors.As(err, &re) {
		return re.HTTPStatusCode
	}
	return 0
}
