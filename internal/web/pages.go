package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/sheet"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
)

// view is what every page template gets.
type view struct {
	Visit *visit
	Title string
	Nav   string
	CSRF  string
	Flash string
	Err   string
	D     map[string]any
}

// flashes are the fixed messages a redirect after a change may show.
var flashes = map[string]string{
	"edited":   "已保存修改。",
	"retired":  "已废止，机器人不会再引用这份文件。",
	"faq":      "已保存问答对，机器人遇到相近的问题会直接用这条答案回复。",
	"faqgone":  "已删除问答对。",
	"answered": "已转为问答对，相关问题已标为已处理。",
	"handled":  "已标为已处理。",
	"reviewed": "已记录核验结果，资产状态已更新。",
	"revoked":  "已撤销此人的身份和绑定。",
}

var navTitles = map[string]string{
	"docs": "政策库", "hittest": "命中测试", "faq": "问答对", "questions": "未答问题", "log": "对话记录",
	"assets": "资产", "reports": "报表", "people": "人员", "audit": "审计",
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page string, v *visit, d map[string]any) {
	vw := view{Visit: v, Nav: page, Title: navTitles[page], D: d, Flash: flashes[r.URL.Query().Get("msg")]}
	if v != nil {
		vw.CSRF = v.Session.CSRF
	}
	if d != nil {
		if s, ok := d["Flash"].(string); ok {
			vw.Flash = s
		}
		if s, ok := d["Err"].(string); ok {
			vw.Err = s
		}
		if s, ok := d["Title"].(string); ok {
			vw.Title = s
		}
	}
	var buf bytes.Buffer
	if err := c.tmpl.ExecuteTemplate(&buf, page, vw); err != nil {
		c.Log.Error("console template", "page", page, "err", err)
		http.Error(w, "页面出错了，请稍后重试。", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// refuse shows a plain message page to someone not signed in.
func (c *Console) refuse(w http.ResponseWriter, r *http.Request, status int, title, text string) {
	c.render(w, r, status, "message", nil, map[string]any{"Title": title, "Text": text})
}

// refuseIn shows a message inside the console's frame.
func (c *Console) refuseIn(w http.ResponseWriter, r *http.Request, v *visit, status int, title, text string) {
	c.render(w, r, status, "message", v, map[string]any{"Title": title, "Text": text})
}

// fail logs an unexpected error once and shows a fixed message.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	c.Log.Error("console", "path", r.URL.Path, "err", err)
	c.render(w, r, http.StatusInternalServerError, "message", visitOf(r), map[string]any{"Title": "出错了", "Text": "服务器处理时出错，已记录日志。请稍后重试；如反复出现，请联系系统管理员。"})
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request, what string) {
	c.refuseIn(w, r, visitOf(r), http.StatusNotFound, "找不到", "找不到这个"+what+"，可能已被删除。请返回列表重新选择。")
}

func (c *Console) bad(w http.ResponseWriter, r *http.Request, text string) {
	c.refuseIn(w, r, visitOf(r), http.StatusBadRequest, "无法处理", text)
}

func redirect(w http.ResponseWriter, r *http.Request, path, msg string) {
	if msg != "" {
		path += map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + "msg=" + msg
	}
	http.Redirect(w, r, Prefix+path, http.StatusSeeOther)
}

func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (c *Console) today() time.Time {
	y, m, d := c.now().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}

// ---- 政策库 ----

// docRow is a document as the list shows it.
type docRow struct {
	corpus.Document
	Expiry string // "expired", "soon" or ""
}

func expiry(d *corpus.Document, today time.Time) string {
	if d.ExpiresOn == nil || d.Status != corpus.StatusActive {
		return ""
	}
	switch e := *d.ExpiresOn; {
	case e.Before(today):
		return "expired"
	case e.Before(today.AddDate(0, 0, 31)):
		return "soon"
	}
	return ""
}

func (c *Console) docs(w http.ResponseWriter, r *http.Request) {
	c.docsPage(w, r, r.URL.Query().Get("status"), strings.TrimSpace(r.URL.Query().Get("q")), nil)
}

func (c *Console) docsPage(w http.ResponseWriter, r *http.Request, status, q string, results []uploadResult) {
	all, err := c.Library.Documents(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if status == "" {
		status = corpus.StatusActive
	}
	today := c.today()
	var rows []docRow
	counts := map[string]int{}
	for i := len(all) - 1; i >= 0; i-- {
		d := all[i]
		row := docRow{Document: d, Expiry: expiry(&d, today)}
		counts[d.Status]++
		if row.Expiry != "" {
			counts[row.Expiry]++
		}
		if status != "all" && d.Status != status && row.Expiry != status {
			continue
		}
		if q != "" && !strings.Contains(d.Title, q) && !strings.Contains(d.DocNumber, q) {
			continue
		}
		rows = append(rows, row)
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pages := max(1, (len(rows)+docsPage-1)/docsPage)
	page = min(max(page, 1), pages)
	shown := rows[min(len(rows), (page-1)*docsPage):min(len(rows), page*docsPage)]
	d := map[string]any{"Docs": shown, "Status": status, "Q": q, "Counts": counts, "Total": len(all), "Results": results, "Matched": len(rows), "Page": page, "Pages": pages}
	if page > 1 {
		d["Prev"] = pageURL(status, q, page-1)
	}
	if page < pages {
		d["Next"] = pageURL(status, q, page+1)
	}
	c.render(w, r, http.StatusOK, "docs", visitOf(r), d)
}

// docsPage is how many documents one page of the list shows.
const docsPage = 100

func pageURL(status, q string, page int) string {
	return "?" + url.Values{"status": {status}, "q": {q}, "page": {strconv.Itoa(page)}}.Encode()
}

// uploadResult is what happened to one uploaded file.
type uploadResult struct {
	Name, Outcome, Title, Problem string
	DocID                         int64
	Chunks                        int
}

func (c *Console) upload(w http.ResponseWriter, r *http.Request) {
	if results := c.ingest(w, r, 0); results != nil {
		c.docsPage(w, r, "", "", results)
	}
}

// ingest adds every uploaded file; nil means a reply was already written.
func (c *Console) ingest(w http.ResponseWriter, r *http.Request, replaces int64) []uploadResult {
	if r.MultipartForm == nil || len(r.MultipartForm.File["files"]) == 0 {
		c.bad(w, r, "没有选择文件。请选择一个或多个 .docx、.pdf、.txt 或 .md 文件后再上传。")
		return nil
	}
	files := r.MultipartForm.File["files"]
	if replaces != 0 && len(files) != 1 {
		c.bad(w, r, "替换时请只选择一个文件（新版本）。")
		return nil
	}
	v := visitOf(r)
	var out []uploadResult
	for _, fh := range files {
		res := uploadResult{Name: fh.Filename, Outcome: "失败"}
		if fh.Size > c.MaxUpload {
			res.Problem = fmt.Sprintf("文件太大（%.1f MB），上限 %d MB。", float64(fh.Size)/(1<<20), c.MaxUpload>>20)
			out = append(out, res)
			continue
		}
		f, err := fh.Open()
		if err != nil {
			res.Problem = "文件读取失败，请重新上传。"
			out = append(out, res)
			continue
		}
		data, err := io.ReadAll(io.LimitReader(f, c.MaxUpload+1))
		f.Close()
		if err != nil {
			res.Problem = "文件读取失败，请重新上传。"
			out = append(out, res)
			continue
		}
		ar := c.Library.Add(r.Context(), filepath.Base(fh.Filename), data, replaces, v.actor())
		res.Chunks = ar.Chunks
		if ar.Doc != nil {
			res.Title, res.DocID = ar.Doc.Title, ar.Doc.ID
		}
		switch ar.Outcome {
		case knowledge.Added:
			res.Outcome = "已添加"
		case knowledge.Replaced:
			res.Outcome = "已替换旧版本"
		case knowledge.Unchanged:
			res.Outcome = "内容未变，未重复添加"
		default:
			res.Problem = addProblem(ar.Err)
			if res.Problem == "" {
				c.Log.Error("console upload", "file", fh.Filename, "err", ar.Err)
				res.Problem = "处理时出错，已记录日志。请稍后重试。"
			}
		}
		out = append(out, res)
	}
	return out
}

// addProblem is what an officer is told about a file that was not added;
// "" for an unexpected error.
func addProblem(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, corpus.ErrUnsupported):
		return "不支持这种文件格式。请上传 .docx、.pdf（含文字层）、.txt 或 .md；.doc/.wps 请先另存为 .docx。"
	case errors.Is(err, corpus.ErrNoText):
		return "文件里没有可读取的文字（可能是扫描件或空文件）。请上传含文字的版本。"
	case errors.Is(err, corpus.ErrTooLarge):
		return "文件太大，请压缩或拆分后上传。"
	case errors.Is(err, corpus.ErrInvalid):
		return "文件缺少必要信息（如标题），或失效日期早于生效日期。请核对文件后重传。"
	case errors.Is(err, corpus.ErrNotFound):
		return "要替换的文件已不在用，请刷新后重试。"
	}
	return ""
}

func (c *Console) doc(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, "文件")
		return
	}
	d, reason, err := c.Library.Document(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		c.notFound(w, r, "文件")
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	chunks, err := c.Library.Chunks(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "doc", visitOf(r), map[string]any{"Title": d.Title, "Doc": docRow{Document: *d, Expiry: expiry(d, c.today())},
		"Reason": reason, "Chunks": chunks})
}

func parseDay(s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, time.Local)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (c *Console) editDoc(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, "文件")
		return
	}
	e := DocumentEdit{Title: strings.TrimSpace(r.PostFormValue("title")), DocNumber: strings.TrimSpace(r.PostFormValue("number"))}
	var err1, err2 error
	e.EffectiveOn, err1 = parseDay(r.PostFormValue("effective"))
	e.ExpiresOn, err2 = parseDay(r.PostFormValue("expires"))
	switch {
	case e.Title == "" || utf8.RuneCountInString(e.Title) > 300:
		c.bad(w, r, "标题不能为空，且不超过 300 个字。")
		return
	case err1 != nil || err2 != nil:
		c.bad(w, r, "日期格式应为 2026-01-31。")
		return
	case e.EffectiveOn != nil && e.ExpiresOn != nil && e.ExpiresOn.Before(*e.EffectiveOn):
		c.bad(w, r, "失效日期不能早于生效日期。")
		return
	}
	err := c.Library.Edit(r.Context(), id, e, visitOf(r).actor())
	if errors.Is(err, ErrNotFound) {
		c.bad(w, r, "只能修改在用的文件；这份文件已被替换或废止。")
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	redirect(w, r, fmt.Sprintf("docs/%d", id), "edited")
}

