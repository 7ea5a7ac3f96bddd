package knowledge

import (
	"context"
	"errors"
	"fmt"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/docfile"
	"github.com/incubot/incubot/knowledge/models"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// KB adds, replaces, retires and re-embeds policy documents.
type KB struct {
	Store       corpus.Store
	Local       models.LocalEmbedder
	Embedder    models.Embedder // the configured embedder; the local one when no model is set
	MaxFileSize int64
	Log         *slog.Logger
	// By is who makes the changes (the audit log's actor).
	By corpus.Editor
}

// Outcomes of adding one file.
const (
	Added     = "added"
	Unchanged = "unchanged"
	Replaced  = "replaced"
	Failed    = "failed"
)

// AddOptions carry metadata from flags, which wins over what the file says,
// and an explicit document to replace.
type AddOptions struct {
	Meta     docfile.Meta
	Replaces string
}

// AddResult is what happened to one file.
type AddResult struct {
	Path     string
	Outcome  string
	Doc      *corpus.Document
	Replaced *corpus.Document
	Chunks   int
	Err      error
	// TitleFromName: the file said nothing of its title; its name stands in.
	TitleFromName bool
	// Via names the converter used; OCR says the text was recognised.
	Via string
	OCR *docfile.OCRInfo
	// SameTitle is an active document with the same title that was not
	// replaced because the 文号 differ (or only one has a 文号).
	SameTitle *corpus.Document
}

// Files expands paths: files as given, directories walked in name order
// (hidden entries skipped). Unreadable entries come back as failures.
func Files(paths []string) ([]string, []AddResult) {
	var files []string
	var failed []AddResult
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			failed = append(failed, AddResult{Path: p, Outcome: Failed, Err: err})
			continue
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				failed = append(failed, AddResult{Path: path, Outcome: Failed, Err: err})
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") && path != p {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() {
				files = append(files, path)
			}
			return nil
		})
	}
	return files, failed
}

// AddFile reads and adds one file.
func (kb *KB) AddFile(ctx context.Context, path string, opts AddOptions) AddResult {
	res := AddResult{Path: path, Outcome: Failed}
	data, err := docfile.ReadFile(path, kb.MaxFileSize)
	if err != nil {
		res.Err = err
		return res
	}
	res = kb.Add(ctx, filepath.Base(path), data, opts)
	res.Path = path
	return res
}

// Add parses, chunks, embeds and stores one document. Content already
// indexed changes nothing; the document with the same 文号 (or, when neither
// has one, the same title; or the one named in opts.Replaces) is superseded
// in the same transaction.
func (kb *KB) Add(ctx context.Context, name string, data []byte, opts AddOptions) AddResult {
	res := AddResult{Path: name, Outcome: Failed}
	if kb.MaxFileSize > 0 && int64(len(data)) > kb.MaxFileSize {
		res.Err = docfile.Refuse(docfile.RefuseTooLarge, corpus.ErrTooLarge, docfile.SizeText(int64(len(data)))+"，上限 "+docfile.SizeText(kb.MaxFileSize))
		return res
	}
	p, err := docfile.Parse(ctx, name, data)
	if err != nil {
		res.Err = err
		return res
	}
	res.TitleFromName, res.Via, res.OCR = p.TitleFromName && opts.Meta.Title == "", p.Via, p.OCR
	meta := opts.Meta
	meta.Merge(p.Meta)
	docfile.RecognizeTitle(&meta)
	meta.DocNumber = docfile.NormalizeDocNumber(meta.DocNumber)
	doc := &corpus.Document{
		Title: meta.Title, DocNumber: meta.DocNumber, Issuer: meta.Issuer, Source: meta.Source,
		EffectiveOn: meta.EffectiveOn, ExpiresOn: meta.ExpiresOn, FileName: name, Hash: p.Hash, Status: corpus.StatusActive,
	}
	if err := doc.Validate(); err != nil {
		res.Err = err
		return res
	}
	if old, err := kb.Store.ActiveByHash(ctx, p.Hash); err == nil {
		res.Outcome, res.Doc = Unchanged, old
		return res
	} else if !errors.Is(err, corpus.ErrNotFound) {
		res.Err = err
		return res
	}
	var replaces *corpus.Document
	if opts.Replaces != "" {
		old, err := kb.Store.FindDocument(ctx, opts.Replaces)
		if err != nil {
			res.Err = fmt.Errorf("--replaces %q: %w", opts.Replaces, err)
			return res
		}
		if old.Status != corpus.StatusActive {
			res.Err = fmt.Errorf("%w: --replaces %q names a document that is already %s", corpus.ErrInvalid, opts.Replaces, old.Status)
			return res
		}
		replaces = old
	} else if replaces, res.SameTitle, err = kb.replaced(ctx, doc, res.TitleFromName); err != nil {
		res.Err = err
		return res
	}
	chunks := docfile.Split(p.Text, p.Tables)
	if len(chunks) == 0 {
		res.Err = fmt.Errorf("%w: no text to index", corpus.ErrNoText)
		return res
	}
	indexed := make([]corpus.IndexedChunk, len(chunks))
	texts := make([]string, len(chunks))
	for i := range chunks {
		texts[i] = corpus.IndexText(doc.Title, &chunks[i])
		indexed[i] = corpus.IndexedChunk{Chunk: chunks[i], Tokens: slices.Collect(corpus.ChunkTokens(&chunks[i])), Instruction: docfile.ReadsAsInstruction(chunks[i].Body)}
	}
	vectors, err := kb.embedAll(ctx, texts)
	if err != nil {
		res.Err = err
		return res
	}
	var replacesID int64
	if replaces != nil {
		replacesID = replaces.ID
	}
	if err := kb.Store.SaveDocument(ctx, doc, corpus.DocumentPlaces(doc.Title, doc.DocNumber), indexed, vectors, replacesID, kb.editor()); err != nil {
		res.Err = err
		return res
	}
	res.Outcome, res.Doc, res.Chunks, res.Replaced = Added, doc, len(chunks), replaces
	if replaces != nil {
		res.Outcome = Replaced
	}
	return res
}

