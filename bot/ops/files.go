package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/docfile"
)

// FileStore is what files sent in chat need from the database.
type FileStore interface {
	// ReceivedFile returns the bytes the channel stored for a message, or
	// model.ErrNotFound.
	ReceivedFile(ctx context.Context, channel, messageID string) (model.ReceivedFile, error)
	// ReceivedFileByID returns a stored file with its bytes.
	ReceivedFileByID(ctx context.Context, id int64) (model.ReceivedFile, error)
	// AttachPhoto attaches a photo to the person's latest asset report made
	// since the time: model.ErrNotFound when none, model.ErrConflict when
	// the report has as many photos as it may.
	AttachPhoto(ctx context.Context, fileID, reporterID int64, since time.Time, a model.Actor) (model.AttachedPhoto, error)
	// AttachStocktakePhoto attaches a photo to the 缺/坏 mark the person
	// made since the time in the incubator's stock-take in progress (it
	// joins the finding's report at close); errors as AttachPhoto.
	AttachStocktakePhoto(ctx context.Context, fileID int64, incubatorID int, since time.Time, a model.Actor) (model.AttachedPhoto, error)
}

// PhotoWindow is how long after an asset report a manager's photo is
// attached to it.
const PhotoWindow = 5 * time.Minute

// Files handles files and photos sent in a private chat: an officer's
// document is read, shown and indexed on confirmation; a manager's photo is
// attached to the asset report they just made.
type Files struct {
	Store FileStore
	// KB builds the knowledge base a confirmed document is added to (with
	// the configured embedder); By is set per officer.
	KB          func() *knowledge.KB
	Now         func() time.Time
	MaxFileSize int64
}

// Register sets the router's attachment handler and the confirmation form.
func (f *Files) Register(r *bot.Router) {
	r.OnAttachment(f.attachment)
	r.AddForm("doc_file", []string{bot.RoleOfficer}, f.confirm)
}

type fileState struct {
	Kind   string `json:"kind"`
	FileID int64  `json:"file_id"`
	Title  string `json:"title"`
}

// Replies about files.
const (
	ReplyFileNotOfficer = "文件已收到，但只有区科技局工作人员可以通过微信把政策文件加入政策库，文件未保存。\n如需咨询政策，请直接用文字发问题。"
	ReplyFileInGroup    = "群里发的文件和图片我不读取。工作人员如需上传政策文件，请私聊我发送。"
	ReplyFileMissing    = "这个文件没有收到（可能超过大小上限或下载失败），请重新发送；仍不行时请用 incubot kb add 或网页后台上传。"
	ReplyPhotoNoReport  = "照片已收到，但您最近5分钟内没有资产报送，也没有在盘点中标记缺失或损坏，照片未保存。\n请先报送（如：缺失 CKC-001 投影仪找不到，回复 1 确认）或在盘点中标记（缺 1｜坏 2 说明），再在5分钟内发照片。"
)

func (f *Files) attachment(ctx context.Context, req *bot.Request) (string, bool, error) {
	a := req.Msg.Attachment
	if a.Kind != "file" && a.Kind != "image" {
		return "", false, nil // voice, video, emoticon: the router's reply that only text is read
	}
	if req.Msg.ChatKind != bot.Private {
		return "", false, nil // in a group an unaddressed file is ignored by the router anyway
	}
	switch req.Person.Role {
	case bot.RoleOfficer:
		reply, err := f.document(ctx, req)
		return reply, true, err
	case bot.RoleManager:
		if a.Kind == "image" {
			reply, err := f.photo(ctx, req)
			return reply, true, err
		}
		return ReplyFileNotOfficer, true, nil
	}
	if a.Kind == "file" {
		return ReplyFileNotOfficer, true, nil
	}
	return "", false, nil
}

// tooLarge is the reply for a file the channel refused to download.
func (f *Files) tooLarge(a model.Attachment) string {
	return fmt.Sprintf("文件太大（%.1f MB），上限 %.1f MB，未下载。请压缩或拆分后再发，或用 incubot kb add 在服务器上添加。",
		float64(a.Size)/(1<<20), float64(f.MaxFileSize)/(1<<20))
}

func (f *Files) received(ctx context.Context, req *bot.Request) (model.ReceivedFile, string, error) {
	a := req.Msg.Attachment
	file, err := f.Store.ReceivedFile(ctx, req.Msg.Channel, req.Msg.ID)
	switch {
	case errors.Is(err, model.ErrNotFound) && f.MaxFileSize > 0 && a.Size > f.MaxFileSize:
		return file, f.tooLarge(a), nil
	case errors.Is(err, model.ErrNotFound):
		return file, ReplyFileMissing, nil
	}
	return file, "", err
}

