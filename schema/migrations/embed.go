// Package migrations embeds vahub's forward-only SQL migrations.
package migrations

import "embed"

// FS holds the NNNNN_name.sql files goose applies in order.
//
//go:embed *.sql
var FS embed.FS
