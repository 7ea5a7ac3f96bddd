package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/incubot/incubot/internal/place"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/docfile"
	"github.com/incubot/incubot/knowledge/zh"
)

func cmdKB(ctx context.Context, a *app, args []string) error {
	sub := map[string]func(context.Context, *app, []string) error{
		"add": kbAdd, "edit": kbEdit, "list": kbList, "show": kbShow, "search": kbSearch, "retire": kbRetire, "reindex": kbReindex, "faq": kbFAQ,
	}
	if len(args) == 0 || sub[args[0]] == nil {
		a.printf("Usage: incubot kb <add|edit|list|show|search|retire|reindex|faq> ...\n" +
			"  add PATH...        add .docx .doc .wps .rtf .odt .pdf .txt .md files, scans (.png .jpg .tif) or folders (--title --number --issuer --effective --expires --source --replaces)\n" +
			"  edit DOC           correct a document's metadata in place (--title --number --issuer --effective --expires --source; \"-\" clears)\n" +
			"  list [--all]       documents in force (--all: also superseded and retired)\n" +
			"  show DOC           metadata and chunk outline (DOC: id, 文号 or title)\n" +
			"  search \"问题\"      ranked chunks with lexical and vector scores\n" +
			"  retire DOC         stop citing a document\n" +
			"  reindex            embed every chunk with the configured model (resumable)\n" +
			"  faq add|list|remove|import   curated questions and answers\n")
		if len(args) == 0 {
			return usagef("kb needs a subcommand")
		}
		return usagef("unknown kb subcommand %q", args[0])
	}
	return sub[args[0]](ctx, a, args[1:])
}

func kbAdd(ctx context.Context, a *app, args []string) error {
	fs := newFlags("kb add", a)
	title := fs.String("title", "", "document title (default: from the file)")
	number := fs.String("number", "", "文号, e.g. 国科发火〔2016〕32号")
	issuer := fs.String("issuer", "", "issuing office")
	effective := fs.String("effective", "", "effective date YYYY-MM-DD")
	expires := fs.String("expires", "", "expiry date YYYY-MM-DD")
	source := fs.String("source", "", "where the text comes from")
	replaces := fs.String("replaces", "", "document this one replaces (id, 文号 or title)")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("kb add needs files or folders")
	}
	if len(paths) > 1 && (*title != "" || *number != "" || *replaces != "") {
		return usagef("--title, --number and --replaces apply to one file; add several files without them")
	}
	meta := docfile.Meta{Title: *title, DocNumber: *number, Issuer: *issuer, Source: *source}
	for _, d := range []struct {
		flag, v string
		dst     **time.Time
	}{{"--effective", *effective, &meta.EffectiveOn}, {"--expires", *expires, &meta.ExpiresOn}} {
		if d.v == "" {
			continue
		}
		t, err := zh.ParseDate(d.v)
		if err != nil {
			return usagef("%s: %v", d.flag, err)
		}
		*d.dst = &t
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	sum, results, err := a.addFiles(ctx, a.kbOn(db), paths, knowledge.AddOptions{Meta: meta, Replaces: *replaces}, *asJSON)
	if *asJSON {
		type row struct {
			Path          string           `json:"path"`
			Outcome       string           `json:"outcome"`
			DocID         int64            `json:"doc_id,omitempty"`
			Title         string           `json:"title,omitempty"`
			DocNumber     string           `json:"doc_number,omitempty"`
			TitleFromName bool             `json:"title_from_file_name,omitempty"`
			Via           string           `json:"converted_by,omitempty"`
			OCR           *docfile.OCRInfo `json:"ocr,omitempty"`
			Chunks        int              `json:"chunks"`
			Error         string           `json:"error,omitempty"`
		}
		var out []row
		for _, r := range results {
			x := row{Path: r.Path, Outcome: r.Outcome, Chunks: r.Chunks, TitleFromName: r.TitleFromName, Via: r.Via, OCR: r.OCR}
			if r.Doc != nil {
				x.DocID, x.Title, x.DocNumber = r.Doc.ID, r.Doc.Title, r.Doc.DocNumber
			}
			if r.Err != nil {
				x.Error = docfile.Explain(r.Err)
			}
			out = append(out, x)
		}
		json.NewEncoder(a.stdout).Encode(map[string]any{"results": out, "added": sum.Added, "unchanged": sum.Unchanged,
			"replaced": sum.Replaced, "failed": sum.Failed, "chunks": sum.Chunks, "seconds": sum.Took.Seconds()})
	} else {
		for _, r := range results {
			switch r.Outcome {
			case knowledge.Failed:
				a.printf("✗ %s: %s\n", safe(r.Path), safeLines(docfile.Explain(r.Err)))
			case knowledge.Replaced:
				a.printf("↻ %s → %s (id %d, %d chunks) replaces %s (id %d)\n", safe(r.Path), safe(r.Doc.Citation()), r.Doc.ID, r.Chunks, safe(r.Replaced.Citation()), r.Replaced.ID)
			case knowledge.Unchanged:
				a.printf("= %s: already indexed as %s (id %d); to correct its metadata: incubot kb edit %d\n", safe(r.Path), safe(r.Doc.Citation()), r.Doc.ID, r.Doc.ID)
			default:
				a.printf("✓ %s → %s (id %d, %d chunks)\n", safe(r.Path), safe(r.Doc.Citation()), r.Doc.ID, r.Chunks)
			}
			printAddNotes(a, r)
		}
		a.printf("documents: %d added, %d unchanged, %d replaced, %d failed; %d chunks; %.1f s\n",
			sum.Added, sum.Unchanged, sum.Replaced, sum.Failed, sum.Chunks, sum.Took.Seconds())
	}
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		return fmt.Errorf("%d file(s) failed", sum.Failed)
	}
	return nil
}

