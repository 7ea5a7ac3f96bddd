package corpus

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// FAQSource lists the curated questions and answers.
type FAQSource interface {
	FAQs(ctx context.Context) ([]FAQ, error)
}

// FAQ is a curated question with its verbatim answer and basis.
type FAQ struct {
	ID        int64     `json:"id"`
	Question  string    `json:"question"`
	Answer    string    `json:"answer"`
	Basis     string    `json:"basis"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks a curated answer before it is stored.
func (f *FAQ) Validate() error {
	switch {
	case strings.TrimSpace(f.Question) == "":
		return fmt.Errorf("%w: 问题 is empty", ErrInvalid)
	case strings.TrimSpace(f.Answer) == "":
		return fmt.Errorf("%w: 答案 is empty", ErrInvalid)
	case utf8.RuneCountInString(f.Answer) > 1500:
		return fmt.Errorf("%w: 答案 is longer than 1500 characters", ErrInvalid)
	}
	return nil
}

// Answer sources.
const (
	SourceFAQ        = "faq"
	SourceExtractive = "extractive"
	SourceModel      = "model"
	SourceDeclined   = "declined"
)

// Citation is one cited chunk.
type Citation struct {
	ChunkID  int64   `json:"chunk_id"`
	DocID    int64   `json:"doc_id"`
	File     string  `json:"file"`
	Title    string  `json:"title"`
	Label    string  `json:"label"`
	Score    float64 `json:"score"`
	Coverage float64 `json:"coverage"`
	Vector   float64 `json:"vector"`
}

// Answer is a reply to a question and how it was made.
type Answer struct {
	Text     string        `json:"text"`
	Answered bool          `json:"answered"`
	Source   string        `json:"source"`
	Reason   string        `json:"reason,omitempty"`
	Cited    []Citation    `json:"cited"`
	TopScore float64       `json:"top_score"`
	Model    string        `json:"model,omitempty"`
	Searched string        `json:"searched"`
	Latency  time.Duration `json:"-"`
	// Body is the reply's claim without its citations; Quoted is the
	// clause text it relies on. Every number of Body must stand in Quoted.
	Body   string `json:"-"`
	Quoted string `json:"-"`
}

// SourceClosest marks a reply that quotes the closest provision, labelled
// as not stating the answer; SourceSmallTalk a greeting's reply;
// SourceClarify a request to say what a question refers to (那第二个条件…
// with no earlier question).
const (
	SourceClosest   = "closest"
	SourceSmallTalk = "smalltalk"
	SourceClarify   = "clarify"
)
