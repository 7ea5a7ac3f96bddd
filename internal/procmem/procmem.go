// Package procmem reads peak memory from Linux's /proc, for the measuring
// commands (eval --synthetic, loadgen).
package procmem

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// PeakKB is the peak resident memory (VmHWM) of a process in kB; 0 where
// /proc does not tell.
func PeakKB(pid string) int {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				n, _ := strconv.Atoi(f[0])
				return n
			}
		}
	}
	return 0
}

// Children lists the child processes of pid ("self" for this one), from
// every thread's children file.
func Children(pid string) []string {
	tasks, _ := filepath.Glob("/proc/" + pid + "/task/*/children")
	var out []string
	for _, t := range tasks {
		if b, err := os.ReadFile(t); err == nil {
			out = append(out, strings.Fields(string(b))...)
		}
	}
	return out
}