func (c *Console) replaceDoc(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, "文件")
		return
	}
	d, _, err := c.Library.Document(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		c.notFound(w, r, "文件")
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if d.Status != corpus.StatusActive {
		c.bad(w, r, "这份文件已不在用，不能再替换。请在政策库里找到它的新版本。")
		return
	}
	results := c.ingest(w, r, id)
	if results == nil {
		return
	}
	res := results[0]
	if res.DocID != 0 && res.DocID != id && res.Problem == "" {
		redirect(w, r, fmt.Sprintf("docs/%d", res.DocID), "")
		return
	}
	text := res.Problem
	if text == "" {
		text = "新文件与当前版本内容相同，没有替换。"
	}
	c.bad(w, r, text)
}

func (c *Console) retireDoc(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, "文件")
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		c.bad(w, r, "请写明废止原因（200 字以内），例如“已被新办法取代”。")
		return
	}
	err := c.Library.Retire(r.Context(), id, reason, visitOf(r).actor())
	if errors.Is(err, ErrNotFound) {
		c.bad(w, r, "这份文件已不在用（已替换或已废止）。")
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	redirect(w, r, fmt.Sprintf("docs/%d", id), "retired")
}

// ---- 命中测试 ----

func (c *Console) hitTest(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := map[string]any{"Q": q}
	if q != "" {
		if utf8.RuneCountInString(q) > 500 {
			d["Err"] = "问题太长，请控制在 500 字以内。"
		} else {
			ex, err := c.HitTest.Explain(r.Context(), q)
			if err != nil {
				c.fail(w, r, err)
				return
			}
			d["Ex"] = ex
		}
	}
	c.render(w, r, http.StatusOK, "hittest", visitOf(r), d)
}

