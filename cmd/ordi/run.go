package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/app"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/notify"
	"github.com/ordi-app/ordi/numbering"
	"github.com/ordi-app/ordi/outbox"
	"github.com/ordi-app/ordi/probe"
	"github.com/ordi-app/ordi/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

const usage = `Ordi : reconditionnement et remise d'ordinateurs.

Usage :
  ordi [serve]         démarre le serveur web (commande par défaut)
  ordi migrate up      applique les migrations de la base de données
  ordi migrate status  affiche l'état des migrations
  ordi user add        crée un compte (mot de passe lu sur l'entrée standard)
  ordi token add       crée un jeton d'API et l'affiche
  ordi token list      liste les jetons d'API d'un compte
  ordi token revoke    révoque un jeton d'API
  ordi demo            remplit une base vide avec un atelier de démonstration
  ordi backup          copie une base SQLite (ordi backup --to FICHIER)
  ordi numbering       numérotation des documents : status, ou advance après une restauration
  ordi probe           banc de diagnostic : lit le matériel et les disques, efface, envoie (docs/workbench.md)
  ordi version         affiche la version

Chaque commande accepte --help.

Configuration (variables d'environnement, ou options de même nom) :
  ORDI_ADDR             adresse d'écoute (défaut :8080)
  ORDI_BASE_URL         adresse publique, imprimée dans les QR codes (défaut http://localhost:8080)
  ORDI_DATABASE_URL     fichier SQLite (défaut ordi.db) ou URL postgres://…
  ORDI_SMTP_URL         serveur de courrier : smtp://utilisateur:mot-de-passe@hôte:587 (STARTTLS) ou smtps://… (facultatif ; sans lui les messages attendent)
  ORDI_MAIL_FROM        adresse d'expédition des messages (défaut ordi@<hôte de ORDI_BASE_URL>)
  ORDI_TRUSTED_PROXIES  adresses des répartiteurs de charge dont on croit X-Forwarded-For (facultatif)
  ORDI_METRICS_TOKEN    jeton qui ouvre /metrics depuis une autre machine (facultatif ; variable seulement)
`

// run is the whole program; main only wires it to the process. Tests call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	} else if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(stdout, usage)
		return nil
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args, getenv, stdout)
	case "user":
		const u = "usage : ordi user add --email E --name N --role R [--partner ID] (ordi user add --help pour le détail)"
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprintln(stdout, "ordi user add : crée un compte.\n"+u)
			return nil
		}
		if len(args) == 0 || args[0] != "add" {
			return usageError(u)
		}
		return runUserAdd(ctx, args[1:], getenv, stdin, stdout)
	case "token":
		return runToken(ctx, args, getenv, stdout)
	case "demo":
		return runDemo(ctx, args, getenv, stdout)
	case "backup":
		return runBackup(ctx, args, getenv, stdout)
	case "numbering":
		return runNumbering(ctx, args, getenv, stdout)
	case "probe":
		return runProbe(ctx, args, getenv, stdin, stdout, probe.ExecRunner{})
	case "version":
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprintln(stdout, "ordi version : affiche la version d'Ordi.\nusage : ordi version")
			return nil
		}
		if len(args) > 0 {
			return usageError("usage : ordi version (sans argument)")
		}
		fmt.Fprintln(stdout, "ordi", buildVersion())
		return nil
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageError(fmt.Sprintf("commande inconnue %q (voir ordi --help)", cmd))
}

func isHelp(arg string) bool { return arg == "-h" || arg == "--help" || arg == "-help" }

// errUsage marks an error in the command line itself.
type usageError string

func (e usageError) Error() string { return string(e) }

// errHelp is returned by parse when --help was asked: not an error for the user.
var errHelp = errors.New("help")

// errorLine turns any error into the one line printed before exiting.
func errorLine(err error) string {
	var e *ordi.Error
	if errors.As(err, &e) {
		var b strings.Builder
		b.WriteString(e.Message)
		for _, f := range e.Fields {
			if len(e.Fields) == 1 && f.Message == e.Message {
				break
			}
			fmt.Fprintf(&b, " [%s : %s]", f.Field, f.Message)
		}
		return b.String()
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

func envOr(getenv func(string) string, key, fallback string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return fallback
}

// flagSet is a subcommand's flags: silent on errors, which come back as one
// line, and printing its help on stdout for --help.
type flagSet struct {
	*flag.FlagSet
	help   string
	stdout io.Writer
}

func newFlagSet(name, help string, stdout io.Writer) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, help: help, stdout: stdout}
}