// printAddNotes tells the officer what to check about an added file: a
// title that is only the file name, a converter used, OCR and its
// confidence, a document of the same title that was kept.
func printAddNotes(a *app, r knowledge.AddResult) {
	if r.Outcome == knowledge.Failed || r.Outcome == knowledge.Unchanged {
		return
	}
	if r.TitleFromName {
		a.printf("  ! 标题取自文件名（文件里没有可识别的标题）。改正：incubot kb edit %d --title \"…\" --number \"…\"\n", r.Doc.ID)
	}
	if r.Doc.DocNumber == "" {
		a.printf("  ! 没有识别出文号；如有，请补上：incubot kb edit %d --number \"…\"\n", r.Doc.ID)
	}
	if r.Via != "" {
		a.printf("  经 %s 转换\n", r.Via)
	}
	if r.OCR != nil {
		a.printf("  %s\n", r.OCR.Chinese())
	}
	if d := r.SameTitle; d != nil {
		a.printf("  同名文件 %s (id %d) 因文号不同仍然有效；如这份是它的新版本：incubot kb retire %d，或加文件时用 --replaces %d\n", d.Citation(), d.ID, d.ID, d.ID)
	}
}

func kbEdit(ctx context.Context, a *app, args []string) error {
	fs := newFlags("kb edit", a)
	var e knowledge.MetaEdit
	text := map[string]**string{"title": &e.Title, "number": &e.DocNumber, "issuer": &e.Issuer, "source": &e.Source}
	help := map[string]string{"title": "document title", "number": "文号, e.g. 国科发火〔2016〕32号", "issuer": "issuing office", "source": "where the text comes from"}
	vals := map[string]*string{}
	for _, k := range []string{"title", "number", "issuer", "source"} {
		vals[k] = fs.String(k, "", help[k]+` ("-" clears)`)
	}
	effective := fs.String("effective", "", `effective date YYYY-MM-DD ("-" clears)`)
	expires := fs.String("expires", "", `expiry date YYYY-MM-DD ("-" clears)`)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("kb edit needs one document (id, 文号 or title)")
	}
	fs.Visit(func(f *flag.Flag) {
		if dst, ok := text[f.Name]; ok {
			v := strings.TrimSpace(*vals[f.Name])
			if v == "-" {
				v = ""
			}
			*dst = &v
		}
	})
	if e.Title != nil && *e.Title == "" {
		return usagef("--title cannot be empty")
	}
	for _, d := range []struct {
		flag string
		v    *string
		dst  ***time.Time
	}{{"effective", effective, &e.EffectiveOn}, {"expires", expires, &e.ExpiresOn}} {
		set := false
		fs.Visit(func(f *flag.Flag) { set = set || f.Name == d.flag })
		if !set {
			continue
		}
		var t *time.Time
		if strings.TrimSpace(*d.v) != "-" {
			day, err := zh.ParseDate(*d.v)
			if err != nil {
				return usagef("--%s: %v", d.flag, err)
			}
			t = &day
		}
		*d.dst = &t
	}
	if e.Empty() {
		return usagef("kb edit needs at least one of --title --number --issuer --effective --expires --source")
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	before, after, err := a.kbOn(db).Edit(ctx, pos[0], e)
	if err != nil {
		return err
	}
	a.printf("edited id %d: %s → %s\n", after.ID, before.Citation(), after.Citation())
	for _, f := range []struct{ name, was, now string }{
		{"issuer", before.Issuer, after.Issuer}, {"source", before.Source, after.Source},
		{"effective", dateStr(before.EffectiveOn), dateStr(after.EffectiveOn)}, {"expires", dateStr(before.ExpiresOn), dateStr(after.ExpiresOn)},
	} {
		if f.was != f.now {
			a.printf("  %s: %s → %s\n", f.name, orDash(f.was), orDash(f.now))
		}
	}
	return nil
}