// embedAll embeds texts with the local embedder and, when another is
// configured, with that one too.
func (kb *KB) embedAll(ctx context.Context, texts []string) ([]corpus.ModelVectors, error) {
	var out []corpus.ModelVectors
	for _, e := range kb.embedders() {
		vs, err := e.Embed(ctx, texts)
		if err != nil {
			return nil, err
		}
		if len(vs) == 0 {
			continue
		}
		m, err := kb.Store.EnsureModel(ctx, e.Name(), len(vs[0]))
		if err != nil {
			return nil, err
		}
		out = append(out, corpus.ModelVectors{Model: m, Vectors: vs})
	}
	return out, nil
}

// FinishIngest marks each model ready when every active chunk has its
// vector; call it after a batch of adds.
func (kb *KB) FinishIngest(ctx context.Context) error {
	for _, e := range kb.embedders() {
		m, err := kb.Store.Model(ctx, e.Name())
		if errors.Is(err, corpus.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		missing, err := kb.Store.MissingEmbeddings(ctx, m.ID, 1)
		if err != nil {
			return err
		}
		if err := kb.Store.SetModelReady(ctx, m.ID, len(missing) == 0); err != nil {
			return err
		}
	}
	return nil
}

func (kb *KB) embedders() []models.Embedder {
	es := []models.Embedder{kb.Local}
	if kb.Embedder != nil && kb.Embedder.Name() != kb.Local.Name() {
		es = append(es, kb.Embedder)
	}
	return es
}

// Reindex embeds, with the configured model, every active chunk that has no
// vector of it yet, in batches; progress gets done and total after each. It
// can be interrupted and run again: it resumes where it stopped. Until it has
// finished, retrieval keeps using the vectors it had.
func (kb *KB) Reindex(ctx context.Context, batch int, progress func(done, total int)) (int, error) {
	done := 0
	for _, e := range kb.embedders() {
		probe, err := e.Embed(ctx, []string{"维度探测"})
		if err != nil {
			return done, err
		}
		m, err := kb.Store.EnsureModel(ctx, e.Name(), len(probe[0]))
		if err != nil {
			return done, err
		}
		all, err := kb.Store.MissingEmbeddings(ctx, m.ID, 1<<30)
		if err != nil {
			return done, err
		}
		total := len(all)
		for start := 0; start < len(all); start += batch {
			part := all[start:min(len(all), start+batch)]
			texts := make([]string, len(part))
			ids := make([]int64, len(part))
			for i, c := range part {
				texts[i], ids[i] = corpus.IndexText(c.Title, &c.Chunk), c.ID
			}
			vs, err := e.Embed(ctx, texts)
			if err != nil {
				return done, err
			}
			if err := kb.Store.SaveEmbeddings(ctx, m.ID, ids, vs); err != nil {
				return done, err
			}
			done += len(part)
			if progress != nil {
				progress(start+len(part), total)
			}
		}
		if err := kb.Store.SetModelReady(ctx, m.ID, true); err != nil {
			return done, err
		}
	}
	return done, nil
}

func (kb *KB) editor() corpus.Editor {
	if kb.By.Name == "" {
		return corpus.Editor{Name: "incubot kb", Role: "officer", Channel: "cli"}
	}
	return kb.By
}

// Retire ends a document: it is never retrieved or cited again.
func (kb *KB) Retire(ctx context.Context, ref string) (*corpus.Document, error) {
	d, err := kb.Store.FindDocument(ctx, ref)
	if err != nil {
		return nil, err
	}
	if d.Status != corpus.StatusActive {
		return nil, fmt.Errorf("%w: 《%s》 is already %s", corpus.ErrInvalid, d.Title, d.Status)
	}
	if err := kb.Store.RetireDocument(ctx, d.ID, kb.editor()); err != nil {
		return nil, err
	}
	d.Status = corpus.StatusRetired
	return d, nil
}

// Summary counts outcomes.
type Summary struct {
	Added, Unchanged, Replaced, Failed, Chunks int
	Took                                       time.Duration
}

// Count adds one result to the summary.
func (s *Summary) Count(r AddResult) {
	switch r.Outcome {
	case Added:
		s.Added++
	case Unchanged:
		s.Unchanged++
	case Replaced:
		s.Replaced++
	default:
		s.Failed++
	}
	s.Chunks += r.Chunks
}