// document reads an officer's file and asks to confirm it.
func (f *Files) document(ctx context.Context, req *bot.Request) (string, error) {
	file, refusal, err := f.received(ctx, req)
	if refusal != "" || err != nil {
		return refusal, err
	}
	name := fileName(file)
	kb := f.KB()
	if d, err := kb.Store.ActiveByHash(ctx, file.SHA256); err == nil {
		return "这个文件已在政策库中（" + d.Citation() + "），内容没有变化，不用再入库。", nil
	} else if !errors.Is(err, corpus.ErrNotFound) {
		return "", err
	}
	p, err := docfile.PreviewFile(ctx, name, file.Data, f.MaxFileSize)
	if err != nil {
		var r *docfile.Refusal
		if errors.As(err, &r) || errors.Is(err, corpus.ErrInvalid) {
			return "没有入库：" + docfile.Explain(err), nil
		}
		return "", err
	}
	title := "《" + strings.Trim(p.Title, "《》") + "》"
	var facts []string
	if p.DocNumber != "" {
		facts = append(facts, "文号 "+p.DocNumber)
	} else {
		facts = append(facts, "未识别出文号")
	}
	facts = append(facts, fmt.Sprintf("%d条", p.Chunks))
	if p.ExpiresOn != nil {
		facts = append(facts, "有效期至"+p.ExpiresOn.Format(time.DateOnly))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "收到%s（%s），回复 1 入库，0 取消。", title, strings.Join(facts, "，"))
	if p.TitleFromName {
		b.WriteString("\n注意：文件里没有读出标题，标题取自文件名；入库后可用 incubot kb edit 或网页后台修改。")
	}
	if p.OCR != nil {
		b.WriteString("\n" + p.OCR.Chinese())
	}
	st, _ := json.Marshal(fileState{Kind: "doc_file", FileID: file.ID, Title: title})
	req.Session.Form = st
	return b.String(), nil
}

// confirm indexes the document on 1, drops it on 0; a command, another
// file or a report cancels it and is handled; anything else is reminded.
func (f *Files) confirm(ctx context.Context, req *bot.Request, state []byte) (string, []byte, error) {
	var st fileState
	if err := json.Unmarshal(state, &st); err != nil {
		return "上一步的信息已失效，请重新发送文件。", nil, nil
	}
	switch strings.TrimSpace(req.Text) {
	case "1", "确认":
	case "0", "取消":
		return "已取消，" + st.Title + "没有入库。", nil, nil
	default:
		return "请回复 1 把" + st.Title + "入库，或 0 取消。", state, &bot.NotAnAnswer{Note: "（" + st.Title + "没有入库，已取消；如需入库请重新发送文件。）"}
	}
	file, err := f.Store.ReceivedFileByID(ctx, st.FileID)
	if errors.Is(err, model.ErrNotFound) {
		return ReplyFileMissing, nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	kb := f.KB()
	kb.MaxFileSize = f.MaxFileSize
	kb.By = corpus.Editor{Name: req.Person.Name, Role: req.Person.Role, Channel: req.Msg.Channel}
	res := kb.Add(ctx, fileName(file), file.Data, knowledge.AddOptions{Meta: docfile.Meta{Source: "微信：" + req.Person.Name}})
	if res.Err != nil {
		var r *docfile.Refusal
		if errors.As(res.Err, &r) || errors.Is(res.Err, corpus.ErrInvalid) || errors.Is(res.Err, corpus.ErrNoText) {
			return "没有入库：" + docfile.Explain(res.Err), nil, nil
		}
		return "", nil, res.Err
	}
	if err := kb.FinishIngest(ctx); err != nil {
		return "", nil, err
	}
	switch res.Outcome {
	case knowledge.Unchanged:
		return "这个文件已在政策库中（" + res.Doc.Citation() + "），内容没有变化，未重复入库。", nil, nil
	case knowledge.Replaced:
		return fmt.Sprintf("已入库%s，%d条，今后据此回答。\n它替换了%s（编号%d），旧文件不再引用。", res.Doc.Citation(), res.Chunks, res.Replaced.Citation(), res.Replaced.ID), nil, nil
	}
	reply := fmt.Sprintf("已入库%s，%d条，今后据此回答。没有替换其他文件。", res.Doc.Citation(), res.Chunks)
	if res.SameTitle != nil {
		reply += "\n注意：政策库里已有同名文件" + res.SameTitle.Citation() + "，文号不同，两份都保留；如新文件取代旧文件，请发送“废止 " + fmt.Sprint(res.SameTitle.ID) + "”。"
	}
	return reply, nil, nil
}

// photo attaches a manager's photo to the asset report they made within
// PhotoWindow.
func (f *Files) photo(ctx context.Context, req *bot.Request) (string, error) {
	file, refusal, err := f.received(ctx, req)
	if refusal != "" || err != nil {
		return refusal, err
	}
	since := f.Now().Add(-PhotoWindow)
	p, err := f.Store.AttachPhoto(ctx, file.ID, req.Person.ID, since, actor(req))
	if errors.Is(err, model.ErrNotFound) {
		p, err = f.Store.AttachStocktakePhoto(ctx, file.ID, req.Person.IncubatorID, since, actor(req))
		if err == nil {
			return fmt.Sprintf("照片已附在盘点中 %s %s 的记录上，共%d张；结束盘点时随缺失/损坏报告保存，工作人员可以看到。", p.AssetCode, p.AssetName, p.Count), nil
		}
	}
	switch {
	case errors.Is(err, model.ErrNotFound):
		return ReplyPhotoNoReport, nil
	case errors.Is(err, model.ErrConflict):
		return "这份报告的照片已达上限，照片未保存。如需补充，请联系区科技局工作人员。", nil
	case err != nil:
		return "", err
	}
	return fmt.Sprintf("照片已附在报告 #%d（%s %s）上，共%d张，工作人员核验时可以看到。", p.ReportID, p.AssetCode, p.AssetName, p.Count), nil
}

// fileName is the name a stored file is read under: its own, or one made
// from its type (WeChat photos have none).
func fileName(f model.ReceivedFile) string {
	if n := filepath.Base(strings.TrimSpace(f.Name)); n != "" && n != "." && n != "/" {
		return n
	}
	switch {
	case strings.Contains(f.MIME, "png"):
		return "图片.png"
	case strings.Contains(f.MIME, "pdf"):
		return "文件.pdf"
	}
	return "图片.jpg"
}
