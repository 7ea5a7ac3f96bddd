package knowledge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/docfile"
)

// replaced finds the active document a new one supersedes: the one with
// the same 文号; when the new one has none, the one with the same title and
// no 文号 either. A title that is only the file name matches nothing (two
// files called 附件1 are rarely the same document). same is an active
// document with the same title that is kept because the 文号 differ.
func (kb *KB) replaced(ctx context.Context, doc *corpus.Document, titleFromName bool) (old, same *corpus.Document, err error) {
	if doc.DocNumber != "" {
		old, err = kb.Store.ActiveByNumber(ctx, doc.DocNumber)
		if err == nil {
			return old, nil, nil
		}
		if !errors.Is(err, corpus.ErrNotFound) {
			return nil, nil, err
		}
	}
	if titleFromName {
		return nil, nil, nil
	}
	t, err := kb.Store.ActiveByTitle(ctx, doc.Title)
	if errors.Is(err, corpus.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if doc.DocNumber == "" && t.DocNumber == "" {
		return t, nil, nil
	}
	return nil, t, nil
}

// MetaEdit corrects a document's metadata; nil fields stay as they are.
type MetaEdit struct {
	Title, DocNumber, Issuer, Source *string
	EffectiveOn, ExpiresOn           **time.Time
}

// Empty reports whether the edit changes nothing.
func (e MetaEdit) Empty() bool {
	return e.Title == nil && e.DocNumber == nil && e.Issuer == nil && e.Source == nil && e.EffectiveOn == nil && e.ExpiresOn == nil
}

// Edit corrects an active document's metadata in place: its text and
// chunks stay; their vectors are recomputed when the title changes, since
// each chunk's vector includes the title. A 文号 another active document
// has is refused.
func (kb *KB) Edit(ctx context.Context, ref string, e MetaEdit) (before, after *corpus.Document, err error) {
	d, err := kb.Store.FindDocument(ctx, ref)
	if err != nil {
		return nil, nil, err
	}
	if d.Status != corpus.StatusActive {
		return nil, nil, fmt.Errorf("%w: 《%s》 is %s; only documents in force are edited", corpus.ErrInvalid, d.Title, d.Status)
	}
	old := *d
	if e.Title != nil {
		d.Title = strings.TrimSpace(strings.Trim(strings.TrimSpace(*e.Title), "《》"))
	}
	if e.DocNumber != nil {
		d.DocNumber = docfile.NormalizeDocNumber(*e.DocNumber)
	}
	if e.Issuer != nil {
		d.Issuer = strings.TrimSpace(*e.Issuer)
	}
	if e.Source != nil {
		d.Source = strings.TrimSpace(*e.Source)
	}
	if e.EffectiveOn != nil {
		d.EffectiveOn = *e.EffectiveOn
	}
	if e.ExpiresOn != nil {
		d.ExpiresOn = *e.ExpiresOn
	}
	if err := d.Validate(); err != nil {
		return nil, nil, err
	}
	if d.DocNumber != "" && d.DocNumber != old.DocNumber {
		other, err := kb.Store.ActiveByNumber(ctx, d.DocNumber)
		if err == nil && other.ID != d.ID {
			return nil, nil, fmt.Errorf("%w: 文号 %s already belongs to 《%s》 (id %d)", corpus.ErrInvalid, d.DocNumber, other.Title, other.ID)
		}
		if err != nil && !errors.Is(err, corpus.ErrNotFound) {
			return nil, nil, err
		}
	}
	if err := kb.Store.UpdateDocumentMeta(ctx, d, kb.editor()); err != nil {
		return nil, nil, err
	}
	if d.Title != old.Title {
		if err := kb.reembed(ctx, d); err != nil {
			return nil, nil, err
		}
	}
	return &old, d, nil
}

// reembed recomputes the vectors of a document's chunks.
func (kb *KB) reembed(ctx context.Context, d *corpus.Document) error {
	chunks, err := kb.Store.DocumentChunks(ctx, d.ID)
	if err != nil || len(chunks) == 0 {
		return err
	}
	texts := make([]string, len(chunks))
	ids := make([]int64, len(chunks))
	for i := range chunks {
		texts[i], ids[i] = corpus.IndexText(d.Title, &chunks[i]), chunks[i].ID
	}
	vectors, err := kb.embedAll(ctx, texts)
	if err != nil {
		return err
	}
	for _, mv := range vectors {
		if err := kb.Store.SaveEmbeddings(ctx, mv.Model.ID, ids, mv.Vectors); err != nil {
			return err
		}
	}
	return nil
}
