package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browser is a headless Chromium driven by chromedp, collecting console
// errors and Content-Security-Policy violations so a test fails on them.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	problems []string
	url      string        // the page's URL, from the last main-frame navigation
	moved    chan struct{} // closed, and replaced, at each main-frame navigation
}

// e2eRequired reports whether browser tests must run (CI sets ORDI_E2E=1):
// then a missing Chromium fails the test instead of skipping it.
func e2eRequired() bool { return os.Getenv("ORDI_E2E") == "1" }

// newBrowser starts Chromium at the width of a portrait tablet.
func newBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if e2eRequired() {
			t.Fatal("ORDI_E2E=1 but Chromium is not installed (apt-get install chromium)")
		}
		t.Skip("Chromium not installed; set ORDI_E2E=1 to require browser tests")
	}
	// Not t.TempDir: Chromium's helpers may still write to the profile while
	// the test's cleanup removes it.
	profile, err := os.MkdirTemp("", "ordi-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(768, 1024),
	)
	opts = append(opts, extra...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	// A bound on the whole test's browsing, so that a stuck page fails
	// rather than hangs; generous, as CI runs it under -race on a busy machine.
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc(); os.RemoveAll(profile) })
	b := &browser{t: t, ctx: ctx, moved: make(chan struct{})}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *page.EventFrameNavigated:
			if e.Frame.ParentID == "" {
				b.navigated(e.Frame.URL)
			}
		case *runtime.EventExceptionThrown:
			b.report("exception: " + e.ExceptionDetails.Error())
		case *log.EventEntryAdded:
			if e.Entry.Level == log.LevelError {
				b.report(fmt.Sprintf("console %s: %s", e.Entry.Source, e.Entry.Text))
			}
		case *page.EventJavascriptDialogOpening:
			// Confirmation dialogs (data-confirm) are accepted, as a user would.
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(true))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError {
				b.report("console.error")
			}
		}
	})
	if err := chromedp.Run(ctx, log.Enable(), runtime.Enable()); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	t.Cleanup(b.checkProblems)
	return b
}

func (b *browser) report(p string) {
	// The test's server answers on loopback for as long as the test body
	// runs; a refused connection comes only after it stopped (cleanups run
	// before checkProblems), from the service worker still precaching in
	// the background, and says nothing about the pages.
	if strings.Contains(p, "net::ERR_CONNECTION_REFUSED") {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, p)
}

// allowProblem drops collected problems containing s (an expected 4xx
// answer logs a console error for the failed resource).
func (b *browser) allowProblem(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := b.problems[:0]
	for _, p := range b.problems {
		if !strings.Contains(p, s) {
			kept = append(kept, p)
		}
	}
	b.problems = kept
}

func (b *browser) checkProblems() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("browser: %s", p)
	}
}

// run executes chromedp actions, failing the test on error.
func (b *browser) run(actions ...chromedp.Action) {
	b.t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		b.screenshot("failure")
		b.t.Fatalf("browser: %v", err)
	}
}

// text returns the visible text of the first element matching sel, with
// the no-break spaces of French typography read as plain spaces (the pages
// set them; TestE2EFrenchTypography checks them).
func (b *browser) text(sel string) string {
	b.t.Helper()
	var s string
	b.run(chromedp.Text(sel, &s, chromedp.ByQuery, chromedp.NodeVisible))
	return strings.NewReplacer("\u00A0", " ", "\u202F", " ").Replace(s)
}

func (b *browser) navigated(url string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.url = url
	close(b.moved)
	b.moved = make(chan struct{})
}

// waitNavigation waits until the page has navigated to a URL ending with
// suffix, whoever caused it (a script, a redirect), and reports the last URL.
// It listens to the browser's navigation events rather than asking the page,
// which fails while a navigation replaces the document.
func (b *browser) waitNavigation(suffix string, timeout time.Duration) (string, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		b.mu.Lock()
		url, moved := b.url, b.moved
		b.mu.Unlock()
		if strings.HasSuffix(url, suffix) {
			return url, true
		}
		select {
		case <-moved:
		case <-deadline.C:
			return url, false
		}
	}
}

// location returns the current URL.
func (b *browser) location() string {
	b.t.Helper()
	var s string
	b.run(chromedp.Location(&s))
	return s
}

// screenshot saves a full-page PNG in $ORDI_SCREENSHOTS when set, for people
// reviewing the pages.
func (b *browser) screenshot(name string) {
	dir := os.Getenv("ORDI_SCREENSHOTS")
	if dir == "" {
		return
	}
	var png []byte
	if err := chromedp.Run(b.ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		return
	}
	safe := strings.NewReplacer("/", "_", " ", "_").Replace(b.t.Name() + "-" + name)
	os.WriteFile(filepath.Join(dir, safe+".png"), png, 0o644)
}

// noHorizontalScroll checks the page fits the tablet's width, navigation
// links included: none may hide past the edge of the screen.
func (b *browser) noHorizontalScroll() {
	b.t.Helper()
	var overflow bool
	b.run(chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow))
	if overflow {
		b.screenshot("overflow")
		b.t.Errorf("page %s scrolls sideways at 768 px", b.location())
	}
	var hidden []string
	b.run(chromedp.Evaluate(`[...document.querySelectorAll('.nav-links a')].filter(a => a.getBoundingClientRect().right > window.innerWidth + 1).map(a => a.textContent.trim())`, &hidden))
	if len(hidden) > 0 {
		b.screenshot("nav-hidden")
		b.t.Errorf("page %s: navigation links past the edge at 768 px: %v", b.location(), hidden)
	}
}

// clickAndLoad clicks an element that leads to a new page (a link, a form
// button) and waits until that new page has loaded, so that checks never
// read the page being left.
func (b *browser) clickAndLoad(sel string, opts ...chromedp.QueryOption) {
	b.t.Helper()
	b.run(
		chromedp.Evaluate(`document.documentElement.dataset.leaving = "1"`, nil),
		chromedp.Click(sel, opts...),
	)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var loaded bool
		// While the browser navigates, evaluation fails: try again.
		err := chromedp.Run(b.ctx, chromedp.Evaluate(`!document.documentElement.dataset.leaving && document.readyState === "complete"`, &loaded))
		if err == nil && loaded {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.screenshot("no-navigation")
	b.t.Fatalf("browser: clicking %s did not load a new page", sel)
}
