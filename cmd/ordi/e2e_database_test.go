package main

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
)

// e2eDatabase gives a browser test a fresh, migrated SQLite database: its
// URL for the server under test, a handle to seed it and the accounts
// service to create its users.
func e2eDatabase(t *testing.T) (string, *gorm.DB, *account.Service) {
	t.Helper()
	url := dbtest.URL(t, database.SQLite)
	ctx := context.Background()
	db, err := database.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close(db) })
	if err := database.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	return url, db, account.NewService(db, time.Now)
}
