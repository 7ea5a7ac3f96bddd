package docfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/incubot/incubot/knowledge/corpus"
)

// Tool is an external program some file types need, and the Debian package
// that provides it. They are optional: without one, only the files that
// need it are refused, with the package to install.
type Tool struct {
	Command string
	Package string
	For     string // the files it reads
}

// The converters.
var (
	ToolLibreOffice = Tool{"soffice", "libreoffice-writer-nogui", ".doc .wps .rtf .odt"}
	ToolLibreCalc   = Tool{"soffice", "libreoffice-calc-nogui", ".xls .et 台账"}
	ToolPdfToText   = Tool{"pdftotext", "poppler-utils", ".pdf 文字层"}
	ToolPdfToPPM    = Tool{"pdftoppm", "poppler-utils", "扫描 PDF 的页面"}
	ToolTesseract   = Tool{"tesseract", "tesseract-ocr", "扫描件和图片"}
	ToolChiSim      = Tool{"tesseract chi_sim", "tesseract-ocr-chi-sim", "扫描件里的中文"}
)

// Tools lists the converters, for doctor.
func Tools() []Tool {
	return []Tool{ToolLibreOffice, ToolLibreCalc, ToolPdfToText, ToolPdfToPPM, ToolTesseract, ToolChiSim}
}

// CheckTool reports whether a converter is installed: nil, or a refusal
// naming the package to install.
func CheckTool(ctx context.Context, t Tool) error {
	switch t {
	case ToolChiSim:
		out, err := run(ctx, ToolTesseract, 20*time.Second, "", "--list-langs")
		if err != nil {
			return err
		}
		if !bytes.Contains(out, []byte("chi_sim")) {
			return Refuse(RefuseToolMissing, corpus.ErrUnsupported, t.Package)
		}
		return nil
	case ToolLibreCalc:
		if _, err := exec.LookPath(t.Command); err != nil {
			return Refuse(RefuseToolMissing, corpus.ErrUnsupported, t.Package)
		}
		if !calcInstalled() {
			return Refuse(RefuseToolMissing, corpus.ErrUnsupported, t.Package)
		}
		return nil
	}
	if _, err := exec.LookPath(t.Command); err != nil {
		return Refuse(RefuseToolMissing, corpus.ErrUnsupported, t.Package)
	}
	return nil
}

// calcInstalled looks for LibreOffice Calc's library next to soffice.
func calcInstalled() bool {
	for _, dir := range []string{"/usr/lib/libreoffice/program", "/opt/libreoffice/program"} {
		if _, err := os.Stat(dir + "/libsclo.so"); err == nil {
			return true
		}
	}
	return false
}

// memoryLimitMB bounds the address space of the converters that parse
// untrusted structure in one process (poppler's PDF reader, Tesseract with
// Leptonica). LibreOffice maps far more than it uses and is bounded by
// time only.
var memoryLimitMB = map[string]int{"pdftotext": 256, "pdfinfo": 256, "pdftoppm": 256, "tesseract": 512}

// run runs a converter in its own process group, killed as a whole when
// timeout passes or ctx ends; its output is capped at MaxTextBytes*4.
func run(ctx context.Context, t Tool, timeout time.Duration, dir string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(t.Command)
	if err != nil {
		return nil, Refuse(RefuseToolMissing, corpus.ErrUnsupported, t.Package)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	if mb := memoryLimitMB[t.Command]; mb > 0 {
		// An address-space limit, set by the shell before it becomes the
		// tool: a crafted PDF or image cannot take the server's memory.
		cmd = exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", fmt.Sprintf(`ulimit -v %d && exec "$0" "$@"`, mb<<10), path}, args...)...)
	}
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	// One thread: the machine is shared, and OCR with OpenMP threads is
	// no faster on two cores.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1", "LC_ALL=C.UTF-8")
	if dir != "" {
		cmd.Env = append(cmd.Env, "HOME="+dir, "TMPDIR="+dir)
	}
	out := &cappedBuffer{max: MaxTextBytes * 4}
	var stderr cappedBuffer
	stderr.max = 64 << 10
	cmd.Stdout, cmd.Stderr = out, &stderr
	err = cmd.Run()
	if ctx.Err() != nil {
		// Kill whatever the group left behind (soffice forks soffice.bin).
		if cmd.Process != nil {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, Refuse(RefuseTimeout, corpus.ErrInvalid, timeout.String())
		}
		return nil, ctx.Err()
	}
	if out.over {
		return nil, Refuse(RefuseTooMuchText, corpus.ErrTooLarge, SizeText(MaxTextBytes))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", t.Command, err, lastLine(stderr.String()))
	}
	return out.Bytes(), nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// cappedBuffer keeps at most max bytes and then refuses more, which ends
// the writing process with a broken pipe.
type cappedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if c.Len()+len(p) > c.max {
		c.over = true
		return 0, errors.New("output over its limit")
	}
	return c.Buffer.Write(p)
}
