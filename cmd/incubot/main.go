// Command incubot is the district Science & Technology Bureau's WeChat
// assistant: policy answers with citations, and incubator reports.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/incubot/incubot/internal/postgres"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// A second signal exits at once.
		<-ctx.Done()
		stop()
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		<-c
		fmt.Fprintln(os.Stderr, "incubot: second signal, exiting now")
		os.Exit(130)
	}()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, "incubot:", safeLines(ue.msg))
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "incubot:", safeLines(err.Error()))
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, a *app, args []string) error
}

func commands() []command {
	return []command{
		{"chat", "console chat that behaves like WeChat (private or group)", cmdChat},
		{"serve", "run the WeChat channel and/or the HTTP API", cmdServe},
		{"kb", "policy corpus: add, list, show, search, retire, reindex, faq", cmdKB},
		{"ask", "answer one question from the command line", cmdAsk},
		{"questions", "questions log; --unanswered lists what the corpus did not cover", cmdQuestions},
		{"eval", "measure retrieval and answers on a question set", cmdEval},
		{"people", "invite, list and revoke officers and managers", cmdPeople},
		{"assets", "incubator asset register: import, list", cmdAssets},
		{"report", "status reports: import; export everything to Excel", cmdReport},
		{"stocktake", "asset stock-takes (盘点): open, progress, close, export", cmdStocktake},
		{"notice", "compensation notices (赔偿通知): issue, export, follow up", cmdNotice},
		{"audit", "the audit log of every change", cmdAudit},
		{"migrate", "apply database schema migrations", cmdMigrate},
		{"doctor", "check database, pgvector, schema, model and WeChat session", cmdDoctor},
		{"config", "print the effective configuration (secrets masked)", cmdConfig},
		{"help", "list the commands", nil},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	return runOn(ctx, nil, args, stdin, stdout, stderr, getenv)
}

// runOn is run on a database already open, when store is not nil: commands
// use it instead of opening their own, and leave it open (the CLI tests on
// the embedded server, whose one session a test binary shares).
func runOn(ctx context.Context, store *postgres.DB, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name != args[0] || c.run == nil {
			continue
		}
		a, err := newApp(stdin, stdout, stderr, getenv)
		if err != nil {
			return err
		}
		a.store, a.keepStore = store, store != nil
		defer a.close()
		return c.run(ctx, a, args[1:])
	}
	printHelp(stderr)
	return usagef("unknown command %q", args[0])
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "incubot — 科技局政策问答与孵化器报送助手\n\nUsage: incubot <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'incubot <command> -h' for a command's flags. Configuration comes from INCUBOT_* variables; see 'incubot config'.")
}