// ---- 问答对 ----

func (c *Console) faqs(w http.ResponseWriter, r *http.Request) {
	list, err := c.FAQs.FAQs(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "faq", visitOf(r), map[string]any{"FAQs": list})
}

func formIDs(r *http.Request) []int64 {
	var ids []int64
	for _, s := range r.PostForm["ids"] {
		for _, part := range strings.Split(s, ",") {
			if id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64); err == nil && id > 0 {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// faqProblem checks a curated answer and says what to fix, "" when fine.
func faqProblem(f *corpus.FAQ) string {
	switch {
	case f.Question == "":
		return "请填写问题。"
	case f.Answer == "":
		return "请填写答案。"
	case utf8.RuneCountInString(f.Question) > 500:
		return "问题太长，请控制在 500 字以内。"
	case utf8.RuneCountInString(f.Answer) > 1500:
		return "答案太长，微信一条消息放不下，请控制在 1500 字以内。"
	case utf8.RuneCountInString(f.Basis) > 500:
		return "依据太长，请控制在 500 字以内。"
	}
	return ""
}

func postedFAQ(r *http.Request) corpus.FAQ {
	return corpus.FAQ{Question: strings.TrimSpace(r.PostFormValue("question")), Answer: strings.TrimSpace(r.PostFormValue("answer")),
		Basis: strings.TrimSpace(r.PostFormValue("basis"))}
}

func (c *Console) saveFAQ(w http.ResponseWriter, r *http.Request) {
	f := postedFAQ(r)
	if id := r.PostFormValue("id"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			c.notFound(w, r, "问答对")
			return
		}
		f.ID = n
	}
	if p := faqProblem(&f); p != "" {
		c.bad(w, r, p)
		return
	}
	err := c.FAQs.SaveFAQ(r.Context(), &f, nil, visitOf(r).actor())
	if errors.Is(err, ErrNotFound) {
		c.notFound(w, r, "问答对")
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	redirect(w, r, "faq", "faq")
}

func (c *Console) deleteFAQ(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, "问答对")
		return
	}
	err := c.FAQs.DeleteFAQ(r.Context(), id, visitOf(r).actor())
	if errors.Is(err, ErrNotFound) {
		c.notFound(w, r, "问答对")
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	redirect(w, r, "faq", "faqgone")
}

// uploadedSheet reads the uploaded spreadsheet in field "file"; nil means a
// reply was written.
func (c *Console) uploadedSheet(w http.ResponseWriter, r *http.Request) *sheet.Table {
	if r.MultipartForm == nil || len(r.MultipartForm.File["file"]) != 1 {
		c.bad(w, r, "请选择一个 .xlsx 或 .csv 文件。")
		return nil
	}
	fh := r.MultipartForm.File["file"][0]
	ext := strings.ToLower(filepath.Ext(fh.Filename))
	if ext != ".xlsx" && ext != ".csv" {
		c.bad(w, r, "只支持 .xlsx 或 .csv 表格；.xls 请先另存为 .xlsx。")
		return nil
	}
	f, err := fh.Open()
	if err != nil {
		c.bad(w, r, "文件读取失败，请重新上传。")
		return nil
	}
	defer f.Close()
	tmp, err := os.CreateTemp("", "incubot-console-*"+ext)
	if err != nil {
		c.fail(w, r, err)
		return nil
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, io.LimitReader(f, c.MaxUpload))
	tmp.Close()
	if err != nil {
		c.fail(w, r, err)
		return nil
	}
	t, err := sheet.Read(tmp.Name())
	if err != nil {
		c.bad(w, r, "表格打不开，可能已损坏或不是 .xlsx/.csv 文件。请用 Excel 或 WPS 另存后重传。")
		return nil
	}
	return t
}

func (c *Console) importFAQs(w http.ResponseWriter, r *http.Request) {
	t := c.uploadedSheet(w, r)
	if t == nil {
		return
	}
	cols, missing := t.Columns(map[string][]string{"问题": {"问题"}, "答案": {"答案", "回答"}, "依据": {"依据", "政策依据"}}, "问题", "答案")
	if len(missing) > 0 {
		c.bad(w, r, "表格缺少必需的列「"+strings.Join(missing, "」「")+"」。第一行应为：问题、答案、依据。")
		return
	}
	var list []corpus.FAQ
	var problems []string
	for i, row := range t.Rows {
		f := corpus.FAQ{Question: t.Cell(row, cols["问题"]), Answer: t.Cell(row, cols["答案"]), Basis: t.Cell(row, cols["依据"])}
		if f.Question == "" && f.Answer == "" && f.Basis == "" {
			continue
		}
		if p := faqProblem(&f); p != "" {
			problems = append(problems, fmt.Sprintf("第 %d 行：%s", i+2, p))
			continue
		}
		list = append(list, f)
	}
	if len(problems) > 0 {
		c.bad(w, r, "没有导入任何一条，请改正后重传：\n"+strings.Join(problems, "\n"))
		return
	}
	if len(list) == 0 {
		c.bad(w, r, "表格里没有问答对。")
		return
	}
	for i := range list {
		if err := c.FAQs.SaveFAQ(r.Context(), &list[i], nil, visitOf(r).actor()); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	all, err := c.FAQs.FAQs(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "faq", visitOf(r), map[string]any{"FAQs": all, "Flash": fmt.Sprintf("已导入 %d 条问答对。", len(list))})
}

func (c *Console) exportFAQs(w http.ResponseWriter, r *http.Request) {
	list, err := c.FAQs.FAQs(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	s := sheet.Sheet{Name: "问答对", Columns: []sheet.Column{{Title: "问题"}, {Title: "答案"}, {Title: "依据"}, {Title: "创建人"}, {Title: "创建时间", Kind: sheet.DateTime}}}
	for _, f := range list {
		s.Data = append(s.Data, []any{f.Question, f.Answer, f.Basis, f.CreatedBy, f.CreatedAt})
	}
	c.sendSheet(w, r, "问答对.xlsx", []sheet.Sheet{s})
}

func (c *Console) sendSheet(w http.ResponseWriter, r *http.Request, name string, sheets []sheet.Sheet) {
	dir, err := os.MkdirTemp("", "incubot-export-")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "export.xlsx")
	if err := sheet.Write(path, sheets); err != nil {
		c.fail(w, r, err)
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"export.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	w.Write(data)
}

// ---- 未答问题 ----

func (c *Console) questions(w http.ResponseWriter, r *http.Request) {
	qs, err := c.Questions.OpenQuestions(r.Context(), 500)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "questions", visitOf(r), map[string]any{"Groups": Group(qs), "Count": len(qs)})
}

func (c *Console) answerQuestions(w http.ResponseWriter, r *http.Request) {
	ids := formIDs(r)
	f := postedFAQ(r)
	if len(ids) == 0 {
		c.bad(w, r, "没有选中问题，请返回未答问题列表重试。")
		return
	}
	if p := faqProblem(&f); p != "" {
		c.bad(w, r, p)
		return
	}
	if err := c.FAQs.SaveFAQ(r.Context(), &f, ids, visitOf(r).actor()); err != nil {
		c.fail(w, r, err)
		return
	}
	redirect(w, r, "questions", "answered")
}

func (c *Console) handleQuestions(w http.ResponseWriter, r *http.Request) {
	ids := formIDs(r)
	if len(ids) == 0 {
		c.bad(w, r, "没有选中问题，请返回未答问题列表重试。")
		return
	}
	if err := c.Questions.HandleQuestions(r.Context(), ids, visitOf(r).actor()); err != nil {
		c.fail(w, r, err)
		return
	}
	redirect(w, r, "questions", "handled")
}

// ---- 对话记录 ----

const logPage = 50

func (c *Console) conversations(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	list, err := c.Questions.Conversations(r.Context(), q, before, logPage)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var next int64
	if len(list) == logPage {
		next = list[len(list)-1].ID
	}
	c.render(w, r, http.StatusOK, "log", visitOf(r), map[string]any{"List": list, "Q": q, "Next": next})
}

// ---- 资产 and 报表 ----

// scope is the incubator a request may see: a manager's own, always; an
// officer's choice (0: all). ok is false when a manager asked for another.
func (c *Console) scope(r *http.Request) (id int, ok bool) {
	v := visitOf(r)
	asked, _ := strconv.Atoi(r.URL.Query().Get("incubator"))
	if v.Person.Role == RoleManager {
		return v.Person.IncubatorID, asked == 0 || asked == v.Person.IncubatorID
	}
	return asked, true
}

func (c *Console) otherIncubator(w http.ResponseWriter, r *http.Request) {
	c.refuseIn(w, r, visitOf(r), http.StatusForbidden, "没有权限", "您只能查看本孵化器（"+visitOf(r).Person.Incubator+"）的数据。")
}

func (c *Console) assets(w http.ResponseWriter, r *http.Request) {
	inc, ok := c.scope(r)
	if !ok {
		c.otherIncubator(w, r)
		return
	}
	status := r.URL.Query().Get("status")
	list, err := c.Incubators.Assets(r.Context(), inc, status)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	incs, err := c.Incubators.Incubators(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var total, missing int64
	for _, a := range list {
		total += a.Value()
		if a.Status == "缺失" {
			missing += a.Value()
		}
	}
	c.render(w, r, http.StatusOK, "assets", visitOf(r), map[string]any{"Assets": list, "Incubators": incs, "Incubator": inc, "Status": status,
		"Total": incubator.Yuan(total), "Missing": incubator.Yuan(missing), "Statuses": []string{"在册", "缺失", "损坏", "已补齐", "已核验"}})
}

func (c *Console) asset(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, "资产")
		return
	}
	a, err := c.Incubators.Asset(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		c.notFound(w, r, "资产")
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if v := visitOf(r); v.Person.Role == RoleManager && a.IncubatorID != v.Person.IncubatorID {
		c.otherIncubator(w, r)
		return
	}
	hist, err := c.Incubators.AssetHistory(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "asset", visitOf(r), map[string]any{"Title": a.Code + " " + a.Name, "Asset": &a, "History": hist})
}

func (c *Console) importAssets(w http.ResponseWriter, r *http.Request) {
	incID, _ := strconv.Atoi(r.PostFormValue("incubator"))
	var inc *incubator.Incubator
	incs, err := c.Incubators.Incubators(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for i := range incs {
		if incs[i].ID == incID {
			inc = &incs[i]
		}
	}
	if inc == nil {
		c.bad(w, r, "请选择资产台账所属的孵化器。")
		return
	}
	t := c.uploadedSheet(w, r)
	if t == nil {
		return
	}
	list, problems := incubator.ParseRegister(t)
	if len(problems) > 0 {
		var lines []string
		for i, p := range problems {
			if i == 20 {
				lines = append(lines, fmt.Sprintf("……另有 %d 处", len(problems)-20))
				break
			}
			lines = append(lines, p.String())
		}
		c.bad(w, r, "台账没有导入，请改正后重传：\n"+strings.Join(lines, "\n"))
		return
	}
	added, updated, unchanged, err := c.Incubators.ImportAssets(r.Context(), inc.ID, list, visitOf(r).actor())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.refuseIn(w, r, visitOf(r), http.StatusOK, "台账已导入",
		fmt.Sprintf("%s：共 %d 行，新增 %d，更新 %d，未变 %d。", inc.Name, len(list), added, updated, unchanged))
}

// period bounds of the reports page: months of this year by default.
func (c *Console) periods(r *http.Request) (from, to string, ok bool) {
	from, to = r.URL.Query().Get("from"), r.URL.Query().Get("to")
	now := c.now()
	if from == "" {
		from = fmt.Sprintf("%d-01", now.Year())
	}
	if to == "" {
		to = now.Format("2006-01")
	}
	f, err1 := incubator.ParsePeriod(from)
	t, err2 := incubator.ParsePeriod(to)
	return f, t, err1 == nil && err2 == nil
}

func (c *Console) reports(w http.ResponseWriter, r *http.Request) {
	inc, ok := c.scope(r)
	if !ok {
		c.otherIncubator(w, r)
		return
	}
	from, to, ok := c.periods(r)
	if !ok {
		c.bad(w, r, "期间格式应为 2026-01 或 2026Q1。")
		return
	}
	incs, err := c.Incubators.Incubators(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	name := ""
	for _, i := range incs {
		if i.ID == inc {
			name = i.Name
		}
	}
	pending, err := c.Incubators.PendingReports(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	status, err := c.Incubators.StatusReports(r.Context(), from, to)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	pending = keep(pending, func(x incubator.AssetReport) bool { return inc == 0 || x.Incubator == name })
	status = keep(status, func(x incubator.StatusReport) bool { return inc == 0 || x.IncubatorID == inc })
	var sum incubator.StatusReport
	for _, s := range status {
		sum.Add(s)
	}
	ids := make([]int64, len(pending))
	for i, p := range pending {
		ids[i] = p.ID
	}
	photos, err := c.photoNumbers(r.Context(), ids)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "reports", visitOf(r), map[string]any{"Pending": pending, "Status": status, "Sum": sum, "From": from, "To": to, "Photos": photos,
		"Incubators": incs, "Incubator": inc, "Year": c.now().Year()})
}

func keep[T any](xs []T, ok func(T) bool) []T {
	out := xs[:0]
	for _, x := range xs {
		if ok(x) {
			out = append(out, x)
		}
	}
	return out
}

func (c *Console) review(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, "报告")
		return
	}
	decision := r.PostFormValue("decision")
	note := strings.TrimSpace(r.PostFormValue("note"))
	if decision != "pass" && decision != "reject" {
		c.bad(w, r, "请选择“通过”或“不通过”。")
		return
	}
	if decision == "reject" && note == "" {
		c.bad(w, r, "不通过时请写明原因，管理员会看到这条说明。")
		return
	}
	if utf8.RuneCountInString(note) > 200 {
		c.bad(w, r, "说明请控制在 200 字以内。")
		return
	}
	err := c.Incubators.ReviewReport(r.Context(), id, decision == "pass", note, visitOf(r).actor())
	switch {
	case errors.Is(err, ErrNotFound):
		c.notFound(w, r, "报告")
		return
	case errors.Is(err, incubator.ErrConflict):
		c.bad(w, r, "这份报告已经核验过了，请刷新页面。")
		return
	case err != nil:
		c.fail(w, r, err)
		return
	}
	redirect(w, r, "reports", "reviewed")
}

func (c *Console) exportReports(w http.ResponseWriter, r *http.Request) {
	inc, ok := c.scope(r)
	if !ok {
		c.otherIncubator(w, r)
		return
	}
	from, to, ok := c.periods(r)
	if !ok {
		c.bad(w, r, "期间格式应为 2026-01 或 2026Q1。")
		return
	}
	ctx := r.Context()
	assets, err := c.Incubators.Assets(ctx, inc, "")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	status, err := c.Incubators.StatusReports(ctx, from, to)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	start, _ := time.ParseInLocation("2006-01", from[:7], time.Local)
	reps, err := c.Incubators.AssetReports(ctx, start, c.now().AddDate(0, 0, 1))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	names := map[string]bool{}
	for _, a := range assets {
		names[a.Incubator] = true
	}
	reps = keep(reps, func(x incubator.AssetReport) bool { return inc == 0 || names[x.Incubator] })
	status = keep(status, func(x incubator.StatusReport) bool { return inc == 0 || x.IncubatorID == inc })
	c.sendSheet(w, r, "孵化器报表_"+from+"_"+to+".xlsx", incubator.ExportSheets(assets, reps, status))
}

// ---- 人员 and 审计 ----

func (c *Console) people(w http.ResponseWriter, r *http.Request) {
	c.peoplePage(w, r, nil)
}

func (c *Console) peoplePage(w http.ResponseWriter, r *http.Request, d map[string]any) {
	list, err := c.People.People(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	incs, err := c.Incubators.Incubators(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if d == nil {
		d = map[string]any{}
	}
	d["People"], d["Incubators"] = list, incs
	c.render(w, r, http.StatusOK, "people", visitOf(r), d)
}

func (c *Console) invite(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	role := r.PostFormValue("role")
	inc := strings.TrimSpace(r.PostFormValue("incubator"))
	switch {
	case name == "" || utf8.RuneCountInString(name) > 40:
		c.bad(w, r, "请填写姓名（40 字以内），与对方微信备注名一致。")
		return
	case role != RoleOfficer && role != RoleManager:
		c.bad(w, r, "请选择身份：科技局工作人员或孵化器管理员。")
		return
	case role == RoleManager && inc == "":
		c.bad(w, r, "孵化器管理员需要选择所属孵化器。")
		return
	}
	if role == RoleOfficer {
		inc = ""
	}
	p, code, err := c.People.Invite(r.Context(), name, role, inc, visitOf(r).actor())
	if errors.Is(err, ErrNotFound) {
		c.bad(w, r, "没有这个孵化器，请从列表中选择。")
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.peoplePage(w, r, map[string]any{"Invited": p, "Code": code})
}

func (c *Console) revoke(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, "人员")
		return
	}
	if id == visitOf(r).Person.ID {
		c.bad(w, r, "不能撤销自己的身份。请让另一位科技局工作人员操作。")
		return
	}
	err := c.People.Revoke(r.Context(), id, visitOf(r).actor())
	if errors.Is(err, ErrNotFound) {
		c.bad(w, r, "此人已被撤销或不存在。")
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	redirect(w, r, "people", "revoked")
}

func (c *Console) audit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	today := c.today()
	f := AuditFilter{Since: today.AddDate(0, 0, -30), Until: today.AddDate(0, 0, 1), Actor: strings.TrimSpace(q.Get("actor")),
		Action: strings.TrimSpace(q.Get("action")), Entity: q.Get("entity"), Limit: 100}
	if d, err := parseDay(q.Get("since")); err != nil {
		c.bad(w, r, "日期格式应为 2026-01-31。")
		return
	} else if d != nil {
		f.Since = *d
	}
	if d, err := parseDay(q.Get("until")); err != nil {
		c.bad(w, r, "日期格式应为 2026-01-31。")
		return
	} else if d != nil {
		f.Until = d.AddDate(0, 0, 1)
	}
	list, err := c.Audit.Audit(r.Context(), f)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "audit", visitOf(r), map[string]any{"List": list, "F": f, "Since": f.Since.Format(time.DateOnly),
		"Until": f.Until.AddDate(0, 0, -1).Format(time.DateOnly), "Limit": f.Limit,
		"Entities": []string{"document", "faq", "question", "person", "asset", "incubator", "status_report"}})
}
