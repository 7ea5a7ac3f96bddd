// Package knowledge owns the policy corpus: parsing documents, chunking them
// by 章/节/条, tokenizing and embedding, hybrid retrieval, answers with
// citations, and the evaluation harness.
package corpus

import (
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/knowledge/zh"
)

// Document statuses.
const (
	StatusActive     = "active"
	StatusSuperseded = "superseded"
	StatusRetired    = "retired"
)

// Errors a caller can test for.
var (
	ErrInvalid     = model.ErrInvalid
	ErrNotFound    = model.ErrNotFound
	ErrUnsupported = errors.New("unsupported file type")
	ErrNoText      = errors.New("no text")
	ErrTooLarge    = errors.New("file too large")
)

// Document is one policy document and its metadata.
type Document struct {
	ID          int64
	Title       string
	DocNumber   string // 文号, e.g. 国科发火〔2016〕32号
	Issuer      string
	EffectiveOn *time.Time
	ExpiresOn   *time.Time
	Source      string
	FileName    string
	Hash        string
	Status      string
	ReplacedBy  *int64
	CreatedAt   time.Time
	Chunks      int // number of chunks, when listed
}

// Validate checks the fields a stored document needs.
func (d *Document) Validate() error {
	switch {
	case strings.TrimSpace(d.Title) == "":
		return fmt.Errorf("%w: document has no title", ErrInvalid)
	case utf8.RuneCountInString(d.Title) > 300:
		return fmt.Errorf("%w: title longer than 300 characters", ErrInvalid)
	case d.Hash == "":
		return fmt.Errorf("%w: document has no content hash", ErrInvalid)
	case d.EffectiveOn != nil && d.ExpiresOn != nil && d.ExpiresOn.Before(*d.EffectiveOn):
		return fmt.Errorf("%w: expiry date before effective date", ErrInvalid)
	}
	return nil
}

// ValidOn reports whether the document may be cited on day.
func (d *Document) ValidOn(day time.Time) bool {
	if d.Status != StatusActive {
		return false
	}
	if d.EffectiveOn != nil && day.Before(*d.EffectiveOn) {
		return false
	}
	if d.ExpiresOn != nil && day.After(*d.ExpiresOn) {
		return false
	}
	return true
}

// Citation renders 《标题》（文号）.
func (d *Document) Citation() string {
	s := "《" + strings.Trim(d.Title, "《》") + "》"
	if d.DocNumber != "" && !strings.Contains(d.Title, d.DocNumber) {
		s += "（" + d.DocNumber + "）"
	}
	return s
}

// Chunk is one retrievable piece of a document: an article (条), a section
// (一、), an item, a table row, or a part of a long one.
type Chunk struct {
	ID         int64
	DocumentID int64
	Ordinal    int
	Heading    string // heading path, e.g. "第二章 认定条件"
	Article    string // label as written: 第十一条, 一, （三）, 5, 表格第3行
	Body       string
	Part       int // 0 for a whole unit; 1.. for the parts of a split one
}

// ContinuedMark opens the body of a later part of a split article
// (（第十一条续）), which repeats the article's lead-in for context.
func ContinuedMark(article string) string { return "（" + article + "续）" }

// Continues reports whether the chunk is a later part of a split article.
// Part is not stored; the mark its body opens with is.
func (c *Chunk) Continues() bool {
	return c.Part > 1 || c.Article != "" && strings.HasPrefix(c.Body, ContinuedMark(c.Article))
}

// Label renders the article label for a citation: 第十一条, 第一部分, 第5项.
func (c *Chunk) Label() string {
	switch a := c.Article; {
	case a == "":
		return ""
	case strings.HasPrefix(a, "第") || strings.HasPrefix(a, "（") || strings.HasPrefix(a, "表"):
		return a
	case zh.IsNumeral(a):
		return "第" + a + "部分"
	default:
		return "第" + a + "项"
	}
}

// IndexText is what the embedder sees: the document title and heading path
// give every chunk its context.
func IndexText(title string, c *Chunk) string {
	return title + "\n" + LexicalText(c)
}

// LexicalText is what the chunk's own lexical tokens are made of; the title's
// tokens are stored once per document.
func LexicalText(c *Chunk) string {
	return c.Heading + "\n" + c.Article + " " + c.Body
}

// ChunkTokens yields a chunk's lexical tokens, as stored at ingest and
// counted again when BM25 scores it.
func ChunkTokens(c *Chunk) iter.Seq[string] { return zh.Tokens(LexicalText(c)) }
