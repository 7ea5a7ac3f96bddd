package docfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/incubot/incubot/knowledge/corpus"
)

// Limits on what one file may cost to read. A policy document's text is a
// few hundred kilobytes at most; these leave room for a law compilation and
// stop a decompression bomb or a pathological PDF long before memory or time
// run out.
const (
	// MaxUnpacked is the most bytes read from any one part of an office
	// file (word/document.xml, say) once inflated.
	MaxUnpacked = 16 << 20
	// MaxTextBytes is the most text one document may yield.
	MaxTextBytes = 4 << 20
	// ParseTimeout bounds reading one file in process and each converter
	// run (LibreOffice, pdftotext) on it.
	ParseTimeout = 60 * time.Second
	// OCRPageTimeout bounds recognising one page.
	OCRPageTimeout = 90 * time.Second
	// MaxOCRPages is the most pages of a scan that are recognised.
	MaxOCRPages = 60
)

// Kinds of refusal.
const (
	RefuseNotRegular  = "not-regular"   // a device, pipe, directory …
	RefuseTooLarge    = "too-large"     // over INCUBOT_MAX_FILE_SIZE
	RefuseUnpacked    = "unpacked"      // an office file that inflates past MaxUnpacked
	RefuseTooMuchText = "too-much-text" // more text than MaxTextBytes
	RefuseTimeout     = "timeout"       // reading took longer than its limit
	RefuseNotText     = "not-text"      // a .txt that is not clean text
	RefuseUnsupported = "unsupported"   // a file type we do not read
	RefuseEmpty       = "empty"         // no text at all
	RefuseDamaged     = "damaged"       // a file its format's reader cannot read
	RefuseToolMissing = "tool-missing"  // a converter that is not installed
	RefuseTooManyPage = "too-many-pages"
)

// Refusal says why a file was not read. It wraps one of the package's
// sentinel errors; Chinese renders it for the officer who sent the file.
type Refusal struct {
	Kind   string
	Detail string // the file type, the limit, the package to install …
	Err    error
}

func (r *Refusal) Error() string {
	if r.Detail == "" {
		return fmt.Sprintf("%v: %s", r.Err, r.Kind)
	}
	return fmt.Sprintf("%v: %s (%s)", r.Err, r.Kind, r.Detail)
}

func (r *Refusal) Unwrap() error { return r.Err }

// Chinese is the refusal as the officer reads it: what is wrong and what to
// do.
func (r *Refusal) Chinese() string {
	switch r.Kind {
	case RefuseNotRegular:
		return "这不是普通文件（可能是设备、管道或目录），未读取。请指定文档文件本身。"
	case RefuseTooLarge:
		return "文件太大（" + r.Detail + "），未读取。请拆分后再加，或由管理员调高 INCUBOT_MAX_FILE_SIZE。"
	case RefuseUnpacked:
		return "这个文件解压后超过 " + r.Detail + "，像是损坏或恶意构造的文件，未读取。请用 WPS/Word 重新另存为 .docx 再加。"
	case RefuseTooMuchText:
		return "文件文字超过 " + r.Detail + "，不像一份政策文件，未读取。请拆分后再加。"
	case RefuseTimeout:
		return "读取这个文件超过了时间限制（" + r.Detail + "），已停止。请另存为 .docx 或文字版 PDF 后再加。"
	case RefuseNotText:
		return "这个文件不是干净的文字（" + r.Detail + "），未读取。请确认文件没有改错扩展名，另存为 UTF-8 文本或 .docx 后再加。"
	case RefuseUnsupported:
		return "不支持 " + r.Detail + " 格式。可以加 .docx .doc .wps .rtf .odt .pdf .txt .md 文件和扫描件图片（.png .jpg .tif）。"
	case RefuseEmpty:
		return "文件里没有文字，未读取。" + r.Detail
	case RefuseDamaged:
		return "文件已损坏或加密，读不出来（" + r.Detail + "）。请重新下载或另存后再加。"
	case RefuseToolMissing:
		return "服务器缺少读取这类文件的软件，请管理员安装 Debian 软件包 " + r.Detail + "（apt-get install " + r.Detail + "）。"
	case RefuseTooManyPage:
		return "扫描件超过 " + r.Detail + " 页，未识别。请拆分后再加，或提供文字版。"
	}
	return "文件未能读取。"
}

