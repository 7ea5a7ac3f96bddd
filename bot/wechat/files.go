package wechat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/eatmoreapple/openwechat"
	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/internal/model"
)

// FileStore keeps the bytes of files and photos received, before the
// message that carries them is handled.
type FileStore interface {
	SaveReceivedFile(ctx context.Context, f *model.ReceivedFile) (int64, error)
}

// downloadTimeout bounds one download.
const downloadTimeout = 60 * time.Second

// tooLarge says a download was stopped at the size limit, and how much
// was seen (the stated length, or the limit and one byte).
type tooLarge struct{ size int64 }

func (e *tooLarge) Error() string {
	return fmt.Sprintf("wechat: file of %d bytes or more, over the limit", e.size)
}

// fetchable says whether the adapter downloads the message's attachment:
// files and photos in private chats (an officer's document, a manager's
// photo), when a store is configured and the size WeChat declares is
// within the limit. Groups' files are never fetched.
func (w *WeChat) fetchable(r raw) bool {
	if w.Files == nil || r.InGroup || (r.Attachment != "file" && r.Attachment != "image") {
		return false
	}
	return w.Opts.MaxFileSize <= 0 || r.FileSize <= w.Opts.MaxFileSize
}

// declaredSize is the size WeChat states for an attached file (a string in
// the protocol); 0 when it states none (photos).
func declaredSize(msg *openwechat.Message) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(msg.FileSize), 10, 64)
	return max(n, 0)
}

// remember keeps how to download a message's attachment until its worker
// takes it up.
func (w *WeChat) remember(id string, get func() (*http.Response, error)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fetches == nil {
		w.fetches = map[string]func() (*http.Response, error){}
	}
	if len(w.fetches) < 1000 { // bounded: a worker takes each up at once
		w.fetches[id] = get
	}
}

// fetch downloads the attachment of m (the request on the openwechat
// goroutine, the body on the worker's), stores it and sets m's Ref and
// MIME. A file over the limit is left unfetched, its Size telling why.
func (w *WeChat) fetch(ctx context.Context, m *bot.Message) {
	w.mu.Lock()
	get := w.fetches[m.ID]
	delete(w.fetches, m.ID)
	w.mu.Unlock()
	if get == nil {
		return
	}
	var resp *http.Response
	var err error
	if w.do(ctx, func() { resp, err = get() }) != nil {
		return
	}
	if err != nil {
		w.Log.Warn("wechat: download attachment", "msg_id", m.ID, "err", err)
		return
	}
	data, mime, err := download(resp, w.Opts.MaxFileSize)
	var big *tooLarge
	if errors.As(err, &big) {
		m.Attachment.Size = max(m.Attachment.Size, big.size)
		return
	}
	if err != nil {
		w.Log.Warn("wechat: download attachment", "msg_id", m.ID, "err", err)
		return
	}
	id, err := w.Files.SaveReceivedFile(ctx, &model.ReceivedFile{Channel: Channel, MessageID: m.ID, Name: m.Attachment.Name, MIME: mime, Data: data})
	if err != nil {
		w.Log.Warn("wechat: store attachment", "msg_id", m.ID, "err", err)
		return
	}
	m.Attachment.Ref, m.Attachment.MIME, m.Attachment.Size = fmt.Sprintf("file:%d", id), mime, int64(len(data))
}

// download reads a response's body up to max bytes (0: no limit), within
// downloadTimeout; openwechat checks neither the status nor the size. Over
// the limit it returns a *tooLarge.
func download(resp *http.Response, limit int64) ([]byte, string, error) {
	defer resp.Body.Close()
	stop := time.AfterFunc(downloadTimeout, func() { resp.Body.Close() })
	defer stop.Stop()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("wechat: download: HTTP %d", resp.StatusCode)
	}
	if limit > 0 && resp.ContentLength > limit {
		return nil, "", &tooLarge{resp.ContentLength}
	}
	r := io.Reader(resp.Body)
	if limit > 0 {
		r = io.LimitReader(resp.Body, limit+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, "", fmt.Errorf("wechat: download: %w", err)
	}
	if limit > 0 && int64(len(data)) > limit {
		return nil, "", &tooLarge{int64(len(data))}
	}
	if len(data) == 0 {
		return nil, "", errors.New("wechat: download: empty body")
	}
	mime := strings.TrimSpace(strings.Split(resp.Header.Get("Content-Type"), ";")[0])
	if mime == "" || mime == "application/octet-stream" {
		mime = strings.Split(http.DetectContentType(data), ";")[0]
	}
	return data, mime, nil
}
