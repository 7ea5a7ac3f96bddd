package docfile

import "context"
import (
	"github.com/incubot/incubot/knowledge/corpus"
)

// Preview is what adding a file would index, read without storing it: an
// officer confirms it before it enters the corpus.
type Preview struct {
	Meta
	Chunks        int
	TitleFromName bool     // nothing in the file gave a title
	OCR           *OCRInfo // set when the text came from OCR
}

// PreviewFile reads a file as Add does (same limits, converters, metadata
// and chunking) and says what it would index.
func PreviewFile(ctx context.Context, name string, data []byte, maxSize int64) (*Preview, error) {
	if maxSize > 0 && int64(len(data)) > maxSize {
		return nil, Refuse(RefuseTooLarge, corpus.ErrTooLarge, SizeText(int64(len(data)))+"，上限 "+SizeText(maxSize))
	}
	p, err := Parse(ctx, name, data)
	if err != nil {
		return nil, err
	}
	meta := p.Meta
	RecognizeTitle(&meta)
	meta.DocNumber = NormalizeDocNumber(meta.DocNumber)
	n := len(Split(p.Text, p.Tables))
	if n == 0 {
		return nil, Refuse(RefuseEmpty, corpus.ErrNoText, "")
	}
	return &Preview{Meta: meta, Chunks: n, TitleFromName: p.TitleFromName, OCR: p.OCR}, nil
}