// Explain renders any error from adding a file: a refusal in Chinese, any
// other error by its text.
func Explain(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Chinese()
	}
	return err.Error()
}

// Refuse is the Refusal of a file of the given kind, wrapping sentinel.
func Refuse(kind string, sentinel error, detail string) error {
	return &Refusal{Kind: kind, Err: sentinel, Detail: detail}
}

// ReadFile reads a document from disk: it opens the file first and checks
// what was opened (a regular file of at most max bytes), so a symlink to a
// device or a file that grows while read is refused, never read until
// memory runs out.
func ReadFile(path string, max int64) ([]byte, error) {
	// O_NONBLOCK: opening a named pipe must not wait for a writer.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, Refuse(RefuseNotRegular, corpus.ErrInvalid, st.Mode().Type().String())
	}
	if max > 0 && st.Size() > max {
		return nil, Refuse(RefuseTooLarge, corpus.ErrTooLarge, SizeText(st.Size())+"，上限 "+SizeText(max))
	}
	limit := max
	if limit <= 0 {
		limit = 1 << 40
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, Refuse(RefuseTooLarge, corpus.ErrTooLarge, "读取时超过上限 "+SizeText(max))
	}
	return data, nil
}

// SizeText renders a file size for people: 2.5 MB, 300 KB.
func SizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d 字节", n)
}

// boundedReader reads at most max bytes and then fails with a refusal,
// checking ctx as it goes, so an inflating part stops early.
type boundedReader struct {
	ctx context.Context
	r   io.Reader
	n   int64
	max int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, Refuse(RefuseTimeout, corpus.ErrInvalid, ParseTimeout.String())
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > b.max {
		return n, Refuse(RefuseUnpacked, corpus.ErrTooLarge, SizeText(b.max))
	}
	return n, err
}

// decodeText reads a text file as UTF-8 or, failing that, GB18030, and
// refuses what does not decode to clean text: GB18030 maps almost any byte
// sequence to some character, so binary renamed .txt would otherwise be
// indexed as mojibake.
func decodeText(data []byte) (string, error) {
	if n := countZero(data); n > 0 {
		return "", Refuse(RefuseNotText, corpus.ErrInvalid, "含二进制数据")
	}
	data = trimBOM(data)
	var s string
	if utf8.Valid(data) {
		s = string(data)
	} else {
		out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || !utf8.Valid(out) {
			return "", Refuse(RefuseNotText, corpus.ErrInvalid, "既不是 UTF-8 也不是 GB18030 编码")
		}
		s = string(out)
	}
	if why := unclean(s); why != "" {
		return "", Refuse(RefuseNotText, corpus.ErrInvalid, why)
	}
	return s, nil
}

func countZero(b []byte) int {
	n := 0
	for _, c := range b {
		if c == 0 {
			n++
		}
	}
	return n
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf {
		return b[3:]
	}
	return b
}

// unclean says why decoded text does not read as a document, or "". Text
// in Chinese documents is ASCII, CJK punctuation and the common characters
// of GB2312; mojibake is full of control characters, private-use and rare
// characters.
func unclean(s string) string {
	var total, control, rare int
	enc := simplifiedchinese.GBK.NewEncoder()
	for _, r := range s {
		total++
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\f':
		case r == utf8.RuneError || unicode.Is(unicode.Co, r) || (unicode.IsControl(r)):
			control++
		case r < 0x80:
		case !common(enc, r):
			rare++
		}
	}
	if total == 0 {
		return ""
	}
	if control*1000 > total {
		return "含控制字符"
	}
	if rare*10 > total {
		return "生僻字符过多，像是乱码"
	}
	return ""
}

// common reports whether r is a character ordinary Chinese text uses: in
// GB2312 (both GBK bytes in A1–FE), or common punctuation and letters.
func common(enc *encoding.Encoder, r rune) bool {
	switch {
	case r >= 0x2000 && r <= 0x206f, r >= 0x3000 && r <= 0x303f, r >= 0xff00 && r <= 0xffef, r >= 0x2460 && r <= 0x24ff:
		return true
	case unicode.IsLetter(r) && r < 0x2000:
		return true
	}
	b, err := enc.Bytes([]byte(string(r)))
	return err == nil && len(b) == 2 && b[0] >= 0xa1 && b[1] >= 0xa1
}
