package console

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/knowledge/docfile"
)

// FileStore keeps the bytes of a file sent in the console, as the WeChat
// adapter keeps a downloaded one.
type FileStore interface {
	SaveReceivedFile(ctx context.Context, f *model.ReceivedFile) (int64, error)
}

var photoExts = map[string]string{".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp"}

// fileMessage reads a file (bounded by MaxFileSize) and makes the message
// that carries it: a photo for image files, else a file.
func (c *Console) fileMessage(ctx context.Context, path string) (bot.Message, error) {
	m := c.message("")
	data, err := docfile.ReadFile(path, c.MaxFileSize)
	if err != nil {
		return m, fmt.Errorf("%s: %s", path, docfile.Explain(err))
	}
	name := filepath.Base(path)
	kind, mime := "file", ""
	if t, ok := photoExts[strings.ToLower(filepath.Ext(name))]; ok {
		kind, mime, name = "image", t, ""
	}
	id, err := c.Files.SaveReceivedFile(ctx, &model.ReceivedFile{Channel: Channel, MessageID: m.ID, Name: name, MIME: mime, Data: data})
	if err != nil {
		return m, err
	}
	m.Attachment = bot.Attachment{Kind: kind, Name: name, Size: int64(len(data)), MIME: mime, Ref: fmt.Sprintf("file:%d", id)}
	return m, nil
}