func databaseFlag(fs *flagSet, getenv func(string) string) *string {
	return fs.String("database-url", envOr(getenv, "ORDI_DATABASE_URL", database.DefaultURL),
		"fichier SQLite ou URL postgres:// (ORDI_DATABASE_URL)")
}

// parse parses args, turning flag errors into one-line usage errors.
func (fs *flagSet) parse(args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(fs.stdout, fs.help)
			fmt.Fprintln(fs.stdout, "\nOptions :")
			fs.SetOutput(fs.stdout)
			fs.PrintDefaults()
			return errHelp
		}
		msg := err.Error()
		if opt, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
			msg = "option inconnue " + opt
		}
		return usageError(fs.Name() + " : " + msg + " (voir --help)")
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("%s : argument inattendu %q", fs.Name(), fs.Arg(0)))
	}
	return nil
}

// parseBaseURL checks ORDI_BASE_URL: an absolute http(s) URL, printed in QR
// codes and links, so it must be right.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, usageError(fmt.Sprintf("ORDI_BASE_URL invalide %q : attendu une adresse comme https://ordi.mon-asso.fr", raw))
	}
	return u, nil
}

func openDB(ctx context.Context, rawURL string, log *slog.Logger) (*gorm.DB, error) {
	t, err := database.ParseURL(rawURL)
	if err != nil {
		return nil, usageError(err.Error())
	}
	db, err := database.OpenTarget(ctx, t, log)
	if err != nil {
		return nil, err
	}
	return db, nil
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "ordi serve : démarre le serveur web.", stdout)
	addr := fs.String("addr", envOr(getenv, "ORDI_ADDR", ":8080"), "adresse d'écoute (ORDI_ADDR)")
	baseURL := fs.String("base-url", envOr(getenv, "ORDI_BASE_URL", "http://localhost:8080"), "adresse publique (ORDI_BASE_URL)")
	dbURL := databaseFlag(fs, getenv)
	proxies := fs.String("trusted-proxies", getenv("ORDI_TRUSTED_PROXIES"), "répartiteurs de charge de confiance, séparés par des virgules (ORDI_TRUSTED_PROXIES)")
	logFormat := fs.String("log-format", "text", "format du journal : text ou json")
	idle := fs.String("session-idle", envOr(getenv, "ORDI_SESSION_IDLE", "30m"), "durée sans activité qui met fin à une session, par exemple 30m (ORDI_SESSION_IDLE)")
	if err := fs.parse(args); err != nil {
		return helpOK(err)
	}
	idleTimeout, err := time.ParseDuration(*idle)
	if err != nil || idleTimeout < time.Second {
		return usageError(fmt.Sprintf("serve : durée de session %q invalide (par exemple 30m)", *idle))
	}
	base, err := parseBaseURL(*baseURL)
	if err != nil {
		return err
	}
	var trusted []string
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			trusted = append(trusted, p)
		}
	}
	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(stderr, nil)
	default:
		return usageError(fmt.Sprintf("serve : format de journal inconnu %q (text ou json)", *logFormat))
	}
	log := slog.New(handler)
	ordi.ServeGC(getenv)
	// Mail: without ORDI_SMTP_URL messages wait in the outbox; a bad one
	// stops here, on one line (exit status 2).
	var mailer *outbox.SMTP
	if raw := getenv("ORDI_SMTP_URL"); raw != "" {
		s, err := outbox.ParseURL(raw, envOr(getenv, "ORDI_MAIL_FROM", "ordi@"+base.Hostname()))
		if err != nil {
			return usageError(err.Error())
		}
		mailer = s
	}

	db, err := openDB(ctx, *dbURL, log)
	if err != nil {
		return err
	}
	defer database.Close(db)
	if err := database.Migrate(ctx, db); err != nil {
		return err
	}
	now := time.Now
	svc := app.New(db, base.String(), now)
	setupToken := ""
	need, err := svc.Accounts.NeedsSetup(ctx)
	if err != nil {
		return err
	}
	if need {
		var b [16]byte
		rand.Read(b[:])
		setupToken = hex.EncodeToString(b[:])
	}
	if st, err := numbering.Status(ctx, db); err != nil {
		return err
	} else if st.Held {
		log.Warn("numérotation suspendue : base restaurée d'une sauvegarde ; aucun document ne sera numéroté avant « ordi numbering advance »")
	}
	srv, err := web.New(web.Config{
		BaseURL:            base,
		Logger:             log,
		Accounts:           svc.Accounts,
		Sessions:           svc.Sessions,
		Inventory:          svc.Inventory,
		Allocation:         svc.Allocation,
		Certificates:       svc.Certificates,
		Reports:            svc.Reports,
		Aftercare:          svc.Aftercare,
		Mail:               svc.Mail,
		MailConfigured:     mailer != nil,
		Ready:              svc.Ready,
		SetupToken:         setupToken,
		TrustedProxies:     trusted,
		MetricsToken:       getenv("ORDI_METRICS_TOKEN"), // no flag: a secret on the command line shows in ps
		Version:            buildVersion(),
		Now:                now,
		SessionIdleTimeout: idleTimeout,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usageError(fmt.Sprintf("impossible d'écouter sur %s : %v", *addr, err))
	}
	httpSrv := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	// One write: whoever waits for the address line finds the setup link
	// with it, never a moment later.
	banner := fmt.Sprintf("Ordi %s écoute sur %s (adresse publique %s)\n", buildVersion(), ln.Addr(), base)
	if setupToken != "" {
		banner += fmt.Sprintf("Première installation : ouvrez %s/setup/%s pour créer le compte administrateur.\n", base, setupToken)
	}
	io.WriteString(stdout, banner)

	go purgeLoop(ctx, svc.Accounts, log)
	go digestLoop(ctx, svc, log, time.Minute)
	if mailer != nil {
		// The administrators' sender address, when set, wins over the
		// environment's.
		mailer.FromFunc = func(ctx context.Context) string { return notify.Sender(ctx, db, mailer.From) }
		host, _ := os.Hostname()
		go (&outbox.Worker{DB: db, Sender: mailer, Name: fmt.Sprintf("%s-%d-%d", host, os.Getpid(), time.Now().UnixNano()), Log: log}).Run(ctx)
	}
	// The whole erasure: the family's file and its attestations' details.
	go retentionLoop(ctx, svc.Certificates, log, 24*time.Hour)
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Stop accepting, and let every request in flight finish: one may take
	// up to ReadHeaderTimeout for its headers, then WriteTimeout for its
	// answer. One still running after that has lost its client anyway.
	drain := httpSrv.ReadHeaderTimeout + httpSrv.WriteTimeout
	log.Info("arrêt demandé : plus de nouvelle requête ; celles en cours se terminent", "au_plus", drain)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		log.Warn("arrêt : requêtes interrompues après leur durée maximale", "error", err)
		httpSrv.Close()
	}
	return nil
}

