// Command consoleshots signs in to a running console with a one-time link
// and saves a full-page screenshot of every page at phone width (360 px)
// and desktop width (1280 px), for looking at before a release:
//
//	go run ./cmd/consoleshots -link "$(incubot people login-link 李科长 | tail -1)" -out /tmp/shots
//
// It starts Debian's chromium headless with a fresh profile.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	link := flag.String("link", "", "a one-time sign-in link (incubot people login-link NAME)")
	out := flag.String("out", "console-shots", "folder for the PNG files")
	flag.Parse()
	if err := run(*link, *out); err != nil {
		fmt.Fprintln(os.Stderr, "consoleshots:", err)
		os.Exit(1)
	}
}

func run(link, out string) error {
	u, err := url.Parse(link)
	if err != nil || link == "" || !strings.Contains(u.Path, "/console/login/") {
		return fmt.Errorf("-link must be a sign-in link such as http://127.0.0.1:8080/console/login/…")
	}
	base := u.Scheme + "://" + u.Host + "/console/"
	path, err := exec.LookPath("chromium")
	if err != nil {
		return fmt.Errorf("chromium is not installed (apt-get install -y chromium)")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	profile, err := os.MkdirTemp("", "consoleshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path), chromedp.UserDataDir(profile),
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()

	shoot := func(name string) error {
		for _, w := range []int64{360, 1280} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 800)); err != nil {
				return err
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				return err
			}
			file := filepath.Join(out, fmt.Sprintf("%s-%d.png", name, w))
			if err := os.WriteFile(file, png, 0o644); err != nil {
				return err
			}
			fmt.Println(file)
		}
		return nil
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(link)); err != nil {
		return err
	}
	if err := shoot("login"); err != nil {
		return err
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitVisible(chromedp.CSS("nav.tabs"))); err != nil {
		return fmt.Errorf("sign in (a link works once; get a new one): %w", err)
	}
	pages := []struct{ name, path, open string }{
		{"docs", "docs", ""},
		{"doc", "docs", "table.docs a"},
		{"hittest", "hittest?q=" + url.QueryEscape("购买科技成果补助的比例是多少"), ""},
		{"hittest-declined", "hittest?q=" + url.QueryEscape("专精特新小巨人怎么申报"), ""},
		{"faq", "faq", ""},
		{"questions", "questions", ""},
		{"log", "log", ""},
		{"assets", "assets", ""},
		{"asset", "assets", "table.assets a"},
		{"reports", "reports", ""},
		{"people", "people", ""},
		{"audit", "audit", ""},
		{"refusal", "assets/999999999", ""},
	}
	for _, p := range pages {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		if p.open != "" {
			href, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf("document.querySelector(%q).href", p.open)))
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(href), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
		}
		if err := shoot(p.name); err != nil {
			return err
		}
	}
	return nil
}
