package wechat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/internal/testdb"
)

// Files and photos in a private chat are downloaded through the web
// protocol, bounded by the size limit (a file WeChat declares too large is
// never requested, a photo read past the limit is dropped), and stored
// before the message is handled; a group's file is never fetched.
func TestFilesAreFetchedWithinTheLimitAndStored(t *testing.T) {
	db := testdb.New(t)
	router := bot.NewRouter(db, nil, db, db, db, nil, bot.Options{BotName: "小助手", MaxMessageLen: 500, MaxAge: time.Hour, ContextTTL: time.Minute, FormTTL: time.Minute, Outboxes: []string{Channel}})
	router.OnAttachment(func(ctx context.Context, req *bot.Request) (string, bool, error) {
		a := req.Msg.Attachment
		f, err := db.ReceivedFile(ctx, req.Msg.Channel, req.Msg.ID)
		if errors.Is(err, model.ErrNotFound) {
			return fmt.Sprintf("none %s %d", a.Kind, a.Size), true, nil
		}
		if err != nil {
			return "", true, err
		}
		return fmt.Sprintf("got %s %q %d %s %c %v", a.Kind, f.Name, len(f.Data), f.MIME, []rune(string(f.Data))[0], a.Ref == fmt.Sprintf("file:%d", f.ID)), true, nil
	})
	fake := newFakeWeb(t)
	fake.images["p1"] = []byte("JPEG" + strings.Repeat("x", 196))
	fake.images["p2"] = []byte(strings.Repeat("y", 2000))
	fake.media = []byte("第一条 为鼓励企业购买科技成果，制定本办法。")
	target, _ := url.Parse(fake.srv.URL)
	w := &WeChat{Router: router, Store: db, Sessions: db, Files: db, Log: slog.New(slog.DiscardHandler), Opts: Options{Workers: 1, Transport: redirect{target}, MaxFileSize: 1000}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() { cancel(); <-done }()

	fake.deliverMsg(map[string]any{"MsgId": "p1", "FromUserName": "@friend1", "MsgType": 3, "Content": ""})
	fake.deliverMsg(map[string]any{"MsgId": "d1", "FromUserName": "@friend1", "MsgType": 49, "AppMsgType": 6, "FileName": "补助办法.txt",
		"FileSize": fmt.Sprint(len(fake.media)), "MediaId": "m1", "EncryFileName": "x"})
	fake.deliverMsg(map[string]any{"MsgId": "d2", "FromUserName": "@friend1", "MsgType": 49, "AppMsgType": 6, "FileName": "大.pdf",
		"FileSize": "50000000", "MediaId": "m2", "EncryFileName": "y"})
	fake.deliverMsg(map[string]any{"MsgId": "p2", "FromUserName": "@friend1", "MsgType": 3, "Content": ""})
	deadline := time.Now().Add(20 * time.Second)
	for len(fake.sentTexts()) < 4 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	want := []string{
		`@friend1: got image "" 200 image/jpeg J true`,
		fmt.Sprintf(`@friend1: got file "补助办法.txt" %d text/plain 第 true`, len(fake.media)),
		`@friend1: none file 50000000`,
		`@friend1: none image 2000`,
	}
	sent := fake.sentTexts()
	if strings.Join(sent, "\n") != strings.Join(want, "\n") {
		t.Fatalf("replies:\n%s\nwant\n%s", strings.Join(sent, "\n"), strings.Join(want, "\n"))
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if fake.gets["webwxgetmedia"] != 1 || fake.gets["webwxgetmsgimg"] != 2 {
		t.Fatalf("a file declared too large is never requested: %v", fake.gets)
	}
}

// openwechat checks neither status nor size: download does, also when the
// server states no length.
func TestDownloadChecksStatusAndSize(t *testing.T) {
	resp := func(status int, body string) *http.Response {
		return &http.Response{StatusCode: status, ContentLength: -1, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
	}
	var big *tooLarge
	if _, _, err := download(resp(200, strings.Repeat("x", 2000)), 1000); !errors.As(err, &big) || big.size != 1001 {
		t.Fatalf("a body past the limit is refused after limit+1 bytes: %v", err)
	}
	if _, _, err := download(resp(403, "no ticket"), 1000); err == nil {
		t.Fatal("an error status is not a file")
	}
	if data, mime, err := download(resp(200, "%PDF-1.4 ..."), 1000); err != nil || mime != "application/pdf" || len(data) != 12 {
		t.Fatalf("the type is sniffed when the server gives none: %q %v", mime, err)
	}
}
