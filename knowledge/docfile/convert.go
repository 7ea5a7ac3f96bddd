package docfile

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/incubot/incubot/knowledge/corpus"
)

// Formats LibreOffice converts for us.
var (
	wordFormats  = []string{".doc", ".wps", ".rtf", ".odt"}
	sheetFormats = []string{".xls", ".et", ".ods"}
)

// ConvertOffice converts a file with LibreOffice (soffice --headless
// --convert-to) to the format named by to ("docx", "xlsx", "pdf"). Each
// run has a private temporary profile, so runs never wait for one another
// or for a desktop LibreOffice, and is killed after ParseTimeout.
//
// Registers use it as ConvertOffice(ctx, "台账.xls", data, "xlsx") and read
// the result as an .xlsx.
func ConvertOffice(ctx context.Context, name string, data []byte, to string) ([]byte, error) {
	ext := strings.ToLower(filepath.Ext(name))
	if !officeLike(data) {
		// LibreOffice would import any bytes as plain text.
		return nil, Refuse(RefuseDamaged, corpus.ErrInvalid, "不是 "+ext+" 格式，扩展名可能改错了")
	}
	tool := ToolLibreOffice
	if contains(sheetFormats, ext) {
		tool = ToolLibreCalc
		if err := CheckTool(ctx, tool); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "incubot-convert-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	// A fixed ASCII name: the officer's file name never reaches the
	// command line.
	in := filepath.Join(dir, "in"+ext)
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "out")
	_, err = run(ctx, tool, ParseTimeout, dir, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
		"-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", to, "--outdir", out, in)
	if err != nil {
		return nil, err
	}
	res, err := os.ReadFile(filepath.Join(out, "in."+to))
	if err != nil {
		// soffice exits 0 when it could not load the file.
		return nil, Refuse(RefuseDamaged, corpus.ErrInvalid, "LibreOffice 无法打开")
	}
	return res, nil
}

// officeLike reports whether data starts as an office file does: an OLE
// compound file (.doc, .wps, .xls, .et), a zip (.docx, .odt, .xlsx saved
// under another name), RTF, or the HTML or MHT that sites serve as .doc.
func officeLike(data []byte) bool {
	head := bytes.TrimLeft(data[:min(len(data), 512)], " \t\r\n\xef\xbb\xbf")
	low := bytes.ToLower(head)
	for _, sig := range [][]byte{{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, []byte("PK\x03\x04"), []byte(`{\rtf`), []byte("<"), []byte("mime-version:")} {
		if bytes.HasPrefix(low, bytes.ToLower(sig)) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// withTemp writes data to a file in a fresh temporary directory and calls
// f with the directory and the file's path.
func withTemp(name string, data []byte, f func(dir, path string) error) error {
	dir, err := os.MkdirTemp("", "incubot-read-")
	if err != nil {
		return fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	return f(dir, path)
}
