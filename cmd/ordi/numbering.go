package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/numbering"
)

const numberingUsage = "usage : ordi numbering status | ordi numbering advance [--gap N] (ordi numbering advance --help pour le détail)"

// runNumbering shows the numbering of documents, or advances it after a
// restore (README, "Restoring a backup").
func runNumbering(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(stdout, "ordi numbering : numérotation des documents (références des familles, attestations).\n"+numberingUsage)
		return nil
	}
	if len(args) == 0 || (args[0] != "status" && args[0] != "advance") {
		return usageError(numberingUsage)
	}
	sub, args := args[0], args[1:]
	help := "ordi numbering status : où en est chaque série de numéros (F-, REM-, DON-) et si la numérotation est suspendue."
	if sub == "advance" {
		help = "ordi numbering advance [--gap N]\n\n" +
			"À lancer après toute restauration d'une sauvegarde, avant de rouvrir Ordi : chaque série de numéros\n" +
			"de cette année et des précédentes saute N numéros, une fois, au-delà de ceux que la base perdue a pu\n" +
			"émettre. Choisissez N plus grand que le nombre de documents d'une même série émis depuis la sauvegarde."
	}
	fs := newFlagSet("numbering "+sub, help, stdout)
	dbURL := databaseFlag(fs, getenv)
	gap := fs.Int("gap", numbering.DefaultGap, "numéros sautés par chaque série")
	if err := fs.parse(args); err != nil {
		return helpOK(err)
	}
	db, err := openDB(ctx, *dbURL, nil)
	if err != nil {
		return err
	}
	defer database.Close(db)
	if err := database.Migrate(ctx, db); err != nil {
		return err
	}
	if sub == "advance" {
		r, err := numbering.Advance(ctx, db, time.Now(), *gap)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Numérotation avancée : les séries de %d et avant sautent %d numéros.\n", *r.Year, *r.Gap)
	}
	st, err := numbering.Status(ctx, db)
	if err != nil {
		return err
	}
	printNumbering(stdout, st)
	if sub == "advance" {
		fmt.Fprintln(stdout, "Faites maintenant une nouvelle sauvegarde : elle contient l'avance.")
	}
	return nil
}

func printNumbering(w io.Writer, st numbering.State) {
	if st.Held {
		fmt.Fprintln(w, "Numérotation : suspendue (base restaurée d'une sauvegarde) ; lancez « ordi numbering advance ».")
	} else {
		fmt.Fprintln(w, "Numérotation : active.")
	}
	for _, r := range st.Restores {
		line := fmt.Sprintf("  restauration %d : sauvegarde marquée le %s", r.ID, r.MarkedAt.UTC().Format(time.RFC3339))
		if r.AdvancedAt != nil {
			line += fmt.Sprintf(", avancée le %s de %d numéros (séries de %d et avant)", r.AdvancedAt.UTC().Format(time.RFC3339), *r.Gap, *r.Year)
		}
		fmt.Fprintln(w, line)
	}
	if len(st.Counters) > 0 {
		var next []string
		for _, c := range st.Counters {
			next = append(next, numbering.Format(c.Series, c.Year, c.Next))
		}
		fmt.Fprintln(w, "Prochains numéros : "+strings.Join(next, ", "))
	}
}

// runBackup copies a SQLite database, in use or not, and marks the copy so
// that once restored it numbers nothing before `ordi numbering advance`.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("backup", "ordi backup --to FICHIER\n\n"+
		"Écrit une copie cohérente de la base SQLite, même pendant qu'Ordi tourne. Une base restaurée de cette\n"+
		"copie ne numérote plus aucun document avant « ordi numbering advance » (voir le README).\n"+
		"Sur PostgreSQL, utilisez pg_dump.", stdout)
	dbURL := databaseFlag(fs, getenv)
	to := fs.String("to", "", "fichier de la copie (ne doit pas exister)")
	if err := fs.parse(args); err != nil {
		return helpOK(err)
	}
	if *to == "" {
		return usageError("usage : ordi backup --to FICHIER (ordi backup --help pour le détail)")
	}
	db, err := openDB(ctx, *dbURL, nil)
	if err != nil {
		return err
	}
	defer database.Close(db)
	if err := database.Backup(ctx, db, *to); err != nil {
		return err
	}
	if err := markCopy(ctx, *to); err != nil {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(*to + suffix)
		}
		return err
	}
	fmt.Fprintf(stdout, "Copie écrite dans %s. Restaurée, elle ne numérotera rien avant « ordi numbering advance ».\n", *to)
	return nil
}

func markCopy(ctx context.Context, path string) error {
	db, err := database.Open(ctx, path, nil)
	if err != nil {
		return err
	}
	defer database.Close(db)
	if err := numbering.Mark(ctx, db, time.Now()); err != nil {
		return fmt.Errorf("copie : %w (migrez la base d'abord : ordi migrate up)", err)
	}
	return nil
}
