package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/database"
)

const tokenUsage = "usage : ordi token add --email E [--name NOM] [--days N] | ordi token list --email E | ordi token revoke ID (--help pour le détail)"

// runToken runs `ordi token add|list|revoke`: API tokens, as ordi.System.
func runToken(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(stdout, "ordi token : crée, liste et révoque les jetons d'API.\n"+tokenUsage)
		return nil
	}
	if len(args) == 0 {
		return usageError(tokenUsage)
	}
	switch args[0] {
	case "add":
		return runTokenAdd(ctx, args[1:], getenv, stdout)
	case "list":
		return runTokenList(ctx, args[1:], getenv, stdout)
	case "revoke":
		return runTokenRevoke(ctx, args[1:], getenv, stdout)
	}
	return usageError(tokenUsage)
}

// withAccounts opens and migrates the database and runs f with the account
// service over it.
func withAccounts(ctx context.Context, dbURL string, f func(*account.Service) error) error {
	db, err := openDB(ctx, dbURL, nil)
	if err != nil {
		return err
	}
	defer database.Close(db)
	if err := database.Migrate(ctx, db); err != nil {
		return err
	}
	return f(account.NewService(db, time.Now))
}

func runTokenAdd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("token add", "ordi token add --email E [--name NOM] [--days N]\n\n"+
		"Crée un jeton d'API pour le compte et l'affiche, seul, sur la sortie standard.\n"+
		"Il n'est affiché qu'une fois : conservez-le. Sans --days, il vaut jusqu'à sa révocation.", stdout)
	dbURL := databaseFlag(fs, getenv)
	email := fs.String("email", "", "adresse e-mail du compte")
	name := fs.String("name", "", "à quoi sert le jeton (ex. « script d'import »)")
	days := fs.Int("days", 0, "durée de validité en jours (facultatif)")
	if err := fs.parse(args); err != nil {
		return helpOK(err)
	}
	if *days < 0 {
		return usageError("token add : --days doit être un nombre de jours positif")
	}
	in := account.NewToken{Email: *email, Name: *name}
	if *days > 0 {
		until := time.Now().Add(time.Duration(*days) * 24 * time.Hour)
		in.ExpiresAt = &until
	}
	return withAccounts(ctx, *dbURL, func(s *account.Service) error {
		t, err := s.IssueToken(ctx, ordi.System, in)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, t.Secret)
		return nil
	})
}

func runTokenList(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("token list", "ordi token list --email E\n\nListe les jetons d'API du compte, du plus récent au plus ancien, révoqués et expirés compris.", stdout)
	dbURL := databaseFlag(fs, getenv)
	email := fs.String("email", "", "adresse e-mail du compte")
	if err := fs.parse(args); err != nil {
		return helpOK(err)
	}
	return withAccounts(ctx, *dbURL, func(s *account.Service) error {
		u, err := s.UserByEmail(ctx, ordi.System, *email)
		if err != nil {
			return err
		}
		tokens, err := s.Tokens(ctx, ordi.System, u.ID)
		if err != nil {
			return err
		}
		if len(tokens) == 0 {
			fmt.Fprintf(stdout, "Aucun jeton pour %s.\n", u.Email)
			return nil
		}
		w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNOM\tCRÉÉ LE\tEXPIRE LE\tÉTAT")
		now := time.Now()
		for _, t := range tokens {
			expires := "jamais"
			if t.ExpiresAt != nil {
				expires = utc(*t.ExpiresAt)
			}
			state := t.Status(now).Label()
			if t.RevokedAt != nil {
				state += " le " + utc(*t.RevokedAt)
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Name, utc(t.CreatedAt), expires, state)
		}
		return w.Flush()
	})
}

func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func runTokenRevoke(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("token revoke", "ordi token revoke ID\n\nRévoque aussitôt le jeton d'API dont l'identifiant est ID (voir ordi token list).", stdout)
	dbURL := databaseFlag(fs, getenv)
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := fs.parse(args); err != nil {
		return helpOK(err)
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return usageError("token revoke : un seul identifiant de jeton attendu (voir --help)")
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return usageError("token revoke : identifiant de jeton attendu, un nombre (voir ordi token list)")
	}
	return withAccounts(ctx, *dbURL, func(s *account.Service) error {
		t, err := s.RevokeToken(ctx, ordi.System, n)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Jeton %d « %s » révoqué le %s.\n", t.ID, t.Name, utc(*t.RevokedAt))
		return nil
	})
}
