package pg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SessionUser returns the user of a session, or ErrNotFound when the
// session is unknown, expired, unused for longer than idle (to the minute of
// last_seen_at; 0: no idle limit) or its user disabled; a session found over
// its idle limit is deleted. A visit moves last_seen_at (to the minute),
// never the absolute expiry.
func (db *DB) SessionUser(ctx context.Context, idHash []byte, idle time.Duration) (User, error) {
	now := db.Now()
	var row struct {
		User
		LastSeen time.Time `db:"last_seen_at"`
	}
	err := db.GetContext(ctx, &row, `
		SELECT `+userColumns+`, s.last_seen_at
		FROM web_session s JOIN app_user u ON u.id = s.user_id
		WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`, idHash, now)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("pg: session: %w", ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("pg: session user: %w", err)
	}
	if idle > 0 && now.Sub(row.LastSeen) >= idle {
		if err := db.DeleteSession(ctx, idHash); err != nil {
			return User{}, err
		}
		return User{}, fmt.Errorf("pg: session idle: %w", ErrNotFound)
	}
	if now.Sub(row.LastSeen) >= usageResolution {
		if _, err := db.ExecContext(ctx, `UPDATE web_session SET last_seen_at = $2 WHERE id_hash = $1`, idHash, now); err != nil {
			return User{}, fmt.Errorf("pg: session seen: %w", err)
		}
	}
	return row.User, nil
}