func dateStr(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.DateOnly)
}

func kbList(ctx context.Context, a *app, args []string) error {
	fs := newFlags("kb list", a)
	all := fs.Bool("all", false, "include superseded and retired documents")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	docs, err := db.Documents(ctx, *all)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(a.stdout).Encode(docs)
	}
	if len(docs) == 0 {
		a.printf("no documents yet: incubot kb add PATH\n")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tCHUNKS\tEFFECTIVE\tEXPIRES\t文号\tTITLE")
	today := a.cfg.TodayDate()
	for _, d := range docs {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\n", d.ID, d.ValidityOn(today), d.Chunks, dateStr(d.EffectiveOn), dateStr(d.ExpiresOn), safe(orDash(d.DocNumber)), safe(d.Title))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func kbShow(ctx context.Context, a *app, args []string) error {
	fs := newFlags("kb show", a)
	full := fs.Bool("full", false, "print each chunk's whole text")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("kb show needs one document (id, 文号 or title)")
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	d, err := db.FindDocument(ctx, pos[0])
	if err != nil {
		return err
	}
	a.printf("id:        %d\ntitle:     %s\n文号:      %s\nissuer:    %s\neffective: %s\nexpires:   %s\nstatus:    %s\nsource:    %s\nfile:      %s\nsha256:    %s\nadded:     %s\n",
		d.ID, safe(d.Title), safe(orDash(d.DocNumber)), safe(orDash(d.Issuer)), dateStr(d.EffectiveOn), dateStr(d.ExpiresOn), d.Status, safe(orDash(d.Source)), safe(d.FileName), d.Hash, d.CreatedAt.Format(time.DateTime))
	if d.ReplacedBy != nil {
		a.printf("replaced by: %d\n", *d.ReplacedBy)
	}
	chunks, err := db.DocumentChunks(ctx, d.ID)
	if err != nil {
		return err
	}
	flagged, err := db.Instructions(ctx, d.ID)
	if err != nil {
		return err
	}
	a.printf("\n%d chunks:\n", len(chunks))
	heading := ""
	for _, c := range chunks {
		if c.Heading != heading {
			heading = c.Heading
			a.printf("  %s\n", heading)
		}
		text := c.Body
		if !*full {
			text = clip(strings.ReplaceAll(text, "\n", " "), 60)
		}
		if slices.Contains(flagged, c.ID) {
			text = "⚠ 读起来像给助手的指令，永不作为答案引用：" + text
		}
		a.printf("    #%-3d %-10s %s\n", c.Ordinal, orDash(c.Label()), text)
	}
	return nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func kbSearch(ctx context.Context, a *app, args []string) error {
	fs := newFlags("kb search", a)
	k := fs.Int("k", 5, "number of chunks")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(strings.Join(pos, " "))
	if q == "" {
		return usagef("kb search needs a question")
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	res, err := a.retrieverOn(db).Search(ctx, q, *k)
	if err != nil {
		return err
	}
	if *asJSON {
		type hit struct {
			Rank     int      `json:"rank"`
			ChunkID  int64    `json:"chunk_id"`
			DocID    int64    `json:"doc_id"`
			Title    string   `json:"title"`
			Article  string   `json:"article"`
			BM25     float64  `json:"bm25"`
			Coverage float64  `json:"coverage"`
			Vector   float64  `json:"vector"`
			LexRank  int      `json:"lexical_rank"`
			VecRank  int      `json:"vector_rank"`
			Fused    float64  `json:"fused"`
			Matched  []string `json:"matched"`
			Text     string   `json:"text"`
		}
		out := []hit{}
		for i, h := range res.Hits {
			out = append(out, hit{i + 1, h.Chunk.ID, h.Doc.ID, h.Doc.Title, h.Chunk.Label(), h.BM25, h.Coverage, h.Vector, h.LexRank, h.VecRank, h.Score, h.Matched, h.Chunk.Body})
		}
		closest := ""
		if c := res.Closest; c != nil {
			closest = c.Doc.Citation() + c.Chunk.Label()
		}
		var flagged []string
		for _, h := range res.Flagged {
			flagged = append(flagged, h.Doc.Citation()+h.Chunk.Label())
		}
		return json.NewEncoder(a.stdout).Encode(map[string]any{"terms": res.Terms, "model": res.Model, "asks": res.Asked.String(), "places": res.Places,
			"unknown_programmes": res.Unknown, "closest_without_figure": closest, "hits": out,
			"answers": res.Answers, "key_coverage": res.KeyCoverage, "lacks": res.Lacks, "unstated": res.Unstated, "flagged_instructions": flagged})
	}
	a.printf("terms: %s\nvectors: %s\n", strings.Join(res.Terms, " "), orDash(res.Model))
	if res.Asked != knowledge.AsksNothing {
		a.printf("asks for: %s (clauses that state none are skipped)\n", res.Asked)
	}
	if len(res.Places) > 0 {
		home := ""
		if len(place.In(q)) == 0 {
			home = ", from INCUBOT_HOME_PLACE"
		}
		a.printf("places: %s (%d clause(s) of other places' local documents skipped%s)\n", strings.Join(res.Places, " "), res.OtherPlaces, home)
	}
	if len(res.Unknown) > 0 {
		a.printf("programmes no document mentions: %s\n", strings.Join(res.Unknown, " "))
	}
	if c := res.Closest; c != nil {
		a.printf("closest clause states no %s: %s%s (clauses that state one but match much less are skipped)\n", res.Asked, c.Doc.Citation(), c.Chunk.Label())
	}
	for _, h := range res.Flagged {
		a.printf("flagged, never quoted (reads as an instruction to an assistant): %s%s\n", h.Doc.Citation(), h.Chunk.Label())
	}
	if len(res.Hits) == 0 {
		a.printf("\nnothing passes the relevance thresholds: the bot would decline this question\n")
		printExpiredNote(ctx, a, db)
		return nil
	}
	var words []string
	for _, w := range res.Question.Words {
		words = append(words, fmt.Sprintf("%s(%.1f)", w.Text, w.IDF))
	}
	a.printf("content words (general-language IDF): %s\n", strings.Join(words, " "))
	switch {
	case res.Answers:
		a.printf("answerable: the first clause covers %.0f%% of their weight (at least %.0f%% needed): quoted as the answer\n", 100*res.KeyCoverage, 100*a.retrieverOn(db).Opts.MinKeyCoverage)
	case len(res.Lacks) > 0:
		a.printf("not answerable: no document holds %s, rare in everyday Chinese: the bot declines naming it\n", strings.Join(res.Lacks, "、"))
	case len(res.Unstated) > 0:
		a.printf("not answerable: the first clause does not state %s, which the question asserts: quoted as the closest provision only\n", strings.Join(res.Unstated, "、"))
	default:
		a.printf("not answerable: the first clause covers only %.0f%% of their weight: quoted as the closest provision only\n", 100*res.KeyCoverage)
	}
	for i, h := range res.Hits {
		a.printf("\n%d. %s%s  [fused %.4f | lexical #%d bm25 %.2f coverage %.2f | vector #%d sim %.3f]\n   matched: %s\n   %s\n",
			i+1, h.Doc.Citation(), h.Chunk.Label(), h.Score, h.LexRank, h.BM25, h.Coverage, h.VecRank, h.Vector,
			strings.Join(h.Matched, " "), clip(strings.ReplaceAll(h.Chunk.Body, "\n", " "), 160))
	}
	return nil
}

func kbRetire(ctx context.Context, a *app, args []string) error {
	fs := newFlags("kb retire", a)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("kb retire needs one document (id, 文号 or title)")
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	d, err := a.kbOn(db).Retire(ctx, pos[0])
	if err != nil {
		return err
	}
	a.printf("retired 《%s》 (id %d): it will not be cited again\n", d.Title, d.ID)
	return nil
}

func kbReindex(ctx context.Context, a *app, args []string) error {
	fs := newFlags("kb reindex", a)
	batch := fs.Int("batch", 64, "chunks per embedding call batch")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	kb := a.kbOn(db)
	var bar *progress
	n, err := kb.Reindex(ctx, max(1, *batch), func(done, total int) {
		if bar == nil {
			bar = newProgress(a.stderr, "reindex", total)
		}
		bar.set(done, "")
	})
	if bar != nil {
		bar.done()
	}
	if err != nil {
		return fmt.Errorf("reindex stopped after %d chunks (run it again to resume): %w", n, err)
	}
	a.printf("embedded %d chunks with %s; its vectors now serve retrieval\n", n, kb.Embedder.Name())
	return nil
}
