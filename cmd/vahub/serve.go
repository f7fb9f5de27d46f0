package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/vahub/vahub/exports/suppress"
	"github.com/vahub/vahub/web"
)

// shutdownGrace is how long in-flight requests (an upload being ingested, a
// workbook being streamed) may take to finish once vahub is told to stop.
const shutdownGrace = 30 * time.Second

func cmdServe(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("serve", "serve [--addr 127.0.0.1:8080] [--max-upload-mb 25] [--suppress-k 5]")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	maxMB := fs.Int("max-upload-mb", web.DefaultMaxUpload>>20, "largest file accepted by POST /api/v1/uploads, in MiB")
	k := fs.Int("suppress-k", suppress.DefaultK, "small-cell threshold of answers built from survey records: default and floor for focal points and researchers (admins may ask ?k= down to 2)")
	if rest, done, code := parseFlags(fs, args); done || len(rest) > 0 {
		if len(rest) > 0 {
			fmt.Fprintf(e.stderr, "vahub serve: unexpected argument %q\n", rest[0])
			return exitUsage
		}
		return code
	}
	if *k < suppress.MinK {
		fmt.Fprintf(e.stderr, "vahub serve: --suppress-k must be at least %d\n", suppress.MinK)
		return exitUsage
	}
	if *maxMB < 1 || *maxMB > 1024 {
		fmt.Fprintln(e.stderr, "vahub serve: --max-upload-mb must be between 1 and 1024")
		return exitUsage
	}
	// An external database with pending migrations is refused here: the
	// server never runs against a schema it does not know.
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub serve: %v\n", err)
		return exitInternal
	}
	defer db.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub serve: %v\n", err)
		return exitInternal
	}
	h := web.NewServer(db, e.log, web.Options{MaxUpload: int64(*maxMB) << 20, SuppressK: *k})
	srv := web.NewHTTPServer(h, e.log)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	e.log.Info("serving", "addr", ln.Addr().String(), "max_upload_mb", *maxMB)
	fmt.Fprintf(e.stdout, "vahub serve: listening on http://%s\n", ln.Addr())

	select {
	case err := <-served:
		fmt.Fprintf(e.stderr, "vahub serve: %v\n", err)
		return exitInternal
	case <-ctx.Done():
	}
	e.log.Info("shutting down", "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		fmt.Fprintf(e.stderr, "vahub serve: shutdown: %v\n", err)
		return exitInternal
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(e.stderr, "vahub serve: %v\n", err)
		return exitInternal
	}
	return exitOK
}
