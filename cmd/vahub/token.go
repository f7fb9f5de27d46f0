package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/web/auth"
)

const tokenUsage = `Usage:
  vahub token create --user NAME [--label LABEL]
  vahub token list [--user NAME] [--json]
  vahub token revoke --id ID

An API token is sent as "Authorization: Bearer TOKEN" and acts with its
user's role and countries. create prints the token once, on standard output:
vahub keeps only its SHA-256, so a lost token cannot be shown again (revoke
it and create another). Every change is recorded in the audit log.
`

func cmdToken(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, tokenUsage)
		return exitUsage
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "create":
		return tokenCreate(ctx, e, rest)
	case "list":
		return tokenList(ctx, e, rest)
	case "revoke":
		return tokenRevoke(ctx, e, rest)
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, tokenUsage)
		return exitOK
	default:
		fmt.Fprintf(e.stderr, "vahub token: unknown subcommand %q\n\n%s", sub, tokenUsage)
		return exitUsage
	}
}

// maxLabelLen bounds a token's label.
const maxLabelLen = 200

func tokenCreate(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("token create", "token create --user NAME [--label LABEL]")
	userName := fs.String("user", "", "the token's user (required)")
	label := fs.String("label", "", "what the token is for, e.g. the enumerator's phone")
	rest, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	if len(rest) > 0 || *userName == "" {
		fmt.Fprintln(e.stderr, "vahub token create: give --user NAME [--label LABEL]")
		return exitUsage
	}
	if len([]rune(*label)) > maxLabelLen {
		fmt.Fprintf(e.stderr, "vahub token create: --label is longer than %d characters\n", maxLabelLen)
		return exitUsage
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub token create: %v\n", err)
		return exitInternal
	}
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub token create: %v\n", err)
		return exitInternal
	}
	defer db.Close()
	id, err := db.CreateToken(ctx, *userName, hash, *label)
	switch {
	case errors.Is(err, pg.ErrNotFound):
		fmt.Fprintf(e.stderr, "vahub token create: no user named %q (vahub user list)\n", pg.NormalizeUserName(*userName))
		return exitFailed
	case errors.Is(err, pg.ErrInvalid):
		fmt.Fprintf(e.stderr, "vahub token create: %v\n", err)
		return exitFailed
	case err != nil:
		fmt.Fprintf(e.stderr, "vahub token create: %v\n", err)
		return exitInternal
	}
	norm := pg.NormalizeUserName(*userName)
	if code := audited(ctx, e, db, "token create", pg.AuditEntry{
		Action: "token.create", Object: "token " + strconv.FormatInt(id, 10),
		Detail: map[string]any{"user": norm, "label": *label, "token_id": id},
	}); code != exitOK {
		// The token exists but its creation is not on record: revoke it
		// rather than hand out an unaudited credential.
		if err := db.RevokeToken(ctx, id); err != nil {
			fmt.Fprintf(e.stderr, "vahub token create: revoke token %d: %v\n", id, err)
		}
		return code
	}
	fmt.Fprintf(e.stderr, "token %d for %s; it is shown only now, store it safely:\n", id, norm)
	fmt.Fprintln(e.stdout, token)
	return exitOK
}

func tokenList(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("token list", "token list [--user NAME] [--json]")
	userName := fs.String("user", "", "only this user's tokens (default: everyone's)")
	asJSON := fs.Bool("json", false, "print JSON")
	rest, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(e.stderr, "vahub token list: unexpected argument %q\n", rest[0])
		return exitUsage
	}
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub token list: %v\n", err)
		return exitInternal
	}
	defer db.Close()
	ts, err := db.ListTokens(ctx, *userName)
	switch {
	case errors.Is(err, pg.ErrNotFound):
		fmt.Fprintf(e.stderr, "vahub token list: no user named %q (vahub user list)\n", pg.NormalizeUserName(*userName))
		return exitFailed
	case err != nil:
		fmt.Fprintf(e.stderr, "vahub token list: %v\n", err)
		return exitInternal
	}
	if *asJSON {
		if ts == nil {
			ts = []pg.Token{}
		}
		_ = json.NewEncoder(e.stdout).Encode(ts)
		return exitOK
	}
	stamp := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format("2006-01-02 15:04")
	}
	fmt.Fprintf(e.stdout, "%-6s %-24s %-8s %-16s %-16s %s\n", "ID", "USER", "STATUS", "CREATED", "LAST USED", "LABEL")
	for _, t := range ts {
		status := "active"
		if t.RevokedAt != nil {
			status = "revoked"
		}
		fmt.Fprintf(e.stdout, "%-6d %-24s %-8s %-16s %-16s %s\n", t.ID, t.UserName, status, stamp(&t.CreatedAt), stamp(t.LastUsedAt), t.Label)
	}
	return exitOK
}

func tokenRevoke(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("token revoke", "token revoke --id ID")
	idText := fs.String("id", "", "the token's id, as token list shows it (required)")
	rest, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	id, err := strconv.ParseInt(*idText, 10, 64)
	if len(rest) > 0 || err != nil || id <= 0 {
		fmt.Fprintln(e.stderr, "vahub token revoke: give --id ID, a token number from vahub token list")
		return exitUsage
	}
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub token revoke: %v\n", err)
		return exitInternal
	}
	defer db.Close()
	tok, err := db.TokenByID(ctx, id)
	if err == nil {
		err = db.RevokeToken(ctx, id)
	}
	switch {
	case errors.Is(err, pg.ErrNotFound):
		fmt.Fprintf(e.stderr, "vahub token revoke: no token %d (vahub token list)\n", id)
		return exitFailed
	case err != nil:
		fmt.Fprintf(e.stderr, "vahub token revoke: %v\n", err)
		return exitInternal
	}
	if code := audited(ctx, e, db, "token revoke", pg.AuditEntry{
		Action: "token.revoke", Object: "token " + strconv.FormatInt(id, 10),
		Detail: map[string]any{"user": tok.UserName, "label": tok.Label, "token_id": id, "already_revoked": tok.RevokedAt != nil},
	}); code != exitOK {
		return code
	}
	fmt.Fprintf(e.stdout, "token %d of %s revoked\n", id, tok.UserName)
	return exitOK
}
