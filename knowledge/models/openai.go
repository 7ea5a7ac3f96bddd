// Package models holds the clients of embedding and chat models: the local
// hashing embedder and OpenAI-compatible services (go-openai lives only here).
package models

import (
	"context"
	"errors"
	"net/http"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// OpenAICompleter calls an OpenAI-compatible chat endpoint (DeepSeek,
// DashScope compatible mode, Ollama, vLLM …).
type OpenAICompleter struct {
	client  *openai.Client
	model   string
	timeout time.Duration
}

// NewOpenAICompleter configures the client for baseURL.
func NewOpenAICompleter(baseURL, apiKey, model string, timeout time.Duration) *OpenAICompleter {
	cfg := openai.DefaultConfig(apiKey)
	cfg.BaseURL = baseURL
	cfg.HTTPClient = &http.Client{Timeout: timeout}
	return &OpenAICompleter{client: openai.NewClientWithConfig(cfg), model: model, timeout: timeout}
}

// Name is the model name.
func (c *OpenAICompleter) Name() string { return c.model }

// Complete sends one system and one user message, retrying 429 and 5xx
// within the timeout. A near-zero temperature keeps answers stable (zero
// itself is dropped from the request by the client library).
func (c *OpenAICompleter) Complete(ctx context.Context, system, user string) (string, error) {
	var out string
	err := withRetry(ctx, c.timeout, func(ctx context.Context) error {
		resp, err := c.client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
			Model:       c.model,
			Temperature: 0.01,
			// max_tokens, not max_completion_tokens: the compatible servers
			// this targets (DeepSeek, DashScope, Ollama, vLLM) read the former.
			MaxTokens: 800, //lint:ignore SA1019 see above
			Messages: []openai.ChatCompletionMessage{
				{Role: openai.ChatMessageRoleSystem, Content: system},
				{Role: openai.ChatMessageRoleUser, Content: user},
			},
		})
		if err != nil {
			return err
		}
		if len(resp.Choices) == 0 {
			return errors.New("the model returned no choices")
		}
		out = resp.Choices[0].Message.Content
		return nil
	})
	return out, err
}

// Ping checks the endpoint answers a tiny request.
func (c *OpenAICompleter) Ping(ctx context.Context) error {
	_, err := c.Complete(ctx, "只回答：好", "ping")
	return err
}