// purgeLoop removes expired sessions and old login failures.
func purgeLoop(ctx context.Context, accounts *account.Service, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := accounts.Purge(ctx); err != nil && ctx.Err() == nil {
				log.Warn("purge", "error", err)
			}
		}
	}
}

// digestLoop writes the staff's daily digest when its hour (a setting)
// comes; it checks every period.
func digestLoop(ctx context.Context, svc app.Services, log *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := svc.Mail.RunDigest(ctx, svc.Notifier); err != nil && ctx.Err() == nil {
				log.Warn("récapitulatif quotidien", "error", err)
			}
		}
	}
}

// retentionLoop erases the family files kept past their retention period
// (certificates.EraseExpired) at start-up, then every period.
func retentionLoop(ctx context.Context, certs *certificates.Service, log *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		switch n, err := certs.EraseExpired(ctx); {
		case err != nil && ctx.Err() == nil:
			log.Warn("effacement des dossiers échus", "error", err)
		case n > 0:
			log.Info("dossiers de familles effacés : durée de conservation écoulée", "familles", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// helpOK turns a --help request into success.
func helpOK(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("migrate", "ordi migrate up|status : applique les migrations ou affiche leur état.", stdout)
	dbURL := databaseFlag(fs, getenv)
	sub := "up"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if err := fs.parse(args); err != nil {
		return helpOK(err)
	}
	if sub != "up" && sub != "status" {
		return usageError(fmt.Sprintf("migrate : sous-commande inconnue %q (up ou status)", sub))
	}
	db, err := openDB(ctx, *dbURL, nil)
	if err != nil {
		return err
	}
	defer database.Close(db)
	if sub == "up" {
		if err := database.Migrate(ctx, db); err != nil {
			return err
		}
	}
	states, err := database.Status(ctx, db)
	if err != nil {
		return err
	}
	ahead := false
	for _, s := range states {
		state := "en attente"
		if s.Applied {
			state = "appliquée le " + s.AppliedAt.UTC().Format(time.RFC3339)
		}
		name := s.Name
		if s.Unknown {
			name, ahead = "(inconnue de ce programme)", true
		}
		fmt.Fprintf(stdout, "%05d  %-40s %s\n", s.Version, name, state)
	}
	if ahead {
		fmt.Fprintln(stdout, "La base de données a été migrée par une version plus récente d'Ordi : ce programme refuse de la servir.")
	}
	return nil
}

func runUserAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	fs := newFlagSet("user add", "ordi user add --email E --name N --role R [--partner ID] < mot-de-passe\n\n"+
		"Crée un compte. Le mot de passe (12 caractères au moins) est lu sur l'entrée standard ;\n"+
		"vide, et ORDI_SMTP_URL réglée : une invitation est envoyée par e-mail à la place.\n"+
		"Rôles : admin, staff, volunteer, trainer, social_worker (ce dernier exige --partner),\n"+
		"workbench (poste d'atelier : ne se connecte pas aux pages, travaille avec un jeton, ordi token add ;\n"+
		"sans mot de passe sur l'entrée standard, un mot de passe aléatoire, jamais utilisé, lui est donné).", stdout)
	dbURL := databaseFlag(fs, getenv)
	email := fs.String("email", "", "adresse e-mail (identifiant)")
	name := fs.String("name", "", "nom affiché")
	role := fs.String("role", "", "rôle")
	partner := fs.Int64("partner", 0, "identifiant de la structure partenaire")
	if err := fs.parse(args); err != nil {
		return helpOK(err)
	}
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	if password == "" && ordi.Role(*role) == ordi.RoleWorkbench {
		// A workbench never signs in: its password is drawn here and
		// forgotten; it works with the token of ordi token add.
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		password = hex.EncodeToString(b)
	}
	db, err := openDB(ctx, *dbURL, nil)
	if err != nil {
		return err
	}
	defer database.Close(db)
	if err := database.Migrate(ctx, db); err != nil {
		return err
	}
	n := account.NewUser{Email: *email, Name: *name, Role: ordi.Role(*role), PartnerID: *partner, Password: password}
	if password == "" && getenv("ORDI_SMTP_URL") != "" {
		// With mail, no password on the command line: the new user
		// receives an invitation link and chooses one.
		base, err := parseBaseURL(envOr(getenv, "ORDI_BASE_URL", "http://localhost:8080"))
		if err != nil {
			return err
		}
		accounts := account.NewService(db, time.Now)
		accounts.NotifyBy(notify.New(base.String()))
		u, err := accounts.InviteUser(ctx, ordi.System, n)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Compte %d créé : %s (%s) ; invitation envoyée à %s\n", u.ID, u.Email, u.Role.Label(), u.Email)
		return nil
	}
	u, err := account.NewService(db, time.Now).CreateUser(ctx, ordi.System, n)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Compte %d créé : %s (%s)\n", u.ID, u.Email, u.Role.Label())
	return nil
}

// readPassword reads the first line of stdin.
func readPassword(stdin io.Reader) (string, error) {
	if stdin == nil {
		return "", usageError("le mot de passe doit être fourni sur l'entrée standard")
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 1024)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
